import Classifiers
import Core
import FisherAnnotation
import Foundation
import LinearAlgebra
import Storage
import TestSupport
import XCTest

/// `annotate train` with the training rows split over ranks (`TrainingLayout.rows`), forced on the fixture by a
/// memory budget below its 48 rows × 64 columns × 4 B = 12 KiB of early-fusion features.
final class AnnotateRowLayoutTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryDirectory("annotate-rows") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// Below 12 KiB, and small enough that early fusion's TRON trains its 3 concepts in groups (`ConceptGroups`):
    /// 24 training rows in one block, W = 65, c = 24: 4·((7 + 1)·65 + 2·24 + 2·24) = 2,464 B per concept, one
    /// chunk 24·64·4 = 6,144 B, so G = ⌊(11,264 − 6,144) / 2,464⌋ = 2 (the late blocks fit all 3 at once).
    static let small = MemoryBudget(bytes: 11 << 10, origin: "test 11KiB")

    func config(_ loss: SVMLoss) throws -> AnnotateTrainConfig {
        let (fv, csv) = try AnnotateFixture.write(folder)
        var config = AnnotateFixture.trainConfig(folder, fv: fv, csv: csv)
        config.runs = [.svmLateMixed, .svmEarlyVisual, .slrLateVisual]
        config.svm.loss = loss
        config.slr.maxIterations = 100
        return config
    }

    func testLayoutFollowsTheBudgetAndIsLogged() throws {
        let stage = AnnotateTrainStage(config: try config(.squaredHinge))
        XCTAssertEqual(try stage.chooseLayout(budget: MemoryBudget(bytes: 1 << 30, origin: "test")).layout, .concepts)
        let (layout, reason) = try stage.chooseLayout(budget: Self.small)
        XCTAssertEqual(layout, .rows)
        XCTAssertTrue(reason.contains("48 rows × 64 columns"), reason)
        var lines: [String] = []
        try MemoryBudget.$current.withValue(Self.small) {
            _ = try stage.run(communicator: SingleProcessCommunicator()) { lines.append($0) }
        }
        XCTAssertTrue(lines.contains { $0.contains("rows split over ranks") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.contains("3 concepts in 2 groups of ≤ 2: TRON state 4.8 KiB per group") },
                      "\(lines)")
        let models = try AnnotateModels.read(stage.config.output)
        XCTAssertEqual(models.svm[AnnotateModels.earlyVisual]?.weights.columns, 64)
        // The block size of TRON/FISTA's ordered reductions is in the header: the rule's smallest, 256 rows.
        XCTAssertEqual(models.header.parameters["linear_block_size"], .int(256))
        XCTAssertEqual(models.header.parameters["linear_block_size"], .int(TrainingLayout.blockSize(rows: models.trainIDs.count)))
        guard case let .strings(groups)? = models.header.parameters["svm_concept_groups"] else {
            return XCTFail("no svm_concept_groups in \(models.header.parameters.keys.sorted())")
        }
        XCTAssertTrue(groups.contains("orh/1x1+orh/2x2+orh/1x3+col/1x1+col/2x2+col/1x3: 3 concepts in 2 groups of ≤ 2"),
                      "\(groups)")
        XCTAssertTrue(groups.contains("orh/1x1: 3 concepts in 1 group of ≤ 3"), "\(groups)")
    }

    func testRowsOnOneTwoThreeRanksAreBitIdenticalAndEqualTheInMemorySolver() throws {
        let stage = AnnotateTrainStage(config: try config(.squaredHinge))
        let data = try AnnotationData.load(fisherVectors: stage.config.fisherVectors, annotations: stage.config.annotations,
                                           minimumTagCount: 2, visual: false)
        XCTAssertNil(data.train["orh/1x1"], "the row layout reads no visual block up front")
        var reference: AnnotateModels?
        for size in 1 ... 3 {
            let all = try ThreadedWorld.run(size: size) { comm in
                try MemoryBudget.$current.withValue(Self.small) { try stage.train(data, communicator: comm, layout: .rows) }
            }
            for models in all {
                if let r = reference {
                    XCTAssertEqual(models.svm, r.svm, "\(size) ranks")
                    XCTAssertEqual(models.slr, r.slr, "\(size) ranks")
                } else { reference = models }
            }
        }
        // The rows read from fv.h5 by each rank are exactly the training rows: the same solver on the in-memory
        // training blocks gives the same bits.
        let full = try AnnotationData.load(fisherVectors: stage.config.fisherVectors, annotations: stage.config.annotations,
                                           minimumTagCount: 2)
        let options = RowShardedLinear<Float>.Options(loss: .squaredHinge, cost: stage.config.svm.cost,
                                                      bias: stage.config.svm.bias,
                                                      blockSize: TrainingLayout.blockSize(rows: full.trainIDs.count),
                                                      chunkRows: TrainingLayout.chunkRows)
        for (name, scorer) in reference!.svm.sorted(by: { $0.key < $1.key }) {
            let names = name == AnnotateModels.earlyVisual ? AnnotationData.visualBlocks : [name]
            let sources: [any RowSource<Float>] = names.map { InMemoryRows(full.train[$0]!) }
            let direct = try RowShardedLinear<Float>.train(sources, labels: full.trainLabels, options: options)
            XCTAssertEqual(scorer, LinearScorer(direct.oneVsRest), name)
        }
        XCTAssertEqual(reference!.svm.count, 8, "6 visual blocks, tags, early fusion")
        XCTAssertEqual(reference!.slr.count, 6)
    }

    func testHingeLossUnderTheRowLayoutNamesTheFix() throws {
        let stage = AnnotateTrainStage(config: try config(.hinge))
        let text = errorText {
            try MemoryBudget.$current.withValue(Self.small) { _ = try stage.run(communicator: SingleProcessCommunicator()) }
        }
        XCTAssertTrue(text.contains("set svm_loss squared-hinge"), text)
        XCTAssertTrue(text.contains("--memory"), text)
    }

    /// Late fusion alone still loads all six blocks under `concepts` (48 × 64 × 4 B = 12 KiB here): a budget
    /// above the widest block (48 × 16 × 4 B = 3 KiB) but below the six must choose `rows`.
    func testTheLayoutCountsEveryVisualBlockForLateFusionToo() throws {
        var config = try config(.squaredHinge)
        config.runs = [.svmLateVisual]
        let stage = AnnotateTrainStage(config: config)
        let (layout, reason) = try stage.chooseLayout(budget: MemoryBudget(bytes: 6 << 10, origin: "test 6KiB"))
        XCTAssertEqual(layout, .rows, reason)
        XCTAssertTrue(reason.contains("48 rows × 64 columns"), reason)
        XCTAssertEqual(try stage.chooseLayout(budget: MemoryBudget(bytes: 12 << 10, origin: "test")).layout, .concepts)
    }

    /// TagProp under `rows`: each rank reads only its TagProp items from fv.h5; the models are bit-identical for
    /// 1/2/3 ranks and equal the concepts layout's (every visual block in memory) bit for bit.
    func testTagPropUnderTheRowLayoutEqualsTheConceptsLayout() throws {
        var config = try config(.squaredHinge)
        config.runs = [.svmEarlyVisual, .tagpropVisual, .tagpropMixed]
        let stage = AnnotateTrainStage(config: config)
        XCTAssertEqual(try stage.chooseLayout(budget: Self.small).layout, .rows, "early fusion's 12 KiB > 8 KiB")
        var lines: [String] = []
        try MemoryBudget.$current.withValue(Self.small) {
            _ = try stage.run(communicator: SingleProcessCommunicator()) { lines.append($0) }
        }
        XCTAssertTrue(lines.contains { $0.contains("rows split over ranks") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.contains("3 concepts in 2 groups of ≤ 2: TRON state 4.8 KiB per group") },
                      "\(lines)")
        XCTAssertTrue(lines.contains { $0.contains("TagProp tagprop-mixed") }, "\(lines)")
        let written = try AnnotateModels.read(config.output)
        let data = try AnnotationData.load(fisherVectors: config.fisherVectors, annotations: config.annotations,
                                           minimumTagCount: 2, visual: false)
        let full = try AnnotationData.load(fisherVectors: config.fisherVectors, annotations: config.annotations,
                                           minimumTagCount: 2)
        let concepts = try stage.train(full, communicator: SingleProcessCommunicator(), layout: .concepts)
        for size in 1 ... 3 {
            let all = try ThreadedWorld.run(size: size) { comm in
                try MemoryBudget.$current.withValue(Self.small) { try stage.train(data, communicator: comm, layout: .rows) }
            }
            for models in all + [written] {
                for run in [AnnotationRun.tagpropVisual, .tagpropMixed] {
                    let (a, b) = (models.tagProp[run], concepts.tagProp[run])
                    XCTAssertNotNil(a, "\(run) on \(size) ranks")
                    XCTAssertEqual(a?.model.gamma, b?.model.gamma, "\(run) γ on \(size) ranks")
                    XCTAssertEqual(a?.model.alpha, b?.model.alpha, "\(run) α on \(size) ranks")
                    XCTAssertEqual(a?.model.beta, b?.model.beta, "\(run) β on \(size) ranks")
                    XCTAssertEqual(a?.measures, b?.measures)
                }
            }
        }
        XCTAssertEqual(concepts.tagProp[.tagpropMixed]?.measures.count, 3, "orh, col, tags")
    }

    /// A shard larger than the budget names the input and the fix instead of allocating.
    func testTagPropShardOverTheBudgetNamesTheFix() throws {
        var config = try config(.squaredHinge)
        config.runs = [.tagpropVisual]
        let stage = AnnotateTrainStage(config: config)
        let data = try AnnotationData.load(fisherVectors: config.fisherVectors, annotations: config.annotations,
                                           minimumTagCount: 2, visual: false)
        // 24 training rows × 32 columns (orh: 4 + 16 + 12) × 4 B = 3 KiB > 2 KiB.
        let text = errorText {
            try MemoryBudget.$current.withValue(MemoryBudget(bytes: 2 << 10, origin: "test 2KiB")) {
                _ = try stage.train(data, communicator: SingleProcessCommunicator(), layout: .rows)
            }
        }
        XCTAssertTrue(text.contains("TagProp training rows"), text)
        XCTAssertTrue(text.contains("run on more ranks"), text)
    }
}
