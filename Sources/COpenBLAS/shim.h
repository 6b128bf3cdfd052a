// COpenBLAS: CBLAS (OpenBLAS) and LAPACKE for Swift. Only the LinearAlgebra module imports this.
#ifndef TRIBUTARY_COPENBLAS_SHIM_H
#define TRIBUTARY_COPENBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>

// Thread control: OpenBLAS reads OPENBLAS_NUM_THREADS at load time; these let `tributary bench` report and set it.
static inline int tributary_blas_threads(void) { return openblas_get_num_threads(); }
static inline void tributary_set_blas_threads(int n) { openblas_set_num_threads(n); }
static inline const char *tributary_blas_config(void) { return openblas_get_config(); }
static inline const char *tributary_blas_corename(void) { return openblas_get_corename(); }
static inline int tributary_lapack_row_major(void) { return LAPACK_ROW_MAJOR; }

#endif
