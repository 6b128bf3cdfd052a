// CKernels' posterior exponential (internal, not part of the module map), shared by the log-sum-exp of posterior.c
// and the fused posterior GEMM of posterior_gemm.c: Core's `posteriorExp` (SIMDMath.swift), the Cody–Waite +
// degree-6 polynomial e^x with z below `floor` (also −∞, NaN) raised to the floor first and the result exactly 0
// where z < floor. No FMA contraction (FP_CONTRACT OFF), so every level gives the bits of the Swift lanes.
#ifndef TRIBUTARY_CKERNELS_POSTERIOR_LANES_H
#define TRIBUTARY_CKERNELS_POSTERIOR_LANES_H
#pragma STDC FP_CONTRACT OFF

#include "lanes.h"

// The posterior exponential of one vector type F (int twin I) on the lane helpers SUF of lanes.h.
#define TK_POSTERIOR_EXP(SUF, F, I, ATTR)                                                                     \
    TK_INLINE ATTR F SUF##_exp_kernel(F x) {                                                                    \
        F magic = SUF##_splat(12582912.0f);                                                                     \
        F t = x * 1.44269504f + magic;                                                                          \
        F k = t - magic;                                                                                        \
        F r = x - k * 0.693359375f + k * 2.1219444e-4f;                                                         \
        F p = SUF##_splat(1.98756915e-4f);                                                                      \
        p = p * r + 1.39819995e-3f;                                                                             \
        p = p * r + 8.3334519e-3f;                                                                              \
        p = p * r + 4.16657959e-2f;                                                                             \
        p = p * r + 1.66666655e-1f;                                                                             \
        p = p * r + 5.00000012e-1f;                                                                             \
        p = p * r * r + r + 1.0f;                                                                               \
        I e = ((I)t - (I)magic) + 127;                                                                          \
        return p * (F)(e << 23);                                                                                \
    }                                                                                                           \
    TK_INLINE ATTR F SUF##_posterior_exp(F z, float floor) {                                                    \
        F fl = SUF##_splat(floor);                                                                              \
        F x = SUF##_replace(z, fl, ~(z >= fl));                                                                 \
        return SUF##_replace(SUF##_exp_kernel(x), SUF##_splat(0.0f), z < fl);                                   \
    }

TK_POSTERIOR_EXP(base4, f4, i4, )
TK_POSTERIOR_EXP(avx8, f8, i8, TK_AVX2)
TK_POSTERIOR_EXP(zmm16, f16, i16, TK_AVX512)

#endif
