// The Fisher-vector moment fills around the two GEMMs of `PosteriorKernel` (Encoding), compiled three times:
// baseline x86-64 (SSE2), AVX2 + FMA, AVX-512 (see kernels.c for the dispatch scheme).
//
// `tk_squares_and_rows`: A = [X² | X] (n, 2D) from the rows X (n, D), the left operand of both GEMMs:
//
//     a_i,d = x_i,d · x_i,d      a_i,D+d = x_i,d          (d = 0 … D−1)
//
// one rounding per square, so every level gives the same bits (16, 8 or 4 values per instruction).
//
// `tk_row_sums`: the zeroth moments S0_k = Σ_{i ∈ [lower, upper)} q_k,i over a column range of Qᵀ (M, ld):
//
//     s_l = Σ_{j} q_k,lower+8j+l   (eight lane sums, j over the full groups of 8, in order)
//     S0_k = ((((s_0 + s_1) + s_2) + …) + s_7) + q_k,e + q_k,e+1 + …   (e = first column after the full groups)
//
// which is the order of the Swift twin `PosteriorKernel.zerothMomentsLanes` (SIMD8 lane sums, `sum()` lane by
// lane, then the tail). Every level keeps those eight lanes (AVX-512 as well: 16 lanes would change the
// additions), so every level gives the same bits; the wide levels win only on the loads.
#pragma STDC FP_CONTRACT OFF

#include "lanes.h"

// A = [X² | X] for rows i of width d, on the lane helpers SUF of width W.
#define TK_SQUARES_FN(SUF, F, W, ATTR)                                                                          \
    ATTR static void SUF##_squares_and_rows(const float *x, long n, long d, float *a) {                        \
        long end = d - d % W;                                                                                   \
        for (long i = 0; i < n; i++) {                                                                          \
            const float *src = x + i * d;                                                                       \
            float *dst = a + i * 2 * d;                                                                         \
            for (long j = 0; j < end; j += W) {                                                                 \
                F v = SUF##_load(src + j);                                                                      \
                SUF##_store(v * v, dst + j);                                                                    \
                SUF##_store(v, dst + d + j);                                                                    \
            }                                                                                                   \
            for (long j = end; j < d; j++) {                                                                    \
                float v = src[j];                                                                               \
                dst[j] = v * v;                                                                                 \
                dst[d + j] = v;                                                                                 \
            }                                                                                                   \
        }                                                                                                       \
    }

TK_SQUARES_FN(base4, f4, 4, )
TK_SQUARES_FN(avx8, f8, 8, TK_AVX2)
TK_SQUARES_FN(zmm16, f16, 16, TK_AVX512)

// The eight lane sums of one row over the full groups of 8 from column i; returns the first column left over.
TK_INLINE long base4_lane_sums(const float *row, long i, long upper, float *lanes) {
    f4 lo = base4_splat(0.0f), hi = base4_splat(0.0f);  // lanes 0–3 and 4–7
    for (; i + 8 <= upper; i += 8) {
        lo = lo + base4_load(row + i);
        hi = hi + base4_load(row + i + 4);
    }
    base4_store(lo, lanes);
    base4_store(hi, lanes + 4);
    return i;
}

#define TK_LANE_SUMS_FN(SUF, ATTR)                                                                              \
    TK_INLINE ATTR long SUF##_lane_sums(const float *row, long i, long upper, float *lanes) {                  \
        f8 acc = SUF##_splat(0.0f);                                                                             \
        for (; i + 8 <= upper; i += 8) acc = acc + SUF##_load(row + i);                                         \
        SUF##_store(acc, lanes);                                                                                \
        return i;                                                                                               \
    }

TK_LANE_SUMS_FN(avx8, TK_AVX2)
TK_LANE_SUMS_FN(zmm8, TK_AVX512)

// S0 of rows k = 0 … m−1 over columns [lower, upper): eight lanes on every level, then lane by lane, then the tail.
#define TK_ROW_SUMS_FN(SUF, ATTR)                                                                               \
    ATTR static void SUF##_row_sums(const float *q, long m, long ld, long lower, long upper, float *sums) {    \
        for (long k = 0; k < m; k++) {                                                                          \
            const float *row = q + k * ld;                                                                      \
            float lanes[8];                                                                                     \
            long i = SUF##_lane_sums(row, lower, upper, lanes);                                                 \
            float s = -0.0f;                                                                                    \
            for (int l = 0; l < 8; l++) s += lanes[l];                                                          \
            for (; i < upper; i++) s += row[i];                                                                 \
            sums[k] = s;                                                                                        \
        }                                                                                                       \
    }

TK_ROW_SUMS_FN(base4, )
TK_ROW_SUMS_FN(avx8, TK_AVX2)
TK_ROW_SUMS_FN(zmm8, TK_AVX512)

void tk_squares_and_rows(int isa, const float *x, long n, long d, float *a) {
    switch (isa) {
    case TK_ISA_AVX512: zmm16_squares_and_rows(x, n, d, a); break;
    case TK_ISA_AVX2: avx8_squares_and_rows(x, n, d, a); break;
    default: base4_squares_and_rows(x, n, d, a); break;
    }
}

void tk_row_sums(int isa, const float *q, long m, long ld, long lower, long upper, float *sums) {
    switch (isa) {
    case TK_ISA_AVX512: zmm8_row_sums(q, m, ld, lower, upper, sums); break;
    case TK_ISA_AVX2: avx8_row_sums(q, m, ld, lower, upper, sums); break;
    default: base4_row_sums(q, m, ld, lower, upper, sums); break;
    }
}
