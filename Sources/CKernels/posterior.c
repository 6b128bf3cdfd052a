// The GMM posteriors' log-sum-exp over the columns of Lᵀ (M, n), compiled three times: baseline x86-64 (SSE2),
// AVX2 + FMA, AVX-512 (see kernels.c for the dispatch), and split over `threads` threads by column blocks.
//
// On entry q holds Lᵀ = W·Aᵀ (M, n; row k, leading dimension n) from the posterior GEMM (Encoding's
// PosteriorKernel). For every sample i (a column), with b_k the component constant:
//
//     l_ki = L_ki + b_k      m_i = max_k l_ki      e_ki = exp(l_ki − m_i)  (0 when l_ki − m_i < floor)
//     q_ki = e_ki · (1 / Σ_k e_ki)                  log p(x_i) = m_i + log Σ_k e_ki   (Double, libm log)
//
// in three passes per block of ≤ 512 columns (M·512 floats stay in L2): pass 1 adds b_k and takes the maximum,
// pass 2 exponentiates and sums, pass 3 normalises. exp is Core's `posteriorExp` (SIMDMath.swift): z below the
// floor (also −∞, NaN) is raised to the floor, then the Cody–Waite + degree-6 polynomial `expKernel`, then
// exactly 0 where z < floor.
//
// Bit-identity: every column's values depend only on that column, and every level evaluates the same operations
// in the same order without FMA contraction, as the Swift lanes of PosteriorKernel do; so the three levels, the
// Swift twin and any thread count give the same bits. log p(x_i) is written per sample (row_log_p, n Doubles);
// the caller sums them in sample order, so the total does not depend on the threads either.
#pragma STDC FP_CONTRACT OFF

#include "posterior_lanes.h"

#include <pthread.h>

enum { TK_POSTERIOR_BLOCK = 512 };

// The log-sum-exp passes of one vector type F on the lane helpers SUF of lanes.h and posterior_lanes.h.
#define TK_POSTERIOR_LANES(SUF, F, I, ATTR)                                                                     \
    /* pass 1, columns j ..< j + lanes of row k: l = L + b_k, top = max(top, l) */                              \
    TK_INLINE ATTR void SUF##_pass1(float *row, float *top, float bk, long j) {                                 \
        F l = SUF##_load(row + j) + bk, t = SUF##_load(top + j);                                                \
        SUF##_store(l, row + j);                                                                                \
        SUF##_store(SUF##_replace(t, l, l > t), top + j);                                                       \
    }                                                                                                           \
    TK_INLINE ATTR void SUF##_pass2(float *row, const float *top, float *total, float floor, long j) {          \
        F e = SUF##_posterior_exp(SUF##_load(row + j) - SUF##_load(top + j), floor);                            \
        SUF##_store(e, row + j);                                                                                \
        SUF##_store(SUF##_load(total + j) + e, total + j);                                                      \
    }                                                                                                           \
    TK_INLINE ATTR void SUF##_pass3(float *row, const float *total, long j) {                                   \
        SUF##_store(SUF##_load(row + j) * SUF##_load(total + j), row + j);                                      \
    }

TK_POSTERIOR_LANES(base4, f4, i4, )
TK_POSTERIOR_LANES(avx8, f8, i8, TK_AVX2)
TK_POSTERIOR_LANES(zmm16, f16, i16, TK_AVX512)

