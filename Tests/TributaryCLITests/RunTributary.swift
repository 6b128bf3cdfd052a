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
}
