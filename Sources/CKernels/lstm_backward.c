// The LSTM backward gate loop of one step's rows (NeuralNets' `LSTM.backward`), compiled three times: baseline
// x86-64 (SSE2), AVX2 + FMA, AVX-512 (see kernels.c for the dispatch scheme).
//
// For each row s of step t that is real (t < L_s), column j (gate blocks i f g o at offsets 0, H, 2H, 3H of
// the cached activations), with tanh c_t, c_{t−1} (`cell_in`), the output gradient dH, and the recurrent
// gradients dh_rec (= da_{next}·W_hᵀ) and dc_rec (= dc_{next} ⊙ f_{next}) flowing back into step t:
//
//     dh   = dH + dh_rec                  dc = dc_rec + dh·o·(1 − tanh²c)
//     da_i = dc·g·i·(1 − i)               da_f = dc·c_{t−1}·f·(1 − f)
//     da_g = dc·i·(1 − g²)                da_o = dh·tanh c·o·(1 − o)
//     dc_rec ← dc·f
//
// A padded row (t ≥ L_s) gets da = 0 and dc_rec = 0: no gradient in, none out.
//
// Bit-identity: element-wise, the same operations in the same order as the Swift loop (kept as the Double path
// and the twin `LSTM.gateGradientsLoop`), no FMA contraction, so every level gives the same bits. 16, 8 or 4
// columns per instruction; the last H mod W columns on the scalar formulas.
#pragma STDC FP_CONTRACT OFF

#include "lanes.h"

#define TK_LSTM_BACKWARD_FN(SUF, F, W, ATTR)                                                                    \
    ATTR static void SUF##_lstm_backward(long rows, long h, long t, const long *lengths, const float *gates,      \
                                         long gates_ld, const float *tanh_cell, const float *cell_in,           \
                                         const float *d_h, long state_ld, const float *dh_rec, float *dc_rec,    \
                                         float *da, long da_ld) {                                                \
        long end = h - h % W;                                                                                    \
        for (long s = 0; s < rows; s++) {                                                                        \
            float *dar = da + s * da_ld, *dcr = dc_rec + s * h;                                                  \
            if (t >= lengths[s]) {                                                                               \
                memset(dar, 0, sizeof(float) * 4 * h);                                                           \
                memset(dcr, 0, sizeof(float) * h);                                                               \
                continue;                                                                                        \
            }                                                                                                    \
            const float *a = gates + s * gates_ld, *tc = tanh_cell + s * state_ld, *cp = cell_in + s * state_ld; \
            const float *dy = d_h + s * state_ld, *dhr = dh_rec + s * h;                                         \
            for (long j = 0; j < end; j += W) {                                                                  \
                F i = SUF##_load(a + j), f = SUF##_load(a + h + j);                                              \
                F g = SUF##_load(a + 2 * h + j), o = SUF##_load(a + 3 * h + j), tcj = SUF##_load(tc + j);        \
                F dh = SUF##_load(dy + j) + SUF##_load(dhr + j);                                                 \
                F dc = SUF##_load(dcr + j) + dh * o * (1.0f - tcj * tcj);                                        \
                SUF##_store(dc * g * i * (1.0f - i), dar + j);                                                   \
                SUF##_store(dc * SUF##_load(cp + j) * f * (1.0f - f), dar + h + j);                              \
                SUF##_store(dc * i * (1.0f - g * g), dar + 2 * h + j);                                           \
                SUF##_store(dh * tcj * o * (1.0f - o), dar + 3 * h + j);                                         \
                SUF##_store(dc * f, dcr + j);                                                                    \
            }                                                                                                    \
            for (long j = end; j < h; j++) {                                                                     \
                float i = a[j], f = a[h + j], g = a[2 * h + j], o = a[3 * h + j], tcj = tc[j];                   \
                float dh = dy[j] + dhr[j];                                                                       \
                float dc = dcr[j] + dh * o * (1.0f - tcj * tcj);                                                 \
                dar[j] = dc * g * i * (1.0f - i);                                                                \
                dar[h + j] = dc * cp[j] * f * (1.0f - f);                                                        \
                dar[2 * h + j] = dc * i * (1.0f - g * g);                                                        \
                dar[3 * h + j] = dh * tcj * o * (1.0f - o);                                                      \
                dcr[j] = dc * f;                                                                                 \
            }                                                                                                    \
        }                                                                                                        \
    }

TK_LSTM_BACKWARD_FN(base4, f4, 4, )
TK_LSTM_BACKWARD_FN(avx8, f8, 8, TK_AVX2)
TK_LSTM_BACKWARD_FN(zmm16, f16, 16, TK_AVX512)

void tk_lstm_backward_rows(int isa, long rows, long h, long t, const long *lengths, const float *gates, long gates_ld,
                           const float *tanh_cell, const float *cell_in, const float *d_h, long state_ld,
                           const float *dh_rec, float *dc_rec, float *da, long da_ld) {
    switch (isa) {
    case TK_ISA_AVX512:
        zmm16_lstm_backward(rows, h, t, lengths, gates, gates_ld, tanh_cell, cell_in, d_h, state_ld, dh_rec, dc_rec,
                            da, da_ld);
        break;
    case TK_ISA_AVX2:
        avx8_lstm_backward(rows, h, t, lengths, gates, gates_ld, tanh_cell, cell_in, d_h, state_ld, dh_rec, dc_rec, da,
                           da_ld);
        break;
    default:
        base4_lstm_backward(rows, h, t, lengths, gates, gates_ld, tanh_cell, cell_in, d_h, state_ld, dh_rec, dc_rec,
                            da, da_ld);
        break;
    }
}
