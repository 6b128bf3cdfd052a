import Core
import Foundation
import LinearAlgebra
import FisherAnnotation
import InstanceInfusion
import LabelGraphJoining
import Runner
import StageRegistry
import Stages
import Storage
import TestSupport
import XCTest

/// `tributary graph validate|build`, `train-paths` and `decode` end to end on a tiny fixture.
final class GraphCLITests: XCTestCase {
    static let graph = LabelGraphFixtures.twoLevel

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
        // (The decoder's sizes E and H do not apply to a baseline: the ffn run leaves them out.)
        let ffnSizes = ["--encoder-hidden", "16", "--batch-size", "20", "--learning-rate", "0.01"]
        run = try runTributary(["train-paths", "--graph", path("g.graph"), "--target", "fine", "--method", "ffn", "--epochs", "20",
                                "--out", path("ffn.h5")] + join + ffnSizes)
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
        run = try runTributary(["train-paths", "--graph", path("g.graph"), "--target", "fine", "--out", path("m.h5"), "--join", "features=x.h5"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.output.contains("dataset= and features= are required"), run.output)
    }

    /// The fixture's joins and small sizes (`decoder`: with label-aug's E and H), for training runs of a few epochs.
    func trainArguments(_ out: String, epochs: Int = 3, decoder: Bool = true) -> [String] {
        ["train-paths", "--graph", path("g.graph"), "--target", "fine", "--epochs", "\(epochs)", "--out", out,
         "--join", "dataset=fine,features=\(path("e.h5")),labels=\(path("fine.csv")),rows=0-50",
         "--join", "dataset=coarse,features=\(path("e.h5")),labels=\(path("coarse.csv")),rows=50-150",
         "--encoder-hidden", "16", "--batch-size", "20", "--learning-rate", "0.01"]
            + (decoder ? ["--embedding-size", "8", "--hidden-size", "16"] : [])
    }

    /// The `parameter hash:` that rank 0 logs after training.
    func parameterHash(_ output: String) -> Substring? {
        output.split(separator: "\n").first { $0.hasPrefix("parameter hash: ") }
    }

