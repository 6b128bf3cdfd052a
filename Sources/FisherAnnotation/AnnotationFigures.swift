import Classifiers
import Foundation
import LinearAlgebra
import Stages
import Storage

/// The annotation stages' extra report figures, from files the stages already write.
///
/// - Confusion matrix (single-label data only), per run: true class t = the one concept of a test image,
///   predicted class p = argmax_c raw[q, c] (lowest c on ties) — the same arg-max `AnnotationEvaluation` scores
///   accuracy and macro-F1 with, so the diagonal sum over Q is the reported accuracy.
/// - Precision–recall, one curve per run, micro-averaged: all Q×K (image, concept) pairs of the run's confidences
///   (`AnnotationScores.confidence`: raw scores min-max normalised per concept, so concepts share a scale),
///   relevant where `truth` is set (`PrecisionRecallFigure`).
/// - GMM log-likelihood per EM iteration, from `gmm.h5` `<kind>/log_likelihood` (one value per E-step, the
///   first from the initialisation): ORH on the left axis, COL on the right (their scales differ).
public enum AnnotationFigures {
    /// The C×C counts of `run` (rows: truth, columns: arg-max prediction).
    public static func confusion(_ scores: AnnotationScores, run: AnnotationRun) -> [[Int]] {
        let s = scores.raw[run]!, k = scores.truth.columns
        var counts = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
        for q in 0 ..< s.rows {
            let t = (0 ..< k).first { scores.truth[q, $0] } ?? 0
            let p = (0 ..< k).max { s[q, $0] < s[q, $1] || (s[q, $0] == s[q, $1] && $0 > $1) } ?? 0
            counts[t][p] += 1
        }
        return counts
    }

    /// The micro-averaged precision–recall curve of `run`.
    public static func precisionRecall(_ scores: AnnotationScores, run: AnnotationRun) throws -> [PrecisionRecallFigure.Point] {
        let confidence = try scores.confidence(run)
        return PrecisionRecallFigure.curve(scores: confidence.values.map(Double.init), relevant: scores.truth.values)
    }

    /// Writes the figures of `scores` into `directory` (rank 0) and returns their report Markdown; `relative`
    /// maps a file name in `directory` to its report link.
    public static func write(_ scores: AnnotationScores, directory: String, relative: (String) -> String) throws -> String {
        var text = "\n"
        let curves = try scores.runs.map { (name: $0.rawValue, curve: try precisionRecall(scores, run: $0)) }
        text += try PrecisionRecallFigure.write(runs: curves, png: directory + "/pr.png", link: relative("pr.png"),
                                                title: "Precision–recall, all (image, concept) pairs, per run")
        if scores.isSingleLabel {
            for run in scores.runs {
                let file = "confusion-\(run.rawValue).png"
                text += "\n" + (try ConfusionFigure.write(counts: confusion(scores, run: run), classes: scores.concepts,
                                                          png: directory + "/" + file, link: relative(file),
                                                          title: "Confusion matrix, \(run.rawValue)"))
            }
        }
        return text
    }

    /// The EM log-likelihood figure of `gmm` (a `gmm.h5`) as report Markdown ("" when it cannot be read or drawn).
    public static func logLikelihood(gmm: String, png: String, link: String) -> String {
        guard let file = try? HDF5File.open(path: gmm) else { return "" }
        defer { try? file.close() }
        let curves = DescriptorKind.allCases.compactMap { kind in
            (try? file.read("\(kind.rawValue)/log_likelihood", as: Double.self).values).map { (kind.rawValue.uppercased(), $0) }
        }
        guard let (name, values) = curves.first else { return "" }
        let second = curves.dropFirst().first.map { (values: $0.1, label: "\($0.0) mean log-likelihood") }
        let drawn = RunnerPlot.line(values, png: png, title: "GMM fit: mean log-likelihood per EM iteration",
                                    ylabel: "\(name) mean log-likelihood", second: second, xlabel: "EM iteration (0: initialisation)", first: 0)
        return drawn ? "\n\n![GMM log-likelihood per EM iteration](\(link))\n" : ""
    }
}
