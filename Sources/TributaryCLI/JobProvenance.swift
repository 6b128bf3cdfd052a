import Core
import Distributed
import Foundation
import LinearAlgebra
import Storage

/// Finds the `Provenance` of a job (see `Provenance` for the fields).
///
/// The build and machine fields are found **before** MPI starts (running `git` is a fork, which Open MPI
/// discourages after `MPI_Init`), and only by the process that will be rank 0 (`OMPI_COMM_WORLD_RANK`,
/// `PMI_RANK`, `SLURM_PROCID` unset or 0); after start-up rank 0's fields are broadcast and every rank's host name
/// is gathered, so every rank holds the same value.
enum JobProvenance {
    /// The environment variables that carry a launched process's rank before `MPI_Init`.
    static let rankVariables = ["OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK", "SLURM_PROCID"]

    /// True unless a launcher says this process is not rank 0.
    static func willBeRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        rankVariables.allSatisfy { environment[$0].map { $0 == "0" } ?? true }
    }

    /// The fields this process can find alone (empty when it will not be rank 0).
    static func local(isRoot: Bool = willBeRoot()) -> [String: HDF5AttributeValue] {
        guard isRoot else { return [:] }
        var fields: [String: HDF5AttributeValue] = [
            "tributary": .string(TributaryVersion.string), "cpu": .string(cpuModel()),
            "blas": .string("\(BLASThreads.configuration), \(BLASThreads.count) thread(s)"),
            "hdf5": .string(HDF5Library.version), "os": .string(operatingSystem()),
            "isa": .string(KernelISA.summary),
        ]
        let (commit, dirty) = sourceCommit()
        fields["commit"] = .string(commit)
        fields["dirty"] = .int(dirty ? 1 : 0)
        return fields
    }

    /// Rank 0's fields on every rank, plus `ranks`, `hosts` and `mpi`.
    static func complete(_ local: [String: HDF5AttributeValue], communicator comm: any Communicator) throws -> Provenance {
        let encoded = comm.isRoot ? local.keys.sorted().map { "\($0)\t\(local[$0]!.lineValue)" }.joined(separator: "\n") : ""
        let text = try comm.broadcast(encoded, root: 0)
        var fields: [String: HDF5AttributeValue] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            fields[parts[0]] = parts[0] == "dirty" ? .int(Int(parts[1]) ?? 0) : .string(parts[1])
        }
        let names = try comm.allGather(Array(TemporaryFiles.hostName.utf8)).map { String(decoding: $0, as: UTF8.self) }
        var counts: [String: Int] = [:]
        for name in names { counts[name, default: 0] += 1 }
        fields["ranks"] = .int(comm.size)
        fields["hosts"] = .strings(counts.keys.sorted().map { "\($0) ×\(counts[$0]!)" })
        fields["mpi"] = .string(World.isLaunchedByMPI() ? MPISession.libraryVersion : "none (one process)")
        return Provenance(fields: fields)
    }

    /// The commit of the source tree the running binary was built in (`.build/…/tributary` → the folder above
    /// `.build` holding `Package.swift`), and whether tracked files differ from it; `unknown` elsewhere.
    static func sourceCommit() -> (commit: String, dirty: Bool) {
        guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            return ("unknown", false)
        }
        var folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) { break }
            folder.deleteLastPathComponent()
        }
        guard folder.path != "/", let head = git(["rev-parse", "HEAD"], in: folder.path) else { return ("unknown", false) }
        let status = git(["status", "--porcelain", "--untracked-files=no"], in: folder.path) ?? ""
        return (head, !status.isEmpty)
    }

    /// `git -C folder ARGS…`'s trimmed output, nil when git is missing or fails.
    static func git(_ arguments: [String], in folder: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", folder] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `/proc/cpuinfo`'s first `model name`, else the machine architecture.
    static func cpuModel() -> String {
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return operatingSystem()
    }

    /// `uname`'s system, release and machine.
    static func operatingSystem() -> String {
        var u = utsname()
        guard uname(&u) == 0 else { return "unknown" }
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return "\(field(u.sysname)) \(field(u.release)) \(field(u.machine))"
    }
}

extension HDF5AttributeValue {
    /// The value as one line of text (for the broadcast of the fields).
    var lineValue: String {
        switch self {
        case let .string(s): return s
        case let .int(i): return String(i)
        default: return "\(self)"
        }
    }
}
