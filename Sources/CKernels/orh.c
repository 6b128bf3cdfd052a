// The ORH histogram binning of every patch of one scale (Features' `OrientationHistogram.describe`), compiled
// three times: baseline x86-64 (SSE2), AVX2 + FMA, AVX-512 (see kernels.c for the dispatch scheme).
//
// Inputs per pixel q (scale image of width W): b₀ = bin[q] ∈ 0 … 7, m·(1 − r) = m_lower[q], m·r = m_upper[q]; per
// patch axis position i (patch side P): the padded lower cell cell[i] ∈ 0 … 4 and the weights w_lower[i],
// w_upper[i] (window × spatial bilinear), and the runs of pixels sharing their lower cell (seg_start, seg_cell).
// With e_b the unit 8-vector (e_8 = e_0), pixel (i, j) of a patch adds
//
//     e = e_b₀ · m_lower + e_(b₀+1) · m_upper                                   (its orientation vote, 8 bins)
//     row[k] += w_lower[i]·e,  row[k+1] += w_upper[i]·e      k = cell[i]       (accumulated run by run)
//     hist[cell[j]][·] += w_lower[j]·row[·],  hist[cell[j]+1][·] += w_upper[j]·row[·]   after each patch row j
//
// over a (4+2) × (4+2) padded grid of 8-bin cells; the inner 4 × 4 cells are the raw descriptor
// d[(l·4 + k)·8 + b], written for every patch (rows of patches outer, columns inner; patch (ky, kx) at
// x0 = offset_x + kx·step, y0 = offset_y + ky·step). Normalisation stays in Swift.
//
// Bit-identity: the 8 bins are the lanes, and every level evaluates the same operations in the same order as
// the Swift SIMD8 loop it replaces, with no FMA contraction, so all levels and the Swift twin give the same
// bits. A cell is 8 lanes on every level (one ymm; two xmm on the baseline): the wide levels win by issuing half
// the instructions of SSE2, and AVX-512 has nothing wider to offer this layout (it runs the AVX2 lanes).
#pragma STDC FP_CONTRACT OFF

#include "lanes.h"

enum { TK_ORH_BINS = 8, TK_ORH_CELLS = 4, TK_ORH_PADDED = TK_ORH_CELLS + 2 };

// The histograms of all patches of one level, on the 8-lane vector type F (f8 for AVX2 and AVX-512; the
// baseline uses f8 too, which clang lowers to pairs of SSE2 instructions with the same lane arithmetic).
#define TK_ORH_FN(SUF, F, ATTR)                                                                                 \
    ATTR static void SUF##_orh_histograms(const int *bin, const float *m_lower, const float *m_upper,          \
                                          long width, long p, const int *cell, const float *w_lower,            \
                                          const float *w_upper, const int *seg_start, const int *seg_cell,      \
                                          long segments, long offset_x, long offset_y, long step, long columns, \
                                          long rows, float *out) {                                              \
        F one_hot[TK_ORH_BINS + 1];                                                                             \
        for (int b = 0; b <= TK_ORH_BINS; b++) {                                                                \
            F e = {0};                                                                                          \
            e[b % TK_ORH_BINS] = 1.0f;                                                                          \
            one_hot[b] = e;                                                                                     \
        }                                                                                                       \
        F hist[TK_ORH_PADDED * TK_ORH_PADDED], row[TK_ORH_PADDED];                                              \
        float *d = out;                                                                                         \
        for (long ky = 0; ky < rows; ky++) {                                                                    \
            long y0 = offset_y + ky * step;                                                                     \
            for (long kx = 0; kx < columns; kx++) {                                                             \
                long x0 = offset_x + kx * step;                                                                 \
                for (int c = 0; c < TK_ORH_PADDED * TK_ORH_PADDED; c++) hist[c] = (F){0};                       \
                for (long j = 0; j < p; j++) {                                                                  \
                    for (int c = 0; c < TK_ORH_PADDED; c++) row[c] = (F){0};                                    \
                    long base = (y0 + j) * width + x0;                                                          \
                    for (long r = 0; r < segments; r++) {                                                       \
                        F to_lower = {0}, to_upper = {0};                                                       \
                        for (long i = seg_start[r]; i < seg_start[r + 1]; i++) {                                \
                            long q = base + i;                                                                  \
                            int b = bin[q];                                                                     \
                            F e = one_hot[b] * m_lower[q] + one_hot[b + 1] * m_upper[q];                        \
                            to_lower += w_lower[i] * e;                                                         \
                            to_upper += w_upper[i] * e;                                                         \
                        }                                                                                       \
                        int k = seg_cell[r];                                                                    \
                        row[k] += to_lower;                                                                     \
                        row[k + 1] += to_upper;                                                                 \
                    }                                                                                           \
                    long l = (long)cell[j] * TK_ORH_PADDED;                                                     \
                    float a = w_lower[j], c = w_upper[j];                                                       \
                    for (int k = 0; k < TK_ORH_PADDED; k++) {                                                   \
                        hist[l + k] += a * row[k];                                                              \
                        hist[l + TK_ORH_PADDED + k] += c * row[k];                                              \
                    }                                                                                           \
                }                                                                                               \
                for (int l = 0; l < TK_ORH_CELLS; l++) {                                                        \
                    for (int k = 0; k < TK_ORH_CELLS; k++) {                                                    \
                        F v = hist[(l + 1) * TK_ORH_PADDED + k + 1];                                            \
                        memcpy(d + (l * TK_ORH_CELLS + k) * TK_ORH_BINS, &v, sizeof v);                         \
                    }                                                                                           \
                }                                                                                               \
                d += TK_ORH_CELLS * TK_ORH_CELLS * TK_ORH_BINS;                                                 \
            }                                                                                                   \
        }                                                                                                       \
    }

TK_ORH_FN(base, f8, )
TK_ORH_FN(avx8, f8, TK_AVX2)
TK_ORH_FN(zmm8, f8, TK_AVX512)

void tk_orh_histograms(int isa, const int *bin, const float *m_lower, const float *m_upper, long width, long p,
                       const int *cell, const float *w_lower, const float *w_upper, const int *seg_start,
                       const int *seg_cell, long segments, long offset_x, long offset_y, long step, long columns,
                       long rows, float *out) {
    switch (isa) {
    case TK_ISA_AVX512:
        zmm8_orh_histograms(bin, m_lower, m_upper, width, p, cell, w_lower, w_upper, seg_start, seg_cell, segments,
                            offset_x, offset_y, step, columns, rows, out);
        break;
    case TK_ISA_AVX2:
        avx8_orh_histograms(bin, m_lower, m_upper, width, p, cell, w_lower, w_upper, seg_start, seg_cell, segments,
                            offset_x, offset_y, step, columns, rows, out);
        break;
    default:
        base_orh_histograms(bin, m_lower, m_upper, width, p, cell, w_lower, w_upper, seg_start, seg_cell, segments,
                            offset_x, offset_y, step, columns, rows, out);
        break;
    }
}
