// The GMM posteriors of a block of samples in one pass over the data: the posterior GEMM Lᵀ = W·Aᵀ fused with the
// log-sum-exp of posterior.c, FS samples at a time (FS = 16 on AVX-512, 8 on AVX2 + FMA); no baseline level (the
// caller keeps OpenBLAS + posterior.c there, `tk_posterior_fused` returns 1).
//
// Shapes: A (n, 2D) row-major, the rows [X² | X]; W (M, 2D) row-major, packed once by `tk_posterior_pack` into
// groups of KG = 16 components, Wp[g][d][j] = W[16g + j][d] (zero rows past M); b (M); out: Qᵀ (M, ld) and
// log p(x_i) (n Doubles). Per strip of FS samples i (a vector lane each):
//
//     Aᵀ strip:  at[d][s] = A[i + s][d]                                   (2D × FS floats, L1)
//     L_ki     = fma(W_k,2D−1, a_2D−1,i, … fma(W_k1, a_1i, fma(W_k0, a_0i, 0)))   (one FMA chain in d order)
//     l_ki     = L_ki + b_k           m_i = max_k l_ki                     (k in order, into an (M, FS) tile)
//     e_ki     = exp(l_ki − m_i)  (0 when below floor)     s_i = Σ_k e_ki  (k in order)
//     q_ki     = e_ki · (1 / s_i)     log p(x_i) = m_i + log s_i   (Double, libm log)
//
// The tile (M·FS floats: 16 KiB at M = 256, AVX-512) stays in L1 across the three passes, so Lᵀ never travels
// through L2/L3 before its log-sum-exp, OpenBLAS's zero fill of C (β = 0) and its packing of Aᵀ go away, and the
// register block is 16 components × FS samples (16 zmm accumulators; AVX2: 8 ymm, a group in two halves).
//
// Bits: the log-sum-exp is posterior.c's, operation for operation (posterior_lanes.h, no contraction), and each
// L_ki is one FMA chain over d in order from 0, which is what OpenBLAS 0.3.21's sgemm kernel computes when
// 2D fits one of its K panels (β = 0, α = 1: C = 1·acc + 0 = acc); so at the EM/FV shapes (2D = 128) the result is
// the bits of the OpenBLAS + posterior.c path (tested), on both levels (same chain, narrower lanes), for any n.
// Encoding's `PosteriorKernel.posteriorsNaive…` twin states the chain in Swift (`addingProduct`).
#pragma STDC FP_CONTRACT OFF

#include "posterior_lanes.h"

#include <immintrin.h>
#include <stdlib.h>

enum { TK_KG = 16 };

long tk_posterior_packed_count(long m, long two_d) { return (m + TK_KG - 1) / TK_KG * TK_KG * two_d; }

void tk_posterior_pack(const float *w, long m, long two_d, float *wp) {
    long groups = (m + TK_KG - 1) / TK_KG;
    for (long g = 0; g < groups; g++)
        for (long d = 0; d < two_d; d++)
            for (long j = 0; j < TK_KG; j++) {
                long k = g * TK_KG + j;
                wp[(g * two_d + d) * TK_KG + j] = k < m ? w[k * two_d + d] : 0.0f;
            }
}

// Aᵀ of the strip's `rows` samples, zero lanes past them: at[d·W + s] = a[s·2D + d], one gather per d.
TK_AVX512 static void zmm16_transpose(const float *a, long rows, long two_d, float *at) {
    __m512i index = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                       _mm512_set1_epi32((int)two_d));
    __mmask16 live = rows >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << rows) - 1);
    for (long d = 0; d < two_d; d++)
        _mm512_store_ps(at + d * 16, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), live, index, a + d, 4));
}

TK_AVX2 static void avx8_transpose(const float *a, long rows, long two_d, float *at) {
    __m256i index = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32((int)two_d));
    __m256i live = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)rows), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    for (long d = 0; d < two_d; d++)
        _mm256_store_ps(at + d * 8, _mm256_mask_i32gather_ps(_mm256_setzero_ps(), a + d, index, (__m256)live, 4));
}

