import Foundation
import TestSupport
import XCTest

/// A throwaway folder for manifest tests: write files into it, then remove it.
struct ScratchFolder {
    let url: URL

    init() throws { url = try makeTemporaryDirectory("datasets-manifest") }

    var path: String { url.path }

    /// Writes `contents` to `relative` (creating folders), returns the absolute path.
    @discardableResult
    func write(_ relative: String, _ contents: String = "x") throws -> String {
        let file = url.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: file)
        return file.standardizedFileURL.path
    }

    func makeFolder(_ relative: String) throws {
        try FileManager.default.createDirectory(at: url.appendingPathComponent(relative),
                                                withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Thrown by a test helper that expected an error and got a value (after recording the failure).
struct NoErrorThrown: Error {}
