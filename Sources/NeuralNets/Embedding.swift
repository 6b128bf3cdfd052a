import Core
import LinearAlgebra

/// A lookup table of word vectors: row v of E (V, D) is the vector of token v.
///
///     forward:   Y_n = E[token_n]                                  tokens (N), Y (N, D)
///     backward:  dE[token_n] += dY_n   for every n with token_n ≠ padding   (scatter-add)
///
/// The padding token (if any) is initialised to the zero vector and never receives a gradient, so it stays
/// zero: padded positions contribute nothing (PyTorch's `padding_idx`). Tokens have no gradient, so `backward`
/// returns nothing. Initialisation: E ~ N(0, 1) (as `nn.Embedding`; the paper's "randomly initialized").
///
/// The gradient is dense in the flat buffer (V·D scalars), like PyTorch's default; rows of tokens that did
/// not occur in the batch are simply left as they were (zero after `zeroGrads`).
public struct Embedding: Sendable {
    /// V.
    public let vocabularySize: Int
    /// D.
    public let embeddingSize: Int
    /// The token whose row stays zero and gets no gradient, or nil.
    public let paddingIndex: Int?
    /// E (V, D).
    public let table: ParameterView

    /// What backward needs: the token ids.
    public struct Cache: Sendable {
        let tokens: [Int]
    }

    /// Registers `<name>.E` in `layout`.
    public init(_ name: String, vocabularySize: Int, embeddingSize: Int, paddingIndex: Int? = nil,
                layout: inout ParameterLayout) {
        precondition(vocabularySize > 0 && embeddingSize > 0, "Embedding \(name): sizes must be positive")
        if let p = paddingIndex {
            precondition(p >= 0 && p < vocabularySize, "Embedding \(name): padding index \(p) outside 0..<\(vocabularySize)")
        }
        self.vocabularySize = vocabularySize
        self.embeddingSize = embeddingSize
        self.paddingIndex = paddingIndex
        table = layout.register("\(name).E", rows: vocabularySize, columns: embeddingSize)
    }

    /// E ~ N(0, 1), the padding row zero.
    public func initialize<S: BLASScalar>(_ values: inout [S], rng: inout SeededRandom) {
        table.initializeNormal(&values, standardDeviation: 1, rng: &rng)
        if let p = paddingIndex {
            let start = table.offset + p * embeddingSize
            for i in start ..< start + embeddingSize { values[i] = 0 }
        }
    }

    /// Y_n = E[token_n], (N, D).
    @_specialize(where S == Float)
    public func forward<S: NeuralScalar>(_ tokens: [Int], parameters: [S]) -> (Matrix<S>, Cache) {
        let (n, d) = (tokens.count, embeddingSize)
        precondition(tokens.allSatisfy { $0 >= 0 && $0 < vocabularySize },
                     "Embedding.forward: token ids must be in 0..<\(vocabularySize) (V)")
        var y = Matrix<S>(rows: n, columns: d)
        if n > 0 {
            parameters.withUnsafeBufferPointer { p in
                y.values.withUnsafeMutableBufferPointer { py in
                    let e = p.baseAddress! + table.offset
                    for (r, token) in tokens.enumerated() {
                        (py.baseAddress! + r * d).update(from: e + token * d, count: d)
                    }
                }
            }
        }
        return (y, Cache(tokens: tokens))
    }

    /// dE[token_n] += dY_n, skipping the padding token.
    @_specialize(where S == Float)
    public func backward<S: NeuralScalar>(_ dY: Matrix<S>, _ cache: Cache, into grads: inout [S]) {
        let d = embeddingSize
        precondition(dY.rows == cache.tokens.count && dY.columns == d,
                     "Embedding.backward: dY is \(dY.rows)×\(dY.columns), expected \(cache.tokens.count)×\(d)")
        if dY.rows == 0 { return }
        grads.withUnsafeMutableBufferPointer { g in
            dY.values.withUnsafeBufferPointer { pdY in
                let dE = g.baseAddress! + table.offset
                for (r, token) in cache.tokens.enumerated() where token != paddingIndex {
                    let row = dE + token * d, src = pdY.baseAddress! + r * d
                    for j in 0 ..< d { row[j] += src[j] }
                }
            }
        }
    }
}
