// CHDF5: the serial HDF5 C library for Swift. HDF5's type and flag "constants" are macros that call H5open()
// and read globals (H5T_NATIVE_FLOAT, H5F_ACC_TRUNC, H5P_DATASET_CREATE …), so each one is a static inline
// function here. Only the Storage module imports this; no hid_t appears in any public Swift signature.
#ifndef TRIBUTARY_CHDF5_SHIM_H
#define TRIBUTARY_CHDF5_SHIM_H
#include <hdf5.h>
#include <hdf5_hl.h>

static inline hid_t tributary_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t tributary_h5s_all(void) { return H5S_ALL; }
static inline hsize_t tributary_h5s_unlimited(void) { return H5S_UNLIMITED; }
static inline unsigned tributary_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned tributary_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline unsigned tributary_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned tributary_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline hid_t tributary_h5p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t tributary_h5p_file_create(void) { return H5P_FILE_CREATE; }
static inline hid_t tributary_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t tributary_h5p_dataset_access(void) { return H5P_DATASET_ACCESS; }
static inline hid_t tributary_h5p_dataset_xfer(void) { return H5P_DATASET_XFER; }
static inline hid_t tributary_h5p_link_create(void) { return H5P_LINK_CREATE; }
static inline hid_t tributary_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t tributary_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t tributary_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t tributary_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t tributary_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t tributary_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t tributary_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t tributary_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t tributary_h5t_std_i32le(void) { return H5T_STD_I32LE; }
static inline hid_t tributary_h5t_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t tributary_h5t_std_u8le(void) { return H5T_STD_U8LE; }
static inline size_t tributary_h5t_variable(void) { return H5T_VARIABLE; }
static inline size_t tributary_h5d_chunk_cache_nslots_default(void) { return H5D_CHUNK_CACHE_NSLOTS_DEFAULT; }
static inline double tributary_h5d_chunk_cache_w0_default(void) { return H5D_CHUNK_CACHE_W0_DEFAULT; }

/// Silence HDF5's automatic error-stack printing: Tributary turns every failure into a typed Swift error.
static inline void tributary_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

/// Every open object of every file (`H5Fget_obj_ids(H5F_OBJ_ALL, …)`), and the flag for files alone.
static inline hid_t tributary_h5f_obj_all_files(void) { return (hid_t)H5F_OBJ_ALL; }
static inline unsigned tributary_h5f_obj_all(void) { return H5F_OBJ_ALL; }
static inline unsigned tributary_h5f_obj_file(void) { return H5F_OBJ_FILE; }

#endif
