import Foundation
import TestSupport
import XCTest

/// The CLI's text and exit codes are part of its contract: these tests run the built `tributary` binary.
final class CLITests: XCTestCase {
    private func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try runTributary(arguments)
    }

    func testVersion() throws {
        let (status, output) = try run(["--version"])
        XCTAssertEqual(status, 0)
        let lines = output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "0.1.0")
        // Line 2: the hand-written kernels' level and what the CPU supports (baseline always).
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines.last?.hasPrefix("kernels: ") ?? false, output)
        XCTAssertTrue(lines.last?.contains("supported: baseline") ?? false, output)
    }

    /// TRIBUTARY_ISA picks the kernels' level; an unknown one is a usage error naming the variable and the fix.
    func testKernelLevelOverride() throws {
        let (status, output) = try runTributary(["--version"], environment: ["TRIBUTARY_ISA": "baseline"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("kernels: baseline (supported: baseline"), output)
        let (bad, message) = try runTributary(["--version"], environment: ["TRIBUTARY_ISA": "sse9"])
        XCTAssertEqual(bad, 64, message)  // a usage error (EX_USAGE), not a crash
        XCTAssertTrue(message.hasPrefix("Error: "), message)
        XCTAssertTrue(message.contains("TRIBUTARY_ISA=sse9 is not a kernel level"), message)
        XCTAssertTrue(message.contains("baseline, avx2, avx512"), message)
    }

    func testHelpListsTheSubcommands() throws {
        let (status, output) = try run(["--help"])
        XCTAssertEqual(status, 0)
        for expected in ["USAGE: tributary <subcommand>", "selftest", "bench", "mpirun -np N tributary"] {
            XCTAssertTrue(output.contains(expected), "--help lacks \"\(expected)\":\n\(output)")
        }
        let bench = try run(["bench", "--help"])
        for expected in ["gemm", "allreduce", "hdf5"] { XCTAssertTrue(bench.output.contains(expected), bench.output) }
    }

    func testSelftestPassesInAWorldOfOne() throws {
        let (status, output) = try run(["selftest"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("collectives: 36/36 checks passed on 1 rank(s)"), output)
        XCTAssertTrue(output.contains("ordered-reduction bits: "), output)
        XCTAssertTrue(output.contains("PASS  hdf5 part files + stitched master"), output)
        XCTAssertTrue(output.contains("selftest: passed on 1 rank(s)"), output)
    }

    func testSelftestFailsClearlyOnAnUnwritableFolder() throws {
        let (status, output) = try run(["selftest", "--directory", "/proc/tributary-cannot-write-here"])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(output.contains("[rank 0]"), output)
        XCTAssertTrue(output.contains("/proc/tributary-cannot-write-here"), output)
    }

    func testBenchGemmReportsAVerifiedFigure() throws {
        let (status, output) = try run(["bench", "gemm", "--size", "96", "--repeats", "2", "--threads", "1"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("RESULT {\"impl\":\"tributary BLAS.gemm sgemm 96\""), output)
        XCTAssertTrue(output.contains("1 rank(s) × 1 BLAS thread(s)"), output)
    }

    func testInvalidFlagsAreValidationErrors() throws {
        let zero = try run(["bench", "gemm", "--size", "0"])
        XCTAssertEqual(zero.status, 64, "EX_USAGE for bad flags")
        XCTAssertTrue(zero.output.contains("--size must be positive, got 0"), zero.output)
        let unknown = try run(["no-such-stage"])
        XCTAssertNotEqual(unknown.status, 0)
    }
}
