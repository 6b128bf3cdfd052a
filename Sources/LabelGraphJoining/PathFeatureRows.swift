import Core
import LinearAlgebra
import Storage

/// The standardised encoder vectors of `train-paths`, read from the joined HDF5 files a few rows at a time
/// instead of whole (sharded epochs):
///
///     fit:   for chunks of C samples in sample order: raw rows ─▶ StandardisationSums ─▶ (mean, scale)
///            (every rank streams X once; C·F floats in memory)
///     epoch: the rank's samples of the epoch (`DataParallelTrainer.localSamples`, ≈ N/R) ─▶ `keep`
///            ─▶ x̂_i = (x_i − mean) ⊙ scale for those i only; `matrix(ids)` serves the steps from them
///
/// A sample i is row `rows[i]` of spec `specIndex[i]`'s file; F = Σ over the feature sets of their columns,
/// concatenated in `featureSets` order (as `PathSamples.load` does). A read takes, per file, the sorted distinct
/// rows asked for and reads them in runs (`HDF5File.readRows`: hyperslabs), merging runs less than `gap` rows
/// apart. The values, the sums' order and x̂'s arithmetic are those of the whole-matrix path, so a model
/// trained this way has the same bits as one trained on `PathSamples.load(readFeatures: true)`.
final class PathFeatureRows {
    let samples: PathSamples
    let specs: [PathDataSpec]
    let featureSets: [String]
    var width: Int { samples.featureWidth }
    private(set) var mean: [Float] = []
    private(set) var scale: [Float] = []
    /// Sample id → its row in `kept`; `kept` is (|ids|, F), standardised.
    private var position: [Int: Int] = [:]
    private var kept: [Float] = []
    private var keptIDs: [Int] = []
    var gap = 8

    init(samples: PathSamples, specs: [PathDataSpec], featureSets: [String]) {
        self.samples = samples
        self.specs = specs
        self.featureSets = featureSets
    }

    /// The raw rows of samples `ids`, in that order ((|ids|, F), row-major).
    func read(_ ids: [Int]) throws -> [Float] {
        let f = width
        try MemoryBudget.current.reserve(bytes: MemoryBudget.product([ids.count, f, MemoryLayout<Float>.stride]),
                                         for: specs.map(\.features).joined(separator: ", "),
                                         purpose: "train-paths: \(ids.count) feature rows", fix: "raise --memory or use more ranks")
        var out = [Float](repeating: 0, count: ids.count * f)
        let bySpec = Dictionary(grouping: ids.indices, by: { samples.specIndex[ids[$0]] })
        for s in bySpec.keys.sorted() {
            let file = try HDF5File.open(path: specs[s].features)
            defer { try? file.close() }
            let wanted = Set(bySpec[s]!.map { samples.rows[ids[$0]] }).sorted()
            var fileRow: [Int: (values: [[Float]], offset: Int)] = [:]  // row → (per-set block, row in block)
            var start = 0
            while start < wanted.count {
                var end = start + 1
                while end < wanted.count && wanted[end] - wanted[end - 1] <= gap { end += 1 }
                let run = wanted[start] ..< wanted[end - 1] + 1
                let blocks = try featureSets.map { try file.readRows($0, rows: run, as: Float.self).values }
                for row in wanted[start ..< end] { fileRow[row] = (blocks, row - run.lowerBound) }
                start = end
            }
            let columns = try featureSets.map { try file.shape(of: $0)[1] }
            for k in bySpec[s]! {
                let (blocks, r) = fileRow[samples.rows[ids[k]]]!
                var at = k * f
                for (block, c) in zip(blocks, columns) {
                    for j in 0 ..< c { out[at + j] = block[r * c + j] }
                    at += c
                }
            }
        }
        return out
    }

    /// Fits (mean, scale) over every sample, streaming `chunk` samples at a time in sample order.
    func fitStandardisation(chunk: Int = 4096) throws {
        var sums = StandardisationSums(columns: width)
        for start in stride(from: 0, to: samples.count, by: chunk) {
            sums.add(try read(Array(start ..< min(start + chunk, samples.count))))
        }
        (mean, scale) = sums.result()
    }

    /// Takes another row set's mean and 1/std (a selection trial's validation rows are standardised with the
    /// statistics of the rows it trains on) instead of `fitStandardisation`.
    func standardise(mean: [Float], scale: [Float]) {
        precondition(mean.count == width && scale.count == width, "PathFeatureRows: statistics of \(mean.count) columns for \(width)")
        (self.mean, self.scale) = (mean, scale)
    }

    /// Keeps the standardised rows of `ids` (replacing what was kept; nothing is read when the same samples are
    /// kept already, e.g. every epoch of a single rank, which visits all of them).
    func keep(_ ids: [Int]) throws {
        let distinct = Set(ids).sorted()
        guard distinct != keptIDs else { return }
        (kept, keptIDs) = ([], [])  // the previous epoch's part goes before the next is read
        var values = try read(distinct)
        let f = width
        for k in distinct.indices {
            for j in 0 ..< f { values[k * f + j] = (values[k * f + j] - mean[j]) * scale[j] }
        }
        kept = values
        keptIDs = distinct
        position = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, $0) })
    }

    /// The kept standardised rows of `ids`, in that order, as (|ids|, F).
    func matrix(_ ids: [Int]) -> Matrix<Float> {
        let f = width
        var values: [Float] = []
        values.reserveCapacity(ids.count * f)
        for i in ids {
            guard let k = position[i] else { preconditionFailure("sample \(i) was not kept for this epoch (prepareEpoch)") }
            values += kept[k * f ..< (k + 1) * f]
        }
        return Matrix(rows: ids.count, columns: f, values: values)
    }
}
