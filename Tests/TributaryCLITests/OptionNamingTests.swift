import Foundation
import XCTest

/// One meaning per option name across every command (walked from the parser's own description of the whole
/// command tree): a global batch is `--batch-size`, a memory chunk of images is `--chunk-size`, timed repetitions
/// of a benchmark are `--repeats`, and `--out` always names what the command writes.
final class OptionNamingTests: XCTestCase {
    /// (command path, long option name, help) for every option of every command.
    private func allOptions() throws -> [(command: String, name: String, help: String)] {
        let (status, output) = try runTributary(["--experimental-dump-help"])
        XCTAssertEqual(status, 0, output)
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        var found: [(String, String, String)] = []
        func walk(_ command: [String: Any], _ path: [String]) {
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                for name in argument["names"] as? [[String: Any]] ?? [] where name["kind"] as? String == "long" {
                    found.append((path.joined(separator: " "), name["name"] as? String ?? "", argument["abstract"] as? String ?? ""))
                }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] {
                walk(sub, path + [sub["commandName"] as? String ?? "?"])
            }
        }
        walk(try XCTUnwrap(root["command"] as? [String: Any]), [])
        return found
    }

    func testOneNamePerMeaning() throws {
        let options = try allOptions()
        XCTAssertGreaterThan(options.count, 100, "the command tree was not walked")
        for (command, name, help) in options {
            XCTAssertFalse(["repetitions", "passes", "out-dir", "output"].contains(name),
                           "\(command) --\(name): timed repetitions are --repeats, outputs are --out")
            if name == "batch-size" {
                XCTAssertTrue(help.hasPrefix("Global batch size"), "\(command) --batch-size must mean the global batch: \(help)")
            }
            if name == "out" {
                XCTAssertTrue(help.lowercased().contains("writ") || help.lowercased().contains("output"),
                              "\(command) --out must say what the command writes there: \(help)")
            }
        }
        let bench = Set(options.filter { $0.command.hasPrefix("bench ") && $0.name == "repeats" }.map(\.command))
        XCTAssertTrue(bench.isSuperset(of: ["bench gemm", "bench hdf5", "bench svm", "bench bilstm", "bench gru", "bench knn"]),
                      "every timed benchmark takes --repeats: \(bench.sorted())")
    }
}
