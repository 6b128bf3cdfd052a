import Core

/// Reads every part of an HDF5 file that libhdf5 parses as metadata, so that a corrupt or hostile file crashes or
/// hangs *this* process (a child: `HDF5Preflight`) rather than the job that wants the file.
///
/// Where libhdf5 1.10.8 crashed on mutated Tributary files (issue 17): the global heap that holds variable-length
/// strings (`H5HG_read`, a loop in `H5HG__protect`), and the object-header and attribute code (`H5O_close`,
/// `H5A__close`). So the walk visits, breadth-first from `/`, every group and dataset (at most `maximumObjects`,
/// depth at most `maximumDepth`, which also ends a walk around a hard-link cycle), and for each object:
/// 1. reads every attribute's value (strings included: the global heap);
/// 2. for a dataset: its type and shape, then its values: the whole dataset when it is at most `readLimit`
///    bytes, else the first and last row when one row is at most `readLimit` bytes (the chunk index is walked
///    from both ends), else none. A string dataset is read whole when its `count` pointers fit `readLimit`.
///    So the walk never allocates more than about `readLimit` for values, whatever shape the file declares.
///
/// A typed error (`StorageError`, `MemoryBudgetError`) on one object is counted and the walk goes on: the reader
/// in the parent will meet the same error and report it; the walk's only job is to survive, or not.
public struct HDF5WalkSummary: Sendable, Equatable, CustomStringConvertible {
    public var groups = 0, datasets = 0, attributes = 0, bytesRead = 0
    /// Typed errors met (each object whose attribute or data could not be read cleanly).
    public var errors: [String] = []

    public var description: String {
        "\(groups) groups, \(datasets) datasets, \(attributes) attributes, \(bytesRead) bytes read, \(errors.count) errors"
    }
}

extension HDF5File {
    /// The most objects and the deepest group a walk visits.
    public static let maximumObjects = 100_000, maximumDepth = 64

    /// Walks the file at `path` as described above; never throws (a file that does not open is one error).
    public static func walk(path: String, readLimit: Int) -> HDF5WalkSummary {
        var summary = HDF5WalkSummary()
        let file: HDF5File
        do { file = try open(path: path) } catch {
            summary.errors.append("\(error)")
            return summary
        }
        defer { try? file.close() }
        var queue: [(path: String, depth: Int)] = [("/", 0)]
        var next = 0
        while next < queue.count, summary.groups + summary.datasets < maximumObjects {
            let (object, depth) = queue[next]
            next += 1
            file.walkAttributes(of: object, into: &summary)
            if object != "/", file.isDataset(object) {
                summary.datasets += 1
                file.walkValues(of: object, readLimit: readLimit, into: &summary)
                continue
            }
            summary.groups += 1
            guard depth < maximumDepth else { continue }
            do {
                for child in try file.children(of: object) {
                    queue.append(((object == "/" ? "" : object) + "/" + child, depth + 1))
                }
            } catch {
                summary.errors.append("\(error)")
            }
        }
        return summary
    }

    private func walkAttributes(of object: String, into summary: inout HDF5WalkSummary) {
        do {
            for name in try attributeNames(of: object) {
                summary.attributes += 1
                do { _ = try attributeValue(name, of: object) } catch { summary.errors.append("\(error)") }
            }
        } catch {
            summary.errors.append("\(error)")
        }
    }

    private func walkValues(of name: String, readLimit: Int, into summary: inout HDF5WalkSummary) {
        do {
            let shape = try shape(of: name)
            guard let kind = try elementKind(of: name) else {
                guard MemoryBudget.product(shape + [MemoryLayout<UnsafeRawPointer>.stride]) <= readLimit else { return }
                summary.bytesRead += try readStrings(name).reduce(0) { $0 + $1.utf8.count }
                return
            }
            switch kind {
            case .float32, .float16: summary.bytesRead += try walkRead(name, Float.self, shape: shape, readLimit: readLimit)
            case .float64: summary.bytesRead += try walkRead(name, Double.self, shape: shape, readLimit: readLimit)
            case .int32: summary.bytesRead += try walkRead(name, Int32.self, shape: shape, readLimit: readLimit)
            case .int64: summary.bytesRead += try walkRead(name, Int64.self, shape: shape, readLimit: readLimit)
            case .uint8: summary.bytesRead += try walkRead(name, UInt8.self, shape: shape, readLimit: readLimit)
            }
        } catch {
            summary.errors.append("\(error)")
        }
    }

    /// Reads dataset `name` whole when it fits `readLimit`, else its first and last row; returns the bytes read.
    private func walkRead<T: HDF5Element>(_ name: String, _ type: T.Type, shape: [Int], readLimit: Int) throws -> Int {
        let bytes = MemoryBudget.product(shape + [MemoryLayout<T>.stride])
        if bytes <= readLimit { return try read(name, as: T.self).values.count * MemoryLayout<T>.stride }
        guard let rows = shape.first, rows > 0,
              MemoryBudget.product(shape.dropFirst() + [MemoryLayout<T>.stride]) <= readLimit else { return 0 }
        let first = try readRows(name, rows: 0..<1, as: T.self)
        let last = try readRows(name, rows: (rows - 1)..<rows, as: T.self)
        return (first.values.count + last.values.count) * MemoryLayout<T>.stride
    }
}
