import Core
import FisherAnnotation
import Foundation
import LinearAlgebra
import Stages
import Storage
import TestSupport
import XCTest

/// The four stages end to end on synthetic images, in process (world of one), and the sharded drivers run as
/// a simulated 2-rank job compared bit for bit with the 1-rank output.
final class FisherStagesTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryDirectory("fisher-stages") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testRoundTripCountsShapesAndUnitNorms() throws {
        let pipeline = FisherFixture.pipeline(folder)
        try pipeline.run(communicator: SingleProcessCommunicator())
        let counts = try FisherFixture.ints(pipeline.extract.output, "descriptor_counts")
        XCTAssertEqual(counts, [Int64](repeating: Int64(FisherFixture.descriptorsPerImage), count: 10))
        let orh = try FisherFixture.floats(pipeline.extract.output, "orh")
        XCTAssertEqual(orh.shape, [10 * FisherFixture.descriptorsPerImage, 128])
        let regionSize = 2 * 4 * 16  // 2·M·d
        for kind in ["orh", "col"] {
            for (layout, regions) in [("1x1", 1), ("2x2", 4), ("1x3", 3)] {
                let fv = try FisherFixture.floats(pipeline.encode.output, "fv/\(kind)/\(layout)")
                XCTAssertEqual(fv.shape, [10, regions * regionSize], "fv/\(kind)/\(layout)")
                for region in stride(from: 0, to: fv.values.count, by: regionSize) {
                    let norm = fv.values[region ..< region + regionSize].reduce(0) { $0 + Double($1) * Double($1) }
                    XCTAssertTrue(abs(norm - 1) < 1e-4 || norm == 0, "fv/\(kind)/\(layout) region norm² \(norm)")
                }
            }
        }
        XCTAssertEqual(try FisherFixture.ints(pipeline.encode.output, "labels"), (0 ..< 10).map { Int64($0 % 3) })
        let fv = try HDF5File.open(path: pipeline.encode.output)
        defer { try? fv.close() }
        XCTAssertEqual(try fv.readStrings("ids").first, "synthetic/000000")
        XCTAssertEqual(try fv.readStrings("class_names"), ["a", "b", "c"])
        XCTAssertEqual(try fv.attribute("stage", as: String.self), "encode")
    }

    func testTwoSimulatedRanksWriteTheSameBitsAsOne() throws {
        let one = FisherFixture.pipeline(folder.appendingPathComponent("np1"))
        try one.run(communicator: SingleProcessCommunicator())
        // The same job split over 2 ranks: every shard written by its own driver call, then stitched.
        let two = FisherFixture.pipeline(folder.appendingPathComponent("np2"))
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("np2"), withIntermediateDirectories: true)
        let images = try FisherFixture.source.open()
        let extract = ExtractStage(config: two.extract)
        for rank in 0 ..< 2 { _ = try extract.writeShard(images, rank: rank, size: 2) }
        try extract.stitch(images, size: 2)
        for name in ["orh", "col", "x", "y"] {
            XCTAssertEqual(try FisherFixture.floats(two.extract.output, name).values,
                           try FisherFixture.floats(one.extract.output, name).values, name)
        }
        // PCA and GMM are bit-identical for any rank count by construction (EncodingTests); reuse the
        // 1-rank models and check that the sharded encode concatenates to the 1-rank vectors.
        var encodeConfig = two.encode
        encodeConfig.pca = one.pca.output
        encodeConfig.gmm = one.gmm.output
        let encode = EncodeStage(config: encodeConfig)
        let models = try encode.loadModels()
        for rank in 0 ..< 2 { try encode.writeShard(models, rank: rank, size: 2) }
        try encode.stitch(models, size: 2)
        for name in EncodeStage.datasets where name.hasPrefix("fv/") {
            let a = try FisherFixture.floats(one.encode.output, name), b = try FisherFixture.floats(two.encode.output, name)
            XCTAssertEqual(a.shape, b.shape, name)
            XCTAssertEqual(a.values.map(\.bitPattern), b.values.map(\.bitPattern), name)
        }
        XCTAssertEqual(try FisherFixture.ints(two.encode.output, "labels"), try FisherFixture.ints(one.encode.output, "labels"))
    }

    func testRerunReusesCompleteShardsAndRewritesTheRest() throws {
        let config = FisherFixture.pipeline(folder).extract
        let images = try FisherFixture.source.open()
        let extract = ExtractStage(config: config)
        for rank in 0 ..< 2 { _ = try extract.writeShard(images, rank: rank, size: 2) }
        let parts = PartFiles(master: config.output, count: 2)
        try FileManager.default.removeItem(atPath: parts.partPath(rank: 1))
        XCTAssertEqual(try extract.writeShard(images, rank: 0, size: 2), .reused)
        XCTAssertNotEqual(try extract.writeShard(images, rank: 1, size: 2), .reused)
        XCTAssertEqual(try extract.writeShard(images, rank: 1, size: 2), .reused)
        // Other parameters or another rank count: the old part is rewritten, not reused.
        var other = config
        other.step = 4
        var lines: [String] = []
        XCTAssertNotEqual(try ExtractStage(config: other).writeShard(images, rank: 0, size: 2) { lines.append($0) }, .reused)
        XCTAssertTrue(lines.contains { $0.contains("rewriting shard 0") && $0.contains("step") }, "\(lines)")
        XCTAssertNotEqual(try extract.writeShard(images, rank: 0, size: 3), .reused)
    }

    func testEncodeRerunReusesCompletePartsUntilAnInputChanges() throws {
        let pipeline = FisherFixture.pipeline(folder)
        try pipeline.run(communicator: SingleProcessCommunicator())
        let encode = EncodeStage(config: pipeline.encode)
        let models = try encode.loadModels()
        let before = try FisherFixture.floats(pipeline.encode.output, "fv/orh/2x2").values
        for rank in 0 ..< 2 { XCTAssertFalse(try encode.writeShard(models, rank: rank, size: 2), "first 2-rank write") }
        // The 2-rank parts are a new generation beside the 1-rank run's (PartFiles.forWriting): ask the stage where.
        let parts = encode.partFiles(models, size: 2)
        try FileManager.default.removeItem(atPath: parts.partPath(rank: 1))
        XCTAssertTrue(try encode.writeShard(models, rank: 0, size: 2), "complete part 0 is reused")
        XCTAssertFalse(try encode.writeShard(models, rank: 1, size: 2), "missing part 1 is rewritten")
        try encode.stitch(models, size: 2)
        XCTAssertEqual(try FisherFixture.floats(pipeline.encode.output, "fv/orh/2x2").values.map(\.bitPattern),
                       before.map(\.bitPattern))
        // Re-stitching the descriptors (same parts) keeps the parts reusable ...
        let images = try FisherFixture.source.open()
        try ExtractStage(config: pipeline.extract).stitch(images, size: 1)
        XCTAssertTrue(try encode.writeShard(models, rank: 0, size: 2), "re-stitched input, same header")
        // ... but a GMM refitted with other parameters invalidates them.
        var gmm = pipeline.gmm
        gmm.seed += 1
        try FitGMMStage(config: gmm).run(communicator: SingleProcessCommunicator())
        var lines: [String] = []
        XCTAssertFalse(try encode.writeShard(try encode.loadModels(), rank: 0, size: 2) { lines.append($0) })
        XCTAssertTrue(lines.contains { $0.contains("rewriting shard 0") && $0.contains("inputs_fingerprint") }, "\(lines)")
    }

    /// The measured defect: a rerun with new parameters that fails after writing one part must not leave the old
    /// master reading a mix of old and new rows. The new parts are a new generation; the old master keeps reading
    /// its own parts bit for bit until the new master replaces it, and a deleted part is an error naming it.
    func testFailedRerunWithNewParametersNeverMixesPartSets() throws {
        let config = FisherFixture.pipeline(folder).extract
        let images = try FisherFixture.source.open()
        let extract = ExtractStage(config: config)
        for rank in 0 ..< 2 { _ = try extract.writeShard(images, rank: rank, size: 2) }
        try extract.stitch(images, size: 2)
        let before = try FisherFixture.floats(config.output, "orh")
        var other = config
        other.step = 4
        let rerun = ExtractStage(config: other)
        XCTAssertNotEqual(try rerun.writeShard(images, rank: 0, size: 2), .reused)  // ... then the job dies
        XCTAssertNotEqual(rerun.partFiles(imageCount: images.count, size: 2).generation,
                          extract.partFiles(imageCount: images.count, size: 2).generation)
        let during = try FisherFixture.floats(config.output, "orh")
        XCTAssertEqual(during.shape, before.shape)
        XCTAssertEqual(during.values.map(\.bitPattern), before.values.map(\.bitPattern), "the old set, unmixed")
        // The resumed rerun reuses its finished part and replaces the set as a whole.
        XCTAssertEqual(try rerun.writeShard(images, rank: 0, size: 2), .reused)
        _ = try rerun.writeShard(images, rank: 1, size: 2)
        try rerun.stitch(images, size: 2)
        XCTAssertNotEqual(try FisherFixture.floats(config.output, "orh").shape, before.shape, "step 4: more patches")
        let live = rerun.partFiles(imageCount: images.count, size: 2)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: live.directory).sorted(), [live.generation],
                       "the old generation is removed after the new master is in place")
        try FileManager.default.removeItem(atPath: live.partPath(rank: 1))
        let message = FisherFixture.message { _ = try FisherFixture.floats(config.output, "orh") }
        XCTAssertTrue(message.contains(live.partPath(rank: 1)) && message.contains("must travel together"), message)
    }

    func testSeededSubsetIsSortedDistinctAndRepeatable() {
        let a = ImageSelection(limit: 5, subsetSeed: 11).indices(count: 100)
        XCTAssertEqual(a, ImageSelection(limit: 5, subsetSeed: 11).indices(count: 100))
        XCTAssertEqual(a, a.sorted())
        XCTAssertEqual(Set(a).count, 5)
        XCTAssertEqual(ImageSelection(limit: 3).indices(count: 100), [0, 1, 2])
        XCTAssertEqual(ImageSelection(limit: 500).indices(count: 4), [0, 1, 2, 3])
    }
}
