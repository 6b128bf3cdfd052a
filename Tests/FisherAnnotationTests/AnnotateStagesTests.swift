import Classifiers
import Core
import FisherAnnotation
import Foundation
import LinearAlgebra
import Storage
import TestSupport
import XCTest

/// train → predict → eval → report on the tiny fixture, for every run; ranks; metrics by hand.
final class AnnotateStagesTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryDirectory("annotate") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testEveryRunTrainsPredictsAndEvaluates() throws {
        let (fv, csv) = try AnnotateFixture.write(folder)
        let config = AnnotateFixture.trainConfig(folder, fv: fv, csv: csv)
        try AnnotateTrainStage(config: config).run(communicator: SingleProcessCommunicator())
        let models = try AnnotateModels.read(config.output)
        XCTAssertEqual(models.concepts, AnnotateFixture.concepts)
        XCTAssertEqual(models.runs, AnnotationRun.allCases)
        XCTAssertEqual(models.vocabulary.tags.sorted(), ["cat", "dog", "extra", "sun"])
        XCTAssertEqual(models.svm.keys.sorted(), (AnnotationData.visualBlocks + ["early-mixed", "early-visual", "tags"]).sorted())
        XCTAssertEqual(models.svm["orh/2x2"]?.weights.columns, 16)
        XCTAssertEqual(models.svm["early-mixed"]?.weights.columns, 2 * (4 + 16 + 12) + 4)
        XCTAssertEqual(models.tagProp[.tagpropVisual]?.measures.count, 2)
        XCTAssertEqual(models.tagProp[.tagpropMixed]?.measures.last, ["tags"])
        XCTAssertEqual(models.tagProp[.tagpropMixed]?.model.neighboursPerMeasure, 4)  // ⌈12/3⌉

