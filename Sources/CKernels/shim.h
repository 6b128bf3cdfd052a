// CKernels: hand-written wide-vector kernels compiled for several x86-64 ISA levels in one binary, with the
// CPUID check that says which of them this CPU can run. No stable Swift API: LinearAlgebra's `KernelISA` and
// `WideKernels` own this module (selection once at start-up, TRIBUTARY_ISA override).
#ifndef TRIBUTARY_CKERNELS_SHIM_H
#define TRIBUTARY_CKERNELS_SHIM_H

/// The ISA levels, in increasing order of width: baseline x86-64 (SSE2), AVX2 + FMA, AVX-512 (F, with VL/DQ/BW).
enum {
    TK_ISA_BASELINE = 0,
    TK_ISA_AVX2 = 1,
    TK_ISA_AVX512 = 2,
};

/// 1 when this CPU (and OS: the YMM/ZMM state is saved) can run the kernels of `isa`, else 0.
int tk_cpu_supports(int isa);

/// The LSTM cell update of one row (see kernels.c): overwrites the 4H pre-activations in `gates` (blocks i f g o)
/// with the activations and writes c, tanh c and h (H each); `cell_in` is c_prev and may alias `cell`.
/// `isa` must be one the CPU supports (tk_cpu_supports).
void tk_lstm_row(int isa, float *gates, const float *cell_in, float *cell, float *tanh_cell, float *hidden, long h);

/// The GRU gate update of one step's `rows` rows, fused with the recurrent bias add (see gru.c): with xa in
/// `gates` (rows, 3H; blocks r z n) and hw = h_{t−1}·W_h without its bias (rows, 3H), overwrites `gates` with
/// r z n and writes ha_n = hw_n + b_n, h_t, and h_t into `h_next` too unless it is NULL. Leading dimensions in
/// floats. `isa` must be one the CPU supports (tk_cpu_supports).
void tk_gru_rows(int isa, long rows, long h, float *gates, long gates_ld, const float *hw, long hw_ld,
                 const float *bias_h, const float *h_prev, long h_prev_ld, float *ha_n, long ha_n_ld, float *h_out,
                 long h_out_ld, float *h_next, long h_next_ld);

/// The GMM posteriors' log-sum-exp (see posterior.c): on entry q holds Lᵀ (M, n), row k with leading dimension n;
/// on return the posteriors Qᵀ, with log p(x_i) in row_log_p (n Doubles). Column blocks of 512 are shared out
/// over `threads` threads (the calling thread is one of them); returns the threads that ran. `isa` must be
/// one the CPU supports. Bit-identical for every level and thread count.
int tk_posterior_lse(int isa, int threads, float *q, long m, long n, const float *bias, float floor,
                     double *row_log_p);

/// Floats of the packed posterior weights of M components × 2D (see posterior_gemm.c): ⌈M/16⌉·16·2D.
long tk_posterior_packed_count(long m, long two_d);

/// Packs W (M, 2D) row-major into groups of 16 components, Wp[g][d][j] = W[16g + j][d], zero past M (see
/// posterior_gemm.c); `wp` holds tk_posterior_packed_count(m, two_d) floats.
void tk_posterior_pack(const float *w, long m, long two_d, float *wp);

/// The GMM posteriors of n samples in one pass (see posterior_gemm.c): from A (n, 2D) and the packed W, writes
/// Qᵀ (M, ld) and log p(x_i) (n Doubles); the posterior GEMM fused with posterior.c's log-sum-exp, 16 (AVX-512) or
/// 8 (AVX2) samples at a time. Returns 0, or 1 without writing anything when `isa` is the baseline level or its
/// scratch (≈ (M + 2D)·16 floats) cannot be allocated: the caller then runs sgemm + tk_posterior_lse.
int tk_posterior_fused(int isa, const float *a, long n, long two_d, const float *wp, long m, const float *bias,
                       float floor, float *q, long ld, double *row_log_p);

/// A = [X² | X] (n, 2D) from the rows X (n, D) (see moments.c). Same bits on every level.
void tk_squares_and_rows(int isa, const float *x, long n, long d, float *a);

/// S0_k = Σ_{lower ≤ i < upper} q[k·ld + i] for k < m, summed in eight lanes, then lane by lane, then the tail
/// (see moments.c). Same bits on every level, and as Encoding's Swift twin.
void tk_row_sums(int isa, const float *q, long m, long ld, long lower, long upper, float *sums);

/// The raw ORH histograms (128 floats each, not normalised) of the rows × columns patches of one scale (see
/// orh.c): per pixel b₀, m·(1 − r), m·r (image width `width`); per patch axis position the padded lower cell
/// and the two weights; the runs of equal lower cell. Same bits on every level, and as Features' Swift twin.
void tk_orh_histograms(int isa, const int *bin, const float *m_lower, const float *m_upper, long width, long p,
                       const int *cell, const float *w_lower, const float *w_upper, const int *seg_start,
                       const int *seg_cell, long segments, long offset_x, long offset_y, long step, long columns,
                       long rows, float *out);

/// The GRU backward gate loop of one step's `rows` rows (see gru_backward.c): from the cached r z n (`gates`),
/// h_{t−1}, dH and ha_n, writes d(xa) and d(ha) (rows, 3H) and replaces `rec` (rows, H) by dh ⊙ z. Leading
/// dimensions in floats. Same bits on every level, and as NeuralNets' Swift loop.
void tk_gru_backward_rows(int isa, long rows, long h, const float *gates, long gates_ld, const float *h_prev,
                          long h_prev_ld, const float *d_h, long d_h_ld, const float *ha_n, long ha_n_ld, float *rec,
                          long rec_ld, float *dxa, long dxa_ld, float *dha, long dha_ld);

/// The LSTM backward gate loop of one step t's `rows` rows (see lstm_backward.c): from the cached i f g o
/// (`gates`), tanh c_t, c_{t−1}, dH and the recurrent dh (`dh_rec`, (rows, H)), writes da (rows, 4H) and replaces
/// `dc_rec` (rows, H) by dc ⊙ f; rows with t ≥ lengths[s] get zeros in both. `tanh_cell`, `cell_in` and `d_h`
/// share the leading dimension `state_ld`. Same bits on every level, and as NeuralNets' Swift loop.
void tk_lstm_backward_rows(int isa, long rows, long h, long t, const long *lengths, const float *gates, long gates_ld,
                           const float *tanh_cell, const float *cell_in, const float *d_h, long state_ld,
                           const float *dh_rec, float *dc_rec, float *da, long da_ld);

#endif
