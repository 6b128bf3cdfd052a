import Core
import Foundation
import LinearAlgebra
import Storage
import TestSupport
import XCTest

/// `tributary graph validate|build`, `train-paths` and `decode` end to end on a tiny fixture.
final class GraphCLITests: XCTestCase {
    static let graph = """
        node root root
        node A label datasets=coarse
        node B label datasets=coarse
        node a1 label datasets=fine
        node a2 label datasets=fine
        node b1 label datasets=fine
        node b2 label datasets=fine
        edge root A B
        edge A a1 a2
        edge B b1 b2
        """

    var directory: URL!

    override func setUpWithError() throws { directory = try makeTemporaryDirectory("graph-cli") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// 200 4-D vectors around one centre per fine class; fine.csv labels rows 0 ..< 50, coarse.csv (a
    /// `class,label` map over the file's own class names) rows 50 ..< 150, test.csv rows 150 ..< 200.
    func writeFixture() throws {
        try Self.graph.write(toFile: path("g.graph"), atomically: true, encoding: .utf8)
        var rng = SeededRandom(seed: 11)
        var x: [Float] = [], classes: [Int64] = []
        let centres: [[Float]] = [[2, 2, 0, 0], [2, -2, 0, 1], [-2, 2, 1, 0], [-2, -2, 1, 1]]
        for _ in 0 ..< 200 {
            let c = rng.bounded(4)
            classes.append(Int64(c))
            x += centres[c].map { $0 + 0.4 * Float(rng.normal()) }
        }
        let file = try HDF5File.create(path: path("e.h5"))
        try file.write(x, shape: [200, 4], to: "embeddings")
        try file.write(classes, shape: [200], to: "labels")
        try file.writeStrings(["first a", "second a", "first b", "second b"], to: "classes")
        try file.close()
        let fine = ["a1", "a2", "b1", "b2"]
        try ("label\n" + classes[0 ..< 50].map { fine[Int($0)] + "\n" }.joined()).write(toFile: path("fine.csv"), atomically: true, encoding: .utf8)
        try "class,label\nfirst a,A\nsecond a,A\nfirst b,B\nsecond b,B\n".write(toFile: path("coarse.csv"), atomically: true, encoding: .utf8)
        try "class,label\nfirst a,a1\nsecond a,a2\nfirst b,b1\nsecond b,b2\n".write(toFile: path("test.csv"), atomically: true, encoding: .utf8)
    }

    func testValidateTrainDecodeRoundTrip() throws {
        try writeFixture()
        var run = try runTributary(["graph", "validate", path("g.graph")])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("valid — 7 nodes (6 labels, 0 augmented)") && run.output.contains("coarse: 2 labels (2 coarse)"), run.output)

        let join = ["--join", "dataset=fine,features=\(path("e.h5")),labels=\(path("fine.csv")),rows=0-50",
                    "--join", "dataset=coarse,features=\(path("e.h5")),labels=\(path("coarse.csv")),rows=50-150"]
        let sizes = ["--encoder-hidden", "16", "--embedding-size", "8", "--hidden-size", "16", "--batch-size", "20",
                     "--learning-rate", "0.01", "--teacher-forcing", "0.7"]
        run = try runTributary(["train-paths", "--graph", path("g.graph"), "--target", "fine", "--epochs", "25",
                                "--out", path("m.h5")] + join + sizes)
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("label-aug on 150 samples (coarse 100, fine 50)") && run.output.contains("epoch 25/25"), run.output)

