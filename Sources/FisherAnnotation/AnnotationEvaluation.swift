import Classifiers
import Foundation
import LinearAlgebra
import Stages
import Storage

/// `tributary annotate eval`: the measures of ImageCLEF 2010 VCDT (paper §4.4) for every run of `scores.h5`,
/// and `eval.h5`, the file it writes.
///
/// Per concept k (ranking the Q test images by the run's raw score): AP, EER and AUC (`Metrics`; undefined,
/// stored as NaN and left out of the means, when the concept has no positive — or, for EER/AUC, no negative —
/// test image). Per run: mAP, mean EER and mean AUC over the defined concepts, F-ex over the images from the
/// binary decisions. Single-label data (every image one concept) adds accuracy and macro-F1 of the arg-max
/// concept (ties: the first concept).
///
/// `eval.h5` (stage `annotate eval`, version 1): `runs`, `concepts` (string); `<run>/ap`, `<run>/eer`,
/// `<run>/auc` (K) float64; `<run>/summary` (6) float64 = [mAP, EER, AUC, F-ex, accuracy, macro-F1] (NaN when
/// not defined), named in that order by `summary_names` (string, 6: `summaryNames`). Root attributes: the header
/// plus `scores` and `single_label`.
public struct AnnotationEvaluation: Sendable {
    public static let stage = "annotate eval"
    public static let version = 1
    /// The names of the 6 values of `<run>/summary`, in order (written to `summary_names`).
    public static let summaryNames = ["mAP", "mean_EER", "mean_AUC", "F_ex", "accuracy", "macro_F1"]

    public struct RunMetrics: Sendable, Equatable {
        public var run: AnnotationRun
        public var averagePrecision: [Double]
        public var equalErrorRate: [Double]
        public var areaUnderROC: [Double]
        /// [mAP, EER, AUC, F-ex, accuracy, macro-F1].
        public var summary: [Double]

        public var meanAveragePrecision: Double { summary[0] }
        public var meanEqualErrorRate: Double { summary[1] }
        public var meanAreaUnderROC: Double { summary[2] }
        public var exampleFMeasure: Double { summary[3] }
        public var accuracy: Double { summary[4] }
        public var macroF1: Double { summary[5] }
    }

    public var concepts: [String]
    public var runs: [RunMetrics]
    public var isSingleLabel: Bool
    public var scoresFile: String

    /// The measures of every run of `scores`.
    public static func evaluate(_ scores: AnnotationScores, scoresFile: String = "") -> AnnotationEvaluation {
        let truth = scores.truth, k = truth.columns
        let columns = (0 ..< k).map { truth.column($0) }
        let classes = (0 ..< truth.rows).map { q in (0 ..< k).first { truth[q, $0] } ?? 0 }
        let runs = scores.runs.map { run -> RunMetrics in
            let s = scores.raw[run]!
            let perConcept = (0 ..< k).map { c in (0 ..< s.rows).map { s[$0, c] } }
            let ap = (0 ..< k).map { Metrics.averagePrecision(scores: perConcept[$0], relevant: columns[$0]) ?? .nan }
            let eer = (0 ..< k).map { Metrics.equalErrorRate(scores: perConcept[$0], relevant: columns[$0]) ?? .nan }
            let auc = (0 ..< k).map { Metrics.areaUnderROC(scores: perConcept[$0], relevant: columns[$0]) ?? .nan }
            var summary = [mean(ap), mean(eer), mean(auc),
                           Metrics.exampleFMeasure(predicted: scores.decisions[run]!, truth: truth), .nan, .nan]
            if scores.isSingleLabel {
                let predicted = (0 ..< s.rows).map { q in (0 ..< k).max { s[q, $0] < s[q, $1] || (s[q, $0] == s[q, $1] && $0 > $1) } ?? 0 }
                summary[4] = Metrics.accuracy(predicted: predicted, truth: classes)
                summary[5] = Metrics.macroF1(predicted: predicted, truth: classes, classes: k)
            }
            return RunMetrics(run: run, averagePrecision: ap, equalErrorRate: eer, areaUnderROC: auc, summary: summary)
        }
        return AnnotationEvaluation(concepts: scores.concepts, runs: runs, isSingleLabel: scores.isSingleLabel,
                                    scoresFile: scoresFile)
    }

    /// The mean of the non-NaN values (NaN when none).
    static func mean(_ values: [Double]) -> Double {
        let defined = values.filter { !$0.isNaN }
        return defined.isEmpty ? .nan : defined.reduce(0, +) / Double(defined.count)
    }

    public func write(to path: String) throws {
        try ShardedOutput.makeDirectory(containing: path)
        let header = ArtifactHeader(stage: Self.stage, version: Self.version, parameters: [
            "scores": .string(scoresFile), "single_label": .int(isSingleLabel ? 1 : 0),
        ])
        try ArtifactFile.create(path, header: header) { file in
            try file.writeStrings(runs.map(\.run.rawValue), to: "runs")
            try file.writeStrings(concepts, to: "concepts")
            try file.writeStrings(Self.summaryNames, to: "summary_names")
            for r in runs {
                let g = r.run.rawValue
                try file.write(r.averagePrecision, shape: [concepts.count], to: g + "/ap")
                try file.write(r.equalErrorRate, shape: [concepts.count], to: g + "/eer")
                try file.write(r.areaUnderROC, shape: [concepts.count], to: g + "/auc")
                try file.write(r.summary, shape: [r.summary.count], to: g + "/summary")
            }
        }
    }

    public static func read(_ path: String) throws -> AnnotationEvaluation {
        let file = try openArtifact(path, stage: stage, version: version, producer: "`tributary annotate eval`")
        defer { try? file.close() }
        let header = try ArtifactHeader.read(from: file)
        let concepts = try file.readStrings("concepts"), k = concepts.count
        let runs = try file.readStrings("runs").map { name -> RunMetrics in
            guard let run = AnnotationRun(rawValue: name) else {
                throw PipelineError.inconsistent(file: path, what: "unknown run '\(name)'", rerun: "annotate eval")
            }
            return RunMetrics(run: run, averagePrecision: try file.read(name + "/ap", as: Double.self, shape: [k]),
                              equalErrorRate: try file.read(name + "/eer", as: Double.self, shape: [k]),
                              areaUnderROC: try file.read(name + "/auc", as: Double.self, shape: [k]),
                              summary: try file.read(name + "/summary", as: Double.self,
                                                     shape: [summaryNames.count]))
        }
        var single = false, scores = ""
        if case let .int(flag)? = header.parameters["single_label"] { single = flag != 0 }
        if case let .string(s)? = header.parameters["scores"] { scores = s }
        return AnnotationEvaluation(concepts: concepts, runs: runs, isSingleLabel: single, scoresFile: scores)
    }
}
