import Foundation
import TestSupport
import XCTest

/// A stalled rank does not hang the job: one rank of a 2-rank `tributary selftest --rounds …` is stopped with
/// SIGSTOP; the other waits in a collective with little CPU, then prints the watchdog's message and the job exits
/// non-zero within the timeout plus a few seconds.
final class StallWatchdogCLITests: XCTestCase {
    func testAStoppedRankAbortsTheJobAfterTheStallTimeout() throws {
        guard let mpirun = mpirunPath else { throw XCTSkip("mpirun is not on PATH") }
        let binary = Bundle.main.bundleURL.appendingPathComponent("tributary").path
        let environment = mpirunEnvironment(["TRIBUTARY_STALL_TIMEOUT": "4"])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mpirun)
        process.arguments = ["-np", "2", "--oversubscribe", "--bind-to", "none", "-x", "TRIBUTARY_STALL_TIMEOUT",
                             binary, "selftest", "--rounds", "1000000"]
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let output = LockedText()
        pipe.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData) }
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        // Both ranks are past MPI_Init and inside the collective loop once rank 0 announces round 3.
        let ready = Date().addingTimeInterval(60)
        while !output.text.contains("round 3/"), process.isRunning, Date() < ready { usleep(20_000) }
        XCTAssertTrue(output.text.contains("round 3/"), output.text)
        let ranks = try runProcess("/usr/bin/pgrep", ["-P", "\(process.processIdentifier)"]).output
            .split(separator: "\n").compactMap { Int32($0.trimmingCharacters(in: .whitespaces)) }.sorted()
        XCTAssertEqual(ranks.count, 2, "children of mpirun: \(ranks)")
        guard ranks.count == 2 else { return }
        let (stopped, waiting) = (ranks[1], ranks[0])
        kill(stopped, SIGSTOP)
        let stoppedAt = Date()
        defer { kill(stopped, SIGKILL) }

        usleep(500_000)
        let before = try Self.cpuSeconds(waiting)
        usleep(2_000_000)
        let used = try Self.cpuSeconds(waiting) - before
        print("StallWatchdogCLITests: the waiting rank used \(used) s of CPU in 2 s")

        while process.isRunning, Date().timeIntervalSince(stoppedAt) < 30 { usleep(50_000) }
        let elapsed = Date().timeIntervalSince(stoppedAt)
        XCTAssertFalse(process.isRunning, "the job still runs \(elapsed) s after a rank was stopped")
        if process.isRunning {  // a hang: end the job ourselves, so the test fails instead of waiting for ever
            for pid in ranks { kill(pid, SIGKILL) }
            kill(process.processIdentifier, SIGKILL)
            return
        }
        process.waitUntilExit()
        usleep(200_000)
        XCTAssertNotEqual(process.terminationStatus, 0, output.text)
        XCTAssertLessThan(elapsed, 4 + 8, "exit \(elapsed) s after the stop, timeout 4 s")
        XCTAssertTrue(output.text.contains("no progress for 4 s in"), output.text)
        XCTAssertTrue(output.text.contains("a rank stalled or died: check the other ranks' logs, or raise --stall-timeout"), output.text)
        // A waiting rank sleeps in every collective, the Float/Double allReduce's data included (rank-order
        // reduce-scatter + all-gather, both polled with a back-off).
        XCTAssertLessThan(used, 0.5, "the waiting rank used \(used) s of CPU in 2 s: it spins instead of sleeping")
    }

    /// utime + stime of `pid` in seconds (/proc/<pid>/stat fields 14 and 15, in clock ticks).
    static func cpuSeconds(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = stat[stat.range(of: ")")!.upperBound...].split(separator: " ")
        // fields[0] is field 3 (state); utime is field 14, stime field 15.
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (Double(fields[11])! + Double(fields[12])!) / ticks
    }
}

/// Text appended from a pipe's reading thread and read from the test's thread.
final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func append(_ more: Data) { lock.withLock { data.append(more) } }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}
