import Foundation
import Storage
import XCTest

extension XCTestCase {
    /// A fresh folder under the system temp folder, removed when the test ends.
    func makeTemporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("tributary-storage-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// Asserts `body` throws a `StorageError` that `matches` accepts and whose message mentions `mentions`
    /// (usually the file name) — every Storage message must name its file.
    func assertStorageError<R>(
        _ body: @autoclosure () throws -> R, mentions: String, file: StaticString = #filePath, line: UInt = #line,
        _ matches: (StorageError) -> Bool
    ) {
        do {
            _ = try body()
            XCTFail("expected a StorageError, nothing was thrown", file: file, line: line)
        } catch let error as StorageError {
            XCTAssertTrue(matches(error), "unexpected case: \(error)", file: file, line: line)
            XCTAssertTrue(error.description.contains(mentions),
                          "message does not mention \(mentions): \(error)", file: file, line: line)
        } catch {
            XCTFail("expected a StorageError, got \(error)", file: file, line: line)
        }
    }

    /// The files in `directory` (names only, sorted).
    func listing(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }
}

/// Deterministic test values of any element type: 0, 1, 2 … wrapped into the type's range, with a
/// fractional part for floating types so a truncating conversion would be caught.
func sampleValues<T: HDF5Element>(_ count: Int, as type: T.Type) -> [T] {
    (0..<count).map { index -> T in
        switch T.hdf5Kind {
        case .float32, .float16: return Float(index) * 0.5 - 3.25 as! T
        case .float64: return Double(index) * 0.25 - 1e10 as! T
        case .int32: return Int32(index * 7 - 100) as! T
        case .int64: return Int64(index) * 3_000_000_000 - 7 as! T
        case .uint8: return UInt8(truncatingIfNeeded: index * 13) as! T
        }
    }
}