        let input = "dataset=fine,features=\(path("e.h5")),labels=\(path("test.csv")),rows=150-200"
        run = try runTributary(["decode", "--model", path("m.h5"), "--input", input, "--format", "json", "--out", path("p.json")])
        XCTAssertEqual(run.status, 0, run.output)
        let accuracy = run.output.split(separator: "\n").first { $0.hasPrefix("accuracy ") }
        XCTAssertNotNil(accuracy, run.output)
        let percent = Double(accuracy!.split(separator: " ")[1]) ?? 0
        XCTAssertGreaterThan(percent, 90, run.output)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("p.json")))) as? [String: Any]
        let samples = json?["samples"] as? [[String: Any]] ?? []
        XCTAssertEqual(samples.count, 50)
        for sample in samples {
            let nodes = sample["path"] as? [String] ?? []
            XCTAssertEqual(nodes.count, 3, "root > coarse > fine: \(nodes)")
            XCTAssertEqual(nodes.first, "root")
            XCTAssertEqual(nodes.last, sample["prediction"] as? String)
            XCTAssertEqual(String(nodes[1].prefix(1)), nodes[2].prefix(1).uppercased(), "the fine label lies under its coarse label")
        }

        // Text output, and a baseline through the same commands.
        run = try runTributary(["decode", "--model", path("m.h5"), "--input", input])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("\tdeterministic\troot > "), run.output)
        run = try runTributary(["train-paths", "--graph", path("g.graph"), "--target", "fine", "--method", "ffn", "--epochs", "20",
                                "--out", path("ffn.h5")] + join + sizes)
        XCTAssertEqual(run.status, 0, run.output)
        run = try runTributary(["decode", "--model", path("ffn.h5"), "--input", input])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("accuracy "), run.output)
    }

    func testBadInputsNameTheFile() throws {
        try writeFixture()
        // A cyclic graph.
        try (Self.graph + "\nedge b2 B\n").write(toFile: path("cyclic.graph"), atomically: true, encoding: .utf8)
        var run = try runTributary(["graph", "validate", path("cyclic.graph")])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.output.contains("cyclic.graph") && run.output.contains("cycle"), run.output)
        // A label not in the graph.
        try "label\nzebra\n".write(toFile: path("zebra.csv"), atomically: true, encoding: .utf8)
        run = try runTributary(["train-paths", "--graph", path("g.graph"), "--target", "fine", "--out", path("m.h5"),
                                "--join", "dataset=fine,features=\(path("e.h5")),labels=\(path("zebra.csv")),rows=0-1"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.output.contains("zebra.csv:2") && run.output.contains("zebra"), run.output)
        // Feature / label count mismatch.
        run = try runTributary(["train-paths", "--graph", path("g.graph"), "--target", "fine", "--out", path("m.h5"),
                                "--join", "dataset=fine,features=\(path("e.h5")),labels=\(path("fine.csv"))"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.output.contains("fine.csv has 50 label rows") && run.output.contains("e.h5 has 200"), run.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("m.h5")))
        // A malformed --join.
        run = try runTributary(["train-paths", "--graph", path("g.graph"), "--target", "fine", "--join", "features=x.h5"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.output.contains("dataset= and features= are required"), run.output)
    }

    func testBuildFromOutlineAndTrim() throws {
        let outline = """
            Root
              Group one
                A @coarse
                  a1 @fine
                  a2 @fine
              Group two
                B @coarse
                  b1 @fine
            """
        try outline.write(toFile: path("t.outline"), atomically: true, encoding: .utf8)
        var run = try runTributary(["graph", "build", "--outline", path("t.outline"), "--out", path("t.graph")])
        XCTAssertEqual(run.status, 0, run.output)
        run = try runTributary(["graph", "validate", path("t.graph")])
        XCTAssertTrue(run.output.contains("8 nodes (5 labels, 2 augmented)"), run.output)
        run = try runTributary(["graph", "build", "--from", path("t.graph"), "--trim-augmented", "1", "--out", path("s.graph")])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("trimmed 2 of 2 augmented nodes"), run.output)
        let text = try String(contentsOfFile: path("s.graph"), encoding: .utf8)
        XCTAssertTrue(text.contains("edge root a b\n"), "root adopts the trimmed nodes' children: \(text)")
        run = try runTributary(["graph", "validate", path("s.graph")])
        XCTAssertTrue(run.output.contains("6 nodes (5 labels, 0 augmented)"), run.output)
        run = try runTributary(["graph", "build", "--out", path("x.graph")])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.output.contains("pass exactly one of --outline, --wordnet, --from"), run.output)
    }
}
