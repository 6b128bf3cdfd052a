import Core
import LinearAlgebra

/// A named view into a model's flat parameter buffer: `count = rows·columns` values starting at `offset`,
/// row-major. Vectors (biases) are 1 × n views. The same view addresses the gradient buffer.
public struct ParameterView: Sendable, Hashable, CustomStringConvertible {
    /// A unique name, e.g. "encoder.forward.Wx".
    public let name: String
    /// First index in the flat buffer.
    public let offset: Int
    public let rows: Int
    public let columns: Int

    public init(name: String, offset: Int, rows: Int, columns: Int) {
        self.name = name
        self.offset = offset
        self.rows = rows
        self.columns = columns
    }

    /// rows · columns.
    public var count: Int { rows * columns }
    /// The indices of the view in the flat buffer.
    public var range: Range<Int> { offset ..< offset + count }

    public var description: String { "\(name) (\(rows), \(columns)) @ \(offset)" }
}

/// The layout of all of a model's parameters in ONE flat buffer (llm.c's `ParameterTensors`).
///
/// Layers register their tensors at construction, in a fixed order, and get back `ParameterView`s; each view
/// starts where the previous one ended, so the views tile 0 ..< `count` exactly, contiguous and non-overlapping.
///
/// ```swift
/// var layout = ParameterLayout()
/// let fc = Linear("fc", inputSize: 4, outputSize: 3, layout: &layout)  // fc.W (4, 3) @ 0, fc.b (1, 3) @ 12
/// var parameters = Parameters<Float>(layout: layout)                    // values and grads: 15 zeros each
/// var rng = SeededRandom(seed: 1)
/// fc.initialize(&parameters.values, rng: &rng)
/// ```
public struct ParameterLayout: Sendable, Equatable {
    /// Every registered view, in registration (= offset) order.
    public private(set) var views: [ParameterView] = []
    /// The total number of scalars.
    public private(set) var count: Int = 0

    public init() {}

    /// Registers a rows × columns tensor after the existing ones and returns its view.
    public mutating func register(_ name: String, rows: Int, columns: Int) -> ParameterView {
        precondition(rows >= 0 && columns >= 0, "ParameterLayout: negative shape \(rows)×\(columns) for \(name)")
        precondition(view(named: name) == nil, "ParameterLayout: \(name) is registered twice")
        let view = ParameterView(name: name, offset: count, rows: rows, columns: columns)
        views.append(view)
        count += view.count
        return view
    }

    /// The view called `name`, or nil.
    public func view(named name: String) -> ParameterView? { views.first { $0.name == name } }
}

/// A model's parameters and their gradients: two flat buffers with the same `ParameterLayout`.
///
/// `values` is what the optimizer updates, rank 0 broadcasts and checkpoints store; `grads` is what backward
/// passes accumulate into (`+=`), the trainer all-reduces, and `zeroGrads()` clears.
public struct Parameters<S: BLASScalar>: Sendable {
    public let layout: ParameterLayout
    /// All parameter values, `layout.count` scalars.
    public var values: [S]
    /// All gradients, same layout as `values`.
    public var grads: [S]

    /// Zero values and zero gradients for `layout`.
    public init(layout: ParameterLayout) {
        self.layout = layout
        values = [S](repeating: 0, count: layout.count)
        grads = [S](repeating: 0, count: layout.count)
    }

    /// Sets every gradient to zero (one contiguous fill). Specialised: unspecialised, the fill went through one
    /// value-witness call per scalar, 3.3 % of W7 training's samples (issue 18, round 4 profile).
    @_specialize(where S == Float)
    @_specialize(where S == Double)
    public mutating func zeroGrads() {
        let n = grads.count
        grads.withUnsafeMutableBufferPointer { g in g.baseAddress?.update(repeating: 0, count: n) }
    }

    /// A copy of the values behind `view`, as a rows × columns matrix.
    public func value(_ view: ParameterView) -> Matrix<S> {
        Matrix(rows: view.rows, columns: view.columns, values: Array(values[view.range]))
    }

    /// A copy of the gradient behind `view`, as a rows × columns matrix.
    public func gradient(_ view: ParameterView) -> Matrix<S> {
        Matrix(rows: view.rows, columns: view.columns, values: Array(grads[view.range]))
    }

    /// Overwrites the values behind `view`.
    public mutating func setValue(_ matrix: Matrix<S>, for view: ParameterView) {
        precondition(matrix.rows == view.rows && matrix.columns == view.columns,
                     "Parameters: \(view) cannot take a \(matrix.rows)×\(matrix.columns) matrix")
        values.replaceSubrange(view.range, with: matrix.values)
    }
}

// MARK: - Initialisers on views

extension ParameterView {
    /// Fills the view with U(−a, a).
    func initializeUniform<S: BLASScalar>(_ values: inout [S], bound a: Double, rng: inout SeededRandom) {
        for i in range { values[i] = S(rng.uniform(-a, a)) }
    }

    /// Fills the view with N(0, sd²).
    func initializeNormal<S: BLASScalar>(_ values: inout [S], standardDeviation sd: Double, rng: inout SeededRandom) {
        for i in range { values[i] = S(sd * rng.normal()) }
    }
}
