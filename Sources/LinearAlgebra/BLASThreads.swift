import COpenBLAS
enum BLASPlaceholder { static func n() -> Int32 { tributary_blas_threads() } }
