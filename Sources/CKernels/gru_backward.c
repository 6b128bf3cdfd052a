// The GRU backward gate loop of one step's rows (NeuralNets' `GRU.backward`), compiled three times: baseline
// x86-64 (SSE2), AVX2 + FMA, AVX-512 (see kernels.c for the dispatch scheme).
//
// For each row of step t, column j (gate blocks r z n at offsets 0, H, 2H of the cached activations), with
// h_prev = h_{t−1}, ha_n the cached recurrent n pre-activation, dH the output gradient and rec the recurrent
// gradient flowing back from step t + 1 (updated in place to the direct path's share for step t − 1):
//
//     dh   = dH + rec                 dn = dh·(1 − z)              dz = dh·(h_prev − n)
//     da_n = dn·(1 − n·n)             da_r = ((da_n·ha_n)·r)·(1 − r)      da_z = (dz·z)·(1 − z)
//     dxa  = [da_r | da_z | da_n]     dha = [da_r | da_z | da_n·r]        rec ← dh·z
//
// Bit-identity: element-wise, the same operations in the same order as the Swift loop (kept as the Double path
// and the twin `GRU.gateGradientsLoop`), no FMA contraction, so every level gives the same bits. 16, 8 or 4
// columns per instruction; the last H mod W columns on the scalar formulas.
#pragma STDC FP_CONTRACT OFF

#include "lanes.h"

#define TK_GRU_BACKWARD_FN(SUF, F, W, ATTR)                                                                     \
    ATTR static void SUF##_gru_backward(long rows, long h, const float *gates, long gates_ld, const float *h_prev,\
                                        long h_prev_ld, const float *d_h, long d_h_ld, const float *ha_n,        \
                                        long ha_n_ld, float *rec, long rec_ld, float *dxa, long dxa_ld,           \
                                        float *dha, long dha_ld) {                                                \
        long end = h - h % W;                                                                                     \
        for (long s = 0; s < rows; s++) {                                                                         \
            const float *a = gates + s * gates_ld, *hp = h_prev + s * h_prev_ld, *dy = d_h + s * d_h_ld;          \
            const float *hn = ha_n + s * ha_n_ld;                                                                 \
            float *rc = rec + s * rec_ld, *dx = dxa + s * dxa_ld, *dr = dha + s * dha_ld;                         \
            for (long j = 0; j < end; j += W) {                                                                   \
                F r = SUF##_load(a + j), z = SUF##_load(a + h + j), nn = SUF##_load(a + 2 * h + j);               \
                F dh = SUF##_load(dy + j) + SUF##_load(rc + j);                                                   \
                F dn = dh * (1.0f - z), dz = dh * (SUF##_load(hp + j) - nn);                                      \
                F dan = dn * (1.0f - nn * nn);                                                                    \
                F dar = dan * SUF##_load(hn + j) * r * (1.0f - r), daz = dz * z * (1.0f - z);                     \
                SUF##_store(dar, dx + j); SUF##_store(daz, dx + h + j); SUF##_store(dan, dx + 2 * h + j);         \
                SUF##_store(dar, dr + j); SUF##_store(daz, dr + h + j); SUF##_store(dan * r, dr + 2 * h + j);     \
                SUF##_store(dh * z, rc + j);                                                                      \
            }                                                                                                     \
            for (long j = end; j < h; j++) {                                                                      \
                float r = a[j], z = a[h + j], nn = a[2 * h + j];                                                  \
                float dh = dy[j] + rc[j];                                                                         \
                float dn = dh * (1.0f - z), dz = dh * (hp[j] - nn);                                               \
                float dan = dn * (1.0f - nn * nn);                                                                \
                float dar = dan * hn[j] * r * (1.0f - r), daz = dz * z * (1.0f - z);                              \
                dx[j] = dar; dx[h + j] = daz; dx[2 * h + j] = dan;                                                \
                dr[j] = dar; dr[h + j] = daz; dr[2 * h + j] = dan * r;                                            \
                rc[j] = dh * z;                                                                                   \
            }                                                                                                     \
        }                                                                                                         \
    }

TK_GRU_BACKWARD_FN(base4, f4, 4, )
TK_GRU_BACKWARD_FN(avx8, f8, 8, TK_AVX2)
TK_GRU_BACKWARD_FN(zmm16, f16, 16, TK_AVX512)

void tk_gru_backward_rows(int isa, long rows, long h, const float *gates, long gates_ld, const float *h_prev,
                          long h_prev_ld, const float *d_h, long d_h_ld, const float *ha_n, long ha_n_ld, float *rec,
                          long rec_ld, float *dxa, long dxa_ld, float *dha, long dha_ld) {
    switch (isa) {
    case TK_ISA_AVX512:
        zmm16_gru_backward(rows, h, gates, gates_ld, h_prev, h_prev_ld, d_h, d_h_ld, ha_n, ha_n_ld, rec, rec_ld, dxa,
                           dxa_ld, dha, dha_ld);
        break;
    case TK_ISA_AVX2:
        avx8_gru_backward(rows, h, gates, gates_ld, h_prev, h_prev_ld, d_h, d_h_ld, ha_n, ha_n_ld, rec, rec_ld, dxa,
                          dxa_ld, dha, dha_ld);
        break;
    default:
        base4_gru_backward(rows, h, gates, gates_ld, h_prev, h_prev_ld, d_h, d_h_ld, ha_n, ha_n_ld, rec, rec_ld, dxa,
                           dxa_ld, dha, dha_ld);
        break;
    }
}
