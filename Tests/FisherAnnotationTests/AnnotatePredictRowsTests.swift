import Classifiers
import Core
@testable import FisherAnnotation
import Foundation
import LinearAlgebra
import Storage
import TestSupport
import XCTest

/// `annotate predict` with the rows split over ranks: the same `scores.h5` bits on 1, 2 and 3 ranks, equal to
/// the unsharded scoring (whole test matrices in memory, one GEMM per block, `search(queries:database:)`).
final class AnnotatePredictRowsTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryDirectory("annotate-predict-rows") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testRowShardedPredictIsBitIdenticalAndEqualsTheUnshardedScores() throws {
        let (fv, csv) = try AnnotateFixture.write(folder)
        var config = AnnotateFixture.trainConfig(folder, fv: fv, csv: csv)
        config.runs = [.svmLateMixed, .svmEarlyMixed, .slrLateVisual, .tagpropVisual, .tagpropMixed]
        config.slr.maxIterations = 50
        let full = try AnnotationData.load(fisherVectors: fv, annotations: csv, minimumTagCount: 2)
        let models = try AnnotateTrainStage(config: config).train(full, communicator: SingleProcessCommunicator())
        try models.write(to: config.output)

        // The unsharded twin: today's scoring on the whole in-memory test and training matrices.
        var expected: [AnnotationRun: Matrix<Float>] = [:]
        let visual = AnnotationData.visualBlocks
        expected[.svmEarlyMixed] = try models.svm[AnnotateModels.earlyMixed]!.scores(
            try full.features(visual + [AnnotationData.tagsBlock], test: true))
        expected[.svmLateMixed] = try Fusion.lateFusion(try (visual + [AnnotationData.tagsBlock]).map {
            try models.svm[$0]!.scores(full.test[$0]!)
        })
        expected[.slrLateVisual] = try Fusion.lateFusion(try visual.map { try models.slr[$0]!.scores(full.test[$0]!) })
        for run in [AnnotationRun.tagpropVisual, .tagpropMixed] {
            let t = models.tagProp[run]!
            let lists = try t.measures.map {
                try NearestNeighbours.search(queries: try full.features($0, test: true), database: try full.features($0),
                                             count: t.model.neighboursPerMeasure)
            }
            expected[run] = try t.model.predict(neighbours: lists, trainingLabels: full.trainLabels)
        }