// Passes 2 and 3 over the strip's tile (m, W) of l = L + b, `top` its column maxima: e, Σ e, log p, Qᵀ.
#define TK_TILE_LSE(SUF, F, W, ATTR)                                                                             \
    TK_INLINE ATTR void SUF##_tile_lse(float *tile, long m, F top, float floor, long rows, float *q, long ld,    \
                                       double *logp) {                                                           \
        F total = SUF##_splat(0.0f);                                                                             \
        for (long k = 0; k < m; k++) {                                                                           \
            F z = SUF##_load(tile + k * W) - top;                                                                \
            if (SUF##_below(z, floor)) { /* every lane's e is exactly 0: Σ unchanged */                          \
                SUF##_store(SUF##_splat(0.0f), tile + k * W);                                                    \
                continue;                                                                                        \
            }                                                                                                    \
            F e = SUF##_posterior_exp(z, floor);                                                                 \
            SUF##_store(e, tile + k * W);                                                                        \
            total = total + e;                                                                                   \
        }                                                                                                        \
        float tt[W], tp[W];                                                                                      \
        SUF##_store(total, tt);                                                                                  \
        SUF##_store(top, tp);                                                                                    \
        for (long s = 0; s < W; s++) {                                                                           \
            if (s < rows) logp[s] = (double)tp[s] + log((double)tt[s]);                                          \
            tt[s] = 1.0f / tt[s];                                                                                \
        }                                                                                                        \
        F inv = SUF##_load(tt);                                                                                  \
        for (long k = 0; k < m; k++) {                                                                           \
            F v = SUF##_load(tile + k * W) * inv;                                                                \
            if (rows == W) {                                                                                     \
                SUF##_store(v, q + k * ld);                                                                      \
            } else {                                                                                             \
                float out[W];                                                                                    \
                SUF##_store(v, out);                                                                             \
                for (long s = 0; s < rows; s++) q[k * ld + s] = out[s];                                          \
            }                                                                                                    \
        }                                                                                                        \
    }

// 1 when every lane of z is below the floor (NaN lanes are not: their e is e^floor, as in posterior.c).
TK_INLINE TK_AVX2 int avx8_below(f8 z, float floor) { return _mm256_movemask_ps((__m256)(z < floor)) == 0xFF; }
TK_INLINE TK_AVX512 int zmm16_below(f16 z, float floor) {
    return _mm512_cmp_ps_mask((__m512)z, _mm512_set1_ps(floor), _CMP_LT_OQ) == 0xFFFF;
}

TK_TILE_LSE(avx8, f8, 8, TK_AVX2)
TK_TILE_LSE(zmm16, f16, 16, TK_AVX512)

// Prefetches share g of `groups` of the `count` floats at `next` (the next strip's rows of A), so that its gathers
// find them in cache: A's rows come from L2/L3 (a block's A is 2 MiB at n = 4096), and without this the first
// gather of every strip waited on them (≈ 13 % of the strip's samples in `perf annotate`; 12–15 % faster with it).
static inline void prefetch_share(const float *next, long count, long g, long groups) {
    long lines = (count + 15) / 16, per = (lines + groups - 1) / groups;
    for (long l = g * per; l < (g + 1) * per && l < lines; l++) __builtin_prefetch(next + l * 16);
}

