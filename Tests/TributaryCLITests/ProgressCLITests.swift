import Foundation
import TestSupport
import XCTest

/// Logs a person can follow, through the binary: a 2-rank `mpirun` job whose output goes to a file (Open MPI
/// gives its ranks a pseudo-terminal, so a rank's `isatty` would say "terminal") writes plain progress lines, no
/// carriage return and no escape code, and they reach the file while the job runs; `--progress none` prints no
/// progress line; the metrics file beside `--out` has one JSON object per line and one epoch record per epoch.
final class ProgressCLITests: XCTestCase {
    /// 300 three-class documents: 34 batches of 8 per epoch.
    static func writeCorpus(_ folder: URL) throws -> String {
        let path = folder.appendingPathComponent("texts.csv").path
        try Data(threeClassTexts(documents: 300, seed: 7).utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func trainText(_ corpus: String, out: String, epochs: Int, extra: [String] = []) -> [String] {
        ["train-text", "--corpus", "csv", "--data", corpus, "--epochs", "\(epochs)", "--batch-size", "8",
         "--embedding-size", "8", "--hidden-size", "6", "--context-size", "5", "--min-count", "1", "--out", out] + extra
    }

    /// The command line and environment of `mpirun -np 2 tributary …`, or nil when mpirun is not installed.
    func mpirun(_ arguments: [String]) -> (executable: String, arguments: [String], environment: [String: String])? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard let mpirun = path.split(separator: ":").map({ "\($0)/mpirun" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { return nil }
        var environment = ProcessInfo.processInfo.environment
        for name in environment.keys where name.hasPrefix("OMPI_COMM_WORLD") || name.hasPrefix("PMIX_") || name == "PMI_RANK" || name == "SLURM_JOB_ID" {
            environment[name] = nil
        }
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        environment["OMPI_MCA_btl"] = "^openib"
        environment["OPENBLAS_NUM_THREADS"] = "1"
        let binary = Bundle.main.bundleURL.appendingPathComponent("tributary").path
        return (mpirun, ["-np", "2", "--oversubscribe", "--bind-to", "none", binary] + arguments, environment)
    }

    /// Runs `executable` with standard output and error redirected to `log`, polling the file while it runs;
    /// returns the exit status, the whole log, the number of progress lines seen in the file while the process
    /// was still running, and how many there were when the first one showed (a block-buffered stream shows ~35
    /// at once: its first 4 KiB).
    func runRedirected(_ executable: String, _ arguments: [String], environment: [String: String], log: URL,
                       counting lines: (String) -> [Substring] = ProgressCLITests.progressLines) throws
        -> (status: Int32, output: String, seenWhileRunning: Int, firstSeen: Int) {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        var seen = 0, first = 0
        while process.isRunning {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if process.isRunning { seen = max(seen, lines(text).count) }
            if first == 0 { first = seen }
            usleep(10_000)
        }
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: log, encoding: .utf8), seen, first)
    }

    static func progressLines(_ text: String) -> [Substring] {
        text.split(separator: "\n").filter { $0.contains(" batches (") }
    }

    func testTwoRankLogIsPlainAndArrivesWhileTheJobRuns() throws {
        guard let job = mpirun([]) else { throw XCTSkip("mpirun is not on PATH (install openmpi-bin)") }
        let folder = try makeTemporaryDirectory("progress-cli")
        let corpus = try Self.writeCorpus(folder)
        let model = folder.appendingPathComponent("model.h5").path
        let run = try runRedirected(job.executable, job.arguments + Self.trainText(corpus, out: model, epochs: 4),
                                    environment: job.environment, log: folder.appendingPathComponent("run.log"))
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertFalse(run.output.contains("\r"), "carriage return in a redirected log:\n\(run.output)")
        XCTAssertFalse(run.output.contains("\u{1B}"), "escape code in a redirected log:\n\(run.output)")
        let lines = Self.progressLines(run.output)
        XCTAssertGreaterThanOrEqual(lines.count, 4 * 10, "a line at every 10 % of each epoch:\n\(run.output)")
        XCTAssertTrue(lines.allSatisfy { $0.contains("train-text  epoch ") && $0.contains(" samples/s  ETA ") }, run.output)
        XCTAssertEqual(lines.filter { $0.contains("(100%)") }.count, 4, run.output)  // rank 0 alone prints
        XCTAssertGreaterThan(run.seenWhileRunning, 1, "progress lines reach the log while the job runs:\n\(run.output)")
        XCTAssertTrue(run.output.contains("epoch 4/4  loss"), run.output)

        // The metrics file beside --out: JSON per line, one epoch record per epoch with its keys.
        let metrics = try String(contentsOfFile: folder.appendingPathComponent("model.metrics.jsonl").path, encoding: .utf8)
        let records = try metrics.split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], String($0))
        }
        let epochs = records.filter { $0["event"] as? String == "epoch" }
        XCTAssertEqual(epochs.compactMap { $0["epoch"] as? Int }, [1, 2, 3, 4], metrics)
        for record in epochs {
            for key in ["stage", "time", "loss", "accuracy", "macro_f1", "samples", "samples_per_s", "seconds", "learning_rate"] {
                XCTAssertNotNil(record[key], "epoch record without \(key): \(record)")
            }
        }
        let batches = records.filter { $0["event"] as? String == "batch" }
        XCTAssertEqual(batches.count, lines.count, "one batch record per printed interval")
        XCTAssertTrue(batches.allSatisfy { $0["eta_s"] != nil && $0["samples_per_s"] != nil && $0["total"] as? Int == 34 }, metrics)
    }

    func testProgressNonePrintsOnlyTheSummaries() throws {
        guard let job = mpirun([]) else { throw XCTSkip("mpirun is not on PATH (install openmpi-bin)") }
        let folder = try makeTemporaryDirectory("progress-none")
        let corpus = try Self.writeCorpus(folder)
        let model = folder.appendingPathComponent("model.h5").path
        let run = try runRedirected(job.executable, job.arguments + Self.trainText(corpus, out: model, epochs: 1, extra: ["--progress", "none"]),
                                    environment: job.environment, log: folder.appendingPathComponent("run.log"))
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertEqual(Self.progressLines(run.output), [], run.output)
        XCTAssertTrue(run.output.contains("epoch 1/1  loss"), run.output)
        // The metrics are written whatever the display.
        let metrics = try String(contentsOfFile: folder.appendingPathComponent("model.metrics.jsonl").path, encoding: .utf8)
        XCTAssertEqual(metrics.split(separator: "\n").filter { $0.contains(#""event": "epoch""#) }.count, 1, metrics)
    }

    /// Without mpirun, standard output to a file was block-buffered: nothing showed until the process exited (or
    /// 4 KiB had piled up). The epoch lines are plain `print`s (progress lines are flushed one by one anyway), so
    /// with `--progress none` they show whether standard output itself is line-buffered.
    func testAWorldOfOneRedirectedToAFileIsLineBuffered() throws {
        let folder = try makeTemporaryDirectory("progress-one")
        let corpus = try Self.writeCorpus(folder)
        var environment = ProcessInfo.processInfo.environment
        for name in ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "SLURM_JOB_ID"] { environment[name] = nil }
        let binary = Bundle.main.bundleURL.appendingPathComponent("tributary").path
        let arguments = Self.trainText(corpus, out: folder.appendingPathComponent("m.h5").path, epochs: 6,
                                       extra: ["--progress", "none"])
            + ["--embedding-size", "32", "--hidden-size", "32"]  // slower steps: the poller sees lines arrive one by one
        let run = try runRedirected(binary, arguments, environment: environment, log: folder.appendingPathComponent("run.log"),
                                    counting: { $0.split(separator: "\n").filter { $0.hasPrefix("epoch ") && $0.contains("  loss ") } })
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertFalse(run.output.contains("\r") || run.output.contains("\u{1B}"), run.output)
        XCTAssertGreaterThan(run.seenWhileRunning, 1, "epoch lines reach the file while the process runs:\n\(run.output)")
    }
}
