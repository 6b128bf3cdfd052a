// CMPI: Open MPI for Swift. Swift cannot import the handle macros (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, …),
// which Open MPI defines as addresses of global objects, so each one is a static inline function here.
// Only the Distributed module imports this; no MPI type appears in any public Swift signature.
#ifndef TRIBUTARY_CMPI_SHIM_H
#define TRIBUTARY_CMPI_SHIM_H
#include <mpi.h>

static inline MPI_Comm tributary_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype tributary_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype tributary_mpi_double(void) { return MPI_DOUBLE; }
static inline MPI_Datatype tributary_mpi_int32(void) { return MPI_INT32_T; }
static inline MPI_Datatype tributary_mpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Datatype tributary_mpi_uint8(void) { return MPI_UINT8_T; }
static inline MPI_Datatype tributary_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Op tributary_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Op tributary_mpi_max(void) { return MPI_MAX; }
static inline MPI_Op tributary_mpi_min(void) { return MPI_MIN; }
static inline void *tributary_mpi_in_place(void) { return MPI_IN_PLACE; }
static inline int tributary_mpi_success(void) { return MPI_SUCCESS; }
static inline int tributary_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static inline int tributary_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline MPI_Errhandler tributary_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }

#endif
