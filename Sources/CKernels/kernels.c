// The LSTM cell update of one row, compiled three times: baseline x86-64 (SSE2), AVX2 + FMA, AVX-512.
//
// Row of width H; the 4H pre-activations a hold the gate blocks i f g o at offsets 0, H, 2H, 3H (see LSTM.swift):
//
//     i, f, o = σ(a_i, a_f, a_o)    g = tanh(a_g)    c = f ⊙ c_prev + i ⊙ g    h = o ⊙ tanh(c)
//
// with the lane formulas of NeuralNets' GateLanes (the Cephes expf reduction of Core's `gateExp`):
//
//     e^x:     x ← clamp(x, −87.3, 88.3);  n = round(x·log₂e) (by ±1.5·2²³);  r = x − n·ln2_hi + n·ln2_lo
//              p = P5(r) by Horner;  e^r = p·(r·r) + r + 1;  e^x = e^r · 2^n  (2^n built in the exponent bits)
//     σ(a)   = 1 / (1 + e^(−a))          tanh(a) = 1 − 2 / (e^(2a) + 1)
//
// Columns go 16 (AVX-512), 8 (AVX2) or 4 (SSE2, still in groups of 8) at a time through those lane formulas; the last H mod 8 columns go
// through the scalar formulas (libm expf, σ split at a = 0), exactly as the Swift `GateLanes.lstmRow` does.
//
// Bit-identity: every column's value depends only on that column's inputs, and every path evaluates the same
// operations in the same order with IEEE rounding and NO contraction into FMA (FP_CONTRACT OFF below), so the
// three paths, and the Swift `GateLanes.lstmRow`, give bit-identical results for every H, on any number of
// ranks. The wide paths win by width (8 or 16 lanes per instruction instead of 4), not by fused arithmetic.
#pragma STDC FP_CONTRACT OFF

#include "lanes.h"

// The LSTM columns j ..< j + lanes of one row, on the lane helpers SUF of lanes.h.
#define TK_LSTM_BLOCK(SUF, F, ATTR)                                                                              \
    TK_INLINE ATTR void SUF##_lstm_block(float *a, const float *cin, float *cell, float *tc, float *hid, long h, \
                                         long j) {                                                               \
        F i = SUF##_sigmoid(SUF##_load(a + j)), f = SUF##_sigmoid(SUF##_load(a + h + j));                        \
        F g = SUF##_tanh(SUF##_load(a + 2 * h + j)), o = SUF##_sigmoid(SUF##_load(a + 3 * h + j));               \
        SUF##_store(i, a + j); SUF##_store(f, a + h + j);                                                        \
        SUF##_store(g, a + 2 * h + j); SUF##_store(o, a + 3 * h + j);                                            \
        F c = f * SUF##_load(cin + j) + i * g;                                                                   \
        F t = SUF##_tanh(c);                                                                                     \
        SUF##_store(c, cell + j); SUF##_store(t, tc + j); SUF##_store(o * t, hid + j);                           \
    }

TK_LSTM_BLOCK(base4, f4, )
TK_LSTM_BLOCK(avx8, f8, TK_AVX2)
TK_LSTM_BLOCK(zmm8, f8, TK_AVX512)
TK_LSTM_BLOCK(zmm16, f16, TK_AVX512)

static void lstm_tail(float *a, const float *cin, float *cell, float *tc, float *hid, long h, long j) {
    for (; j < h; j++) {
        float i = scalar_sigmoid(a[j]), f = scalar_sigmoid(a[h + j]);
        float g = scalar_tanh(a[2 * h + j]), o = scalar_sigmoid(a[3 * h + j]);
        a[j] = i; a[h + j] = f; a[2 * h + j] = g; a[3 * h + j] = o;
        float c = f * cin[j] + i * g;
        float t = scalar_tanh(c);
        cell[j] = c; tc[j] = t; hid[j] = o * t;
    }
}

// MARK: - The three rows

static void lstm_row_baseline(float *a, const float *cin, float *cell, float *tc, float *hid, long h) {
    long j = 0;
    for (; j + 8 <= h; j += 8) {
        base4_lstm_block(a, cin, cell, tc, hid, h, j);
        base4_lstm_block(a, cin, cell, tc, hid, h, j + 4);
    }
    lstm_tail(a, cin, cell, tc, hid, h, j);
}

TK_AVX2 static void lstm_row_avx2(float *a, const float *cin, float *cell, float *tc, float *hid, long h) {
    long j = 0;
    for (; j + 8 <= h; j += 8) avx8_lstm_block(a, cin, cell, tc, hid, h, j);
    lstm_tail(a, cin, cell, tc, hid, h, j);
}

TK_AVX512 static void lstm_row_avx512(float *a, const float *cin, float *cell, float *tc, float *hid, long h) {
    long j = 0;
    for (; j + 16 <= h; j += 16) zmm16_lstm_block(a, cin, cell, tc, hid, h, j);
    for (; j + 8 <= h; j += 8) zmm8_lstm_block(a, cin, cell, tc, hid, h, j);
    lstm_tail(a, cin, cell, tc, hid, h, j);
}

void tk_lstm_row(int isa, float *gates, const float *cell_in, float *cell, float *tanh_cell, float *hidden, long h) {
    switch (isa) {
    case TK_ISA_AVX512: lstm_row_avx512(gates, cell_in, cell, tanh_cell, hidden, h); break;
    case TK_ISA_AVX2: lstm_row_avx2(gates, cell_in, cell, tanh_cell, hidden, h); break;
    default: lstm_row_baseline(gates, cell_in, cell, tanh_cell, hidden, h); break;
    }
}

// MARK: - CPUID (compiler-rt/libgcc's __builtin_cpu_supports also checks that the OS saves the YMM/ZMM state)

int tk_cpu_supports(int isa) {
    __builtin_cpu_init();
    switch (isa) {
    case TK_ISA_BASELINE: return 1;
    case TK_ISA_AVX2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case TK_ISA_AVX512:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
            && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw")
            && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    default: return 0;
    }
}
