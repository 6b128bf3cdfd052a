import Classifiers
import FisherAnnotation
import Foundation
import LinearAlgebra
import Stages
import Storage
import TestSupport
import XCTest

/// `AnnotationFigures` on tiny scores whose confusion matrix and micro-averaged PR curve are worked by hand.
final class AnnotationFiguresTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryDirectory("annotation-figures") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    private func scores(_ truth: LabelMatrix, _ raw: Matrix<Float>, single: Bool, run: AnnotationRun,
                        concepts: [String]) -> AnnotationScores {
        AnnotationScores(runs: [run], concepts: concepts, ids: (0 ..< truth.rows).map { "\($0)" }, truth: truth,
                         raw: [run: raw], decisions: [run: Fusion.decisions(raw, threshold: 0)], isSingleLabel: single,
                         header: ArtifactHeader(stage: AnnotationScores.stage, version: 1))
    }

    func testConfusionUsesTheEvaluationsArgMax() throws {
        // Truth rose, tulip, tulip; arg-max 0, 0, 1 → [[1, 0], [1, 1]]; diagonal 2 of 3 = the evaluation's accuracy.
        let s = scores(LabelMatrix([[true, false], [false, true], [false, true]]),
                       Matrix<Float>(rowArrays: [[1, 0], [2, 1], [0, 3]]), single: true, run: .svmLateVisual,
                       concepts: ["rose", "tulip"])
        let counts = AnnotationFigures.confusion(s, run: .svmLateVisual)
        XCTAssertEqual(counts, [[1, 0], [1, 1]])
        XCTAssertEqual(Double(counts[0][0] + counts[1][1]) / 3, AnnotationEvaluation.evaluate(s).runs[0].accuracy, accuracy: 1e-12)
        let markdown = try AnnotationFigures.write(s, directory: folder.path, relative: { "annotate/" + $0 })
        XCTAssertEqual(try String(contentsOfFile: folder.appendingPathComponent("confusion-svm-late-visual.dat").path, encoding: .utf8),
                       "true\\predicted\trose\ttulip\nrose\t1\t0\ntulip\t1\t1\n")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("pr.dat").path))
        if RunnerPlot.executable("gnuplot") != nil {
            XCTAssertTrue(markdown.contains("(annotate/confusion-svm-late-visual.png)"))
            XCTAssertTrue(markdown.contains("(annotate/pr.png)"))
        }
    }

    func testMicroAveragedPrecisionRecallOverMinMaxConfidences() throws {
        // Confidences (per-concept min-max): a: raw 0.9, 0.2, −0.1, 0.4 → 1, 0.3, 0, 0.5; b: −1, 0.5, 0.5, −2 → 0.4, 1, 1, 0.
        // Pairs by confidence: 1 (a0 +, b1 +, b2 +), 0.5 (a3 −), 0.4 (b0 −), 0.3 (a1 −), 0 (a2 +, b3 −); P = 4.
        let s = scores(LabelMatrix([[true, false], [false, true], [true, true], [false, false]]),
                       Matrix<Float>(rowArrays: [[0.9, -1], [0.2, 0.5], [-0.1, 0.5], [0.4, -2]]), single: false,
                       run: .svmEarlyVisual, concepts: ["a", "b"])
        let curve = try AnnotationFigures.precisionRecall(s, run: .svmEarlyVisual)
        XCTAssertEqual(curve.map(\.recall), [0.75, 0.75, 0.75, 0.75, 1])
        XCTAssertEqual(curve.map(\.precision), [1, 0.75, 0.6, 0.5, 0.5])
        let markdown = try AnnotationFigures.write(s, directory: folder.path, relative: { $0 })
        XCTAssertFalse(markdown.contains("confusion"), "multi-label data has no confusion matrix")
    }

    func testLogLikelihoodFigureReadsBothMixtures() throws {
        let gmm = folder.appendingPathComponent("gmm.h5").path
        let file = try HDF5File.create(path: gmm)
        try file.write([-5.0, -4.0, -3.5], shape: [3], to: "orh/log_likelihood")
        try file.write([-2.0, -1.5, -1.25], shape: [3], to: "col/log_likelihood")
        try file.close()
        let png = folder.appendingPathComponent("em.png").path
        let markdown = AnnotationFigures.logLikelihood(gmm: gmm, png: png, link: "fisher/em.png")
        XCTAssertEqual(try String(contentsOfFile: folder.appendingPathComponent("em.dat").path, encoding: .utf8),
                       "0\t-5.0\t-2.0\n1\t-4.0\t-1.5\n2\t-3.5\t-1.25\n")
        if RunnerPlot.executable("gnuplot") != nil { XCTAssertEqual(markdown, "\n\n![GMM log-likelihood per EM iteration](fisher/em.png)\n") }
    }
}
