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
public enum WideKernels {
    @inline(__always)
    public static func lstmRow(gates: UnsafeMutablePointer<Float>, cellIn: UnsafePointer<Float>,
                               cell: UnsafeMutablePointer<Float>, tanhCell: UnsafeMutablePointer<Float>,
                               hidden: UnsafeMutablePointer<Float>, h: Int, isa: KernelISA = .active) {
        if isa != .active { precondition(isa.isSupported, "WideKernels.lstmRow: this CPU cannot run \(isa)") }
        tk_lstm_row(isa.code, gates, cellIn, cell, tanhCell, hidden, h)
    }
}
