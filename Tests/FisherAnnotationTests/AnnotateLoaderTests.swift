import Core
import FisherAnnotation
import Foundation
import LinearAlgebra
import Storage
import TestSupport
import XCTest

/// The annotation datasets: emoji-tags (real data, when ../shared/data is present) and the MIRFlickr-25k
/// layout on a fixture generated here (tiny PNG images written by python3, named im<n>.jpg: the decoder reads
/// magic bytes, not extensions).
final class AnnotateLoaderTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryDirectory("annotate-loaders") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func testEmojiTagsRenderings() throws {
        let (shared, reason) = sharedDataDirectory()
        guard let shared else { throw XCTSkip("emoji-tags: \(reason)") }
        let directory = shared.appendingPathComponent("emoji-tags").path
        let both = try EmojiTagsDataset.load(directory: directory)
        XCTAssertEqual(both.items.count, 3218)
        XCTAssertEqual(both.items.filter { $0.split == "train" }.count, 1930)  // README: 1930 / 1288 images
        XCTAssertEqual(both.conceptNames.count, 68)
        XCTAssertEqual(both.items[0], .init(path: "noto/1f600.png", concepts: ["face"],
                                            tags: ["emotion", "face", "grin", "grinning", "happy", "joy", "smile", "smiley", "smiling"],
                                            split: "test"))
        let noto = try EmojiTagsDataset.load(directory: directory, rendering: .noto)
        XCTAssertEqual(noto.items.count, 1849)
        XCTAssertEqual(noto.items.filter { $0.tags.isEmpty }.count, 1849 - 1369, "Noto-only emoji have no tags")
        let cross = try EmojiTagsDataset.load(directory: directory, rendering: .cross)
        XCTAssertEqual(cross.items.filter { $0.split == "train" }.count, 1109)
        XCTAssertEqual(cross.items.filter { $0.split == "test" }.count, 548)
        XCTAssertTrue(cross.items.allSatisfy { $0.path.hasPrefix($0.split == "train" ? "noto/" : "emojione/") })
    }

    /// Writes im1…im12.jpg (PNG bytes), tags/, annotations/ with an _r1 file and a README.
    private func mirflickrFixture() throws -> URL {
        let root = folder.appendingPathComponent("mirflickr")
        let script = """
            import os, struct, sys, zlib
            root = sys.argv[1]
            def png(w, h, seed):
                raw = b"".join(b"\\0" + bytes(((x * 7 + y * 3 + seed * 40) % 256 if c == 0 else (x * y + seed) % 256)
                                             for x in range(w) for c in range(3)) for y in range(h))
                def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
                return b"\\x89PNG\\r\\n\\x1a\\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) \\
                    + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
            os.makedirs(root + "/tags"); os.makedirs(root + "/annotations")
            for n in range(1, 13):
                open(f"{root}/im{n}.jpg", "wb").write(png(48, 40, n % 3))
            """
        let path = folder.appendingPathComponent("make.py")
        try script.write(to: path, atomically: true, encoding: .utf8)
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { throw XCTSkip("/usr/bin/python3 is missing") }
        let result = try runProcess("/usr/bin/python3", [path.path, root.path])
        XCTAssertEqual(result.status, 0, result.output)
        for n in 1 ... 12 where n != 5 {
            try "sky\n\(n % 2 == 0 ? "sea" : "tree")\nsky\n".write(to: root.appendingPathComponent("tags/tags\(n).txt"),
                                                                   atomically: true, encoding: .utf8)
        }
        let a = root.appendingPathComponent("annotations")
        try "1\n2\n3\n4\n6\n7\n99\n\n".write(to: a.appendingPathComponent("clouds.txt"), atomically: true, encoding: .utf8)
        try "2\n3\n".write(to: a.appendingPathComponent("clouds_r1.txt"), atomically: true, encoding: .utf8)
        try "5\n6\n7\n8\n9\n10\n11\n12\n".write(to: a.appendingPathComponent("water.txt"), atomically: true, encoding: .utf8)
        try "Annotations of MIRFlickr\n".write(to: a.appendingPathComponent("README.txt"), atomically: true, encoding: .utf8)
        return root
    }

    func testMIRFlickrLayout() throws {
        let root = try mirflickrFixture()
        let table = try MIRFlickrDataset.load(directory: root.path, trainFraction: 0.5, seed: 3)
        XCTAssertEqual(table.items.map(\.path), (1 ... 12).map { "im\($0).jpg" }, "sorted by number, not by name")
        XCTAssertEqual(table.conceptNames, ["clouds", "water"], "README.txt and _r1 files are not concepts")
        XCTAssertEqual(table.items[5].concepts, ["clouds", "water"])
        XCTAssertEqual(table.items[1].tags, ["sky", "sea"], "trimmed, first occurrence order, no repeats")
        XCTAssertEqual(table.items[4].tags, [], "no tags file: no tags")
        XCTAssertEqual(table.items.filter { $0.split == "train" }.count, 6)
        let strict = try MIRFlickrDataset.load(directory: root.path, relevantOnly: true, trainFraction: 0.5, seed: 3)
        XCTAssertEqual(strict.items.filter { $0.concepts.contains("clouds") }.map(\.path), ["im2.jpg", "im3.jpg"])
        XCTAssertEqual(strict.items.map(\.split), table.items.map(\.split), "the split depends on the seed only")
    }

    /// manifest → fisher (folder + images.csv) → annotate train/predict on the MIRFlickr fixture.
    func testMIRFlickrThroughFisherAndAnnotate() throws {
        let root = try mirflickrFixture()
        let csv = folder.appendingPathComponent("out/images.csv").path
        try MIRFlickrDataset.load(directory: root.path, trainFraction: 0.5, seed: 3).write(to: csv)
        let fisher = FisherFixture.pipeline(folder.appendingPathComponent("out/fisher"),
                                            source: .folder(root: root.path, labelsCSV: csv, split: nil))
        try fisher.run(communicator: SingleProcessCommunicator())
        var config = AnnotateTrainConfig(fisherVectors: fisher.encode.output, annotations: csv,
                                         output: folder.appendingPathComponent("out/models.h5").path,
                                         runs: [.svmLateMixed, .tagpropMixed], minimumTagCount: 2)
        config.tagProp.neighbours = 6
        config.tagVocabulary = .trainAndTest  // the paper's rule, as an explicit option
        try AnnotateTrainStage(config: config).run(communicator: SingleProcessCommunicator())
        let scoresPath = folder.appendingPathComponent("out/scores.h5").path
        let scores = try AnnotatePredictStage(config: AnnotatePredictConfig(models: config.output, output: scoresPath))
            .run(communicator: SingleProcessCommunicator())
        XCTAssertEqual(scores.ids.count, 6)
        XCTAssertEqual(scores.concepts, ["clouds", "water"])
        XCTAssertEqual(try AnnotateModels.read(config.output).vocabulary.tags, ["sky", "sea", "tree"])
        // The default counts training images only: `tree` reaches 2 images only with a test image.
        let trainOnly = try AnnotationData.load(fisherVectors: fisher.encode.output, annotations: csv, minimumTagCount: 2)
        XCTAssertEqual(trainOnly.vocabulary.tags, ["sky", "sea"])
        XCTAssertEqual(try AnnotateModels.read(config.output).string("tag_vocabulary"), "train+test")
    }
}
