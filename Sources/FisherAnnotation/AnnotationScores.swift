import Classifiers
import LinearAlgebra
import Stages
import Storage

/// The test-set scores of the annotation runs, and `scores.h5`, the file `annotate predict` writes.
///
/// `scores.h5` (stage `annotate predict`, version 1; Q test images, K concepts):
///
/// | dataset | shape, type | meaning |
/// | --- | --- | --- |
/// | `runs`, `concepts`, `ids` | string | the runs, the K concepts (columns), the Q test image ids (rows) |
/// | `truth` | (Q, K) uint8 | ground truth |
/// | `<run>/raw` | (Q, K) float32 | the run's score: fused raw SVM/SLR score, or TagProp probability |
/// | `<run>/confidence` | (Q, K) float32 | `raw` min-max normalised per concept over the Q images, in [0, 1] |
/// | `<run>/decision` | (Q, K) uint8 | 1 when the raw score ≥ the run's threshold (0; 0.5 for TagProp) |
///
/// Root attributes: the header plus `models` (the models file), `single_label` (1 when every test image has
/// exactly one concept), `late_fusion`.
public struct AnnotationScores: Sendable {
    public static let stage = "annotate predict"
    public static let version = 1

    public var runs: [AnnotationRun]
    public var concepts: [String]
    public var ids: [String]
    public var truth: LabelMatrix
    /// Per run: (Q, K) scores used for ranking.
    public var raw: [AnnotationRun: Matrix<Float>]
    /// Per run: (Q, K) binary decisions.
    public var decisions: [AnnotationRun: LabelMatrix]
    public var isSingleLabel: Bool
    public var header: ArtifactHeader

    public init(runs: [AnnotationRun], concepts: [String], ids: [String], truth: LabelMatrix,
                raw: [AnnotationRun: Matrix<Float>], decisions: [AnnotationRun: LabelMatrix], isSingleLabel: Bool,
                header: ArtifactHeader) {
        self.runs = runs
        self.concepts = concepts
        self.ids = ids
        self.truth = truth
        self.raw = raw
        self.decisions = decisions
        self.isSingleLabel = isSingleLabel
        self.header = header
    }

    /// The confidences of `run`: per-concept min-max normalisation of its raw scores (paper §4.2).
    public func confidence(_ run: AnnotationRun) throws -> Matrix<Float> {
        let scores = raw[run]!
        return try MinMaxNormalizer.fit(scores).apply(scores)
    }

    public func write(to path: String) throws {
        try ShardedOutput.makeDirectory(containing: path)
        let q = truth.rows, k = truth.columns
        try ArtifactFile.create(path, header: header) { file in
            try file.writeStrings(runs.map(\.rawValue), to: "runs")
            try file.writeStrings(concepts, to: "concepts")
            try file.writeStrings(ids, to: "ids")
            try file.write(truth.values.map { $0 ? UInt8(1) : 0 }, shape: [q, k], to: "truth")
            for run in runs {
                try file.write(raw[run]!.values, shape: [q, k], to: "\(run.rawValue)/raw")
                try file.write(try confidence(run).values, shape: [q, k], to: "\(run.rawValue)/confidence")
                try file.write(decisions[run]!.values.map { $0 ? UInt8(1) : 0 }, shape: [q, k],
                               to: "\(run.rawValue)/decision")
            }
        }
    }

    public static func read(_ path: String) throws -> AnnotationScores {
        let file = try openArtifact(path, stage: stage, version: version, producer: "`tributary annotate predict`")
        defer { try? file.close() }
        let header = try ArtifactHeader.read(from: file)
        let names = try file.readStrings("runs")
        let runs = try names.map { name in
            guard let run = AnnotationRun(rawValue: name) else {
                throw PipelineError.inconsistent(file: path, what: "unknown run '\(name)'", rerun: "annotate predict")
            }
            return run
        }
        let concepts = try file.readStrings("concepts"), ids = try file.readStrings("ids")
        let q = ids.count, k = concepts.count
        func flags(_ name: String) throws -> LabelMatrix {
            LabelMatrix(rows: q, columns: k, values: try file.read(name, as: UInt8.self, shape: [q, k]).map { $0 != 0 })
        }
        var raw: [AnnotationRun: Matrix<Float>] = [:], decisions: [AnnotationRun: LabelMatrix] = [:]
        for run in runs {
            raw[run] = Matrix(rows: q, columns: k, values: try file.read("\(run.rawValue)/raw", as: Float.self, shape: [q, k]))
            decisions[run] = try flags("\(run.rawValue)/decision")
        }
        var single = false
        if case let .int(flag)? = header.parameters["single_label"] { single = flag != 0 }
        return AnnotationScores(runs: runs, concepts: concepts, ids: ids, truth: try flags("truth"), raw: raw,
                                decisions: decisions, isSingleLabel: single, header: header)
    }
}
