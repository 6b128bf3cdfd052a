// Times the hand-written kernels of Sources/CKernels on each kernel level this CPU supports, alternating the
// levels round by round so that load from other jobs hits them alike (issue 18; docs/benchmarks.md). Prints one
// line per level: the median, min and max over the rounds.
//
//   lstm       the LSTM cell row (kernels.c), H = 128 (W7): 64,000 rows per timed run on a working set of 256
//              rows (L2-resident, as the LSTM step's (B, 4H) gate block is); M rows/s
//   gru        the GRU gate update with the b_h add (gru.c), H = 256, B = 64 rows a step (W8): 1,000 steps per
//              timed run on 4 steps' buffers; M rows/s
//   posterior  the posterior log-sum-exp (posterior.c), M = 256 components × n = 2,500 columns (one W2 image),
//              1 thread and 2 threads; 20 images per timed run; M columns/s
//   moments    the FV moment fills (moments.c) of one W2 image: [X² | X] of T = 2,500 × D = 64 and S0 over
//              M = 256 × 2,500; 20 images per timed run; M descriptors/s
//   orh        the ORH histogram binning (orh.c) of one 500×375 scale at P = 32, step 16 (29 × 22 patches);
//              10 scales per timed run; M patches/s
//   grubwd     the GRU backward gate loop (gru_backward.c), H = 256, B = 64 rows a step (W8): 1,000 steps per
//              timed run; M rows/s
//
//   /opt/swift/usr/bin/clang -O2 -I Sources/CKernels bench/isa_kernel_bench.c Sources/CKernels/*.c -lm -lpthread \
//       -o /tmp/isa_kernel_bench && /tmp/isa_kernel_bench 15 lstm,gru,posterior,moments,orh,grubwd
#include "shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { H = 128, ROWS = 256, RUN = 64000 };
enum { GH = 256, GB = 64, GSTEPS = 4, GRUN = 1000 };
enum { PM = 256, PN = 2500, PRUN = 20 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// 1 when `name` is one of the comma-separated tokens of `list`.
static int has(const char *list, const char *name) {
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)) != 0; p += n)
        if ((p == list || p[-1] == ',') && (p[n] == 0 || p[n] == ',')) return 1;
    return 0;
}

static float uniform(float lo, float hi) { return lo + (hi - lo) * (float)rand() / (float)RAND_MAX; }

static float src[ROWS * 4 * H], gates[ROWS * 4 * H], cin[ROWS * H], cell[ROWS * H], tc[ROWS * H], hid[ROWS * H];
static float gsrc[GSTEPS * GB * 3 * GH], ggates[GSTEPS * GB * 3 * GH], ghw[GB * 3 * GH], gbias[3 * GH];
static float gprev[GSTEPS * GB * GH], ghan[GSTEPS * GB * GH], gout[GSTEPS * GB * GH];
static float psrc[PM * PN], pq[PM * PN], pbias[PM];
static double plogp[PN];
enum { MD = 64, MRUN = 20 };
static float ma[PN * 2 * MD], ms0[PM];
enum { OW = 500, OH = 375, OP = 32, OSTEP = 16, OCOLS = 29, OROWS = 22, ORUN = 10 };
static int obin[OW * OH], ocell[OP], oseg_start[OP + 1], oseg_cell[OP], osegs;
static float olo[OW * OH], ohi[OW * OH], owlo[OP], owhi[OP], oout[OCOLS * OROWS * 128];
static float gdh[GSTEPS * GB * GH], grec[GB * GH], gdxa[GSTEPS * GB * 3 * GH], gdha[GSTEPS * GB * 3 * GH];