// One strip of ≤ 16 samples on AVX-512: a group of 16 components is 16 zmm accumulators (lane = sample).
TK_AVX512 static void zmm16_strip(const float *a, long rows, long two_d, const float *wp, long m, const float *bias,
                                  float floor, float *tile, float *at, float *q, long ld, double *logp, long ahead) {
    zmm16_transpose(a, rows, two_d, at);
    f16 top = zmm16_splat(-__builtin_inff());
    for (long g = 0; g * TK_KG < m; g++) {
        __m512 c[TK_KG];
#pragma clang loop unroll(full)
        for (int j = 0; j < TK_KG; j++) c[j] = _mm512_setzero_ps();
        const float *wg = wp + g * two_d * TK_KG;
        prefetch_share(a + rows * two_d, ahead, g, (m + TK_KG - 1) / TK_KG);
        for (long d = 0; d < two_d; d++) {
            __m512 x = _mm512_load_ps(at + d * 16);
#pragma clang loop unroll(full)
            for (int j = 0; j < TK_KG; j++) c[j] = _mm512_fmadd_ps(_mm512_set1_ps(wg[d * TK_KG + j]), x, c[j]);
        }
        for (long j = 0; j < TK_KG && g * TK_KG + j < m; j++) {  // pass 1, k in order
            long k = g * TK_KG + j;
            f16 l = (f16)c[j] + bias[k];
            zmm16_store(l, tile + k * 16);
            top = zmm16_replace(top, l, l > top);
        }
    }
    zmm16_tile_lse(tile, m, top, floor, rows, q, ld, logp);
}

// One strip of ≤ 8 samples on AVX2: each group of 16 components in two halves of 8 ymm accumulators.
TK_AVX2 static void avx8_strip(const float *a, long rows, long two_d, const float *wp, long m, const float *bias,
                               float floor, float *tile, float *at, float *q, long ld, double *logp, long ahead) {
    avx8_transpose(a, rows, two_d, at);
    f8 top = avx8_splat(-__builtin_inff());
    for (long g = 0; g * TK_KG < m; g++) {
        const float *wg = wp + g * two_d * TK_KG;
        prefetch_share(a + rows * two_d, ahead, g, (m + TK_KG - 1) / TK_KG);
        for (long half = 0; half < 2; half++) {
            __m256 c[8];
#pragma clang loop unroll(full)
            for (int j = 0; j < 8; j++) c[j] = _mm256_setzero_ps();
            for (long d = 0; d < two_d; d++) {
                __m256 x = _mm256_load_ps(at + d * 8);
#pragma clang loop unroll(full)
                for (int j = 0; j < 8; j++)
                    c[j] = _mm256_fmadd_ps(_mm256_set1_ps(wg[d * TK_KG + half * 8 + j]), x, c[j]);
            }
            for (long j = 0; j < 8 && g * TK_KG + half * 8 + j < m; j++) {  // pass 1, k in order
                long k = g * TK_KG + half * 8 + j;
                f8 l = (f8)c[j] + bias[k];
                avx8_store(l, tile + k * 8);
                top = avx8_replace(top, l, l > top);
            }
        }
    }
    avx8_tile_lse(tile, m, top, floor, rows, q, ld, logp);
}

int tk_posterior_fused(int isa, const float *a, long n, long two_d, const float *wp, long m, const float *bias,
                       float floor, float *q, long ld, double *row_log_p) {
    long fs = isa == TK_ISA_AVX512 ? 16 : isa == TK_ISA_AVX2 ? 8 : 0;
    if (fs == 0) return 1;
    long groups = (m + TK_KG - 1) / TK_KG;
    float *tile = aligned_alloc(64, sizeof(float) * (size_t)(groups * TK_KG * fs));
    float *at = aligned_alloc(64, sizeof(float) * (size_t)(two_d * fs));
    if (!tile || !at) {
        free(tile);
        free(at);
        return 1;
    }
    for (long i = 0; i < n; i += fs) {
        long rows = n - i < fs ? n - i : fs, next = n - i - rows < fs ? n - i - rows : fs;  // rows of the next strip
        if (fs == 16)
            zmm16_strip(a + i * two_d, rows, two_d, wp, m, bias, floor, tile, at, q + i, ld, row_log_p + i, next * two_d);
        else avx8_strip(a + i * two_d, rows, two_d, wp, m, bias, floor, tile, at, q + i, ld, row_log_p + i, next * two_d);
    }
    free(tile);
    free(at);
    return 0;
}
