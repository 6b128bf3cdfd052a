import Foundation
import TestSupport
import XCTest

extension XCTestCase {
    /// Runs the built `tributary` (beside the test bundle: SwiftPM builds it with the tests) as a world of one —
    /// MPI launcher variables removed — with `extra` added to the environment; returns its exit status and its
    /// standard output and error together.
    func runTributary(
        _ arguments: [String], environment extra: [String: String] = [:],
        file: StaticString = #filePath, line: UInt = #line
    ) throws -> (status: Int32, output: String) {
        let binary = Bundle.main.bundleURL.appendingPathComponent("tributary").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            XCTFail("\(binary) is missing: build the package (swift build --build-tests) before the tests", file: file, line: line)
            return (-1, "")
        }
        var environment = ProcessInfo.processInfo.environment
        for name in ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"] { environment[name] = nil }
        environment.merge(extra) { $1 }
        return try runProcess(binary, arguments, environment: environment)
    }

    /// mpirun's path, if it is on PATH.
    var mpirunPath: String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/mpirun" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs the built `tributary` under `mpirun -np ranks` (oversubscribed, unbound) with `extra` added to the
    /// environment and forwarded to every rank; nil when mpirun is not on PATH.
    func runTributaryUnderMpirun(ranks: Int, _ arguments: [String], environment extra: [String: String] = [:]) throws
        -> (status: Int32, output: String)? {
        guard let mpirun = mpirunPath else { return nil }
        let binary = Bundle.main.bundleURL.appendingPathComponent("tributary").path
        let forward = extra.keys.sorted().flatMap { ["-x", $0] }
        return try runProcess(mpirun, ["-np", "\(ranks)", "--oversubscribe", "--bind-to", "none"] + forward + [binary] + arguments,
                              environment: mpirunEnvironment(extra))
    }

    /// The environment of a test's `mpirun`: this process's without the launcher variables of an enclosing job,
    /// root allowed, no openib transport, 1 OpenBLAS thread, plus `extra`.
    func mpirunEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        for name in environment.keys where name.hasPrefix("OMPI_COMM_WORLD") || name.hasPrefix("PMIX_") || name == "PMI_RANK" {
            environment[name] = nil
        }
        environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        environment["OMPI_MCA_btl"] = "^openib"
        environment["OPENBLAS_NUM_THREADS"] = "1"
        environment.merge(extra) { $1 }
        return environment
    }
}
