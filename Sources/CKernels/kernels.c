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

#include "shim.h"

#include <math.h>
#include <string.h>

typedef float f4 __attribute__((vector_size(16)));
typedef int i4 __attribute__((vector_size(16)));
typedef float f8 __attribute__((vector_size(32)));
typedef int i8 __attribute__((vector_size(32)));
typedef float f16 __attribute__((vector_size(64)));
typedef int i16 __attribute__((vector_size(64)));

#define TK_AVX2 __attribute__((target("avx2,fma")))
#define TK_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")))
#define TK_INLINE static inline __attribute__((always_inline))

// The lane helpers of one vector type F (int twin I), as always-inline functions carrying ATTR; SUF names them.
#define TK_LANES(SUF, F, I, ATTR)                                                                                \
    TK_INLINE ATTR F SUF##_load(const float *p) { F v; memcpy(&v, p, sizeof v); return v; }                     \
    TK_INLINE ATTR void SUF##_store(F v, float *p) { memcpy(p, &v, sizeof v); }                                 \
    TK_INLINE ATTR F SUF##_splat(float s) { return (F){0} + s; }                                                \
    /* where m (all ones) take b, else a: the `replacing(with:where:)` of the Swift lanes */                    \
    TK_INLINE ATTR F SUF##_replace(F a, F b, I m) { return (F)(((I)b & m) | ((I)a & ~m)); }                     \
    TK_INLINE ATTR F SUF##_exp(F x) {                                                                            \
        F lo = SUF##_splat(-87.3f), hi = SUF##_splat(88.3f);                                                     \
        x = SUF##_replace(x, lo, x < lo);                                                                        \
        x = SUF##_replace(x, hi, x > hi);                                                                        \
        F magic = SUF##_splat(12582912.0f); /* 1.5·2²³ */                                                       \
        F t = x * 1.4426950409f + magic;                                                                         \
        F n = t - magic;                                                                                         \
        F r = x - n * 0.693359375f + n * 2.1219444005e-4f;                                                       \
        F p = r * 1.9875691500e-4f + 1.3981999507e-3f;                                                           \
        p = p * r + 8.3334519073e-3f;                                                                            \
        p = p * r + 4.1665795894e-2f;                                                                            \
        p = p * r + 1.6666665459e-1f;                                                                            \
        p = p * r + 5.0000001201e-1f;                                                                            \
        p = p * (r * r) + r + 1.0f;                                                                              \
        I e = (I)t - (I)magic;                                                                                   \
        return p * (F)((e + 127) << 23);                                                                         \
    }                                                                                                            \
    TK_INLINE ATTR F SUF##_sigmoid(F a) { return 1.0f / (1.0f + SUF##_exp(-a)); }                              \
    TK_INLINE ATTR F SUF##_tanh(F a) { return 1.0f - 2.0f / (SUF##_exp(2.0f * a) + 1.0f); }                   \
    /* columns j ..< j + lanes of the row */                                                                     \
    TK_INLINE ATTR void SUF##_block(float *a, const float *cin, float *cell, float *tc, float *hid, long h,      \
                                    long j) {                                                                    \
        F i = SUF##_sigmoid(SUF##_load(a + j)), f = SUF##_sigmoid(SUF##_load(a + h + j));                        \
        F g = SUF##_tanh(SUF##_load(a + 2 * h + j)), o = SUF##_sigmoid(SUF##_load(a + 3 * h + j));               \
        SUF##_store(i, a + j); SUF##_store(f, a + h + j);                                                        \
        SUF##_store(g, a + 2 * h + j); SUF##_store(o, a + 3 * h + j);                                            \
        F c = f * SUF##_load(cin + j) + i * g;                                                                   \
        F t = SUF##_tanh(c);                                                                                     \
        SUF##_store(c, cell + j); SUF##_store(t, tc + j); SUF##_store(o * t, hid + j);                           \
    }

TK_LANES(base4, f4, i4, )  // SSE2: eight columns are two blocks of four
TK_LANES(avx8, f8, i8, TK_AVX2)
TK_LANES(zmm8, f8, i8, TK_AVX512)
TK_LANES(zmm16, f16, i16, TK_AVX512)

// MARK: - The scalar remainder (the Swift NeuralNets scalar σ and Float tanh: libm expf)

static float scalar_sigmoid(float a) {
    if (a >= 0) return 1.0f / (1.0f + expf(-a));
    float e = expf(a);
    return e / (1.0f + e);
}

static float scalar_tanh(float a) { return 1.0f - 2.0f / (expf(2.0f * a) + 1.0f); }

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
        base4_block(a, cin, cell, tc, hid, h, j);
        base4_block(a, cin, cell, tc, hid, h, j + 4);
    }
    lstm_tail(a, cin, cell, tc, hid, h, j);
}

TK_AVX2 static void lstm_row_avx2(float *a, const float *cin, float *cell, float *tc, float *hid, long h) {
    long j = 0;
    for (; j + 8 <= h; j += 8) avx8_block(a, cin, cell, tc, hid, h, j);
    lstm_tail(a, cin, cell, tc, hid, h, j);
}

TK_AVX512 static void lstm_row_avx512(float *a, const float *cin, float *cell, float *tc, float *hid, long h) {
    long j = 0;
    for (; j + 16 <= h; j += 16) zmm16_block(a, cin, cell, tc, hid, h, j);
    for (; j + 8 <= h; j += 8) zmm8_block(a, cin, cell, tc, hid, h, j);
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