// One timed run of `kernel` on level `isa`; returns millions of rows (columns) per second.
static double run_once(const char *kernel, int isa, int threads) {
    double t0 = now(), count = 0;
    if (!strcmp(kernel, "lstm")) {
        for (int n = 0; n < RUN; n++) {
            int row = n % ROWS;
            if (row == 0) memcpy(gates, src, sizeof gates);  // the gates are overwritten
            tk_lstm_row(isa, gates + row * 4 * H, cin + row * H, cell + row * H, tc + row * H, hid + row * H, H);
        }
        count = RUN;
    } else if (!strcmp(kernel, "gru")) {
        for (int n = 0; n < GRUN; n++) {
            int s = n % GSTEPS;
            if (s == 0) memcpy(ggates, gsrc, sizeof ggates);
            tk_gru_rows(isa, GB, GH, ggates + s * GB * 3 * GH, 3 * GH, ghw, 3 * GH, gbias, gprev + s * GB * GH, GH,
                        ghan + s * GB * GH, GH, gout + s * GB * GH, GH, 0, GH);
        }
        count = (double)GRUN * GB;
    } else if (!strcmp(kernel, "moments")) {
        for (int n = 0; n < MRUN; n++) {
            tk_squares_and_rows(isa, psrc, PN, MD, ma);  // psrc as X (PN, MD): only the sizes matter
            tk_row_sums(isa, psrc, PM, PN, 0, PN, ms0);
        }
        count = (double)MRUN * PN;
    } else if (!strcmp(kernel, "orh")) {
        for (int n = 0; n < ORUN; n++)
            tk_orh_histograms(isa, obin, olo, ohi, OW, OP, ocell, owlo, owhi, oseg_start, oseg_cell, osegs, 2, 2,
                              OSTEP, OCOLS, OROWS, oout);
        count = (double)ORUN * OCOLS * OROWS;
    } else if (!strcmp(kernel, "grubwd")) {
        for (int n = 0; n < GRUN; n++) {
            int s = n % GSTEPS;
            tk_gru_backward_rows(isa, GB, GH, gsrc + s * GB * 3 * GH, 3 * GH, gprev + s * GB * GH, GH,
                                 gdh + s * GB * GH, GH, ghan + s * GB * GH, GH, grec, GH, gdxa + s * GB * 3 * GH,
                                 3 * GH, gdha + s * GB * 3 * GH, 3 * GH);
        }
        count = (double)GRUN * GB;
    } else {
        for (int n = 0; n < PRUN; n++) {
            memcpy(pq, psrc, sizeof pq);  // part of the cost, as the GEMM's store is in the real pass
            tk_posterior_lse(isa, threads, pq, PM, PN, pbias, -64.0f, plogp);
        }
        count = (double)PRUN * PN;
    }
    return count / (now() - t0) / 1e6;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 15;
    const char *which = argc > 2 ? argv[2] : "lstm,gru,posterior,moments,orh,grubwd";
    if (rounds < 1 || rounds > 1000) {
        fprintf(stderr, "usage: %s [rounds 1…1000] [lstm,gru,posterior,moments,orh,grubwd]\n", argv[0]);
        return 2;
    }
    srand(1);
    for (int k = 0; k < ROWS * 4 * H; k++) src[k] = uniform(-6, 6);
    for (int k = 0; k < ROWS * H; k++) cin[k] = uniform(-2, 2);
    for (int k = 0; k < GSTEPS * GB * 3 * GH; k++) gsrc[k] = uniform(-4, 4);
    for (int k = 0; k < GB * 3 * GH; k++) ghw[k] = uniform(-4, 4);
    for (int k = 0; k < 3 * GH; k++) gbias[k] = uniform(-1, 1);
    for (int k = 0; k < GSTEPS * GB * GH; k++) gprev[k] = uniform(-1, 1);
    for (int k = 0; k < PM * PN; k++) psrc[k] = uniform(-120, 0);
    for (int k = 0; k < PM; k++) pbias[k] = uniform(-5, 5);
    for (int k = 0; k < OW * OH; k++) { obin[k] = rand() % 8; olo[k] = uniform(0, 1); ohi[k] = uniform(0, 1); }
    for (int i = 0; i < OP; i++) {  // cells of 8 pixels: ξ = (i + ½)/8 − ½, as OrientationHistogram.PatchTables
        float xi = (i + 0.5f) / 8 - 0.5f, k = xi < 0 ? -1 : (float)(int)xi;
        ocell[i] = (int)k + 1;
        owlo[i] = 1 - (xi - k);
        owhi[i] = xi - k;
        if (i == 0 || ocell[i] != ocell[i - 1]) { oseg_start[osegs] = i; oseg_cell[osegs++] = ocell[i]; }
    }
    oseg_start[osegs] = OP;
    for (int k = 0; k < GSTEPS * GB * GH; k++) { gdh[k] = uniform(-1, 1); ghan[k] = uniform(-2, 2); }
    for (int k = 0; k < GSTEPS * GB * 3 * GH; k++) gsrc[k] = uniform(0, 1);
    const char *names[] = {"baseline", "avx2", "avx512"};
    // Configurations: (kernel, threads); the posterior runs at 1 and 2 threads.
    const char *kernels[7];
    int threads[7], configs = 0;
    if (has(which, "lstm")) { kernels[configs] = "lstm"; threads[configs++] = 1; }
    if (has(which, "gru")) { kernels[configs] = "gru"; threads[configs++] = 1; }
    if (has(which, "posterior")) {
        kernels[configs] = "posterior"; threads[configs++] = 1;
        kernels[configs] = "posterior"; threads[configs++] = 2;
    }
    if (has(which, "moments")) { kernels[configs] = "moments"; threads[configs++] = 1; }
    if (has(which, "orh")) { kernels[configs] = "orh"; threads[configs++] = 1; }
    if (has(which, "grubwd")) { kernels[configs] = "grubwd"; threads[configs++] = 1; }
    double *rates[7][3];
    for (int c = 0; c < configs; c++)
        for (int isa = 0; isa < 3; isa++) rates[c][isa] = calloc(rounds, sizeof(double));
    for (int r = 0; r < rounds; r++)
        for (int c = 0; c < configs; c++)
            for (int isa = 0; isa < 3; isa++)
                if (tk_cpu_supports(isa)) rates[c][isa][r] = run_once(kernels[c], isa, threads[c]);
    for (int c = 0; c < configs; c++) {
        for (int isa = 0; isa < 3; isa++) {
            if (!tk_cpu_supports(isa)) { printf("%-9s %-8s not supported by this CPU\n", kernels[c], names[isa]); continue; }
            qsort(rates[c][isa], rounds, sizeof(double), cmp);
            printf("%-9s %d thread(s) %-8s median %.3f M/s (min %.3f, max %.3f, n = %d)\n", kernels[c], threads[c],
                   names[isa], rates[c][isa][rounds / 2], rates[c][isa][0], rates[c][isa][rounds - 1], rounds);
        }
    }
    return 0;
}
