// CStartup: glibc process start-up tuning for Swift: the allocator (mallopt) and the buffering of the standard streams
// (stdout/stderr are C globals that Swift 6 refuses to touch as shared mutable state). Only the Distributed
// module imports this (World's start-up); it is part of libc, so nothing is linked.
#ifndef TRIBUTARY_CSTARTUP_SHIM_H
#define TRIBUTARY_CSTARTUP_SHIM_H
#include <malloc.h>
#include <stdio.h>

/// stdout line-buffered, stderr unbuffered, whatever they are connected to (a file or pipe is block-buffered
/// by default). Call before anything is written to either stream.
static inline void tributary_line_buffer_standard_streams(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    setvbuf(stderr, NULL, _IONBF, 0);
}
#endif
