import Stages
import Core
import Foundation
import InstanceInfusion
import LinearAlgebra
import Storage
import TestSupport
import XCTest

/// `index` + `query` end to end on a small `embed`-format file: the files round-trip to the in-memory forest's
/// answer, 2 simulated ranks equal 1 rank (and the union forest), and self-exclusion works.
final class IndexQueryTests: XCTestCase {
    let (n, d) = (400, 8)
    var directory: URL!

    override func setUpWithError() throws { directory = try makeTemporaryDirectory("index-query") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// An `embed` output: header stage embed v1, `embeddings` (N, D), `labels`, `ids` "doc-i".
    func writeEmbeddings(_ name: String, rows: Int, seed: UInt64) throws -> String {
        let x = randomMatrix(rows: rows, columns: d, seed: seed)
        try HDF5File.createAtomic(path: path(name)) { file in
            try ArtifactHeader(stage: "embed", version: 1, parameters: ["context_size": .int(d)]).write(to: file)
            try file.write(x.values, shape: [rows, d], to: "embeddings")
            try file.write((0 ..< rows).map { Int32($0 % 3) }, shape: [rows], to: "labels")
            try file.writeStrings((0 ..< rows).map { "doc-\($0)" }, to: "ids")
        }
        return path(name)
    }

    func indexConfig(_ embeddings: String, _ output: String) -> IndexConfig {
        IndexConfig(embeddings: embeddings, output: path(output), trees: 8, maxDepth: 16, candidatesPerTree: 6,
                    metric: "cosine", seed: 11)
    }

    /// Saved and loaded forests answer exactly like the in-memory forest; the file reads back the same.
    func testIndexQueryRoundTripEqualsInMemoryForest() throws {
        let source = try writeEmbeddings("source.h5", rows: n, seed: 1)
        let queries = try writeEmbeddings("queries.h5", rows: 50, seed: 2)
        let config = indexConfig(source, "index.h5")
        let comm = SingleProcessCommunicator()
        try IndexStage(config: config).run(communicator: comm)
        let query = QueryConfig(index: config.output, queries: queries, output: path("nn.h5"), k: 5)
        let result = try QueryStage(config: query).run(communicator: comm)
        XCTAssertEqual(result, try QueryStage.reference(index: config, queries: queries, k: 5))
        XCTAssertEqual(try QueryStage.read(query.output), result)
        XCTAssertEqual(result.count, 50)
        XCTAssertTrue(result.ids.allSatisfy { $0 >= 0 }, "400 rows give every query 5 neighbours")
        let file = try HDF5File.open(path: query.output)
        defer { try? file.close() }
        XCTAssertEqual(try file.readStrings("neighbour_ids"), result.ids.map { "doc-\($0)" })
        // The master exposes the whole indexed set through its virtual datasets.
        let master = try HDF5File.open(path: config.output)
        defer { try? master.close() }
        // (The forest stores its rows in its own order: row i of `vectors` is embeddings row ids[i].)
        let ids = try master.read("ids", as: Int64.self).values.map { Int($0) }
        XCTAssertEqual(ids.sorted(), Array(0 ..< n))
        let vectors = try master.read("vectors", as: Float.self).values, x = randomMatrix(rows: n, columns: d, seed: 1)
        for (i, id) in ids.enumerated() { XCTAssertEqual(Array(vectors[i * d ..< (i + 1) * d]), x.row(id)) }
    }

    /// 2 ranks (lockstep-replayed) build 2 part forests; querying them equals the 1-rank index and the union.
    func testTwoRankIndexAndQueryEqualOneRank() throws {
        let source = try writeEmbeddings("source.h5", rows: n, seed: 3)
        let queries = try writeEmbeddings("queries.h5", rows: 40, seed: 4)
        let two = indexConfig(source, "two/index.h5")
        let world = ReplayWorld(size: 2)
        let ranks = [world.communicator(rank: 0), world.communicator(rank: 1)]
        // Index is collective-free but for barriers (no-ops here): rank 1's part first, then rank 0 stitches.
        for r in [1, 0] { try IndexStage(config: two).run(communicator: ranks[r]) }
        XCTAssertEqual(try IndexStage.partRows(two.output), [200, 200])
        XCTAssertEqual(try IndexFiles.readVectors(master: two.output, rows: 0 ..< n), randomMatrix(rows: n, columns: d, seed: 3),
                       "the master gives back the source in embeddings row order")
        XCTAssertEqual(try IndexFiles.readVectors(master: two.output, rows: 150 ..< 260),
                       randomMatrix(rows: n, columns: d, seed: 3).rows(150 ..< 260), "a row range across both parts")
        let query = QueryConfig(index: two.output, queries: queries, output: path("two/nn.h5"), k: 4)
        var answers: [QueryResult] = []
        while world.nextRound() {
            answers = try ranks.map { comm in
                comm.restart()
                return try QueryStage(config: query).run(communicator: comm)
            }
        }
        let one = indexConfig(source, "one/index.h5")
        try IndexStage(config: one).run(communicator: SingleProcessCommunicator())
        let single = try QueryStage(config: QueryConfig(index: one.output, queries: queries, output: path("one/nn.h5"),
                                                        k: 4)).run(communicator: SingleProcessCommunicator())
        XCTAssertEqual(answers[0], single)
        XCTAssertEqual(answers[1], single)
        XCTAssertEqual(try QueryStage.read(query.output), single)
        XCTAssertEqual(single, try QueryStage.reference(index: one, queries: queries, k: 4))
    }

    /// An index built on P ranks, loaded on Q ≠ P (re-sharded: forests rebuilt over rows shard(N, r, Q)), answers
    /// exactly what it answers on P ranks and what one forest over all rows does, with and without self-exclusion.
    func testIndexBuiltOnPRanksAnswersTheSameOnQRanks() throws {
        let source = try writeEmbeddings("source.h5", rows: n, seed: 8)
        let queries = try writeEmbeddings("queries.h5", rows: 30, seed: 9)
        for (built, running) in [(1, 2), (2, 3), (3, 1)] {
            let config = indexConfig(source, "p\(built)-q\(running)/index.h5")
            _ = try ThreadedWorld.run(size: built) { comm in try IndexStage(config: config).run(communicator: comm) }
            XCTAssertEqual(try IndexStage.partRows(config.output).count, built)
            for (file, excludeSelf) in [(queries, false), (source, true)] {
                let query = QueryConfig(index: config.output, queries: file, output: path("nn-\(built)-\(running).h5"),
                                        k: 5, excludeSelf: excludeSelf)
                let asBuilt = try ThreadedWorld.run(size: built) { comm in try QueryStage(config: query).run(communicator: comm) }
                let resharded = try ThreadedWorld.run(size: running) { comm in
                    try QueryStage(config: query).run(communicator: comm)
                }
                let reference = try QueryStage.reference(index: config, queries: file, k: 5, excludeSelf: excludeSelf)
                for answer in asBuilt + resharded {
                    XCTAssertEqual(answer, reference, "P = \(built) → Q = \(running), exclude self \(excludeSelf)")
                }
            }
        }
        // A packed index (vectors, no forests) is rebuilt on load, on the rank count that built it too.
        let config = indexConfig(source, "p2-q2/index.h5")
        _ = try ThreadedWorld.run(size: 2) { comm in try IndexStage(config: config).run(communicator: comm) }
        _ = try HDF5File.pack(config.output, to: path("packed.h5"))
        try FileManager.default.removeItem(atPath: config.output + ".parts")
        let query = QueryConfig(index: path("packed.h5"), queries: queries, output: path("nn-packed.h5"), k: 5)
        let packed = try ThreadedWorld.run(size: 2) { comm in try QueryStage(config: query).run(communicator: comm) }
        XCTAssertEqual(packed[0], try QueryStage.reference(index: config, queries: queries, k: 5))
    }

    /// --exclude-self: a query from the indexed set never gets itself; without it, it is its own nearest.
    func testSelfExclusion() throws {
        let source = try writeEmbeddings("source.h5", rows: n, seed: 5)
        let config = indexConfig(source, "index.h5")
        let comm = SingleProcessCommunicator()
        try IndexStage(config: config).run(communicator: comm)
        let plain = try QueryStage(config: QueryConfig(index: config.output, queries: source, output: path("a.h5"), k: 3))
            .run(communicator: comm)
        let excluded = try QueryStage(config: QueryConfig(index: config.output, queries: source, output: path("b.h5"),
                                                          k: 3, excludeSelf: true)).run(communicator: comm)
        let ownFirst = (0 ..< n).filter { plain.neighbours(of: $0).first == $0 }.count
        XCTAssertGreaterThan(ownFirst, n * 9 / 10, "cosine: a point is its own nearest neighbour")
        for b in 0 ..< n { XCTAssertFalse(excluded.neighbours(of: b).contains(b), "query \(b) returned itself") }
        XCTAssertEqual(excluded, try QueryStage.reference(index: config, queries: source, k: 3, excludeSelf: true))
        // Another file cannot be "self".
        let other = try writeEmbeddings("other.h5", rows: 10, seed: 6)
        XCTAssertThrowsError(try QueryStage(config: QueryConfig(index: config.output, queries: other,
                                                                output: path("c.h5"), k: 3, excludeSelf: true))
            .run(communicator: comm)) { XCTAssertTrue("\($0)".contains("--exclude-self"), "\($0)") }
    }

    func testBadInputsNameTheFix() throws {
        let comm = SingleProcessCommunicator()
        XCTAssertTrue(errorText {
            try IndexStage(config: indexConfig(path("absent.h5"), "i.h5")).run(communicator: comm)
        }.contains("tributary embed"))
        let source = try writeEmbeddings("source.h5", rows: 20, seed: 7)
        var bad = indexConfig(source, "i.h5")
        bad.metric = "hamming"
        XCTAssertTrue(errorText { try IndexStage(config: bad).run(communicator: comm) }.contains("cosine, ip or l2"))
        XCTAssertTrue(errorText {
            try QueryStage(config: QueryConfig(index: path("none.h5"), queries: source, output: path("q.h5")))
                .run(communicator: comm)
        }.contains("tributary index"))
    }

    /// `trees` and `candidates_per_tree` default to the metric's (`LSHForest.Parameters.defaults(for:)`: 64/32,
    /// 128/16 for ip) from either front door; a given value wins.
    func testIndexDefaultsDependOnTheMetric() throws {
        for door in [FrontDoor.commandLine, .config(file: "cfg.json", prefix: "stages[0].params.")] {
            func config(_ given: [String: JSONValue]) throws -> IndexConfig {
                IndexConfig(try StageSpec.index.resolve(given, door: door), embeddings: "e.h5", output: "i.h5")
            }
            let cosine = try config([:])
            XCTAssertEqual([cosine.trees, cosine.candidatesPerTree, cosine.maxDepth], [64, 32, 20])
            XCTAssertEqual(cosine.metric, "cosine")
            let ip = try config(["metric": .string("ip")])
            XCTAssertEqual([ip.trees, ip.candidatesPerTree], [128, 16])
            let given = try config(["metric": .string("ip"), "trees": .int(16), "candidates_per_tree": .int(32)])
            XCTAssertEqual([given.trees, given.candidatesPerTree], [16, 32])
        }
        XCTAssertTrue(StageSpec.index.help("trees").contains("64; 128 for metric ip"), StageSpec.index.help("trees"))
        XCTAssertTrue(StageSpec.index.help("candidates_per_tree").contains("32; 16 for metric ip"))
    }
}
