import Core
import Datasets
import Foundation
import LabelGraphJoining
import LabelGraphs
import Runner
import StageRegistry
import Storage
import Synchronization

/// The formats `tributary fuzz` mutates, and the parser each one goes through.
enum FuzzFormat: String, CaseIterable {
    case png, jpeg, tar, targz, csv, graph, config, hdf5

    var fileExtension: String {
        switch self {
        case .targz: return "tar.gz"
        case .config: return "json"
        case .hdf5: return "h5"
        default: return rawValue
        }
    }

    /// The mutator over the files in `seeds/<format>/` (sorted by name).
    static func mutator(_ format: FuzzFormat, seeds folder: String, seed: UInt64) throws -> Mutator {
        let directory = "\(folder)/\(format.rawValue)"
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        let inputs = names.compactMap { FileManager.default.contents(atPath: "\(directory)/\($0)").map { [UInt8]($0) } }
        guard !inputs.isEmpty else {
            throw FuzzError.noSeeds(folder: directory)
        }
        return Mutator(seeds: inputs, format: format.rawValue, seed: seed)
    }
}

enum FuzzError: Error, CustomStringConvertible {
    case noSeeds(folder: String)

    var description: String {
        switch self {
        case let .noSeeds(folder):
            return "fuzz: no seed inputs in \(folder); pass --seeds with a folder holding one subfolder of valid files per format (see Tests/fuzz-seeds)"
        }
    }
}

/// Position and counts of a worker, rewritten before each mutant (5 little-endian Int64).
struct FuzzProgress {
    var index: Int, accepted = 0, refused = 0, containedCrashes = 0, containedHangs = 0

    init(index: Int) { self.index = index }

    init?(contentsOf path: String) {
        guard let data = FileManager.default.contents(atPath: path), data.count == 40 else { return nil }
        let values = data.withUnsafeBytes { raw in (0 ..< 5).map { Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))) } }
        (index, accepted, refused, containedCrashes, containedHangs) = (values[0], values[1], values[2], values[3], values[4])
    }

    func write(to path: String) {
        var bytes = [UInt8]()
        for value in [index, accepted, refused, containedCrashes, containedHangs] {
            withUnsafeBytes(of: Int64(value).littleEndian) { bytes += $0 }
        }
        let descriptor = open(path, O_WRONLY | O_CREAT, 0o644)
        guard descriptor >= 0 else { return }
        _ = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, 40, 0) }
        close(descriptor)
    }
}

/// Parses mutants `range` of one format in this process and records each outcome in the progress file. A
/// watchdog thread ends the process with `hangStatus` when one mutant takes longer than `timeout`.
struct FuzzWorker {
    static let hangStatus: Int32 = 3
    static let addressSpaceCap = 2 << 30
    /// When the current mutant started (ms on the monotonic clock), for the watchdog thread.
    static let startedAt = Atomic<Int64>(0)
    let format: FuzzFormat
    let mutator: Mutator
    let progressPath: String
    let timeout: Double
    /// Keeps a mutant whose libhdf5 crash or hang the preflight contained (bytes, "contained-crash"/"-hang", index).
    let saveContained: ([UInt8], String, Int) -> Void

