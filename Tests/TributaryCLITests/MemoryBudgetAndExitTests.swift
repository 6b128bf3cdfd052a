import Foundation
import TestSupport
import XCTest

/// docs/reliability.md "Memory budget and exit": hostile sizes are refused before allocating, under a bounded
/// peak, and a full disk ends a rank with its message and exit status 1, never a signal.
final class MemoryBudgetAndExitTests: XCTestCase {
    static let corpus = BadInputCorpusTests.corpus

    /// Runs `command` under bash (for `trap`, `prlimit`, `/usr/bin/time`); returns how it ended.
    func runShell(_ command: String) throws -> (reason: Process.TerminationReason, status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        for name in ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"] { environment[name] = nil }
        return try runProcessReportingReason("/bin/bash", ["-c", command], environment: environment)
    }

    var binary: String { Bundle.main.bundleURL.appendingPathComponent("tributary").path }

    /// A full disk, simulated with RLIMIT_FSIZE (`prlimit --fsize`; SIGXFSZ ignored so that writes fail with
    /// EFBIG instead of killing the process): before the fix the rank printed the right message, then died of
    /// SIGSEGV in libhdf5's exit-time clean-up (6 of 6 runs).
    func testAFullDiskEndsWithTheMessageAndExitStatusOneNotASignal() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit") else {
            throw XCTSkip("needs prlimit (util-linux) to limit the file size")
        }
        let work = try makeTemporaryDirectory("full-disk")
        let config = work.appendingPathComponent("c.json")
        try Data(#"""
            {"out": "\#(work.path)/out", "datasets": {"img": {"kind": "synthetic", "count": 64, "width": 64, "height": 64}},
             "stages": [{"name": "fv", "type": "fisher", "dataset": "img", "params": {"components": 2, "pca_dims": 4, "sample_size": 100, "iterations": 2}}]}
            """#.utf8).write(to: config)
        for attempt in 1 ... 3 {
            try? FileManager.default.removeItem(at: work.appendingPathComponent("out"))
            let result = try runShell("trap '' XFSZ; exec /usr/bin/prlimit --fsize=60000 '\(binary)' run '\(config.path)'")
            XCTAssertEqual(result.reason, .exit, "attempt \(attempt): died of signal \(result.status)\n\(result.output)")
            XCTAssertEqual(result.status, 1, result.output)
            XCTAssertTrue(result.output.contains("[rank 0] stage fv (fisher): HDF5 failed to append rows"), result.output)
            XCTAssertTrue(result.output.contains("free disk space"), result.output)
            let left = FileManager.default.enumerator(atPath: work.path + "/out")?.allObjects as? [String] ?? []
            let complete = left.filter { BadInputCorpusTests.finalOutputs.contains(URL(fileURLWithPath: $0).lastPathComponent) }
            XCTAssertEqual(complete, [], "no output may look complete")
        }
    }

    /// The 783 KB 16384² PNG needed > 3 GiB before the budget; now it is refused from its header, and the whole
    /// process stays small (`/usr/bin/time` reports the child's peak resident set).
    func testAPNGOverTheBudgetIsRefusedBeforeDecodingWithABoundedPeak() throws {
        let work = try makeTemporaryDirectory("png-budget")
        let folder = Self.corpus.appendingPathComponent("images/png-over-memory-budget").path
        let config = work.appendingPathComponent("c.json")
        try Data(#"""
            {"out": "\#(work.path)/run", "datasets": {"img": {"kind": "folder", "data": "\#(folder)", "labels_csv": "\#(folder)/labels.csv"}},
             "stages": [{"name": "fv", "type": "fisher", "dataset": "img", "params": {"patch_size": 16, "step": 8, "scales": 1, "components": 2, "pca_dims": 4, "sample_size": 100, "iterations": 2}}]}
            """#.utf8).write(to: config)
        let timed = FileManager.default.isExecutableFile(atPath: "/usr/bin/time")
        let result = try runShell((timed ? "/usr/bin/time -f 'peak-kib %M' " : "") + "'\(binary)' run --memory 512MiB '\(config.path)'")
        XCTAssertEqual(result.reason, .exit, result.output)
        XCTAssertEqual(result.status, 1, result.output)
        XCTAssertTrue(result.output.contains("bad.png: decoding 16384×16384 pixels and their feature planes needs 15.0 GiB, "
                                             + "more than the memory budget of 512.0 MiB per rank (--memory 512MiB)"), result.output)
        if timed, let line = result.output.split(separator: "\n").first(where: { $0.hasPrefix("peak-kib ") }),
           let kib = Int(line.dropFirst(9)) {
            XCTAssertLessThan(kib, 512 * 1024, "peak resident set \(kib) KiB is over the 512 MiB budget")
        } else {
            print("MemoryBudgetAndExitTests: peak memory not checked (no /usr/bin/time)")
        }
    }

    func testMemoryIsAnOptionOfEveryJobCommandAndABadSizeIsAUsageError() throws {
        for command in [["run"], ["status"], ["extract"], ["fit-pca"], ["index"], ["query"], ["train-text"], ["embed"]] {
            let (status, output) = try runTributary(command + ["--help"])
            XCTAssertEqual(status, 0, output)
            XCTAssertTrue(output.contains("--memory <size>"), "\(command) --help lacks --memory:\n\(output)")
        }
        let (status, output) = try runTributary(["status", "--memory", "lots", "no-such.json"])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(output.contains("--memory 'lots' is not a memory size; give a size such as 4GiB"), output)
    }

    /// `--memory` beats the config's `"memory"`, which beats the default: the synthetic check says which applied.
    func testTheCommandLineBudgetOverridesTheConfigs() throws {
        let work = try makeTemporaryDirectory("budget-order")
        let config = work.appendingPathComponent("c.json")
        try Data(#"""
            {"memory": "1MiB", "out": "\#(work.path)/out", "datasets": {"img": {"kind": "synthetic", "count": 4, "width": 256, "height": 256}},
             "stages": [{"name": "fv", "type": "fisher", "dataset": "img"}]}
            """#.utf8).write(to: config)
        let fromConfig = try runTributary(["status", config.path])
        XCTAssertEqual(fromConfig.status, 1, fromConfig.output)
        XCTAssertTrue(fromConfig.output.contains("(\"memory\" in \(config.path) 1MiB)"), fromConfig.output)
        let overridden = try runTributary(["status", "--memory", "64MiB", config.path])
        XCTAssertEqual(overridden.status, 0, overridden.output)
    }
}
