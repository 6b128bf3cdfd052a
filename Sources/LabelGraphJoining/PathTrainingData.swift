import Datasets
import Foundation
import LabelGraphs
import LinearAlgebra
import Storage

/// The joined datasets of `train-paths` and `decode`: for each dataset d, encoder vectors from an HDF5 file and
/// one graph label node per sample, read from a CSV.
///
/// **Features** (`--join …,features=FILE`): the rows of `embeddings` (a `tributary embed` file) or of the
/// Fisher-vector datasets `fv/<kind>/<layout>` of a `tributary fisher` / `encode` file, concatenated column-wise
/// in the order given by `featureSets` (default: `embeddings` when present, else `fv/orh/1x1`). `rows=a-b`
/// keeps rows a ..< b only (two joined datasets may be two disjoint parts of one file).
///
/// **Labels** (`labels=FILE.csv`), either form:
///
/// | columns | meaning |
/// | --- | --- |
/// | `label` [, `row`] | one line per sample: the graph node id of its label; `row` = its row in the features file, lines outside `rows=` skipped (without `row`: line i ↔ the i-th selected row, and the counts must match) |
/// | `id`, `label` | one line per (sample, label): `id` = the sample's entry in the features file's `ids` (a `tributary embed` file: the document id, e.g. a Debian package name); ids outside `rows=` are skipped, ids not in the file skipped with a warning naming the first |
/// | `class`, `label` | a class map: the features file's own `labels` (class indices into `class_names` or `classes`) → node id; an empty `label` drops the class's samples |
///
/// **Multi-label samples.** A row named on several lines (`row` or `id` form) is ONE sample with all those
/// labels (`PathSamples.labelSets`, in line order); `labels` keeps its first.
///
/// Every label must be a label node of dataset d in the graph (`PredictionPaths.groundTruth`), else a
/// `PathTrainingError.unknownLabel` names the CSV line and the graph.
public struct PathDataSpec: Sendable, Equatable, CustomStringConvertible {
    /// d: the dataset name used by the graph's `datasets=` tags.
    public var dataset: String
    public var features: String
    /// nil only for `decode` without evaluation.
    public var labels: String?
    /// Rows a ..< b of the features file; nil = all.
    public var rows: Range<Int>?

    public init(dataset: String, features: String, labels: String?, rows: Range<Int>? = nil) {
        self.dataset = dataset
        self.features = features
        self.labels = labels
        self.rows = rows
    }

    /// Parses `dataset=NAME,features=FILE[,labels=FILE.csv][,rows=A-B]`.
    public init(parsing text: String) throws {
        var fields: [String: String] = [:]
        for part in text.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2, ["dataset", "features", "labels", "rows"].contains(pair[0]), fields[pair[0]] == nil else {
                throw PathTrainingError.badSpec(text: text, reason: "'\(part)' is not one of dataset=, features=, labels=, rows= (each once)")
            }
            fields[pair[0]] = pair[1]
        }
        guard let dataset = fields["dataset"], let features = fields["features"] else {
            throw PathTrainingError.badSpec(text: text, reason: "dataset= and features= are required")
        }
        var rows: Range<Int>?
        if let r = fields["rows"] {
            let bounds = r.split(separator: "-").compactMap { Int($0) }
            guard bounds.count == 2, bounds[0] >= 0, bounds[0] < bounds[1] else {
                throw PathTrainingError.badSpec(text: text, reason: "rows=\(r) must be A-B with 0 ≤ A < B (rows A ..< B)")
            }
            rows = bounds[0] ..< bounds[1]
        }
        self.init(dataset: dataset, features: features, labels: fields["labels"], rows: rows)
    }

    public var description: String {
        "dataset=\(dataset),features=\(features)" + (labels.map { ",labels=\($0)" } ?? "")
            + (rows.map { ",rows=\($0.lowerBound)-\($0.upperBound)" } ?? "")
    }
}

/// The samples of all joined datasets, in spec order: encoder vectors X (N, F) and per-sample provenance.
public struct PathSamples: Sendable {
    /// X (N, F).
    public var features: Matrix<Float>
    /// The dataset of each sample.
    public var datasets: [String]
    /// Its label node (nil when the spec has no labels); a multi-label sample's first label.
    public var labels: [Int?]
    /// All its label nodes (empty when the spec has no labels).
    public var labelSets: [[Int]] = []
    /// What was read but not used, for rank 0 to print (e.g. `id,label` lines whose id the features file lacks).
    public var warnings: [String] = []
    /// Its row in its features file, and the spec it came from.
    public var rows: [Int]
    public var specIndex: [Int]
    /// `ids` of the features file when present, else "row N".
    public var ids: [String]

