// Times the fused posterior GEMM + log-sum-exp (Sources/CKernels/posterior_gemm.c) against the unfused path it
// replaces (OpenBLAS sgemm Lᵀ = W·Aᵀ, then posterior.c's log-sum-exp on the same level), at W1's block
// (n = 4,096 samples) and W2's image (n = 2,500), M = 256, D = 64, 1 thread, on every fused level this CPU
// supports, the sides alternating round by round; checks that both give the same bits (issue 18, round 4;
// docs/benchmarks.md). Prints per shape and level the median and min–max over the rounds of the effective
// GFLOP/s (2·M·n·2D per call) per thread-CPU second (robust to other jobs on the machine) and the ratio.
// With a second argument `estep T`: one whole W1 E-step block instead (n = 4,096: the [X² | X] fill, the posteriors
// unfused or fused, the moment GEMM Qᵀ·A and S0), on T threads at once, each with its own block, as a share of
// sgemm 1024³ timed the same way on each thread (8·n·D·M flops per block, the `bench gmm` convention).
//
//   /opt/swift/usr/bin/clang -O2 -I Sources/CKernels -I /usr/include/x86_64-linux-gnu/openblas-pthread \
//       bench/posterior_fused_bench.c Sources/CKernels/*.c -lopenblas -lm -lpthread -o /tmp/posterior_fused_bench \
//       && /tmp/posterior_fused_bench 15 && /tmp/posterior_fused_bench 15 estep 2
#include "shim.h"

#include <pthread.h>

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void openblas_set_num_threads(int);

enum { M = 256, D = 64, TWO_D = 128, MAX_ROUNDS = 101, REPEATS = 5 };

static double cpu(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static unsigned seed = 1;
static float uniform(void) {
    seed = seed * 1103515245u + 12345u;
    return (float)(seed >> 8) / (float)(1 << 24) - 0.5f;
}

static int estep_rounds;

// One thread of the `estep` mode: per round, sgemm 1024³ once, then 3 blocks unfused and 3 fused (alternating).
static void *estep_worker(void *arg) {
    double *out = arg;  // [round][sgemm, unfused, fused] GFLOP/s per thread-CPU second
    long n = 4096, nn = 1024;
    float *x = malloc(sizeof(float) * n * D), *a = malloc(sizeof(float) * n * TWO_D), *w = malloc(sizeof(float) * M * TWO_D);
    float *wp = malloc(sizeof(float) * tk_posterior_packed_count(M, TWO_D)), *bias = malloc(sizeof(float) * M);
    float *q = malloc(sizeof(float) * M * n), *g = malloc(sizeof(float) * M * TWO_D), *s0 = malloc(sizeof(float) * M);
    float *p = malloc(sizeof(float) * nn * nn), *r = malloc(sizeof(float) * nn * nn), *c = malloc(sizeof(float) * nn * nn);
    double *logp = malloc(sizeof(double) * n);
    unsigned local = 7;
    for (long i = 0; i < n * D; i++) { local = local * 1103515245u + 12345u; x[i] = 3 * ((float)(local >> 8) / (1 << 24) - 0.5f); }
    for (int k = 0; k < M; k++) {
        for (int d = 0; d < D; d++) {
            local = local * 1103515245u + 12345u;
            float u = (float)(local >> 8) / (1 << 24) - 0.5f;
            w[k * TWO_D + d] = -0.5f / (1.0f + u);
            w[k * TWO_D + D + d] = u / (1.0f + u);
        }
        bias[k] = -40;
    }
    for (long i = 0; i < nn * nn; i++) { p[i] = 0.5f; r[i] = 0.25f; }
    tk_posterior_pack(w, M, TWO_D, wp);
    for (int round = 0; round < estep_rounds; round++) {
        double t0 = cpu();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nn, nn, nn, 1, p, nn, r, nn, 0, c, nn);
        double t1 = cpu();
        out[round * 3] = 2.0 * nn * nn * nn / (t1 - t0) / 1e9;
        for (int fused = 0; fused < 2; fused++) {
            double s = cpu();
            for (int k = 0; k < 3; k++) {
                tk_squares_and_rows(TK_ISA_AVX512, x, n, D, a);
                if (fused) tk_posterior_fused(TK_ISA_AVX512, a, n, TWO_D, wp, M, bias, -64.0f, q, n, logp);
                else {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, n, TWO_D, 1, w, TWO_D, a, TWO_D, 0, q, n);
                    tk_posterior_lse(TK_ISA_AVX512, 1, q, M, n, bias, -64.0f, logp);
                }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, TWO_D, n, 1, q, n, a, TWO_D, 0, g, TWO_D);
                tk_row_sums(TK_ISA_AVX512, q, M, n, 0, n, s0);
            }
            out[round * 3 + 1 + fused] = 3 * 8.0 * n * D * M / (cpu() - s) / 1e9;
        }
    }
    return 0;
}