        // The linear runs under 8 KiB: `run` loads no visual block whole, every read and reservation fits, while the
        // fixture's 48 × 64 × 4 B = 12 KiB of visual features would not. TagProp holds its training rows (1/R of
        // them) for the search and budgets them with the test chunks (`QueryChunking`), which 8 KiB cannot hold at
        // one rank: its runs are checked under 64 KiB (the chunking itself: `QueryChunkingTests`).
        var linear = models
        linear.tagProp = [:]
        linear.header.parameters["runs"] = .strings(config.runs.filter { models.tagProp[$0] == nil }.map(\.rawValue))
        let linearModels = folder.appendingPathComponent("linear-models.h5").path
        try linear.write(to: linearModels)
        for (modelsPath, runs, bytes) in [(linearModels, linear.runs, 8 << 10), (config.output, config.runs, 64 << 10)] {
            let predict = AnnotatePredictStage(config: AnnotatePredictConfig(
                models: modelsPath, output: folder.appendingPathComponent("scores.h5").path))
            for size in 1 ... 3 {
                let all = try ThreadedWorld.run(size: size) { comm in
                    try MemoryBudget.$current.withValue(MemoryBudget(bytes: bytes, origin: "test \(bytes >> 10)KiB")) {
                        try predict.run(communicator: comm)
                    }
                }
                let written = try AnnotationScores.read(predict.config.output)
                for (rank, scores) in all.enumerated() {
                    for run in runs {
                        XCTAssertEqual(scores.raw[run], expected[run], "\(run) on rank \(rank) of \(size)")
                        XCTAssertEqual(scores.decisions[run], written.decisions[run], "\(run) decisions on \(size) ranks")
                    }
                }
                for run in runs { XCTAssertEqual(written.raw[run], expected[run], "\(run) in scores.h5, \(size) ranks") }
            }
        }
        XCTAssertEqual(Set(config.runs), Set(try AnnotateModels.read(linearModels).runs + [.tagpropVisual, .tagpropMixed]))
    }

    /// A PQ block's rows are its decoded vectors (`dimension` is the decoded width, not the code count), and any
    /// subset of rows read through `FisherVectorRows` equals the same rows of the whole decoded block.
    func testPQRowsAreTheDecodedVectors() throws {
        let (fv, _) = try AnnotateFixture.write(folder, storage: .pq)
        let file = try HDF5File.open(path: fv)
        let whole = try FisherVectorReader(file: file, dataset: "fv/orh/2x2").all()
        try file.close()
        let picked = [1, 2, 5, 17, 30, 47]
        let rows = try FisherVectorRows(path: fv, block: "orh/2x2", fileRows: picked)
        XCTAssertEqual(rows.dimension, 16)
        XCTAssertEqual(try rows.rows(1 ..< 5), Matrix(rows: 4, columns: 16, values: picked[1 ..< 5].flatMap { whole.row($0) }))
    }

    /// 600 training and 700 test items in memory: TagProp's 3 training blocks and predict's 3 query blocks really
    /// split over 2 and 3 ranks. Small-integer features make every similarity exact, so TagProp's scores equal the
    /// unsharded search's bit for bit; the linear scores (float weights, blocked GEMMs) equal across rank counts
    /// and agree with one whole-matrix GEMM to rounding.
    func testSeveralBlocksSplitOverRanksGiveTheSameScores() throws {
        var rng = SeededRandom(seed: 21)
        let concepts = ["a", "b", "c"], n = 600, q = 700
        func items(_ count: Int) -> (blocks: [String: Matrix<Float>], labels: LabelMatrix, tags: [[String]]) {
            let flags = (0 ..< count).map { _ in (0 ..< 3).map { _ in rng.uniform() < 0.4 } }
            var blocks: [String: Matrix<Float>] = [:]
            for name in AnnotationData.visualBlocks {
                let width = name.hasSuffix("1x1") ? 4 : name.hasSuffix("2x2") ? 16 : 12
                let values = (0 ..< count * width).map { i -> Float in
                    let c = i % width % 4
                    return Float(Int(rng.uniform() * 3)) + (c < 3 && flags[i / width][c] ? 2 : 0)
                }
                blocks[name] = Matrix(rows: count, columns: width, values: values)
            }
            let tags = flags.map { f in (0 ..< 3).filter { f[$0] && rng.uniform() < 0.8 }.map { concepts[$0] } }
            return (blocks, LabelMatrix(flags), tags)
        }
        let (train, trainLabels, trainTags) = items(n), (test, testLabels, testTags) = items(q)
        let vocabulary = try TagVocabulary.build(train: trainTags, test: testTags, minimumCount: 1)
        var trainBlocks = train, testBlocks = test
        trainBlocks[AnnotationData.tagsBlock] = vocabulary.encode(trainTags)
        testBlocks[AnnotationData.tagsBlock] = vocabulary.encode(testTags)
        let data = AnnotationData(fisherVectors: "", annotations: "", concepts: concepts, skippedConcepts: [],
                                  trainIDs: (0 ..< n).map { "tr\($0)" }, testIDs: (0 ..< q).map { "te\($0)" },
                                  trainLabels: trainLabels, testLabels: testLabels, train: trainBlocks, test: testBlocks,
                                  vocabulary: vocabulary, isSingleLabel: false)
        var config = AnnotateFixture.trainConfig(folder, fv: "", csv: "")
        config.runs = [.svmLateMixed, .svmEarlyVisual, .tagpropMixed]
        let models = try AnnotateTrainStage(config: config).train(data, communicator: SingleProcessCommunicator())
        let t = models.tagProp[.tagpropMixed]!
        let lists = try t.measures.map {
            try NearestNeighbours.search(queries: try data.features($0, test: true), database: try data.features($0),
                                         count: t.model.neighboursPerMeasure)
        }
        let tagProp = try t.model.predict(neighbours: lists, trainingLabels: trainLabels)
        let early = try models.svm[AnnotateModels.earlyVisual]!.scores(try data.features(AnnotationData.visualBlocks, test: true))
        let predict = AnnotatePredictStage(config: AnnotatePredictConfig(models: "", output: ""))
        var reference: AnnotationScores?
        for size in 1 ... 3 {
            let all = try ThreadedWorld.run(size: size) { comm in try predict.predict(models, data: data, communicator: comm) }
            for scores in all {
                XCTAssertEqual(scores.raw[.tagpropMixed], tagProp, "TagProp on \(size) ranks")
                let e = scores.raw[.svmEarlyVisual]!
                XCTAssertEqual(e.rows, q)
                for i in 0 ..< e.values.count { XCTAssertEqual(e.values[i], early.values[i], accuracy: 1e-4 * (1 + abs(early.values[i]))) }
                if let r = reference {
                    for run in config.runs { XCTAssertEqual(scores.raw[run], r.raw[run], "\(run) on \(size) ranks") }
                } else { reference = scores }
            }
        }
    }
}
