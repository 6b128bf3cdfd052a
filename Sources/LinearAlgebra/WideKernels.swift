import CKernels

/// The hand-written wide-vector kernels of `CKernels`, each run on the ISA level `KernelISA.active` (or the one
/// passed, so tests can run every path the CPU supports against the naive twin).
///
/// `lstmRow`: the LSTM cell update of one row, H wide, gate blocks i f g o at offsets 0, H, 2H, 3H of `gates`:
///
///     i, f, o = σ(a_i, a_f, a_o)    g = tanh(a_g)    c = f ⊙ c_prev + i ⊙ g    h = o ⊙ tanh(c)
///
/// It overwrites the 4H pre-activations with i f g o and writes c, tanh c and h (H each); `cellIn` (c_prev) may be
/// `cell`. σ and tanh are the NeuralNets gate-lane formulas (absolute error ≲ 3e-7, exact 0/1 and ±1 in the
/// tails); every level gives the same bits (kernels.c).
///
/// `gruRows`: the GRU gate update of one step's B rows, fused with the recurrent bias add (gru.c), gate blocks
/// r z n at offsets 0, H, 2H; `hw` = h_{t−1}·W_h WITHOUT b_h:
///
///     ha = hw + b_h    r = σ(xa_r + ha_r)    z = σ(xa_z + ha_z)    n = tanh(xa_n + r ⊙ ha_n)
///     h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}
///
/// It overwrites xa (in `gates`) with r z n and writes ha_n, h_t, and h_t into `hNext` too when given. Every
/// pointer walks its rows with its own leading dimension (floats), so a step is read in place from (B, T, ·)
/// tensors. Same σ/tanh lanes as `lstmRow`, so every level gives the same bits.
///
/// `posteriorLogSumExp`: the GMM posteriors' log-sum-exp (posterior.c) over the columns of Lᵀ (M, n):
/// l_ki = L_ki + b_k, q_ki = exp(l_ki − max_k l_ki) / Σ_k (·) with exp exactly 0 below `floor`, and
/// log p(x_i) per column; column blocks of 512 shared out over `threads` threads. The lanes are Core's
/// `posteriorExp`, so every level and every thread count gives the bits of the Swift lanes in Encoding's
/// `PosteriorKernel`.
///
/// `squaresAndRows` and `rowSums`: the FV moment fills around the posterior and moment GEMMs (moments.c):
/// A = [X² | X] (n, 2D) from X (n, D), and S0_k = Σ_{i ∈ columns} q_ki over rows of Qᵀ (M, ld) in eight lane
/// sums (every level, so every level gives the bits of the Swift twins in `PosteriorKernel`).
///
/// `orientationHistograms`: the ORH histogram binning of every patch of one scale (orh.c; Features'
/// `OrientationHistogram.describe`, whose maths and tables it takes), raw 128-float histograms per patch, one
/// 8-lane vector per cell on every level, so every level gives the bits of the Swift twin `describeLanes`.
///
/// `gruBackwardRows`: the GRU backward gate loop of one step's B rows (gru_backward.c), element-wise:
///
///     dh = dH + rec   dn = dh(1 − z)   dz = dh(h_{t−1} − n)   da_n = dn(1 − n²)   da_r = da_n·ha_n·r(1 − r)
///     da_z = dz·z(1 − z)   d(xa) = [da_r | da_z | da_n]   d(ha) = [da_r | da_z | da_n·r]   rec ← dh·z
///
/// the same operations in the same order as NeuralNets' Swift loop, so every level gives its bits.
///
/// `lstmBackwardRows`: the LSTM backward gate loop of one step t's B rows (lstm_backward.c), element-wise:
///
///     dh = dH + dh_rec   dc = dc_rec + dh·o(1 − tanh²c)   da_i = dc·g·i(1 − i)   da_f = dc·c_{t−1}·f(1 − f)
///     da_g = dc·i(1 − g²)   da_o = dh·tanh c·o(1 − o)   dc_rec ← dc·f;   rows with t ≥ L_s: da = 0, dc_rec = 0
///
/// the same operations in the same order as NeuralNets' Swift loop `LSTM.gateGradientsLoop`, so every level
/// gives its bits.
public enum WideKernels {
    @inline(__always)
    public static func lstmRow(gates: UnsafeMutablePointer<Float>, cellIn: UnsafePointer<Float>,
                               cell: UnsafeMutablePointer<Float>, tanhCell: UnsafeMutablePointer<Float>,
                               hidden: UnsafeMutablePointer<Float>, h: Int, isa: KernelISA = .active) {
        if isa != .active { precondition(isa.isSupported, "WideKernels.lstmRow: this CPU cannot run \(isa)") }
        tk_lstm_row(isa.code, gates, cellIn, cell, tanhCell, hidden, h)
    }

    /// See the type's `gruRows` paragraph. Shapes: gates, hw (rows, 3H); biasH (3H); hPrev, haN, hOut, hNext (rows, H).
    @inline(__always)
    public static func gruRows(
        rows: Int, h: Int, gates: UnsafeMutablePointer<Float>, gatesLD: Int, hw: UnsafePointer<Float>, hwLD: Int,
        biasH: UnsafePointer<Float>, hPrev: UnsafePointer<Float>, hPrevLD: Int, haN: UnsafeMutablePointer<Float>,
        haNLD: Int, hOut: UnsafeMutablePointer<Float>, hOutLD: Int, hNext: UnsafeMutablePointer<Float>?,
        hNextLD: Int, isa: KernelISA = .active
    ) {
        if isa != .active { precondition(isa.isSupported, "WideKernels.gruRows: this CPU cannot run \(isa)") }
        tk_gru_rows(isa.code, rows, h, gates, gatesLD, hw, hwLD, biasH, hPrev, hPrevLD, haN, haNLD, hOut, hOutLD,
                    hNext, hNextLD)
    }

