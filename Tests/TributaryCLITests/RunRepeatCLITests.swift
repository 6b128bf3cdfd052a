import Foundation
import TestSupport
import XCTest

/// `tributary run CONFIG` with a `repeat` block through the CLI, as a job array drives it: one repetition per
/// call (`--repetition`, or `SLURM_ARRAY_TASK_ID`), `status` per repetition, `--aggregate` refused until every
/// repetition is done and naming the commands that finish them.
final class RunRepeatCLITests: XCTestCase {
    func write(_ folder: URL, repeatBlock: String?) throws -> String {
        var corpus = "text,label\n"
        for i in 0 ..< 24 { corpus += ["goal match team cup", "bread cheese wine soup"][i % 2] + " w\(i % 5),\(["sport", "food"][i % 2])\n" }
        try Data(corpus.utf8).write(to: folder.appendingPathComponent("t.csv"))
        let tiny = "\"batch_size\": 4, \"embedding_size\": 4, \"hidden_size\": 3, \"context_size\": 3, \"min_count\": 1"
        let json = """
            {"out": "out", "datasets": {"t": {"kind": "csv", "data": "t.csv"}},
             \(repeatBlock.map { "\"repeat\": \($0)," } ?? "")
             "stages": [{"name": "a", "type": "train-text", "dataset": "t", "params": {"epochs": 1, \(tiny)}},
                        {"name": "b", "type": "train-text", "dataset": "t", "params": {"epochs": 2, \(tiny)}}]}
            """
        let path = folder.appendingPathComponent("cfg.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func testOneRepetitionPerCallThenTheStatistics() throws {
        let folder = try makeTemporaryDirectory("run-repeat-cli")
        let config = try write(folder, repeatBlock: """
            {"seeds": [1, 2], "compare": [{"method": "b.accuracy", "baseline": "a.accuracy"}]}
            """)
        let early = try runTributary(["run", config, "--aggregate"])
        XCTAssertNotEqual(early.status, 0, early.output)
        XCTAssertTrue(early.output.contains("2 of 2 repetition(s) not done (0, 1); run them first: tributary run \(config) --repetition 0"), early.output)

        let first = try runTributary(["run", config, "--repetition", "1", "--progress", "none"])
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertTrue(first.output.contains("repetition 1 of 2"), first.output)
        let status = try runTributary(["status", config])
        XCTAssertEqual(status.status, 0, status.output)
        XCTAssertTrue(status.output.contains("repetition 0 (seed 1, rep-seed1): 0/2 repeated stage(s) done; run: tributary run \(config) --repetition 0"), status.output)
        XCTAssertTrue(status.output.contains("repetition 1 (seed 2, rep-seed2): 2/2 repeated stage(s) done"), status.output)
        XCTAssertTrue(status.output.contains("1/2 repetition(s) done"), status.output)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path + "/out/aggregate.md"))

        // A job-array task: the index comes from SLURM_ARRAY_TASK_ID; the last task writes the statistics.
        let second = try runTributary(["run", config, "--progress", "none"], environment: ["SLURM_ARRAY_TASK_ID": "0"])
        XCTAssertEqual(second.status, 0, second.output)
        XCTAssertTrue(second.output.contains("run: repetition 0 from SLURM_ARRAY_TASK_ID"), second.output)
        XCTAssertTrue(second.output.contains("statistics over 2 repetitions"), second.output)
        let aggregate = try String(contentsOfFile: folder.path + "/out/aggregate.md", encoding: .utf8)
        XCTAssertTrue(aggregate.contains("| b.accuracy vs a.accuracy | 2 |"), aggregate)
        // report.md carries the statistics (aggregate.md up to its "Per repetition" table; its own repetition
        // table holds each repetition's values once).
        let statistics = try XCTUnwrap(aggregate.components(separatedBy: "\n### Per repetition").first)
        XCTAssertTrue(aggregate.contains("\n### Per repetition"), aggregate)
        XCTAssertTrue(try String(contentsOfFile: folder.path + "/out/report.md", encoding: .utf8).contains(statistics))
        XCTAssertEqual(try runTributary(["run", config, "--aggregate"]).status, 0)

        let outOfRange = try runTributary(["run", config, "--repetition", "2"])
        XCTAssertNotEqual(outOfRange.status, 0)
        XCTAssertTrue(outOfRange.output.contains("--repetition 2 is out of range: its repeat block has 2 repetition(s), 0 … 1"), outOfRange.output)
    }

    func testRepetitionOptionsNeedARepeatBlock() throws {
        let folder = try makeTemporaryDirectory("run-repeat-cli-plain")
        let config = try write(folder, repeatBlock: nil)
        for option in [["--repetition", "0"], ["--aggregate"]] {
            let result = try runTributary(["run", config] + option)
            XCTAssertNotEqual(result.status, 0, result.output)
            XCTAssertTrue(result.output.contains("has no repeat block, so \(option[0]) has nothing to select"), result.output)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.path + "/out/a"), "nothing ran")
        let both = try runTributary(["run", config, "--repetition", "0", "--aggregate"])
        XCTAssertEqual(both.status, 64, both.output)
    }
}