static int estep(int rounds, int threads) {
    if (!tk_cpu_supports(TK_ISA_AVX512)) { printf("estep: needs AVX-512\n"); return 1; }
    estep_rounds = rounds;
    pthread_t ids[8];
    static double out[8][MAX_ROUNDS * 3];
    for (int t = 0; t < threads; t++) pthread_create(&ids[t], 0, estep_worker, out[t]);
    for (int t = 0; t < threads; t++) pthread_join(ids[t], 0);
    double unfused[8 * MAX_ROUNDS], fused[8 * MAX_ROUNDS];
    int k = 0;
    for (int t = 0; t < threads; t++)
        for (int r = 0; r < rounds; r++, k++) {
            unfused[k] = 100 * out[t][r * 3 + 1] / out[t][r * 3];
            fused[k] = 100 * out[t][r * 3 + 2] / out[t][r * 3];
        }
    qsort(unfused, k, sizeof(double), cmp);
    qsort(fused, k, sizeof(double), cmp);
    printf("W1 E-step block (n = 4096), %d thread(s) at once, %% of same-thread sgemm 1024³ per CPU second, n = %d: "
           "unfused %.1f (%.1f–%.1f), fused %.1f (%.1f–%.1f)\n", threads, k, unfused[k / 2], unfused[0], unfused[k - 1],
           fused[k / 2], fused[0], fused[k - 1]);
    return 0;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 15;
    if (rounds < 1 || rounds > MAX_ROUNDS) rounds = 15;
    openblas_set_num_threads(1);
    if (argc > 3 && strcmp(argv[2], "estep") == 0) {
        int threads = atoi(argv[3]);
        return estep(rounds, threads < 1 ? 1 : threads > 8 ? 8 : threads);
    }
    long shapes[2] = {4096, 2500};
    long nmax = 4096;
    float *a = malloc(sizeof(float) * nmax * TWO_D), *w = malloc(sizeof(float) * M * TWO_D);
    float *wp = malloc(sizeof(float) * tk_posterior_packed_count(M, TWO_D)), *bias = malloc(sizeof(float) * M);
    float *q1 = malloc(sizeof(float) * M * nmax), *q2 = malloc(sizeof(float) * M * nmax);
    double *l1 = malloc(sizeof(double) * nmax), *l2 = malloc(sizeof(double) * nmax);
    // A = [X² | X] of X ~ U(−1.5, 1.5); W, b of a diagonal GMM with variances in (0.5, 1.5), means in (−0.5, 0.5).
    for (long i = 0; i < nmax; i++)
        for (int d = 0; d < D; d++) {
            float v = 3 * uniform();
            a[i * TWO_D + d] = v * v;
            a[i * TWO_D + D + d] = v;
        }
    for (int k = 0; k < M; k++) {
        for (int d = 0; d < D; d++) {
            float s2 = 1.0f + uniform(), mu = uniform();
            w[k * TWO_D + d] = -0.5f / s2;
            w[k * TWO_D + D + d] = mu / s2;
        }
        bias[k] = -40 + uniform();
    }
    tk_posterior_pack(w, M, TWO_D, wp);
    for (int s = 0; s < 2; s++) {
        long n = shapes[s];
        double flops = 2.0 * M * n * TWO_D;
        for (int isa = TK_ISA_AVX2; isa <= TK_ISA_AVX512; isa++) {
            if (!tk_cpu_supports(isa)) continue;
            double unfused[MAX_ROUNDS], fused[MAX_ROUNDS], ratio[MAX_ROUNDS];
            long diffs = 0;
            for (int r = 0; r < rounds; r++) {
                double t0 = cpu();
                for (int k = 0; k < REPEATS; k++) {
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, n, TWO_D, 1, w, TWO_D, a, TWO_D, 0, q1, n);
                    tk_posterior_lse(isa, 1, q1, M, n, bias, -64.0f, l1);
                }
                double t1 = cpu();
                for (int k = 0; k < REPEATS; k++) tk_posterior_fused(isa, a, n, TWO_D, wp, M, bias, -64.0f, q2, n, l2);
                double t2 = cpu();
                unfused[r] = REPEATS * flops / (t1 - t0) / 1e9;
                fused[r] = REPEATS * flops / (t2 - t1) / 1e9;
                ratio[r] = fused[r] / unfused[r];
                diffs += memcmp(q1, q2, sizeof(float) * M * n) != 0 || memcmp(l1, l2, sizeof(double) * n) != 0;
            }
            qsort(unfused, rounds, sizeof(double), cmp);
            qsort(fused, rounds, sizeof(double), cmp);
            qsort(ratio, rounds, sizeof(double), cmp);
            printf("n = %ld, %s: unfused %.1f (%.1f–%.1f) GFLOP/s, fused %.1f (%.1f–%.1f), fused/unfused %.2f "
                   "(%.2f–%.2f), rounds with other bits: %ld of %d\n",
                   n, isa == TK_ISA_AVX512 ? "avx512" : "avx2", unfused[rounds / 2], unfused[0], unfused[rounds - 1],
                   fused[rounds / 2], fused[0], fused[rounds - 1], ratio[rounds / 2], ratio[0], ratio[rounds - 1],
                   diffs, rounds);
        }
    }
    return 0;
}