    /// See the type's `posteriorLogSumExp` paragraph: `q` (M, n) in place, `bias` (M), `rowLogLikelihoods` (n).
    /// `threads` defaults to OpenBLAS's thread count (`BLASThreads.count`), so "1 rank × 2 threads" runs the
    /// log-sum-exp on both threads, as the GEMMs around it do.
    public static func posteriorLogSumExp(
        _ q: UnsafeMutablePointer<Float>, components m: Int, columns n: Int, bias: UnsafePointer<Float>,
        floor: Float, rowLogLikelihoods: UnsafeMutablePointer<Double>, threads: Int = BLASThreads.count,
        isa: KernelISA = .active
    ) {
        if isa != .active { precondition(isa.isSupported, "WideKernels.posteriorLogSumExp: this CPU cannot run \(isa)") }
        _ = tk_posterior_lse(isa.code, Int32(clamping: Swift.max(1, threads)), q, m, n, bias, floor, rowLogLikelihoods)
    }

    /// See the type's `squaresAndRows` paragraph: `x` (n, d) into `a` (n, 2d).
    public static func squaresAndRows(_ x: UnsafePointer<Float>, rows n: Int, dimension d: Int,
                                      into a: UnsafeMutablePointer<Float>, isa: KernelISA = .active) {
        if isa != .active { precondition(isa.isSupported, "WideKernels.squaresAndRows: this CPU cannot run \(isa)") }
        tk_squares_and_rows(isa.code, x, n, d, a)
    }

    /// See the type's `rowSums` paragraph: rows 0 ..< m of `q` (leading dimension ld), columns `columns`.
    public static func rowSums(_ q: UnsafePointer<Float>, rows m: Int, leadingDimension ld: Int, columns: Range<Int>,
                               into sums: UnsafeMutablePointer<Float>, isa: KernelISA = .active) {
        if isa != .active { precondition(isa.isSupported, "WideKernels.rowSums: this CPU cannot run \(isa)") }
        tk_row_sums(isa.code, q, m, ld, columns.lowerBound, columns.upperBound, sums)
    }

    /// See the type's `orientationHistograms` paragraph: `out` gets rows × columns × 128 floats.
    public static func orientationHistograms(
        bins: UnsafePointer<Int32>, lowerMagnitudes: UnsafePointer<Float>, upperMagnitudes: UnsafePointer<Float>,
        width: Int, patchSize: Int, cells: UnsafePointer<Int32>, lowerWeights: UnsafePointer<Float>,
        upperWeights: UnsafePointer<Float>, segmentStarts: UnsafePointer<Int32>, segmentCells: UnsafePointer<Int32>,
        segments: Int, offsetX: Int, offsetY: Int, step: Int, columns: Int, rows: Int,
        into out: UnsafeMutablePointer<Float>, isa: KernelISA = .active
    ) {
        if isa != .active { precondition(isa.isSupported, "WideKernels.orientationHistograms: this CPU cannot run \(isa)") }
        tk_orh_histograms(isa.code, bins, lowerMagnitudes, upperMagnitudes, width, patchSize, cells, lowerWeights,
                          upperWeights, segmentStarts, segmentCells, segments, offsetX, offsetY, step, columns, rows, out)
    }

    /// See the type's `gruBackwardRows` paragraph. Shapes: gates, dxa, dha (rows, 3H); hPrev, dH, haN, rec (rows, H).
    @inline(__always)
    public static func gruBackwardRows(
        rows: Int, h: Int, gates: UnsafePointer<Float>, gatesLD: Int, hPrev: UnsafePointer<Float>, hPrevLD: Int,
        dH: UnsafePointer<Float>, dHLD: Int, haN: UnsafePointer<Float>, haNLD: Int, rec: UnsafeMutablePointer<Float>,
        recLD: Int, dxa: UnsafeMutablePointer<Float>, dxaLD: Int, dha: UnsafeMutablePointer<Float>, dhaLD: Int,
        isa: KernelISA = .active
    ) {
        if isa != .active { precondition(isa.isSupported, "WideKernels.gruBackwardRows: this CPU cannot run \(isa)") }
        tk_gru_backward_rows(isa.code, rows, h, gates, gatesLD, hPrev, hPrevLD, dH, dHLD, haN, haNLD, rec, recLD, dxa,
                             dxaLD, dha, dhaLD)
    }

    /// See the type's `lstmBackwardRows` paragraph. Shapes: gates, da (rows, 4H) with leading dimensions
    /// `gatesLD`, `daLD`; tanhCell, cellIn, dH (rows, H) with leading dimension `stateLD`; dhRec, dcRec (rows, H)
    /// contiguous; lengths (rows).
    @inline(__always)
    public static func lstmBackwardRows(
        rows: Int, h: Int, step t: Int, lengths: UnsafePointer<Int>, gates: UnsafePointer<Float>, gatesLD: Int,
        tanhCell: UnsafePointer<Float>, cellIn: UnsafePointer<Float>, dH: UnsafePointer<Float>, stateLD: Int,
        dhRec: UnsafePointer<Float>, dcRec: UnsafeMutablePointer<Float>, da: UnsafeMutablePointer<Float>, daLD: Int,
        isa: KernelISA = .active
    ) {
        if isa != .active { precondition(isa.isSupported, "WideKernels.lstmBackwardRows: this CPU cannot run \(isa)") }
        tk_lstm_backward_rows(isa.code, rows, h, t, lengths, gates, gatesLD, tanhCell, cellIn, dH, stateLD, dhRec, dcRec,
                              da, daLD)
    }
}
