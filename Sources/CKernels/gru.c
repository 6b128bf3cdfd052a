// The GRU gate update of a step's batch rows, fused with the recurrent bias add, compiled three times: baseline
// x86-64 (SSE2), AVX2 + FMA, AVX-512 (see kernels.c for the dispatch and lanes.h for the lane formulas).
//
// For each of the `rows` rows of one step (gate blocks r z n at offsets 0, H, 2H, as in GRU.swift), with
// xa = x·W_x + b_x (the gates buffer on entry), hw = h_{t−1}·W_h (the step's GEMM, WITHOUT its bias) and b_h:
//
//     ha = hw + b_h                         (the fused bias add: ha_r, ha_z, ha_n)
//     r = σ(xa_r + ha_r)    z = σ(xa_z + ha_z)    n = tanh(xa_n + r ⊙ ha_n)
//     h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
//
// It overwrites the gates row with r z n, writes ha_n (backward needs it), h_t, and h_t again into `h_next` when
// that is not NULL (the h_{t−1} input of the next step). σ and tanh are the lane formulas of lanes.h on 16, 8 or
// 4 lanes; the last H mod 8 columns take the scalar formulas (libm expf), as the LSTM row does.
//
// Shapes (row-major, explicit leading dimensions so a step's rows can be read in place from (B, T, ·) tensors):
// gates (rows, 3H) ld gates_ld; hw (rows, 3H) ld hw_ld; b_h (3H); h_prev, ha_n, h_out, h_next (rows, H) with
// their own ld.
//
// Bit-identity: every column is independent and every level evaluates the same operations in the same order
// without FMA contraction, so the three levels give the same bits for every H and any number of ranks.
// (They differ from the scalar-libm GRU of builds before issue 18's round 2: σ/tanh now use the lane polynomial.)
#pragma STDC FP_CONTRACT OFF

#include "lanes.h"

// The GRU columns j ..< j + lanes of one row, on the lane helpers SUF of lanes.h.
#define TK_GRU_BLOCK(SUF, F, ATTR)                                                                              \
    TK_INLINE ATTR void SUF##_gru_block(float *a, const float *hw, const float *bh, const float *hp, float *han, \
                                        float *ho, float *hn, long h, long j) {                                 \
        F har = SUF##_load(hw + j) + SUF##_load(bh + j);                                                        \
        F haz = SUF##_load(hw + h + j) + SUF##_load(bh + h + j);                                                \
        F han_ = SUF##_load(hw + 2 * h + j) + SUF##_load(bh + 2 * h + j);                                       \
        F r = SUF##_sigmoid(SUF##_load(a + j) + har);                                                           \
        F z = SUF##_sigmoid(SUF##_load(a + h + j) + haz);                                                       \
        F n = SUF##_tanh(SUF##_load(a + 2 * h + j) + r * han_);                                                 \
        F out = (1.0f - z) * n + z * SUF##_load(hp + j);                                                        \
        SUF##_store(r, a + j); SUF##_store(z, a + h + j); SUF##_store(n, a + 2 * h + j);                        \
        SUF##_store(han_, han + j); SUF##_store(out, ho + j);                                                   \
        if (hn) SUF##_store(out, hn + j);                                                                       \
    }

TK_GRU_BLOCK(base4, f4, )
TK_GRU_BLOCK(avx8, f8, TK_AVX2)
TK_GRU_BLOCK(zmm8, f8, TK_AVX512)
TK_GRU_BLOCK(zmm16, f16, TK_AVX512)

static void gru_tail(float *a, const float *hw, const float *bh, const float *hp, float *han, float *ho, float *hn,
                     long h, long j) {
    for (; j < h; j++) {
        float har = hw[j] + bh[j], haz = hw[h + j] + bh[h + j], hann = hw[2 * h + j] + bh[2 * h + j];
        float r = scalar_sigmoid(a[j] + har), z = scalar_sigmoid(a[h + j] + haz);
        float n = scalar_tanh(a[2 * h + j] + r * hann);
        float out = (1.0f - z) * n + z * hp[j];
        a[j] = r; a[h + j] = z; a[2 * h + j] = n;
        han[j] = hann; ho[j] = out;
        if (hn) hn[j] = out;
    }
}

// MARK: - The three levels (one row each; tk_gru_rows walks the rows)

static void gru_row_baseline(float *a, const float *hw, const float *bh, const float *hp, float *han, float *ho,
                             float *hn, long h) {
    long j = 0;
    for (; j + 8 <= h; j += 8) {
        base4_gru_block(a, hw, bh, hp, han, ho, hn, h, j);
        base4_gru_block(a, hw, bh, hp, han, ho, hn, h, j + 4);
    }
    gru_tail(a, hw, bh, hp, han, ho, hn, h, j);
}

TK_AVX2 static void gru_row_avx2(float *a, const float *hw, const float *bh, const float *hp, float *han, float *ho,
                                 float *hn, long h) {
    long j = 0;
    for (; j + 8 <= h; j += 8) avx8_gru_block(a, hw, bh, hp, han, ho, hn, h, j);
    gru_tail(a, hw, bh, hp, han, ho, hn, h, j);
}

TK_AVX512 static void gru_row_avx512(float *a, const float *hw, const float *bh, const float *hp, float *han,
                                     float *ho, float *hn, long h) {
    long j = 0;
    for (; j + 16 <= h; j += 16) zmm16_gru_block(a, hw, bh, hp, han, ho, hn, h, j);
    for (; j + 8 <= h; j += 8) zmm8_gru_block(a, hw, bh, hp, han, ho, hn, h, j);
    gru_tail(a, hw, bh, hp, han, ho, hn, h, j);
}

void tk_gru_rows(int isa, long rows, long h, float *gates, long gates_ld, const float *hw, long hw_ld,
                 const float *bias_h, const float *h_prev, long h_prev_ld, float *ha_n, long ha_n_ld, float *h_out,
                 long h_out_ld, float *h_next, long h_next_ld) {
    for (long s = 0; s < rows; s++) {
        float *a = gates + s * gates_ld, *han = ha_n + s * ha_n_ld, *ho = h_out + s * h_out_ld;
        const float *w = hw + s * hw_ld, *hp = h_prev + s * h_prev_ld;
        float *hn = h_next ? h_next + s * h_next_ld : 0;
        switch (isa) {
        case TK_ISA_AVX512: gru_row_avx512(a, w, bias_h, hp, han, ho, hn, h); break;
        case TK_ISA_AVX2: gru_row_avx2(a, w, bias_h, hp, han, ho, hn, h); break;
        default: gru_row_baseline(a, w, bias_h, hp, han, ho, hn, h); break;
        }
    }
}
