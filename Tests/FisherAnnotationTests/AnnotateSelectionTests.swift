import Classifiers
import Core
@testable import FisherAnnotation
import Foundation
import LinearAlgebra
import Stages
import Storage
import TestSupport
import XCTest

/// `select_on validation`: costs are chosen on validation rows carved out of the training rows, by mean AP, and
/// never by the test rows.
final class AnnotateSelectionTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryDirectory("annotate-selection") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    static let costs = [1e-4, 0.01, 1, 100]

    func config() throws -> AnnotateTrainConfig {
        let (fv, csv) = try AnnotateFixture.write(folder)
        var config = AnnotateFixture.trainConfig(folder, fv: fv, csv: csv)
        config.runs = [.svmEarlyVisual]
        config.selection = HyperParameterSelection(svmCosts: Self.costs, validationFraction: 0.25, seed: 3)
        return config
    }

    func load(_ config: AnnotateTrainConfig) throws -> AnnotationData {
        try AnnotationData.load(fisherVectors: config.fisherVectors, annotations: config.annotations, minimumTagCount: 2)
    }

    /// Strata by hand: rows (labels) 0 (none), 1 (c0), 2 (c0, c1), 3 (c1), 4 (c1), 5 (none), 6 (c0), 7 (c1):
    /// strata c0 = {1, 2, 6}, c1 = {3, 4, 7}, none = {0, 5}; f = 1/3 holds out round(1) = 1 of c0, 1 of c1 and
    /// round(2/3) = 1 of none.
    func testValidationRowsAreAStratifiedPartOfTheTrainingRows() {
        let y: [[Bool]] = [[false, false], [true, false], [true, true], [false, true], [false, true], [false, false],
                           [true, false], [false, true]]
        let labels = LabelMatrix(rows: 8, columns: 2, values: y.flatMap { $0 })
        for seed: UInt64 in 0 ..< 10 {
            let v = HyperParameterSelection(validationFraction: 1.0 / 3, seed: seed).validationRows(labels)
            XCTAssertEqual(v, v.sorted())
            XCTAssertEqual(Set(v).intersection([1, 2, 6]).count, 1, "\(v)")
            XCTAssertEqual(Set(v).intersection([3, 4, 7]).count, 1, "\(v)")
            XCTAssertEqual(Set(v).intersection([0, 5]).count, 1, "\(v)")
        }
    }

    /// 80 training rows, 2 concepts, every visual block 3 columns of noise with a weak signal (+0.4 in column c
    /// for concept c): the costs rank the validation rows differently.
    static func noisyData() -> AnnotationData {
        var rng = SeededRandom(seed: 21)
        let n = 80, m = 16
        let y = (0 ..< n + m).flatMap { i in [i % 2 == 0, i % 3 == 0] }
        func block(_ rows: Range<Int>) -> Matrix<Float> {
            Matrix(rows: rows.count, columns: 3, values: rows.flatMap { i in
                (0 ..< 3).map { c in (c < 2 && y[i * 2 + c] ? 0.4 : 0) + Float(rng.normal()) }
            })
        }
        var train: [String: Matrix<Float>] = [:], test: [String: Matrix<Float>] = [:]
        for name in AnnotationData.visualBlocks { train[name] = block(0 ..< n); test[name] = block(n ..< n + m) }
        return AnnotationData(fisherVectors: "fv.h5", annotations: "images.csv", concepts: ["a", "b"], skippedConcepts: [],
                              trainIDs: (0 ..< n).map { "t\($0)" }, testIDs: (0 ..< m).map { "q\($0)" },
                              trainLabels: LabelMatrix(rows: n, columns: 2, values: Array(y[0 ..< 2 * n])),
                              testLabels: LabelMatrix(rows: m, columns: 2, values: Array(y[2 * n ..< 2 * (n + m)])),
                              train: train, test: test, vocabulary: TagVocabulary(tags: [], counts: []), isSingleLabel: false)
    }

    /// The validation mAPs equal a twin computed with OneVsRest directly on the fit rows, scored on the validation
    /// rows, and the choice is their argmax.
    func testSelectionPicksTheBestValidationCost() throws {
        var config = try config()
        config.selection = HyperParameterSelection(svmCosts: [1e-6, 1e-3, 1, 1000], validationFraction: 0.25, seed: 3)
        let data = Self.noisyData(), selection = config.selection!
        let validation = selection.validationRows(data.trainLabels)
        let fit = (0 ..< data.trainIDs.count).filter { !validation.contains($0) }
        let inner = data.validationSplit(fit: fit, validation: validation)
        XCTAssertEqual(Set(inner.trainIDs + inner.testIDs), Set(data.trainIDs), "only training rows are used")
        XCTAssertTrue(Set(inner.testIDs).isDisjoint(with: inner.trainIDs))
        let x = try inner.features(AnnotationData.visualBlocks), v = try inner.features(AnnotationData.visualBlocks, test: true)
        let twin = try selection.svmCosts.map { c -> Double in
            var options = config.svm
            options.cost = c
            let scorer = LinearScorer(try OneVsRest<Float>.train(x, labels: inner.trainLabels, options: options,
                                                                 communicator: SingleProcessCommunicator()))
            return Metrics.meanAveragePrecision(scores: try scorer.scores(v), truth: inner.testLabels).mean
        }
        XCTAssertGreaterThan(Set(twin).count, 1, "the candidates must differ on validation for the test to bite: \(twin)")
        let (chosen, outcomes, validationIDs) = try AnnotateTrainStage(config: config).select(data, communicator: SingleProcessCommunicator(), log: { _ in })
        XCTAssertEqual(validationIDs, inner.testIDs, "the held-out ids returned are the validation rows")
        XCTAssertEqual(outcomes, [.init(parameter: "svm_cost", candidates: selection.svmCosts, scores: twin,
                                        chosen: selection.svmCosts[HyperParameterSelection.argmax(twin)])])
        XCTAssertEqual(chosen.svm.cost, outcomes[0].chosen)
        XCTAssertEqual(twin.max(), twin[HyperParameterSelection.argmax(twin)])
    }

    /// models.h5 records the candidates, their validation mAPs and the choice; the final model is the plain
    /// training on all training rows with the chosen cost.
    func testModelsRecordTheSelectionAndAreRetrainedOnAllTrainingRows() throws {
        let config = try config()
        let data = try load(config)
        let selected = try AnnotateTrainStage(config: config).select(data, communicator: SingleProcessCommunicator(), log: { _ in })
        let outcome = selected.outcomes[0]
        let models = try AnnotateTrainStage(config: config).run(communicator: SingleProcessCommunicator())
        // The split is in the file: validation ⊂ train (held out while choosing), train ∩ test = ∅, and the
        // validation ids are the selection's rows (a fraction of each concept, hence not empty, not all).
        let read = try AnnotateModels.read(config.output)
        XCTAssertEqual(read.validationIDs, selected.validationIDs)
        XCTAssertEqual(read.trainIDs, data.trainIDs)
        XCTAssertEqual(read.testIDs, data.testIDs)
        XCTAssertTrue(Set(read.validationIDs).isSubset(of: read.trainIDs))
        XCTAssertTrue(Set(read.trainIDs).isDisjoint(with: read.testIDs))
        XCTAssertFalse(read.validationIDs.isEmpty)
        XCTAssertLessThan(read.validationIDs.count, read.trainIDs.count)
        let file = try HDF5File.open(path: config.output)
        XCTAssertEqual(try file.attribute("svm_cost_candidates", as: [Double].self), Self.costs)
        XCTAssertEqual(try file.attribute("svm_cost_validation_map", as: [Double].self), outcome.scores)
        let chosen = try file.attribute("svm_cost", as: Double.self)
        XCTAssertEqual(chosen, outcome.chosen)
        XCTAssertEqual(try file.attribute("select_on", as: String.self), "validation")
        try file.close()
        var plain = config
        plain.selection = nil
        plain.svm.cost = chosen
        plain.output = folder.appendingPathComponent("plain.h5").path
        let direct = try AnnotateTrainStage(config: plain).run(communicator: SingleProcessCommunicator())
        XCTAssertEqual(models.svm[AnnotateModels.earlyVisual]!.weights.values, direct.svm[AnnotateModels.earlyVisual]!.weights.values)
    }

    /// Test rows with wild features and inverted labels change neither the validation scores nor the choice.
    func testPoisonedTestRowsDoNotChangeTheSelection() throws {
        var config = try config()
        config.selection = HyperParameterSelection(svmCosts: [1e-6, 1e-3, 1, 1000], validationFraction: 0.25, seed: 3)
        let data = Self.noisyData()
        let poisoned = AnnotationData(
            fisherVectors: data.fisherVectors, annotations: data.annotations, concepts: data.concepts,
            skippedConcepts: data.skippedConcepts, trainIDs: data.trainIDs, testIDs: data.testIDs, trainLabels: data.trainLabels,
            testLabels: LabelMatrix(rows: data.testLabels.rows, columns: data.testLabels.columns, values: data.testLabels.values.map { !$0 }),
            train: data.train, test: data.test.mapValues { Matrix(rows: $0.rows, columns: $0.columns, values: $0.values.map { -1e6 * $0 }) },
            vocabulary: data.vocabulary, isSingleLabel: data.isSingleLabel)
        let stage = AnnotateTrainStage(config: config), comm = SingleProcessCommunicator()
        let clean = try stage.select(data, communicator: comm, log: { _ in }).outcomes
        let dirty = try stage.select(poisoned, communicator: comm, log: { _ in }).outcomes
        XCTAssertEqual(clean.count, 1)
        XCTAssertEqual(clean, dirty)
    }

    /// The validation scores and the choice are the same bits on 1, 2 and 3 ranks (concepts split over ranks).
    func testSelectionIsBitIdenticalForOneTwoAndThreeRanks() throws {
        var config = try config()
        config.selection = HyperParameterSelection(svmCosts: [1e-3, 1, 1000], validationFraction: 0.25, seed: 3)
        let stage = AnnotateTrainStage(config: config), data = Self.noisyData()
        var all: [[UInt64]] = []
        for size in 1 ... 3 {
            let outcomes = try ThreadedWorld.run(size: size) { comm in try stage.select(data, communicator: comm, log: { _ in }).outcomes }
            for o in outcomes { all.append(o.flatMap { $0.scores.map(\.bitPattern) + [$0.chosen.bitPattern] }) }
        }
        XCTAssertTrue(all.allSatisfy { $0 == all[0] }, "\(all)")
    }

    /// Selection parameters without `select_on validation`, or validation without candidates, are refused.
    func testSelectionParametersAreRefusedWhenTheyWouldBeIgnored() throws {
        let cases: [([String: JSONValue], String)] = [
            (["svm_costs": .array([.double(1), .double(10)])], "applies to select_on validation only"),
            (["validation_fraction": .double(0.3)], "applies to select_on validation only"),
            (["select_on": .string("validation")], "needs candidates"),
            (["select_on": .string("validation"), "slr_costs": .array([.double(1)])], "slr-late-visual is not trained"),
            (["select_on": .string("validation"), "svm_costs": .array([])], "a list of numbers"),
        ]
        for (params, expected) in cases {
            let text = FisherFixture.message { _ = try StageSpec.annotateTrain.resolve(params, door: .commandLine) }
            XCTAssertTrue(text.contains(expected), "\(params): \(text)")
        }
        let p = try StageSpec.annotateTrain.resolve(["select_on": .string("validation"), "svm_costs": .array([.int(1), .double(0.5)])],
                                                    door: .commandLine)
        let config = AnnotateTrainConfig(p, fisherVectors: "f", annotations: "a", output: "o")
        XCTAssertEqual(config.selection?.svmCosts, [1, 0.5])
    }
}
