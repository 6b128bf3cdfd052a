import ArgumentParser
import Core
import Distributed
import Foundation
import LinearAlgebra
import Storage

/// `tributary selftest`: proves that this build and this launch work before a long job is trusted to them.
///
/// 1. Every collective across the ranks it runs on (`CollectiveSelfTest`: all-reduce sum/max/min for each
///    element type, broadcast, gather, all-gather(v), scatter(v), barrier, a count mismatch that must throw),
///    and an ordered reduction whose bits are printed (`ordered-reduction bits: …`) so runs at different rank
///    counts can be compared (Tests/smoke/mpi-smoke.sh does).
/// 2. An HDF5 round trip through the real artifact path: every rank writes its part file atomically
///    (Float/Double/Int32/Int64/UInt8 datasets, strings, header), rank 0 stitches the master from virtual
///    datasets and reads every value back, checking the header.
///
/// Exits non-zero when any check fails on any rank.
struct Selftest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Check every MPI collective and an HDF5 round trip across the ranks this runs on.")

    @Option(help: "Folder for the temporary HDF5 files (removed afterwards).")
    var directory = FileManager.default.temporaryDirectory.path

    @Flag(help: "Keep the HDF5 files instead of removing them (to inspect with h5dump or h5py).")
    var keep = false

    @Option(help: "Run the collective checks this many times (a soak of the launch; each round prints its report).")
    var rounds = 1

    @OptionGroup var job: JobOptions

    func validate() throws {
        guard rounds >= 1 else { throw ValidationError("--rounds \(rounds) must be at least 1") }
    }

    func run() throws {
        let passed = job.run { comm -> Bool in
            var report = CollectiveSelfTest.run(communicator: comm)
            for round in 1 ..< rounds where report.passed {
                comm.log0("round \(round + 1)/\(rounds)")
                report = CollectiveSelfTest.run(communicator: comm)
            }
            for line in report.lines { comm.log0(line) }
            let storage = try storageRoundTrip(comm)
            comm.log0("\(storage.passed ? "PASS" : "FAIL")  hdf5 part files + stitched master: \(storage.detail)")
            let ok = report.passed && storage.passed
            comm.log0("selftest: \(ok ? "passed" : "FAILED") on \(comm.size) rank(s)")
            return ok
        }
        if !passed { throw ExitCode.failure }
    }

    /// Rows each rank writes: rank r writes r + 2 rows, so parts differ in length.
    private static func rows(rank: Int) -> Int { rank + 2 }

    /// The value at global row i, column j: the same formula on every rank, checked after stitching.
    private static func value(row i: Int, column j: Int) -> Float { Float(i) * 10 + Float(j) + 0.25 }

    private func storageRoundTrip(_ comm: any Communicator) throws -> (passed: Bool, detail: String) {
        // Distributed: rank 0 makes the folder and broadcasts its name.
        var folder = ""
        if comm.isRoot {
            folder = directory + "/tributary-selftest-\(getpid())"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        folder = try comm.broadcast(folder, root: 0)
        defer { if comm.isRoot && !keep { try? FileManager.default.removeItem(atPath: folder) } }
        if keep { comm.log0("keeping the selftest files in \(folder)") }

        let header = ArtifactHeader(stage: "selftest", version: 1, parameters: ["ranks": .int(comm.size)])
        let parts = PartFiles(master: folder + "/selftest.h5", count: comm.size)
        let first = (0 ..< comm.rank).map(Self.rows).reduce(0, +)
        let count = Self.rows(rank: comm.rank)
        let columns = 3
        try parts.writePart(rank: comm.rank) { file in
            try header.write(to: file)
            let floats = (0 ..< count * columns).map { Self.value(row: first + $0 / columns, column: $0 % columns) }
            try file.write(floats, shape: [count, columns], to: "float32")
            try file.write(floats.map(Double.init), shape: [count, columns], to: "float64")
            try file.write((0 ..< count).map { Int32(first + $0) }, shape: [count], to: "int32")
            try file.write((0 ..< count).map { Int64(first + $0) * 1_000_000_007 }, shape: [count], to: "int64")
            try file.write((0 ..< count).map { UInt8((first + $0) % 256) }, shape: [count], to: "uint8")
            try file.writeStrings((0 ..< count).map { "row \(first + $0) · rank \(comm.rank)" }, to: "names")
        }
        try comm.barrier()  // Distributed: every part is complete before rank 0 stitches
        var failures: [String] = []
        if comm.isRoot {
            try parts.stitch(datasets: ["float32", "float64", "int32", "int64", "uint8"], header: header)
            let master = try HDF5File.open(path: parts.master)
            _ = try ArtifactHeader.check(master, stage: "selftest", version: 1)
            let total = (0 ..< comm.size).map(Self.rows).reduce(0, +)
            let (floats, shape) = try master.read("float32", as: Float.self)
            if shape != [total, columns] { failures.append("float32 shape \(shape), expected [\(total), \(columns)]") }
            let expected = (0 ..< total * columns).map { Self.value(row: $0 / columns, column: $0 % columns) }
            if floats != expected { failures.append("float32 values differ") }
            if try master.read("float64", as: Double.self).values != expected.map(Double.init) {
                failures.append("float64 values differ")
            }
            if try master.read("int32", as: Int32.self).values != (0 ..< total).map(Int32.init) {
                failures.append("int32 values differ")
            }
            if try master.read("int64", as: Int64.self).values != (0 ..< total).map({ Int64($0) * 1_000_000_007 }) {
                failures.append("int64 values differ")
            }
            if try master.read("uint8", as: UInt8.self).values != (0 ..< total).map({ UInt8($0 % 256) }) {
                failures.append("uint8 values differ")
            }
            let rows = try master.readRows("float32", rows: 1 ..< total, as: Float.self).values
            if rows != Array(expected[columns...]) { failures.append("row-range read differs: \(rows.prefix(6)) vs \(expected[columns...].prefix(6))") }
            let lastPart = try HDF5File.open(path: parts.partPath(rank: comm.size - 1))
            let lastFirst = total - Self.rows(rank: comm.size - 1)
            if try lastPart.readStrings("names").first != "row \(lastFirst) · rank \(comm.size - 1)" {
                failures.append("strings differ")
            }
        }
        // Distributed: every rank learns the verdict, so every rank exits with the same code.
        var verdict = [failures.isEmpty ? 1 : 0]
        try comm.broadcast(&verdict, root: 0)
        let detail = failures.isEmpty ? "\(comm.size) part(s), 5 dtypes + strings read back" : failures.joined(separator: "; ")
        return (verdict[0] == 1, detail)
    }
}
