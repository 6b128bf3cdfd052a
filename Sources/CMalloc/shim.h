// CMalloc: glibc's allocator tuning (mallopt) for Swift. Only the Distributed module imports this (World's
// start-up); it is part of libc, so nothing is linked.
#ifndef TRIBUTARY_CMALLOC_SHIM_H
#define TRIBUTARY_CMALLOC_SHIM_H
#include <malloc.h>
#endif