// One block of `width` columns starting at column `lower`, on lanes SUF of width W (the last width mod W
// columns through the same lane formulas on four lanes, one column at a time: lane 0 of a splat).
#define TK_POSTERIOR_BLOCK_FN(SUF, W, ATTR)                                                                     \
    ATTR static void SUF##_lse_block(float *q, long m, long n, const float *bias, float floor, double *logp,    \
                                     long lower, long width) {                                                  \
        float top[TK_POSTERIOR_BLOCK], total[TK_POSTERIOR_BLOCK];                                               \
        long end = width - width % W;                                                                           \
        for (long j = 0; j < width; j++) top[j] = -__builtin_inff();                                            \
        for (long k = 0; k < m; k++) {                                                                          \
            float *row = q + k * n + lower;                                                                     \
            for (long j = 0; j < end; j += W) SUF##_pass1(row, top, bias[k], j);                                \
            for (long j = end; j < width; j++) {                                                                \
                row[j] += bias[k];                                                                              \
                if (row[j] > top[j]) top[j] = row[j];                                                           \
            }                                                                                                   \
        }                                                                                                       \
        for (long j = 0; j < width; j++) total[j] = 0;                                                          \
        for (long k = 0; k < m; k++) {                                                                          \
            float *row = q + k * n + lower;                                                                     \
            for (long j = 0; j < end; j += W) SUF##_pass2(row, top, total, floor, j);                           \
            for (long j = end; j < width; j++) {                                                                \
                float e = base4_posterior_exp(base4_splat(row[j] - top[j]), floor)[0];                          \
                row[j] = e;                                                                                     \
                total[j] += e;                                                                                  \
            }                                                                                                   \
        }                                                                                                       \
        for (long j = 0; j < width; j++) {                                                                      \
            logp[lower + j] = (double)top[j] + log((double)total[j]);                                           \
            total[j] = 1.0f / total[j];                                                                         \
        }                                                                                                       \
        for (long k = 0; k < m; k++) {                                                                          \
            float *row = q + k * n + lower;                                                                     \
            for (long j = 0; j < end; j += W) SUF##_pass3(row, total, j);                                       \
            for (long j = end; j < width; j++) row[j] *= total[j];                                              \
        }                                                                                                       \
    }

TK_POSTERIOR_BLOCK_FN(base4, 4, )
TK_POSTERIOR_BLOCK_FN(avx8, 8, TK_AVX2)
TK_POSTERIOR_BLOCK_FN(zmm16, 16, TK_AVX512)

// MARK: - Threads: worker t takes the blocks t, t + threads, t + 2·threads, …

typedef struct {
    int isa, threads, index;
    float *q;
    long m, n;
    const float *bias;
    float floor;
    double *logp;
    long width;  // columns per block (≤ TK_POSTERIOR_BLOCK)
} lse_job;

static void *lse_worker(void *arg) {
    const lse_job *job = arg;
    long blocks = (job->n + job->width - 1) / job->width;
    for (long b = job->index; b < blocks; b += job->threads) {
        long lower = b * job->width, width = job->n - lower;
        if (width > job->width) width = job->width;
        switch (job->isa) {
        case TK_ISA_AVX512: zmm16_lse_block(job->q, job->m, job->n, job->bias, job->floor, job->logp, lower, width); break;
        case TK_ISA_AVX2: avx8_lse_block(job->q, job->m, job->n, job->bias, job->floor, job->logp, lower, width); break;
        default: base4_lse_block(job->q, job->m, job->n, job->bias, job->floor, job->logp, lower, width); break;
        }
    }
    return 0;
}

int tk_posterior_lse(int isa, int threads, float *q, long m, long n, const float *bias, float floor,
                     double *row_log_p) {
    enum { MAX_THREADS = 64 };
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    if (threads < 1) threads = 1;
    // The fewest blocks of ≤ 512 columns, rounded up to a multiple of the threads so that they get equal shares
    // (2,500 descriptors on 2 threads: 6 blocks of 432 instead of 5 of 512); the split changes speed, not bits.
    long blocks = (n + TK_POSTERIOR_BLOCK - 1) / TK_POSTERIOR_BLOCK;
    if (threads > blocks) threads = blocks > 0 ? (int)blocks : 1;
    blocks = (blocks + threads - 1) / threads * threads;
    long width = blocks > 0 ? ((n + blocks - 1) / blocks + 15) / 16 * 16 : TK_POSTERIOR_BLOCK;
    lse_job jobs[MAX_THREADS];
    pthread_t ids[MAX_THREADS];
    int started = 1;
    for (int t = 0; t < threads; t++) jobs[t] = (lse_job){isa, threads, t, q, m, n, bias, floor, row_log_p, width};
    for (int t = 1; t < threads; t++) {
        // A thread that cannot start leaves its blocks to the calling thread (below): same bits, less speed.
        if (pthread_create(&ids[t], 0, lse_worker, &jobs[t]) != 0) break;
        started++;
    }
    for (int t = 0; t < threads; t++) {
        if (t == 0 || t >= started) lse_worker(&jobs[t]);
    }
    for (int t = 1; t < started; t++) pthread_join(ids[t], 0);
    return started;
}