        let scoresPath = folder.appendingPathComponent("scores.h5").path
        try AnnotatePredictStage(config: AnnotatePredictConfig(models: config.output, output: scoresPath))
            .run(communicator: SingleProcessCommunicator())
        let scores = try AnnotationScores.read(scoresPath)
        XCTAssertEqual(scores.ids.count, 24)
        XCTAssertEqual(scores.truth.columns, 3)
        for run in AnnotationRun.allCases {
            let raw = try XCTUnwrap(scores.raw[run]), decisions = try XCTUnwrap(scores.decisions[run])
            XCTAssertEqual(decisions, Fusion.decisions(raw, threshold: run.threshold), "\(run) decisions threshold the raw score")
            let confidence = try scores.confidence(run)
            XCTAssertTrue(confidence.values.allSatisfy { (0 ... 1).contains($0) }, "\(run) confidences in [0, 1]")
        }
        let evaluation = AnnotationEvaluation.evaluate(scores)
        for r in evaluation.runs {
            XCTAssertGreaterThan(r.meanAveragePrecision, 0.8, "\(r.run): mAP \(r.meanAveragePrecision)")
            XCTAssertLessThan(r.meanEqualErrorRate, 0.25, "\(r.run)")
            XCTAssertGreaterThan(r.exampleFMeasure, 0.5, "\(r.run)")
            XCTAssertTrue(r.accuracy.isNaN, "multi-label data has no accuracy")
        }
        let evalPath = folder.appendingPathComponent("eval.h5").path
        try evaluation.write(to: evalPath)
        let back = try AnnotationEvaluation.read(evalPath)
        XCTAssertEqual(back.runs.map(\.summary.description), evaluation.runs.map(\.summary.description))
        let table = AnnotationReport.markdown(back)
        XCTAssertTrue(table.contains("| SVM Late Fusion (`svm-late-mixed`) | V&T | late |"), table)
        XCTAssertEqual(table.split(separator: "\n").count, 2 + AnnotationRun.allCases.count)
        let note = try AnnotationReport.plot(back, png: folder.appendingPathComponent("ap.png").path)
        // The bars: one block per run, one line `y  AP` per concept; run i's bar of concept c sits at
        // c + (i − (R−1)/2)·0.8/R (by hand), so every concept's bars straddle its tic at y = c.
        let blocks = try String(contentsOfFile: folder.appendingPathComponent("ap-bars.dat").path, encoding: .utf8)
            .components(separatedBy: "\n\n\n")
        XCTAssertEqual(blocks.count, back.runs.count)
        let r = Double(back.runs.count)
        for (i, block) in blocks.enumerated() {
            let lines = block.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
            XCTAssertEqual(lines.count, back.concepts.count)
            for (c, fields) in lines.enumerated() {
                XCTAssertEqual(Double(fields[0])!, Double(c) + (Double(i) - (r - 1) / 2) * 0.8 / r, accuracy: 1e-4)
                let ap = back.runs[i].averagePrecision[c]
                XCTAssertEqual(fields[1], ap.isNaN ? "NaN" : String(format: "%.4f", ap))
            }
        }
        if note.contains("gnuplot not found") {
            print("skipping the PNG check: \(note)")
        } else {
            XCTAssertTrue(FileManager.default.fileExists(atPath: folder.appendingPathComponent("ap.png").path), note)
        }
    }

    func testTwoRanksTrainTheSameModelsAsOne() throws {
        let (fv, csv) = try AnnotateFixture.write(folder)
        var config = AnnotateFixture.trainConfig(folder, fv: fv, csv: csv)
        config.runs = [.svmLateMixed, .slrLateVisual, .tagpropMixed]
        let data = try AnnotationData.load(fisherVectors: fv, annotations: csv, minimumTagCount: 2)
        let stage = AnnotateTrainStage(config: config)
        let one = try stage.train(data, communicator: SingleProcessCommunicator())
        let two = try ThreadedWorld.run(size: 2) { comm in try stage.train(data, communicator: comm) }
        for models in two {
            XCTAssertEqual(models.svm, one.svm, "SVMs: concepts split over 2 ranks")
            XCTAssertEqual(models.slr, one.slr, "SLRs: concepts split over 2 ranks")
            XCTAssertEqual(models.tagProp[.tagpropMixed]?.model.gamma, one.tagProp[.tagpropMixed]?.model.gamma)
            XCTAssertEqual(models.tagProp[.tagpropMixed]?.model.alpha, one.tagProp[.tagpropMixed]?.model.alpha)
        }
        let scores = try ThreadedWorld.run(size: 2) { comm in
            try AnnotatePredictStage(config: AnnotatePredictConfig(models: "", output: "")).predict(one, data: data, communicator: comm)
        }
        let single = try AnnotatePredictStage(config: AnnotatePredictConfig(models: "", output: ""))
            .predict(one, data: data, communicator: SingleProcessCommunicator())
        XCTAssertEqual(scores[1].raw[.tagpropMixed], single.raw[.tagpropMixed], "test neighbours searched over 2 ranks")
    }

    /// TagProp predict under a budget that fits only a few test rows per chunk (≥ 3 chunks of C ≤ 8 < B = 256,
    /// so query blocks of C): 1 and 2 ranks give the same bits, and so does the one-batch run (whose query block
    /// holds all 24 test rows). C < B changes the GEMM's row count, which this OpenBLAS computes to the same bits
    /// (observed; with C ≥ B the blocks are the unchunked ones, so the bits are equal by construction).
    func testTagPropPredictInBudgetChunks() throws {
        let (fv, csv) = try AnnotateFixture.write(folder)
        var config = AnnotateFixture.trainConfig(folder, fv: fv, csv: csv)
        config.runs = [.tagpropVisual]
        let data = try AnnotationData.load(fisherVectors: fv, annotations: csv, minimumTagCount: 2)
        let models = try AnnotateTrainStage(config: config).train(data, communicator: SingleProcessCommunicator())
        let t = try XCTUnwrap(models.tagProp[.tagpropVisual])
        let stage = AnnotatePredictStage(config: AnnotatePredictConfig(models: "", output: ""))
        let whole = try stage.predict(models, data: data, communicator: SingleProcessCommunicator())
        // Fixed bytes per measure (1 rank: all 24 training rows, one broadcast chunk of 24, a 256 × 24 score block)
        // plus 6 rows of the widest measure: f ≥ 6 for every measure, so C ∈ {4, 8} and ≥ 3 chunks of 24 rows.
        let n = data.trainIDs.count, q = data.testIDs.count, k = t.model.neighboursPerMeasure
        let widest = t.measures.map { $0.reduce(0) { $0 + data.train[$1]!.columns } }.max()!
        let budget = MemoryBudget(bytes: 2 * n * widest * 4 + 256 * n * 4 + 6 * (4 * widest + 16 * k), origin: "test")
        var lines: [String] = []
        let one = try MemoryBudget.$current.withValue(budget) {
            try stage.predict(models, data: data, communicator: SingleProcessCommunicator()) { lines.append($0) }
        }
        XCTAssertEqual(lines.count, t.measures.count)
        for line in lines {
            let chunks = try XCTUnwrap(Int(line.components(separatedBy: " chunk(s)")[0].split(separator: " ").last!), line)
            XCTAssertGreaterThanOrEqual(chunks, 3, line)
            XCTAssertTrue(line.contains("\(q) test rows in"), line)
        }
        let two = try ThreadedWorld.run(size: 2) { comm in
            try MemoryBudget.$current.withValue(budget) { try stage.predict(models, data: data, communicator: comm) }
        }
        let chunked = try XCTUnwrap(one.raw[.tagpropVisual]), reference = try XCTUnwrap(whole.raw[.tagpropVisual])
        for scores in two {
            XCTAssertEqual(scores.raw[.tagpropVisual]?.values.map(\.bitPattern), chunked.values.map(\.bitPattern))
        }
        XCTAssertEqual(chunked.values.map(\.bitPattern), reference.values.map(\.bitPattern), "chunked vs one batch")
        XCTAssertEqual(chunked.values.count, q * data.concepts.count)
        // A budget below one row beside the fixed bytes is refused, naming fv.h5.
        XCTAssertThrowsError(try MemoryBudget.$current.withValue(MemoryBudget(bytes: 2 * n * widest * 4, origin: "test")) {
            try stage.predict(models, data: data, communicator: SingleProcessCommunicator())
        }) { XCTAssertTrue("\($0)".contains("fv.h5"), "\($0)") }
    }

    /// A tiny scores.h5: 4 images, 2 concepts, scores chosen so that AP, EER, AUC and F-ex are easy by hand.
    func testEvaluationMatchesHandComputedMetrics() throws {
        let truth = LabelMatrix([[true, false], [false, true], [true, true], [false, false]])
        let raw = Matrix<Float>(rowArrays: [[0.9, -1], [0.2, 0.5], [-0.1, 0.5], [0.4, -2]])
        let scores = AnnotationScores(runs: [.svmEarlyVisual], concepts: ["a", "b"], ids: ["1", "2", "3", "4"], truth: truth,
                                      raw: [.svmEarlyVisual: raw],
                                      decisions: [.svmEarlyVisual: Fusion.decisions(raw, threshold: 0)], isSingleLabel: false,
                                      header: ArtifactHeader(stage: AnnotationScores.stage, version: 1))
        let path = folder.appendingPathComponent("tiny-scores.h5").path
        try scores.write(to: path)  // through the file, as `annotate eval` reads it
        let r = AnnotationEvaluation.evaluate(try AnnotationScores.read(path)).runs[0]
        // Concept a: ranking 1(+) 4(−) 2(−) 3(+): AP = (1/1 + 2/4)/2 = 0.75; AUC = 2/4 = 0.5.
        // Concept b: 2 and 3 tie at 0.5 (both +), then 1, 4 (−): AP = 1, AUC = 1, EER = 0.
        XCTAssertEqual(r.averagePrecision, [0.75, 1])
        XCTAssertEqual(r.areaUnderROC, [0.5, 1])
        XCTAssertEqual(r.equalErrorRate[1], 0)
        XCTAssertEqual(r.meanAveragePrecision, 0.875)
        // Decisions at 0: {a}, {a, b}, {b}, {a} vs truth {a}, {b}, {a, b}, {}: F = 1, 2/3, 2/3, 0 → mean 7/12.
        XCTAssertEqual(r.exampleFMeasure, 7.0 / 12, accuracy: 1e-12)
    }

    func testSingleLabelEvaluationReportsAccuracyAndMacroF1() throws {
        let truth = LabelMatrix([[true, false], [false, true], [false, true]])
        let raw = Matrix<Float>(rowArrays: [[1, 0], [2, 1], [0, 3]])  // arg-max: 0, 0, 1
        let scores = AnnotationScores(runs: [.svmLateVisual], concepts: ["rose", "tulip"], ids: ["1", "2", "3"], truth: truth,
                                      raw: [.svmLateVisual: raw], decisions: [.svmLateVisual: Fusion.decisions(raw, threshold: 0)],
                                      isSingleLabel: true, header: ArtifactHeader(stage: AnnotationScores.stage, version: 1))
        let r = AnnotationEvaluation.evaluate(scores).runs[0]
        XCTAssertEqual(r.accuracy, 2.0 / 3, accuracy: 1e-12)
        // rose: TP 1, FP 1, FN 0 → 2/3; tulip: TP 1, FP 0, FN 1 → 2/3.
        XCTAssertEqual(r.macroF1, 2.0 / 3, accuracy: 1e-12)
        XCTAssertTrue(AnnotationReport.markdown(AnnotationEvaluation.evaluate(scores)).contains("Accuracy | Macro-F1"))
    }
}
