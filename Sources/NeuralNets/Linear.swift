import Core
import LinearAlgebra

/// A fully connected layer, y = x·W + b.
///
///     forward:   Y = X·W + 1·bᵀ                 X (N, D), W (D, O), b (O), Y (N, O)
///     backward:  dW += Xᵀ·dY    db += Σ_n dY_n    dX = dY·Wᵀ
///
/// Both passes are single GEMMs over all N rows (cblas on views into the flat parameter buffer, no copies).
/// Initialisation: W, b ~ U(−√(1/D), √(1/D)) (PyTorch's `nn.Linear` default).
///
/// Shapes: O is `outputSize`; N is any number of rows (B pooled vectors, or B·T steps).
///
/// ```swift
/// var layout = ParameterLayout()
/// let fc = Linear("fc", inputSize: 256, outputSize: 50, layout: &layout)
/// let (y, cache) = fc.forward(x, parameters: params.values)
/// let dX = fc.backward(dY, cache, parameters: params.values, into: &params.grads)
/// ```
public struct Linear: Sendable {
    /// D.
    public let inputSize: Int
    /// O.
    public let outputSize: Int
    /// W (D, O).
    public let weight: ParameterView
    /// b (1, O).
    public let bias: ParameterView

    /// What backward needs: the input X (N, D).
    public struct Cache<S: NeuralScalar>: Sendable {
        let input: Matrix<S>
    }

    /// Registers `<name>.W` and `<name>.b` in `layout`.
    public init(_ name: String, inputSize: Int, outputSize: Int, layout: inout ParameterLayout) {
        precondition(inputSize > 0 && outputSize > 0, "Linear \(name): sizes must be positive")
        self.inputSize = inputSize
        self.outputSize = outputSize
        weight = layout.register("\(name).W", rows: inputSize, columns: outputSize)
        bias = layout.register("\(name).b", rows: 1, columns: outputSize)
    }

    /// W, b ~ U(−√(1/D), √(1/D)).
    public func initialize<S: BLASScalar>(_ values: inout [S], rng: inout SeededRandom) {
        let a = (1.0 / Double(inputSize)).squareRoot()
        weight.initializeUniform(&values, bound: a, rng: &rng)
        bias.initializeUniform(&values, bound: a, rng: &rng)
    }

    /// Y = X·W + b.
    @_specialize(where S == Float)
    public func forward<S: NeuralScalar>(_ x: Matrix<S>, parameters: [S]) -> (Matrix<S>, Cache<S>) {
        precondition(x.columns == inputSize, "Linear.forward: X has \(x.columns) columns, expected D = \(inputSize)")
        let (n, d, o) = (x.rows, inputSize, outputSize)
        var y = Matrix<S>(rows: n, columns: o)
        if n > 0 {
            withBaseAddresses(parameters, x.values) { p, px in
                y.values.withUnsafeMutableBufferPointer { py in
                    let w = p + weight.offset, b = p + bias.offset, yp = py.baseAddress!
                    for r in 0 ..< n { (yp + r * o).update(from: b, count: o) }
                    gemm(px, lda: d, w, ldb: o, yp, ldc: o, m: n, n: o, k: d, beta: 1)
                }
            }
        }
        return (y, Cache(input: x))
    }

    /// dW += Xᵀ·dY, db += Σ_n dY_n; returns dX = dY·Wᵀ.
    @_specialize(where S == Float)
    public func backward<S: NeuralScalar>(
        _ dY: Matrix<S>, _ cache: Cache<S>, parameters: [S], into grads: inout [S]
    ) -> Matrix<S> {
        let x = cache.input
        let (n, d, o) = (x.rows, inputSize, outputSize)
        precondition(dY.rows == n && dY.columns == o, "Linear.backward: dY is \(dY.rows)×\(dY.columns), expected \(n)×\(o)")
        var dX = Matrix<S>(rows: n, columns: d)
        if n == 0 { return dX }
        withBaseAddresses(parameters, x.values, dY.values) { p, px, pdY in
            withMutableBaseAddresses(&grads, &dX.values) { g, pdX in
                let dW = g + weight.offset, db = g + bias.offset
                gemm(px, lda: d, transposeA: true, pdY, ldb: o, dW, ldc: o, m: d, n: o, k: n, beta: 1)
                accumulateColumnSums(pdY, rows: n, n: o, into: db)
                gemm(pdY, lda: o, p + weight.offset, ldb: o, transposeB: true, pdX, ldc: d, m: n, n: d, k: o, beta: 0)
            }
        }
        return dX
    }
}
