import Core
import Foundation
import TestSupport
import XCTest

/// The HDF5 preflight through the real executable (its `check-hdf5` child), and the seeded fuzz run of CI:
/// docs/reliability.md, "Hostile HDF5" and "Fuzzing".
final class HostileHDF5CLITests: XCTestCase {
    static let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    var binary: String { Bundle.main.bundleURL.appendingPathComponent("tributary").path }

    /// `tributary fuzz` mutant 11 of seed 1 of `Tests/fuzz-seeds/hdf5/embeddings.h5`: libhdf5 1.10.8 aborts on it
    /// (`free(): invalid pointer`) after `index` has written its rank parts.
    func testAFileThatCrashesLibhdf5IsAClearErrorNotASignal() throws {
        let work = try makeTemporaryDirectory("hostile-hdf5")
        defer { try? FileManager.default.removeItem(at: work) }
        let input = work.appendingPathComponent("embeddings.h5").path
        try FileManager.default.copyItem(atPath: Self.tests.appendingPathComponent("bad-inputs/hdf5/embeddings-crashes-libhdf5/embeddings.h5").path,
                                         toPath: input)
        let output = work.appendingPathComponent("packed.h5").path

        // Without the preflight the process dies by a signal: the threat is real.
        let unprotected = ChildProcess.run("/usr/bin/env", ["TRIBUTARY_HDF5_PREFLIGHT=0", binary, "pack", input, output], timeout: 120)
        guard case .signalled = unprotected else { return XCTFail("expected a death by signal without the preflight, got \(unprotected)") }

        try? FileManager.default.removeItem(atPath: output)
        let (status, message) = try runTributary(["pack", input, output])
        XCTAssertEqual(status, 1, message)
        XCTAssertTrue(message.contains("file \(input) is corrupt or hostile"), message)
        XCTAssertTrue(message.contains("SIGABRT") && message.contains("intact copy"), message)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output), "no output after a refused input")
        XCTAssertFalse(message.contains("Program crashed"), message)
    }

    /// `tributary fuzz --formats hdf5 --seed 22` mutant 301 of `embeddings.h5`: libhdf5 loops for ever on it (the
    /// check and `index` without the preflight both still run after 20 s). With a 2 s preflight limit, `index` ends
    /// with the message and exit 1.
    func testAFileThatHangsLibhdf5IsAClearErrorAfterThePreflightTimeout() throws {
        let work = try makeTemporaryDirectory("hanging-hdf5")
        defer { try? FileManager.default.removeItem(at: work) }
        let input = work.appendingPathComponent("embeddings.h5").path
        try FileManager.default.copyItem(atPath: Self.tests.appendingPathComponent("bad-inputs/hdf5/embeddings-hangs-libhdf5/embeddings.h5").path,
                                         toPath: input)
        let output = work.appendingPathComponent("index.h5").path
        let (status, message) = try runTributary(["index", "--embeddings", input, "--out", output, "--trees", "2"],
                                                 environment: ["TRIBUTARY_HDF5_PREFLIGHT_TIMEOUT": "2"])
        XCTAssertEqual(status, 1, message)
        XCTAssertTrue(message.contains("file \(input) is corrupt or hostile"), message)
        XCTAssertTrue(message.contains("did not finish within 2.0 s (a hang)"), message)
        XCTAssertFalse(FileManager.default.fileExists(atPath: output))
        let (badStatus, badMessage) = try runTributary(["index", "--embeddings", input, "--out", output],
                                                       environment: ["TRIBUTARY_HDF5_PREFLIGHT_TIMEOUT": "soon"])
        XCTAssertNotEqual(badStatus, 0)
        XCTAssertTrue(badMessage.contains("TRIBUTARY_HDF5_PREFLIGHT_TIMEOUT") && badMessage.contains("'soon'"), badMessage)
    }

    func testTheCheckingChildWalksAValidFileWholeAndSaysWhatItRead() throws {
        let file = Self.tests.appendingPathComponent("fuzz-seeds/hdf5/fv.h5").path
        let (status, output) = try runTributary(["check-hdf5", "--memory-cap", "\(2 << 30)", file])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("\(file): 4 groups, 10 datasets, 26 attributes"), output)
        XCTAssertTrue(output.hasSuffix(", 0 errors\n"), output)
    }

    /// The short seeded run of CI: 300 mutants of each format Tributary parses itself, 120 HDF5 mutants. Every
    /// format must end with 0 crashes and 0 hangs; seed 1's HDF5 mutants include libhdf5 crashes (mutant 11
    /// above among them) that the preflight must contain, which shows the harness sees crashes at all.
    func testASeededFuzzRunOfEveryFormatHasNoCrashOrHang() throws {
        let seeds = Self.tests.appendingPathComponent("fuzz-seeds").path
        let own = try runTributary(["fuzz", "--seeds", seeds, "--formats", "png,jpeg,tar,targz,csv,graph,config",
                                    "--count", "300", "--seed", "5"])
        XCTAssertEqual(own.status, 0, own.output)
        let hdf5 = try runTributary(["fuzz", "--seeds", seeds, "--formats", "hdf5", "--count", "120", "--seed", "1"])
        XCTAssertEqual(hdf5.status, 0, hdf5.output)
        let lines = (own.output + hdf5.output).split(separator: "\n").map(String.init)
        for format in ["png", "jpeg", "tar", "targz", "csv", "graph", "config", "hdf5"] {
            let line = try XCTUnwrap(lines.first { $0.hasPrefix("\(format): ") }, "no line for \(format) in \(lines)")
            XCTAssertTrue(line.hasSuffix(" 0 crashes, 0 hangs"), line)
            XCTAssertTrue(line.contains(format == "hdf5" ? ": 120 mutants" : ": 300 mutants"), line)
        }
        let hdf5Line = try XCTUnwrap(lines.first { $0.hasPrefix("hdf5: ") })
        let contained = hdf5Line.components(separatedBy: " libhdf5 crashes")[0].split(separator: " ").last.flatMap { Int($0) } ?? 0
        XCTAssertGreaterThanOrEqual(contained, 1, hdf5Line)
    }

    /// The harness itself: a worker that dies by a signal at mutant 10 and one that stops at mutant 20 are both
    /// reported, saved (the saved bytes are that mutant, replayed from its index) and skipped, and every other
    /// mutant is still parsed.
    func testTheHarnessCountsSavesAndSkipsACrashAndAHang() throws {
        let work = try makeTemporaryDirectory("fuzz-selftest")
        defer { try? FileManager.default.removeItem(at: work) }
        let seeds = Self.tests.appendingPathComponent("fuzz-seeds").path
        let (status, output) = try runTributary(
            ["fuzz", "--seeds", seeds, "--formats", "csv", "--count", "40", "--seed", "4", "--timeout", "1",
             "--crashes", work.path],
            environment: ["TRIBUTARY_FUZZ_SELFTEST_CRASH": "10", "TRIBUTARY_FUZZ_SELFTEST_HANG": "20"])
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("csv: mutant 10 (seed 4) was a crash"), output)
        XCTAssertTrue(output.contains("csv: mutant 20 (seed 4) was a hang"), output)
        XCTAssertTrue(output.contains(" 1 crashes, 1 hangs"), output)
        let counts = output.components(separatedBy: "s: ").last!.split(separator: " ").compactMap { Int($0) }
        XCTAssertEqual(counts.count, 4, output)                // accepted, refused, crashes, hangs
        XCTAssertEqual(counts[0] + counts[1], 38, output)      // the 38 other mutants, each parsed once
        let saved = try FileManager.default.contentsOfDirectory(atPath: work.path).sorted()
        XCTAssertEqual(saved, ["csv-seed4-10-crash.csv", "csv-seed4-20-hang.csv"])
        let seedFiles = try FileManager.default.contentsOfDirectory(atPath: seeds + "/csv").sorted()
        let mutator = Mutator(seeds: try seedFiles.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: seeds + "/csv/" + $0))) },
                              format: "csv", seed: 4)
        XCTAssertEqual([UInt8](try Data(contentsOf: work.appendingPathComponent(saved[0]))), mutator.mutant(index: 10))
    }
}
