// CKernels: hand-written wide-vector kernels compiled for several x86-64 ISA levels in one binary, with the
// CPUID check that says which of them this CPU can run. No stable Swift API: LinearAlgebra's `KernelISA` and
// `WideKernels` own this module (selection once at start-up, TRIBUTARY_ISA override).
#ifndef TRIBUTARY_CKERNELS_SHIM_H
#define TRIBUTARY_CKERNELS_SHIM_H

/// The ISA levels, in increasing order of width: baseline x86-64 (SSE2), AVX2 + FMA, AVX-512 (F, with VL/DQ/BW).
enum {
    TK_ISA_BASELINE = 0,
    TK_ISA_AVX2 = 1,
    TK_ISA_AVX512 = 2,
};

/// 1 when this CPU (and OS: the YMM/ZMM state is saved) can run the kernels of `isa`, else 0.
int tk_cpu_supports(int isa);

/// The LSTM cell update of one row (see kernels.c): overwrites the 4H pre-activations in `gates` (blocks i f g o)
/// with the activations and writes c, tanh c and h (H each); `cell_in` is c_prev and may alias `cell`.
/// `isa` must be one the CPU supports (tk_cpu_supports).
void tk_lstm_row(int isa, float *gates, const float *cell_in, float *cell, float *tanh_cell, float *hidden, long h);

#endif
