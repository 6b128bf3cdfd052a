import Foundation
import Runner
import Stages
import TestSupport
import XCTest

/// Two `tributary run`s into one output folder raced (one died with "models.h5 is missing after its stage
/// finished"). Rank 0 now holds an `flock` on `OUT/.lock` for the whole run: a second run stops at once naming
/// the holder, a dead run's lock file blocks nothing, and under MPI a refused rank 0 aborts the job.
final class RunLockTests: XCTestCase {
    static let binary = Bundle.main.bundleURL.appendingPathComponent("tributary").path

    /// A small config: a synthetic dataset and one Fisher-vector stage.
    func writeConfig(_ folder: URL, count: Int = 4) throws -> String {
        let json = """
            {"out": "\(folder.path)/out", "datasets": {"img": {"kind": "synthetic", "count": \(count), "width": 24, "height": 24, "seed": 1}},
             "stages": [{"name": "fv", "type": "fisher", "dataset": "img",
                         "params": {"components": 2, "pca_dims": 4, "sample_size": 100, "iterations": 2}}]}
            """
        let path = folder.appendingPathComponent("cfg.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func environment() -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in environment.keys where name.hasPrefix("OMPI_COMM_WORLD") || name.hasPrefix("PMIX_") || name == "PMI_RANK" {
            environment[name] = nil
        }
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        return environment
    }

    func testASecondRunIntoTheSameFolderFailsNamingTheHolder() throws {
        let folder = try makeTemporaryDirectory("run-lock")
        let config = try writeConfig(folder, count: 12)
        let lockPath = folder.path + "/out/.lock"
        // Run A: stopped (SIGSTOP) as soon as it holds the lock, so run B certainly starts while A runs.
        let first = Process()
        first.executableURL = URL(fileURLWithPath: Self.binary)
        first.arguments = ["run", config]
        first.environment = environment()
        let firstOutput = Pipe()
        first.standardOutput = firstOutput
        first.standardError = firstOutput
        try first.run()
        let holder = "pid \(first.processIdentifier) on host"
        var locked = false
        for _ in 0 ..< 12_000 where !locked {
            locked = ((try? String(contentsOfFile: lockPath, encoding: .utf8)) ?? "").contains("pid \(first.processIdentifier)\n")
            if !locked { usleep(1_000) }
        }
        XCTAssertTrue(locked, "run A never wrote its lock record")
        kill(first.processIdentifier, SIGSTOP)
        XCTAssertTrue(first.isRunning, "run A finished before it could be paused; make its config larger")

        let second = try runProcess(Self.binary, ["run", config], environment: environment())
        kill(first.processIdentifier, SIGCONT)
        let firstText = String(decoding: firstOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        first.waitUntilExit()

        XCTAssertNotEqual(second.status, 0, second.output)
        XCTAssertTrue(second.output.contains("\(folder.path)/out is in use by another `tributary run`"), second.output)
        XCTAssertTrue(second.output.contains(holder), second.output)
        XCTAssertTrue(second.output.contains("choose another \"out\" folder"), second.output)
        XCTAssertEqual(first.terminationStatus, 0, "run A is undisturbed by B:\n" + firstText)
        // After A, the folder is free again: a rerun skips the finished stage.
        let third = try runProcess(Self.binary, ["run", config], environment: environment())
        XCTAssertEqual(third.status, 0, third.output)
        XCTAssertTrue(third.output.contains("unchanged, skipped"), third.output)
    }

    func testALockFileLeftByADeadRunDoesNotBlock() throws {
        let folder = try makeTemporaryDirectory("run-lock-stale")
        let config = try writeConfig(folder)
        // A killed run leaves its record but no flock (the kernel drops it with the process).
        let dead = Process()
        dead.executableURL = URL(fileURLWithPath: "/bin/true")
        try dead.run()
        dead.waitUntilExit()
        try FileManager.default.createDirectory(atPath: folder.path + "/out", withIntermediateDirectories: true)
        try Data("pid \(dead.processIdentifier)\nhost \(ProcessInfo.processInfo.hostName)\nstarted then\n".utf8)
            .write(to: URL(fileURLWithPath: folder.path + "/out/.lock"))
        let result = try runProcess(Self.binary, ["run", config], environment: environment())
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertFalse(result.output.contains("in use"), result.output)
    }

    func testAnInProcessHolderIsNamedAndReleasedOnReturn() throws {
        let folder = try makeTemporaryDirectory("run-lock-api").path
        let lock = try OutputLock.acquire(folder: folder)
        XCTAssertThrowsError(try runProcessExpectingLock(folder))
        XCTAssertThrowsError(try OutputLock.acquire(folder: folder)) { error in
            // flock locks belong to an open file: a second open in the same process is refused too.
            guard case let .outputLocked(f, holder)? = error as? RunnerError else { return XCTFail("\(error)") }
            XCTAssertEqual(f, folder)
            XCTAssertTrue(holder.hasPrefix("pid \(getpid()) on host "), holder)
        }
        lock.release()
        XCTAssertNoThrow(try OutputLock.acquire(folder: folder).release())
    }

    /// Locks `folder` in a child (`flock` from the shell), expecting it to be refused: throws when it is.
    func runProcessExpectingLock(_ folder: String) throws {
        let result = try runProcess("/usr/bin/flock", ["-n", folder + "/.lock", "true"])
        if result.status != 0 { throw RunnerError.outputLocked(folder: folder, holder: "test") }
    }

    func testUnderMPIARefusedRankZeroAbortsTheJobInsteadOfHanging() throws {
        let mpirun = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
            .map { "\($0)/mpirun" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let mpirun else { throw XCTSkip("needs mpirun (install openmpi-bin)") }
        let folder = try makeTemporaryDirectory("run-lock-mpi")
        let config = try writeConfig(folder)
        try FileManager.default.createDirectory(atPath: folder.path + "/out", withIntermediateDirectories: true)
        let lock = try OutputLock.acquire(folder: folder.path + "/out")
        defer { lock.release() }
        // `timeout` turns a hang into status 124 instead of a stuck test.
        let result = try runProcess("/usr/bin/timeout", ["120", mpirun, "-np", "2", "--oversubscribe", "--bind-to", "none",
                                                         Self.binary, "run", config], environment: environment())
        XCTAssertNotEqual(result.status, 124, "the job hung:\n" + result.output)
        XCTAssertNotEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("[rank 0]") && result.output.contains("pid \(getpid()) on host"), result.output)
    }
}
