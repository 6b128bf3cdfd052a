#if canImport(Glibc)
import Glibc
#endif
import LinearAlgebra

/// Hand-written neural-network layers for Tributary, in the style of llm.c: every layer is a pair
/// `forward(...) -> (output, Cache)` / `backward(dOutput, cache, ..., into: &grads) -> dInput`, the cache holds
/// exactly what the backward pass needs, gradients accumulate with `+=` and are zeroed explicitly
/// (`Parameters.zeroGrads()`).
///
/// **One flat buffer.** All of a model's parameters are named views (offset + shape) into one flat array
/// (`ParameterLayout`, `Parameters.values`), and the gradients live in a second flat array of the same layout
/// (`Parameters.grads`). Zeroing, the optimizer step, checkpointing and the MPI all-reduce each touch one
/// contiguous buffer.
///
/// **Shape letters** (declared once for the module):
///
///     B  batch (sequences in a padded batch)      T  time steps (padded length)
///     N  rows of a 2-D input (N = B for pooled features, N = B·T for per-step features)
///     D  input size (embedding size)              H  hidden size (per direction)
///     V  vocabulary size                          C  number of classes
///     M  context size (paper eq. 5)               G  gate width (4H for the LSTM, 3H for the GRU)
///
/// Sequence tensors are batch-major and row-major: a (B, T, D) tensor is a `Matrix` of B·T rows, row b·T + t
/// holding step t of sequence b. Padding is on the right: sequence b has `lengths[b]` real steps, 1 ≤ L_b ≤ T.
///
/// **Scalars.** Layers are generic over `S: NeuralScalar` (Float or Double): Float for training, Double for
/// the finite-difference gradient checks in the tests.
public enum NeuralNets {}

/// A `BLASScalar` with the elementary functions the activations need (exp, log, tanh).
///
/// Float's `tanh` is evaluated as 1 − 2/(e^(2a) + 1) through `expf` (absolute error ≲ 2e-7, exact ±1 in the
/// tails, where e^(2a) over- or underflows): glibc's `tanhf` goes through `expm1f` and cost a quarter of an
/// LSTM forward pass. Double keeps the libm functions, so the gradient checks see exact maths.
public protocol NeuralScalar: BLASScalar {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
}

extension Float: NeuralScalar {
    @inline(__always) public static func exp(_ x: Float) -> Float { expf(x) }
    @inline(__always) public static func log(_ x: Float) -> Float { logf(x) }
    @inline(__always) public static func tanh(_ x: Float) -> Float { 1 - 2 / (expf(2 * x) + 1) }
}

extension Double: NeuralScalar {
    @inline(__always) public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
    @inline(__always) public static func log(_ x: Double) -> Double { Glibc.log(x) }
    @inline(__always) public static func tanh(_ x: Double) -> Double { Glibc.tanh(x) }
}

// MARK: - Pointer-level BLAS (strided views into the flat buffers)

/// C ← α·op(A)·op(B) + β·C on raw row-major pointers with explicit leading dimensions, so a GEMM can read a
/// parameter view inside the flat buffer, or one time step of a (B, T, G) tensor (ld = T·G), without copying.
/// op(A) is m × k, op(B) is k × n, C is m × n.
@inline(__always)
func gemm<S: BLASScalar>(
    _ a: UnsafePointer<S>, lda: Int, transposeA: Bool = false,
    _ b: UnsafePointer<S>, ldb: Int, transposeB: Bool = false,
    _ c: UnsafeMutablePointer<S>, ldc: Int, m: Int, n: Int, k: Int, alpha: S = 1, beta: S
) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        for i in 0 ..< m { for j in 0 ..< n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
        return
    }
    S.gemm(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
           a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
}

/// Adds `bias` (length n) to every row of `x` (rows × n, contiguous).
@inline(__always)
func addBias<S: BLASScalar>(_ bias: UnsafePointer<S>, to x: UnsafeMutablePointer<S>, rows: Int, n: Int) {
    for r in 0 ..< rows {
        let row = x + r * n
        for j in 0 ..< n { row[j] += bias[j] }
    }
}

/// dBias += column sums of `dY` (rows × n, contiguous).
@inline(__always)
func accumulateColumnSums<S: BLASScalar>(
    _ dY: UnsafePointer<S>, rows: Int, n: Int, into dBias: UnsafeMutablePointer<S>
) {
    for r in 0 ..< rows {
        let row = dY + r * n
        for j in 0 ..< n { dBias[j] += row[j] }
    }
}

/// Checks a padded batch's lengths against its time steps: 1 ≤ L_b ≤ T.
func checkLengths(_ lengths: [Int], timeSteps: Int, _ caller: String) {
    precondition(lengths.allSatisfy { $0 >= 1 && $0 <= timeSteps },
                 "\(caller): every length must be in 1...\(timeSteps) (T), got \(lengths)")
}