    /// A training command must say where the model goes: without --out it used to train and throw the model away.
    func testTrainPathsRequiresOut() throws {
        try writeFixture()
        var arguments = trainArguments(path("m.h5"))
        arguments.removeSubrange(arguments.firstIndex(of: "--out")! ... arguments.firstIndex(of: "--out")! + 1)
        let run = try runTributary(arguments)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.output.contains("--out"), run.output)
        XCTAssertFalse(run.output.contains("epoch 1/"), "nothing is trained: \(run.output)")
    }

    /// The loss options reach the loss: each changes the trained parameters (same seed, same data), and the
    /// model file records it.
    func testLossOptionsTakeEffect() throws {
        try writeFixture()
        var run = try runTributary(trainArguments(path("base.h5")))
        XCTAssertEqual(run.status, 0, run.output)
        let base = try XCTUnwrap(parameterHash(run.output), run.output)
        let variants: [(flags: [String], attribute: String, value: HDF5AttributeValue)] = [
            (["--teacher-forcing", "0"], "paths.teacher_forcing", .double(0)), (["--alpha", "3"], "paths.alpha", .double(3)),
            (["--beta", "0.2"], "paths.beta", .double(0.2)), (["--reinforce-samples", "3"], "paths.reinforce_samples", .int(3)),
            (["--nondeterministic", "marginal"], "paths.nondeterministic", .string("marginal")),
        ]
        for (i, variant) in variants.enumerated() {
            run = try runTributary(trainArguments(path("v\(i).h5")) + variant.flags)
            XCTAssertEqual(run.status, 0, run.output)
            XCTAssertNotEqual(parameterHash(run.output), base, "\(variant.flags) changed nothing")
            XCTAssertEqual(try PathModelFile.read(path("v\(i).h5")).attributes[variant.attribute], variant.value, "\(variant.flags)")
        }
    }

    /// An option that cannot take effect with the other options fails, naming it (the spec's constraints).
    func testOptionsThatCannotTakeEffectFail() throws {
        try writeFixture()
        let cases: [(flags: [String], names: [String])] = [
            (["--method", "ffn", "--teacher-forcing", "0.5"], ["--teacher-forcing", "--method label-aug only"]),
            (["--method", "label-set", "--beta", "2"], ["--beta", "--method label-aug only"]),
            (["--method", "pseudo-labels", "--pooling", "sum"], ["--pooling", "--method label-aug only"]),
            (["--method", "ffn", "--hidden-size", "32"], ["--hidden-size", "--method label-aug only"]),
            (["--multi-label"], ["--multi-label", "--method ffn only"]),
            (["--nondeterministic", "marginal", "--reinforce-samples", "2"], ["--reinforce-samples", "--nondeterministic marginal"]),
            (["--nondeterministic", "marginal", "--pooling", "sum"], ["--pooling", "--nondeterministic marginal"]),
            (["--pooling", "random", "--max-target-paths", "2"], ["--max-target-paths", "--pooling random"]),
            (["--feature-sets", ""], ["--feature-sets", "non-empty"]),
        ]
        for c in cases {
            let run = try runTributary(trainArguments(path("x.h5"), decoder: !c.flags.contains("--method")) + c.flags)
            XCTAssertNotEqual(run.status, 0, "\(c.flags) was accepted")
            for name in c.names { XCTAssertTrue(run.output.contains(name), "\(c.flags): \(run.output)") }
            XCTAssertFalse(FileManager.default.fileExists(atPath: path("x.h5")))
        }
        // A value equal to the default is the same as leaving it out; ffn's own options go through.
        let run = try runTributary(trainArguments(path("ffn.h5"), decoder: false) + ["--method", "ffn", "--teacher-forcing", "1", "--multi-label"])
        XCTAssertEqual(run.status, 0, run.output)
    }

    /// decode's options that only apply with others fail without them, naming the option.
    func testDecodeOptionsThatCannotTakeEffectFail() throws {
        try writeFixture()
        var run = try runTributary(trainArguments(path("m.h5")))
        XCTAssertEqual(run.status, 0, run.output)
        run = try runTributary(trainArguments(path("ffn.h5"), decoder: false) + ["--method", "ffn"])
        XCTAssertEqual(run.status, 0, run.output)
        let input = "dataset=fine,features=\(path("e.h5")),labels=\(path("test.csv")),rows=150-200"
        let decode = ["decode", "--model", path("m.h5"), "--input", input]
        let cases: [(flags: [String], name: String)] = [
            (["--thresholds", "0.3"], "--thresholds needs --multi-label"),
            (["--tune-on", input], "--tune-on needs --multi-label"),
            (["--multi-label", "--format", "json"], "--format json is not available with --multi-label"),
            (["--multi-label", "--grid-png", path("g.png")], "--grid-png is not available with --multi-label"),
            (["--multi-label", "--thresholds", "0.3,x"], "--thresholds must be numbers"),
            (["--grid-nodes", "A,B"], "--grid-nodes needs --grid-png"),
            (["--grid-per-row", "5"], "--grid-per-row needs --grid-png"),
            (["--fashion-mnist-dir", path("fm")], "--fashion-mnist-dir needs --grid-png"),
            (["--grid-png", path("g.png")], "no augmented node"),
            (["--grid-png", path("g.png"), "--grid-nodes", "A,zebra"], "--grid-nodes: 'zebra' is not a node"),
            (["--format", "yaml"], "--format"),
        ]
        for c in cases {
            run = try runTributary(decode + c.flags)
            XCTAssertNotEqual(run.status, 0, "\(c.flags) was accepted")
            XCTAssertTrue(run.output.contains(c.name), "\(c.flags): \(run.output)")
        }
        run = try runTributary(["decode", "--model", path("ffn.h5"), "--input", input, "--grid-png", path("g.png"), "--grid-nodes", "A"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.output.contains("--grid-png needs a label-aug model") && run.output.contains("ffn"), run.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("g.png")))
        // The options together do what they say: the multi-label decode with its thresholds.
        run = try runTributary(decode + ["--multi-label", "--thresholds", "0.3,0.6", "--tune-on", input])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("tune threshold 0.300") && run.output.contains("tune threshold 0.600"), run.output)
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