    func run(_ range: Range<Int>) {
        let scratchBase = NSTemporaryDirectory() + "tributary-fuzz-\(getpid())"
        // A parser that allocates past the cap dies (counted as a crash): no mutant may fill the node.
        ChildProcess.capAddressSpace(bytes: Self.addressSpaceCap)
        let budget = MemoryBudget(bytes: 256 << 20, origin: "fuzz worker")
        if format == .hdf5 {
            HDF5Preflight.enable(HDF5Preflight(command: [ChildProcess.currentExecutable, "check-hdf5"], timeout: timeout / 2))
        }
        Self.startedAt.store(Int64(ChildProcess.now() * 1000), ordering: .relaxed)
        startWatchdog()
        var progress = FuzzProgress(index: range.lowerBound)
        let selfTest = SelfTest()
        for index in range {
            progress.index = index
            progress.write(to: progressPath)
            Self.startedAt.store(Int64(ChildProcess.now() * 1000), ordering: .relaxed)
            selfTest.act(at: index)
            let bytes = mutator.mutant(index: index)
            let scratch = "\(scratchBase)-\(index).\(format.fileExtension)"
            defer { discard(scratch) }
            do {
                try MemoryBudget.$current.withValue(budget) { try parse(bytes, scratch: scratch) }
                progress.accepted += 1
            } catch let StorageError.unsafeHDF5(_, reason) {
                let hang = reason.contains("hang")
                if hang { progress.containedHangs += 1 } else { progress.containedCrashes += 1 }
                saveContained(bytes, hang ? "contained-hang" : "contained-crash", index)
            } catch {
                progress.refused += 1
            }
        }
        progress.index = range.upperBound
        progress.write(to: progressPath)
    }

    /// Deletes a mutant's scratch file (one name per mutant, so a saved crash is never overwritten by the next).
    private func discard(_ scratch: String) {
        unlink(scratch)
    }

    /// The harness's own check (`HostileHDF5CLITests`): `TRIBUTARY_FUZZ_SELFTEST_CRASH=i` / `…_HANG=j` make the
    /// worker die by SIGSEGV at mutant i / stop at mutant j, so a test can see both detected, counted and skipped.
    struct SelfTest {
        let crashAt = ProcessInfo.processInfo.environment["TRIBUTARY_FUZZ_SELFTEST_CRASH"].flatMap { Int($0) }
        let hangAt = ProcessInfo.processInfo.environment["TRIBUTARY_FUZZ_SELFTEST_HANG"].flatMap { Int($0) }

        func act(at index: Int) {
            // A real invalid write: `raise(SIGSEGV)` returns once Swift's crash handler has printed its backtrace.
            if index == crashAt { UnsafeMutablePointer<Int>(bitPattern: 8)!.pointee = 1 }
            if index == hangAt { while true { sleep(60) } }
        }
    }

    private func startWatchdog() {
        let limit = Int64(timeout * 1000)
        let thread = Thread {
            while true {
                usleep(100_000)
                if Int64(ChildProcess.now() * 1000) - FuzzWorker.startedAt.load(ordering: .relaxed) > limit { _exit(FuzzWorker.hangStatus) }
            }
        }
        thread.start()
    }

    /// The real parser of each format; a thrown error is a clean refusal.
    private func parse(_ bytes: [UInt8], scratch: String) throws {
        if [.tar, .targz, .graph, .config, .hdf5].contains(format) {
            _ = FileManager.default.createFile(atPath: scratch, contents: Data(bytes))
        }
        switch format {
        case .png, .jpeg:
            _ = try ImageDecoder.decode(bytes, name: scratch)
        case .tar, .targz:
            let reader = try TarReader(contentsOfFile: scratch)
            while let entry = try reader.next() { _ = try reader.contents(of: entry) }
            let archive = try TarArchive(bytes: format == .tar ? bytes : try Gzip.decompress(bytes, name: scratch), name: scratch)
            for entry in archive.entries { _ = archive.contents(of: entry) }
        case .csv:
            _ = try? LabelsTable.parse(bytes, name: scratch)  // a labels CSV (filename,label) when it is one
            _ = try CSVTable.parse(bytes, name: scratch)
        case .graph:
            _ = try LabelGraph.read(file: scratch)
        case .config:
            _ = try RunnerConfig.load(scratch, stageTypes: StageRegistry.all)
        case .hdf5:
            HDF5Preflight.forgetTrusted()
            let file = try HDF5File.open(path: scratch)  // the preflight child first: crash/hang → unsafeHDF5
            try file.close()
            let summary = HDF5File.walk(path: scratch, readLimit: HDF5Preflight.defaultReadLimit)
            if !summary.errors.isEmpty { throw StorageError.notHDF5(path: scratch) }
        }
    }
}
