import Core
import Foundation
@testable import Runner
import Stages
import Statistics
import TestSupport
import XCTest

/// The statistics of a repeated run against numbers computed by hand, and a 2 seeds × 2 folds run end to end:
/// one repetition alone (a job-array task), then the rest, the aggregate equal to the per-repetition values,
/// and a rerun that does no work.
final class RepeatRunTests: XCTestCase {
    func spec() throws -> RepeatSpec {
        let root = try JSONDecoder().decode(JSONValue.self, from: Data(RepeatConfigTests.json(out: "/tmp/r", repeatBlock: RepeatConfigTests.block).utf8))
        return try XCTUnwrap(try RunnerConfig.parse(root, file: "cfg.json", stageTypes: allStageTypes).repetition)
    }

    /// Repetitions (seed 1, fold 1), (1, 2), (2, 1), (2, 2): a.accuracy b = [80, 82, 78, 84], b.accuracy
    /// m = [83, 84, 80, 88]; d = m − b = [3, 2, 2, 4].
    ///     b: x̄ = 81, s = √(20/3) = 2.581989, 95 %: 81 ± 3.182446 · 2.581989/2 = [76.8915, 85.1085]
    ///     d: d̄ = 2.75, s_d = √(2.75/3) = 0.957427, t = 2.75/(0.957427/2) = 5.744563, ν = 3, p = 0.010477 (scipy
    ///        ttest_rel); interval 2.75 ± 3.182446 · 0.478714 = [1.2265, 4.2735]: excludes 0, so b wins
    ///     Wilcoxon: ranks of |d| 1.5, 1.5, 3, 4, all positive, W+ = 10 = the maximum: p = 2/16 = 0.125 (exact)
    func testAggregateMatchesTheHandComputedExample() throws {
        let spec = try spec()
        let a = [80.0, 82, 78, 84], b = [83.0, 84, 80, 88], f1 = [0.5, 0.7, 0.6, 0.8]
        var manifests: [Int: RunnerManifest] = [:]
        for r in spec.repetitions {
            var m = RunnerManifest()
            func record(_ metrics: [String: Double]) -> RunnerManifest.Record {
                RunnerManifest.Record(key: "k", type: "train-text", status: "done", outputs: [:], seconds: 0, ranks: 1, summary: "",
                                      report: "", parameters: "", written: "", metrics: metrics)
            }
            m.stages["a"] = record(["accuracy": a[r.index], "macro_f1": f1[r.index]])
            m.stages["b"] = record(["accuracy": b[r.index]])
            manifests[r.index] = m
        }
        let aggregate = try RepeatAggregate(spec: spec, stages: ["pre", "emb", "a", "b", "idx", "q"], manifests: manifests)
        XCTAssertEqual(aggregate.rows.map(\.reference.description), ["a.accuracy", "a.macro_f1", "b.accuracy"])
        let row = aggregate.rows[0]
        XCTAssertEqual(row.summary?.mean ?? .nan, 81, accuracy: 1e-12)
        XCTAssertEqual(row.summary?.standardDeviation ?? .nan, 2.581988897471611, accuracy: 1e-12)
        XCTAssertEqual(row.interval?.lower ?? .nan, 76.89147948647896, accuracy: 1e-9)
        XCTAssertEqual(row.interval?.upper ?? .nan, 85.10852051352104, accuracy: 1e-9)
        let c = try XCTUnwrap(aggregate.comparisons.first?.comparison)
        XCTAssertEqual(c.difference.mean, 2.75, accuracy: 1e-12)
        XCTAssertEqual(c.pairedT.t, 5.744562646538029, accuracy: 1e-9)
        XCTAssertEqual(c.pairedT.pValue, 0.01047708875527632, accuracy: 1e-9)
        XCTAssertEqual(c.interval.lower, 1.2265198191711877, accuracy: 1e-9)
        XCTAssertEqual(c.interval.upper, 4.2734801808288125, accuracy: 1e-9)
        XCTAssertEqual(c.wilcoxon.pValue, 0.125, accuracy: 1e-15)
        XCTAssertEqual(c.verdict, .wins)

        let md = aggregate.markdown
        XCTAssertTrue(md.contains("| a.accuracy | 4 | 81.00 ± 2.58 | [76.89, 85.11] | 78.00 | 84.00 |"), md)
        XCTAssertTrue(md.contains("| a.macro_f1 | 4 | 0.6500 ± 0.1291 | [0.4446, 0.8554] | 0.5000 | 0.8000 |"), md)
        XCTAssertTrue(md.contains("| b.accuracy vs a.accuracy | 4 | 81.00 ± 2.58 | 83.75 ± 3.30 | +2.75 [+1.23, +4.27] | 0.0105 | 0.1250 (exact, n = 4) | wins |"), md)
        XCTAssertTrue(md.contains("| seed 2, fold 1/2 | 78.00 | 0.6000 | 80.00 |"), md)
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(try aggregate.json())) as? [String: Any])
        let compared = try XCTUnwrap((json["comparisons"] as? [[String: Any]])?.first)
        XCTAssertEqual(compared["verdict"] as? String, "wins")
        XCTAssertEqual(compared["wilcoxon_p"] as? Double, 0.125)
        XCTAssertEqual((json["repetitions"] as? [[String: Any]])?.map { $0["folder"] as? String },
                       ["rep-seed1-fold1", "rep-seed1-fold2", "rep-seed2-fold1", "rep-seed2-fold2"])

        // A compared metric one repetition did not report is named, with what its stage does report.
        manifests[3]!.stages["b"]!.metrics = ["loss": 1]
        XCTAssertThrowsError(try RepeatAggregate(spec: spec, stages: ["a", "b"], manifests: manifests)) { error in
            XCTAssertEqual("\(error)", "b.accuracy: not reported in repetition seed 2, fold 2/2; its stage reports loss; fix repeat.compare in the config")
        }
    }

    /// Pairing is by (seed, fold), not by position: the same values with the method's repetitions listed in
    /// another order pair the same.
    func testPairsMatchBySeedAndFold() throws {
        let spec = try spec()
        let a = [80.0, 82, 78, 84], b = [83.0, 84, 80, 88]
        var manifests: [Int: RunnerManifest] = [:]
        for r in spec.repetitions.reversed() {  // filled in reverse; the dictionary is keyed by repetition
            var m = RunnerManifest()
            m.stages["a"] = RunnerManifest.Record(key: "", type: "", status: "done", outputs: [:], seconds: 0, ranks: 1, summary: "",
                                                  report: "", parameters: "", written: "", metrics: ["accuracy": a[r.index]])
            m.stages["b"] = RunnerManifest.Record(key: "", type: "", status: "done", outputs: [:], seconds: 0, ranks: 1, summary: "",
                                                  report: "", parameters: "", written: "", metrics: ["accuracy": b[r.index]])
            manifests[r.index] = m
        }
        let c = try XCTUnwrap(try RepeatAggregate(spec: spec, stages: ["a", "b"], manifests: manifests).comparisons.first?.comparison)
        XCTAssertEqual(c, try Comparison(baseline: a, method: b))
    }

    func testTwoSeedsTimesTwoFoldsEndToEndResumable() throws {
        let folder = try makeTemporaryDirectory("repeat-run")
        try Data(RunnerInfusedStageTests.corpus().utf8).write(to: folder.appendingPathComponent("corpus.csv"))
        let path = folder.appendingPathComponent("cfg.json").path
        try Data(RepeatConfigTests.json(out: "out", repeatBlock: RepeatConfigTests.block).utf8).write(to: URL(fileURLWithPath: path))
        let config = try RunnerConfig.load(path, stageTypes: allStageTypes)
        let out = folder.path + "/out"
        let runner = RepeatRunner(config: config, verbosity: .quiet)
        let comm = SingleProcessCommunicator()
        func actions(_ runs: [Runner.StageRun]?) -> [String] { (runs ?? []).map { "\($0.name):\($0.action.rawValue)" } }

        // The plan covers the shared stages once and each repetition's own stages (not its copies of the shared ones).
        let plan = try runner.plan(ranks: 1)
        XCTAssertEqual(plan.rows.map(\.stage), ["shared/pre", "shared/emb"]
            + runner.spec.repetitions.flatMap { r in ["a", "b", "idx", "q"].map { "\(r.folder)/\($0)" } })
        XCTAssertTrue(plan.rows.allSatisfy { $0.state == .notRun }, "\(plan.rows.map(\.state))")
        XCTAssertEqual(plan.bytes, plan.rows.reduce(0) { $0 + ($1.writes ?? []).reduce(0) { $0 + $1.bytes } })
        XCTAssertGreaterThan(plan.bytes, 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "plan writes nothing")

        // A job-array task: repetition 2 alone (after the shared stages); no statistics yet.
        let task = try runner.run(communicator: comm, only: 2)
        XCTAssertEqual(actions(task.shared), ["pre:ran", "emb:ran"])
        XCTAssertEqual(actions(task.repetitions[2]), ["pre:skipped", "emb:skipped", "a:ran", "b:ran", "idx:ran", "q:ran"])
        XCTAssertEqual(Array(task.repetitions.keys), [2])
        XCTAssertFalse(task.aggregated)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/rep-seed1-fold1"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: out + "/rep-seed2-fold1/pre"), "a shared stage lives in shared/ only")
        XCTAssertThrowsError(try runner.aggregate()) { error in
            XCTAssertTrue("\(error)".contains("3 of 4 repetition(s) not done (0, 1, 3)"), "\(error)")
        }
        XCTAssertTrue(try String(contentsOfFile: out + "/report.md", encoding: .utf8).contains("--repetition 3`"))
        XCTAssertThrowsError(try runner.run(communicator: comm, only: 4)) { error in
            XCTAssertTrue("\(error)".contains("--repetition 4 is out of range: its repeat block has 4 repetition(s), 0 … 3"), "\(error)")
        }

        // Every repetition: the one done is skipped, the others run; then the statistics.
        let all = try runner.run(communicator: comm)
        XCTAssertEqual(actions(all.shared), ["pre:skipped", "emb:skipped"])
        XCTAssertEqual(actions(all.repetitions[2]).filter { $0.hasSuffix(":ran") }, [])
        XCTAssertEqual(actions(all.repetitions[0]), ["pre:skipped", "emb:skipped", "a:ran", "b:ran", "idx:ran", "q:ran"])
        XCTAssertTrue(all.aggregated)

        // Each repetition's stages got its seed and fold (recorded parameters), and the aggregate equals the
        // per-repetition values read back from the manifests.
        var values: [String: [Double]] = [:], differences: [Double] = []
        for r in runner.spec.repetitions {
            let m = try RunnerManifest.read(out: out + "/" + r.folder)
            let p = try XCTUnwrap(m.stages["a"]?.parameters)
            XCTAssertTrue(p.contains("seed=\(r.seed)") && p.contains("fold=\"\(r.fold!.text)\""), p)
            for stage in ["a", "b", "q"] {
                for (name, x) in try XCTUnwrap(m.stages[stage]?.metrics, stage) { values["\(stage).\(name)", default: []].append(x) }
            }
            differences.append(m.stages["b"]!.metrics!["accuracy"]! - m.stages["a"]!.metrics!["accuracy"]!)
        }
        XCTAssertEqual(values.keys.sorted(), ["a.accuracy", "a.macro_f1", "b.accuracy", "b.macro_f1", "q.label_agreement"])
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/aggregate.json"))) as? [String: Any])
        for metric in json["metrics"] as? [[String: Any]] ?? [] {
            let name = try XCTUnwrap(metric["metric"] as? String), xs = try XCTUnwrap(values[name])
            XCTAssertEqual(metric["n"] as? Int, 4, name)
            XCTAssertEqual(metric["mean"] as? Double ?? .nan, xs.reduce(0, +) / 4, accuracy: 1e-9, name)
        }
        XCTAssertEqual((json["metrics"] as? [[String: Any]])?.count, 5)
        let compared = try XCTUnwrap((json["comparisons"] as? [[String: Any]])?.first)
        XCTAssertEqual(compared["mean_difference"] as? Double ?? .nan, differences.reduce(0, +) / 4, accuracy: 1e-9)
        XCTAssertEqual(compared["n"] as? Int, 4)
        let report = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        XCTAssertTrue(report.contains("## Repetition statistics") && report.contains("| b.accuracy vs a.accuracy | 4 |"), report)
        // report.md lists each repetition once: its row carries its state and its values (aggregate.md's per-
        // repetition table is not repeated under it). Before, every repetition was listed twice.
        let aggregateText = try String(contentsOfFile: out + "/aggregate.md", encoding: .utf8)
        for r in runner.spec.repetitions {
            XCTAssertEqual(report.components(separatedBy: "| \(r.label) |").count - 1, 1, "\(r.label) in report.md")
            XCTAssertEqual(aggregateText.components(separatedBy: "| \(r.label) |").count - 1, 1, "\(r.label) in aggregate.md")
            let values = try XCTUnwrap(aggregateText.split(separator: "\n").first { $0.hasPrefix("| \(r.label) |") })
                .dropFirst("| \(r.label) |".count)
            XCTAssertTrue(report.contains("| \(r.label) | [\(r.folder)](\(r.folder)/report.md) | done |" + values), "\(r.label): values in report.md")
        }
        XCTAssertEqual(try String(contentsOfFile: out + "/aggregate.md", encoding: .utf8), try RepeatAggregate(
            spec: runner.spec, stages: config.stages.map(\.name),
            manifests: Dictionary(uniqueKeysWithValues: try runner.spec.repetitions.map { ($0.index, try RunnerManifest.read(out: out + "/" + $0.folder)) })).markdown)

        // A repetition's report has the shared stages' sections, their figure links pointing into shared/.
        let repReport = try String(contentsOfFile: out + "/rep-seed1-fold2/report.md", encoding: .utf8)
        XCTAssertTrue(repReport.contains("## pre (train-text)") && repReport.contains("Shared: run once in `\(out)/shared`"), repReport)
        XCTAssertFalse(repReport.contains("](pre/"), "a shared stage's figures are not in the repetition's folder")
        if repReport.contains("loss.png") { XCTAssertTrue(repReport.contains("](../shared/pre/loss.png)"), repReport) }

        // A changed parameter makes every repetition unfinished for --aggregate until a run redoes it.
        try Data(RepeatConfigTests.json(out: "out", repeatBlock: RepeatConfigTests.block).replacingOccurrences(of: "\"epochs\": 3", with: "\"epochs\": 4").utf8)
            .write(to: URL(fileURLWithPath: folder.path + "/changed.json"))
        let changed = RepeatRunner(config: try RunnerConfig.load(folder.path + "/changed.json", stageTypes: allStageTypes), verbosity: .quiet)
        XCTAssertEqual(changed.finishedStages(of: changed.spec.repetitions[1]), ["a", "idx", "q"], "b's epochs changed")
        XCTAssertThrowsError(try changed.aggregate()) { XCTAssertTrue("\($0)".contains("4 of 4 repetition(s) not done"), "\($0)") }

        // A rerun does no work, and the plan says so.
        let done = try runner.plan(ranks: 1)
        XCTAssertTrue(done.rows.allSatisfy { $0.state == .done }, "\(done.rows.map { "\($0.stage): \($0.state)" })")
        XCTAssertEqual(done.bytes, 0)
        let again = try runner.run(communicator: comm)
        XCTAssertEqual(actions(again.shared), ["pre:skipped", "emb:skipped"])
        for r in runner.spec.repetitions {
            XCTAssertEqual(actions(again.repetitions[r.index]).filter { !$0.hasSuffix(":skipped") }, [], r.label)
        }
        XCTAssertTrue(again.aggregated)
    }

    /// `oneRankPerRepetition` under 3 ranks: rank k runs repetitions r ≡ k (mod 3) alone, and every output is the
    /// bits of a plain 1-rank run of the same config (the index and query stages depend on the rank count, so a
    /// repetition on all 3 ranks would differ). Every stage repeats here: shared stages run on all ranks.
    func testOneRankPerRepetitionGivesTheBitsOfA1RankRun() throws {
        let folder = try makeTemporaryDirectory("repeat-spread")
        try Data(RunnerInfusedStageTests.corpus().utf8).write(to: folder.appendingPathComponent("corpus.csv"))
        let json = """
            {"out": "OUT", "datasets": {"t": {"kind": "csv", "data": "corpus.csv"}},
             "repeat": {"seeds": [1, 2, 3, 4]},
             "stages": [{"name": "pre", "type": "train-text", "dataset": "t",
                         "params": {"epochs": 1, "batch_size": 8, "embedding_size": 6, "hidden_size": 4, "context_size": 4, "min_count": 1}},
                        {"name": "emb", "type": "embed", "dataset": "t", "inputs": {"model": "pre"}},
                        {"name": "idx", "type": "index", "inputs": {"embeddings": "emb"}, "params": {"trees": 2, "max_depth": 8}},
                        {"name": "q", "type": "query", "inputs": {"index": "idx", "queries": "emb"}, "params": {"neighbours": 3}}]}
            """
        let path = folder.appendingPathComponent("cfg.json").path
        try Data(json.replacingOccurrences(of: "\"OUT\"", with: "\"out\"").utf8).write(to: URL(fileURLWithPath: path))
        let config = try RunnerConfig.load(path, stageTypes: allStageTypes)
        let files = ["pre/model.h5", "emb/embeddings.h5", "idx/index.h5", "q/neighbours.h5"]
        // The same folder both times: the artifacts record paths, so only a run into the same folder can have the same bits.
        func digests() throws -> [String] {
            try config.repetition!.repetitions.flatMap { r in try files.map { try RunnerDigest.of(folder.path + "/out/\(r.folder)/\($0)") } }
        }
        try RepeatRunner(config: config, verbosity: .quiet).run(communicator: SingleProcessCommunicator())
        let single = try digests(), aggregate = try String(contentsOfFile: folder.path + "/out/aggregate.md", encoding: .utf8)
        try FileManager.default.removeItem(atPath: folder.path + "/out")
        let ran = try ThreadedWorld.run(size: 3) { comm in
            var runner = RepeatRunner(config: config, verbosity: .normal)  // not .quiet: see the 2-rank test below
            runner.oneRankPerRepetition = true
            let o = try runner.run(communicator: comm)
            return [o.aggregated ? "aggregated" : "not"] + o.repetitions.keys.sorted().map(String.init)
        }
        XCTAssertEqual(ran, [["aggregated", "0", "3"], ["aggregated", "1"], ["aggregated", "2"]])
        XCTAssertEqual(try digests(), single)
        for r in config.repetition!.repetitions {
            XCTAssertEqual(try RunnerManifest.read(out: folder.path + "/out/" + r.folder).stages["idx"]?.ranks, 1)
        }
        XCTAssertEqual(try String(contentsOfFile: folder.path + "/out/aggregate.md", encoding: .utf8), aggregate)
    }

    /// Under 2 ranks (threads): every rank takes part in each repetition's collective stages, rank 0 alone reads
    /// the shared stages' records and writes the aggregate, and every rank returns the same outcome.
    func testTwoRanksRunTheRepetitionsTogether() throws {
        let folder = try makeTemporaryDirectory("repeat-ranks")
        try Data(RunnerInfusedStageTests.corpus().utf8).write(to: folder.appendingPathComponent("corpus.csv"))
        let tiny = "\"batch_size\": 8, \"embedding_size\": 6, \"hidden_size\": 4, \"context_size\": 4, \"min_count\": 1"
        let json = """
            {"out": "out", "datasets": {"t": {"kind": "csv", "data": "corpus.csv"}},
             "repeat": {"seeds": [1, 2], "shared": ["pre"]},
             "stages": [{"name": "pre", "type": "train-text", "dataset": "t", "params": {"epochs": 1, "seed": 0, \(tiny)}},
                        {"name": "emb", "type": "embed", "dataset": "t", "inputs": {"model": "pre"}},
                        {"name": "idx", "type": "index", "inputs": {"embeddings": "emb"}, "params": {"trees": 2, "max_depth": 8}},
                        {"name": "q", "type": "query", "inputs": {"index": "idx", "queries": "emb"}, "params": {"neighbours": 3}}]}
            """
        let path = folder.appendingPathComponent("cfg.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        let config = try RunnerConfig.load(path, stageTypes: allStageTypes)
        let outcomes = try ThreadedWorld.run(size: 2) { comm in
            // Not .quiet: that silences standard output by dup2, process-wide, which two rank threads would race on.
            let o = try RepeatRunner(config: config, verbosity: .normal).run(communicator: comm)
            return [o.aggregated ? "aggregated" : "not"] + o.shared.map { "\($0.name):\($0.action.rawValue)" }
                + o.repetitions.keys.sorted().flatMap { r in o.repetitions[r]!.map { "\(r) \($0.name):\($0.action.rawValue)" } }
        }
        XCTAssertEqual(outcomes[0], outcomes[1])
        XCTAssertEqual(outcomes[0], ["aggregated", "pre:ran", "emb:ran", "0 pre:skipped", "0 emb:skipped", "0 idx:ran", "0 q:ran",
                                     "1 pre:skipped", "1 emb:skipped", "1 idx:ran", "1 q:ran"])
        let m = try RunnerManifest.read(out: folder.path + "/out/rep-seed2")
        XCTAssertEqual(m.stages["idx"]?.ranks, 2)
        XCTAssertTrue(m.stages["idx"]?.parameters.contains("seed=2") ?? false)
        let aggregate = try String(contentsOfFile: folder.path + "/out/aggregate.md", encoding: .utf8)
        XCTAssertTrue(aggregate.contains("| q.label_agreement | 2 |"), aggregate)
    }
}
