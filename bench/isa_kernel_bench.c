// Times the LSTM cell row of Sources/CKernels/kernels.c on each kernel level this CPU supports, alternating the
// levels round by round so that load from other jobs hits them alike (issue 18; docs/benchmarks.md).
// One timed run = 64,000 rows of H = 128 (the W7 shape: 2 directions × B 32 × T 200 × 5 passes), on a working
// set of 256 rows (L2-resident, as the LSTM step's (B, 4H) gate block is). Prints one line per level: the
// median, min and max of million rows per second over the rounds.
//
//   /opt/swift/usr/bin/clang -O2 -I Sources/CKernels bench/isa_kernel_bench.c Sources/CKernels/kernels.c -lm \
//       -o /tmp/isa_kernel_bench && /tmp/isa_kernel_bench 15
#include "shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { H = 128, ROWS = 256, RUN = 64000 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 15;
    if (rounds < 1 || rounds > 1000) { fprintf(stderr, "usage: %s [rounds 1…1000]\n", argv[0]); return 2; }
    static float src[ROWS * 4 * H], gates[ROWS * 4 * H], cin[ROWS * H], cell[ROWS * H], tc[ROWS * H], hid[ROWS * H];
    srand(1);
    for (int k = 0; k < ROWS * 4 * H; k++) src[k] = (float)(12.0 * rand() / RAND_MAX - 6.0);
    for (int k = 0; k < ROWS * H; k++) cin[k] = (float)(4.0 * rand() / RAND_MAX - 2.0);
    const char *names[] = {"baseline", "avx2", "avx512"};
    double *rates[3];
    for (int isa = 0; isa < 3; isa++) rates[isa] = calloc(rounds, sizeof(double));
    for (int r = 0; r < rounds; r++) {
        for (int isa = 0; isa < 3; isa++) {
            if (!tk_cpu_supports(isa)) continue;
            double t0 = now();
            for (int n = 0; n < RUN; n++) {
                int row = n % ROWS;
                if (row == 0) for (int k = 0; k < ROWS * 4 * H; k++) gates[k] = src[k];  // the gates are overwritten
                tk_lstm_row(isa, gates + row * 4 * H, cin + row * H, cell + row * H, tc + row * H, hid + row * H, H);
            }
            rates[isa][r] = RUN / (now() - t0) / 1e6;
        }
    }
    for (int isa = 0; isa < 3; isa++) {
        if (!tk_cpu_supports(isa)) { printf("%-8s not supported by this CPU\n", names[isa]); continue; }
        qsort(rates[isa], rounds, sizeof(double), cmp);
        printf("%-8s median %.3f M rows/s (min %.3f, max %.3f, n = %d), H = %d\n", names[isa], rates[isa][rounds / 2],
               rates[isa][0], rates[isa][rounds - 1], rounds, H);
    }
    return 0;
}
