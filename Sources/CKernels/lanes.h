// CKernels' shared lane maths (internal, not part of the module map): the vector types of the three ISA levels,
// the e^x / σ / tanh lane formulas every gate kernel uses (see kernels.c for the scheme and why the levels give
// the same bits), and the scalar formulas of a row's last H mod 8 columns. Included by kernels.c and gru.c.
#ifndef TRIBUTARY_CKERNELS_LANES_H
#define TRIBUTARY_CKERNELS_LANES_H
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
    TK_INLINE ATTR F SUF##_tanh(F a) { return 1.0f - 2.0f / (SUF##_exp(2.0f * a) + 1.0f); }

TK_LANES(base4, f4, i4, )  // SSE2: eight columns are two blocks of four
TK_LANES(avx8, f8, i8, TK_AVX2)
TK_LANES(zmm8, f8, i8, TK_AVX512)
TK_LANES(zmm16, f16, i16, TK_AVX512)

// MARK: - The scalar remainder (the Swift NeuralNets scalar σ and Float tanh: libm expf)

static inline float scalar_sigmoid(float a) {
    if (a >= 0) return 1.0f / (1.0f + expf(-a));
    float e = expf(a);
    return e / (1.0f + e);
}

static inline float scalar_tanh(float a) { return 1.0f - 2.0f / (expf(2.0f * a) + 1.0f); }

#endif
