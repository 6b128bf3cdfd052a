import Core
import LinearAlgebra
import Retrieval
@testable import InstanceInfusion
import Foundation
import InstanceInfusion
import Stages
import Storage
import TestSupport
import Training
import XCTest

/// `train-infused --retrieval exact|lsh` end to end (train-text → embed → index → train-infused): exact search
/// does not depend on the forest's parameters (same bits from a budget-1 and a full-budget index, on 1 and 2
/// threaded ranks), differs from a small-budget forest (the option is not ignored), agrees with a forest that is
/// exact by construction (same scores; same ids wherever no scores tie), and is recorded in the model header. The
/// lists themselves equal the naive O(N²) twin on 1, 2 and 3 ranks (`ShardedExactSearchTests`).
final class InfusedRetrievalTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = try makeTemporaryDirectory("infused-retrieval") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func path(_ name: String) -> String { root.appendingPathComponent(name).path }

    /// Target (48 documents) and its baseline model; the 60-document source embedded with it and indexed twice:
    /// c = 61 > N = 60 (the climb always reaches depth 0, so the forest re-ranks every row: LSH is exact) and c = 1.
    func prepare() throws -> (target: String, model: String, full: String, small: String) {
        let (target, model, _) = try InfusionTestCorpus.baseline(path)
        for (name, c) in [("full", 61), ("small", 1)] {
            try IndexStage(config: IndexConfig(embeddings: path("source-emb.h5"), output: path("\(name)/index.h5"),
                                               trees: 2, maxDepth: 12, candidatesPerTree: c))
                .run(communicator: SingleProcessCommunicator())
        }
        return (target, model, path("full/index.h5"), path("small/index.h5"))
    }

    func train(_ p: (target: String, model: String, full: String, small: String), index: String,
               _ retrieval: InfusionRetrieval, ranks: Int = 1, out: String? = nil) throws -> InfusedTrainingStage.Report {
        var c = InfusedTrainingStage.Configuration(
            modelPath: p.model, source: TextCorpusSource(kind: .csv, path: p.target), split: .fold(0, of: 4),
            indexes: [index], training: TrainingOptions(epochs: 3, batchSize: 8, learningRate: 0.1, optimizer: .sgd))
        c.retrieval = retrieval
        c.outputPath = out
        let shared = c
        let reports = try ThreadedWorld.run(size: ranks) { comm in try InfusedTrainingStage(shared).run(communicator: comm) }
        XCTAssertEqual(Set(reports.map(\.parameterHash)).count, 1, "every rank holds the same model")
        return reports[0]
    }

    func testExactIgnoresTheForestsBudgetAndMatchesExactByConstructionLSH() throws {
        let p = try prepare()
        let exact = try train(p, index: p.full, .exact, out: path("exact.h5"))
        // Exact search reads the index's rows, never its forest: the same bits from the budget-1 index ...
        XCTAssertEqual(try train(p, index: p.small, .exact).parameterHash, exact.parameterHash)
        // ... whose LSH answers (c·L = 2 candidates per query) are not exact: the option changes the model.
        XCTAssertNotEqual(try train(p, index: p.small, .lsh).parameterHash, exact.parameterHash)
        // The same on 2 threaded ranks, each holding half of the rows.
        XCTAssertEqual(try train(p, index: p.full, .exact, ranks: 2).parameterHash,
                       try train(p, index: p.small, .exact, ranks: 2).parameterHash)
        // c > N: the forest re-ranks every row, so its lists are exact up to the rounding of tied scores (this
        // tiny encoder saturates: many source vectors have cosine 1 to 7 digits, so ties are common and the
        // models agree to rounding, not bits).
        let lshFull = try train(p, index: p.full, .lsh)
        for (a, b) in zip(exact.history, lshFull.history) { XCTAssertEqual(a.meanLoss, b.meanLoss, accuracy: 1e-3) }
        let (queries, _) = try IndexFiles.readEmbeddings(path("source-emb.h5"))
        let forest = try IndexFiles.loadShard(master: p.full, communicator: SingleProcessCommunicator())
        let lsh = try forest.search(queries: queries, k: 5, communicator: SingleProcessCommunicator())
        let exactLists = try ShardedExactSearch(forest).search(queries: queries, k: 5,
                                                               communicator: SingleProcessCommunicator())
        var untied = 0
        for (l, e) in zip(lsh, exactLists) {
            XCTAssertEqual(l.count, 5)
            for (x, y) in zip(l, e) { XCTAssertEqual(x.score, y.score, accuracy: 1e-5) }  // same k-th best scores
            // Scores 1e-6 apart (10× the rounding seen) are no ties: there the ids are the same, in order.
            let gaps = zip(e.dropLast(), e.dropFirst()).map { $0.score - $1.score }
            if gaps.allSatisfy({ $0 > 1e-6 }) {
                XCTAssertEqual(l.map(\.id), e.map(\.id))
                untied += 1
            }
        }
        XCTAssertGreaterThan(untied, 10, "the id check ran on enough untied lists")
        // The model header records the retrieval (docs/artifacts.md).
        let file = try InfusedModelFile.read(path: path("exact.h5"))
        XCTAssertEqual(file.attributes["retrieval"], .string("exact"))
    }

    /// Both front doors read `retrieval` from the one declaration; lsh is the default.
    func testRetrievalParameterDefaultsToLSHAndIsRead() throws {
        let spec = StageSpec.trainInfused
        let parameter = try XCTUnwrap(spec.parameters.first { $0.key == "retrieval" })
        XCTAssertEqual(parameter.defaultValue, .string("lsh"))
        XCTAssertEqual(parameter.choices, ["lsh", "exact"])
        let source = TextCorpusSource(kind: .csv, path: "unused.csv")
        for (given, expected) in [(nil, InfusionRetrieval.lsh), ("exact", .exact), ("lsh", .lsh)] {
            var values: [String: JSONValue] = ["fold": .string("1/4")]
            if let given { values["retrieval"] = .string(given) }
            let p = try spec.resolve(values, door: .commandLine)
            let c = try InfusedTrainingStage.Configuration(p, modelPath: "m.h5", source: source, indexes: ["i.h5"],
                                                           outputPath: nil)
            XCTAssertEqual(c.retrieval, expected)
        }
    }
}
