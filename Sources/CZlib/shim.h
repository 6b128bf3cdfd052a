// CZlib: zlib's inflate for Swift (gzip-compressed datasets: Fashion-MNIST idx files, .tar.gz corpora).
// Only the Datasets module imports this.
#ifndef TRIBUTARY_CZLIB_SHIM_H
#define TRIBUTARY_CZLIB_SHIM_H
#include <zlib.h>

/// inflateInit2 is a macro over inflateInit2_ (it passes the library version and the stream size).
static inline int tributary_inflate_init_gzip(z_stream *stream) {
    // 15 window bits + 32: detect gzip or zlib headers automatically.
    return inflateInit2(stream, 15 + 32);
}
#endif