    public var count: Int { datasets.count }

    /// The number of feature columns F (`features.columns`, also when the values were not read).
    public var featureWidth = 0

    /// Reads every spec (see `PathDataSpec`). `featureSets` nil = the default of the first file. With
    /// `readFeatures` false, X is only checked (datasets, shapes) and left empty (0 rows, `featureWidth` columns):
    /// `PathFeatureRows` reads the rows a rank needs.
    public static func load(_ specs: [PathDataSpec], graph: LabelGraph, featureSets: [String]?,
                            readFeatures: Bool = true) throws -> (PathSamples, [String]) {
        var sets = featureSets
        var x: [Float] = [], datasets: [String] = [], labels: [Int?] = [], rows: [Int] = [], specIndex: [Int] = []
        var labelSets: [[Int]] = []
        var ids: [String] = []
        var warnings: [String] = []
        var width: Int?
        for (s, spec) in specs.enumerated() {
            guard FileManager.default.fileExists(atPath: spec.features) else {
                throw PathTrainingError.missingFile(path: spec.features,
                    fix: "write it with `tributary fisher` (Fisher vectors) or `tributary embed` (text context vectors)")
            }
            let file = try HDF5File.open(path: spec.features)
            defer { try? file.close() }
            if sets == nil { sets = file.contains("embeddings") ? ["embeddings"] : ["fv/orh/1x1"] }
            var blocks: [(values: [Float], columns: Int)] = []
            var fileRows: Int?
            for name in sets! {
                guard file.isDataset(name) else {
                    throw PathTrainingError.badFeatures(path: spec.features,
                        reason: "has no dataset '\(name)' (--feature-sets). Fix: name datasets it holds: \(try file.children().joined(separator: ", "))")
                }
                let (values, shape) = readFeatures ? try file.read(name, as: Float.self) : ([], try file.shape(of: name))
                guard shape.count == 2 else {
                    throw PathTrainingError.badFeatures(path: spec.features, reason: "'\(name)' has shape \(shape), expected (rows, columns)")
                }
                if let fileRows, fileRows != shape[0] {
                    throw PathTrainingError.badFeatures(path: spec.features, reason: "'\(name)' has \(shape[0]) rows, the other feature sets \(fileRows)")
                }
                fileRows = shape[0]
                blocks.append((values, shape[1]))
            }
            let n = fileRows!, f = blocks.map(\.columns).reduce(0, +)
            if let width, width != f {
                throw PathTrainingError.badFeatures(path: spec.features,
                    reason: "rows have \(f) values, \(specs[0].features) has \(width). Fix: join features made with the same settings")
            }
            width = f
            let selected = spec.rows ?? 0 ..< n
            guard selected.upperBound <= n else {
                throw PathTrainingError.badFeatures(path: spec.features, reason: "rows=\(selected.lowerBound)-\(selected.upperBound) but the file has \(n) rows")
            }
            let fileIDs = file.isDataset("ids") ? try file.readStrings("ids") : []
            var picked: [(row: Int, label: Int?)]
            var sets: [Int: [Int]] = [:]  // row → its labels, when a row is named more than once
            if let labelsPath = spec.labels {
                var unknown: [String] = []
                picked = try readLabels(labelsPath, spec: spec, file: file, selected: selected, graph: graph, ids: fileIDs,
                                        unknownIDs: &unknown)
                if let first = unknown.first {
                    warnings.append("\(labelsPath): \(unknown.count) line(s) name ids that \(spec.features) does not hold "
                        + "(first: '\(first)'); they were skipped. Fix: label the documents that were embedded, or embed them")
                }
                var seen = Set<Int>()
                for (row, label) in picked { if let label { sets[row, default: []].append(label) } }
                picked = picked.filter { seen.insert($0.row).inserted }
            } else {
                picked = selected.map { ($0, nil) }
            }
            for (row, label) in picked {
                labelSets.append(label == nil ? [] : sets[row]!.reduce(into: []) { if !$0.contains($1) { $0.append($1) } })
                if readFeatures { for block in blocks { x += block.values[row * block.columns ..< (row + 1) * block.columns] } }
                datasets.append(spec.dataset)
                labels.append(label)
                rows.append(row)
                specIndex.append(s)
                ids.append(row < fileIDs.count ? fileIDs[row] : "row \(row)")
            }
        }
        var samples = PathSamples(features: Matrix(rows: readFeatures ? datasets.count : 0, columns: width ?? 0, values: x), datasets: datasets,
                                  labels: labels, rows: rows, specIndex: specIndex, ids: ids)
        samples.labelSets = labelSets
        samples.warnings = warnings
        samples.featureWidth = width ?? 0
        return (samples, sets ?? [])
    }
}
