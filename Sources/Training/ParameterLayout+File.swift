import NeuralNets
import Storage

/// The names of a model's tensors, written beside its flat `parameters` vector so that a reader outside Tributary
/// (h5py, `python/tributary_io.py`) can cut the vector into named, shaped tensors without knowing the layout code.
///
/// | dataset | type | content |
/// | --- | --- | --- |
/// | `parameter_names` | strings (T) | the `ParameterLayout` view names, in offset order (`encoder.fwd.Wx`, …) |
/// | `parameter_offsets` | Int64 (T) | o_t, the first index of tensor t in `parameters` |
/// | `parameter_shapes` | Int64 (T, 2) | (rows_t, columns_t); tensor t = `parameters[o_t ..< o_t + rows_t·columns_t]` row-major |
///
/// The views tile the vector exactly (o_0 = 0, o_{t+1} = o_t + rows_t·columns_t, Σ = P), which
/// `readTensorNames` checks; the flat vector stays the one source of the values.
extension HDF5File {
    /// Writes the three datasets for `layout`; `parameterCount` (P of the stored vector) must equal `layout.count`.
    public func writeTensorNames(_ layout: ParameterLayout, parameterCount: Int) throws {
        guard layout.count == parameterCount else {
            throw StorageError.shapeMismatch(file: path, dataset: "parameters", expected: [layout.count],
                                             got: [parameterCount])
        }
        let views = layout.views
        try writeStrings(views.map(\.name), to: "parameter_names")
        try write(views.map { Int64($0.offset) }, shape: [views.count], to: "parameter_offsets")
        try write(views.flatMap { [Int64($0.rows), Int64($0.columns)] }, shape: [views.count, 2], to: "parameter_shapes")
    }

    /// The tensor views stored by `writeTensorNames`, checked to tile 0 ..< `parameterCount`; nil in a file
    /// written before the names existed.
    public func readTensorNames(parameterCount: Int) throws -> [ParameterView]? {
        guard isDataset("parameter_names") else { return nil }
        let names = try readStrings("parameter_names")
        let offsets = try read("parameter_offsets", as: Int64.self, shape: [names.count])
        let shapes = try read("parameter_shapes", as: Int64.self, shape: [names.count, 2])
        var views: [ParameterView] = [], next = 0
        for t in names.indices {
            let rows = Int(shapes[2 * t]), columns = Int(shapes[2 * t + 1])
            guard offsets[t] == Int64(next), rows >= 0, columns >= 0,
                  rows.multipliedReportingOverflow(by: columns).overflow == false,
                  next + rows * columns <= parameterCount else {
                throw StorageError.shapeMismatch(file: path, dataset: "parameter_offsets/parameter_shapes (\(names[t]))",
                                                 expected: [next], got: [Int(offsets[t]), rows, columns])
            }
            views.append(ParameterView(name: names[t], offset: next, rows: rows, columns: columns))
            next += rows * columns
        }
        guard next == parameterCount else {
            throw StorageError.shapeMismatch(file: path, dataset: "parameter_shapes", expected: [parameterCount], got: [next])
        }
        return views
    }
}
