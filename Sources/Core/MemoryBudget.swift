#if canImport(Glibc)
import Glibc
#endif

/// The per-rank memory budget: the most bytes ONE allocation sized by input data (an image header's width and
/// height, an HDF5 dataset's declared shape, a synthetic dataset's `count`) may ask for.
///
/// Hostile or mistaken inputs declare sizes that no machine has: a 783 KB PNG of 16384² pixels, an HDF5 file of
/// 10¹² rows, `"count": 1e11`. Allocating first would abort the process ("failed to allocate … bytes") or push
/// the host into swap. Every site where an input-declared size turns into an allocation calls
/// `reserve(bytes:for:purpose:fix:)` first, which throws `MemoryBudgetError` naming the input, what it asked
/// for, what is allowed, and the fix. It is a check, not an allocator: nothing is held or released.
///
/// The budget of a run:
///
/// | source | rule |
/// | --- | --- |
/// | `--memory 4GiB` (any command), `"memory": "4GiB"` (pipeline config) | that many bytes |
/// | default | ½ × usable memory ÷ ranks on this host |
///
/// *Usable memory* is the smallest of physical memory (`sysconf(_SC_PHYS_PAGES) × page size`) and the cgroup
/// limits that are set (`memory.max`, cgroup v1 `memory.limit_in_bytes`) at the mount root and on the process's
/// own cgroup and its ancestors (`/proc/self/cgroup`). *Ranks on this host*
/// come from the launcher (`OMPI_COMM_WORLD_LOCAL_SIZE`, `MPI_LOCALNRANKS`, `SLURM_NTASKS_PER_NODE`), else 1.
/// The half leaves room for what is not input-sized (models, scratch, the page cache, other processes).
///
/// ```swift
/// try MemoryBudget.current.reserve(bytes: width * height * 16, for: path, purpose: "decoding the image",
///                                  fix: "downscale it, or remove it from the manifest")
/// MemoryBudget.$current.withValue(try MemoryBudget(parsing: "512MiB")) { try run() }   // what --memory does
/// ```
public struct MemoryBudget: Sendable, Equatable, CustomStringConvertible {
    /// The most bytes one input-sized allocation may take.
    public var bytes: Int
    /// Where the number comes from, for messages ("--memory 512MiB", "default: ½ of 23.4 GiB ÷ 2 ranks on this host").
    public var origin: String

    public init(bytes: Int, origin: String) {
        self.bytes = bytes
        self.origin = origin
    }

    /// A budget from a size such as `4GiB`, `512MiB`, `1.5G`, `800M`, `65536` (bytes); `origin` names where the
    /// text came from (`--memory`, `memory` in a config).
    public init(parsing text: String, origin: String = "--memory") throws(MemoryBudgetError) {
        guard let bytes = Self.parseSize(text), bytes > 0 else { throw .badSize(text: text, origin: origin) }
        self.init(bytes: bytes, origin: "\(origin) \(text)")
    }

    /// The budget of the current task: `--memory` / the config's `memory` when the command bound one with
    /// `$current.withValue`, else `machineDefault(ranksOnHost: ranksOnThisHost())`.
    @TaskLocal public static var current: MemoryBudget = machineDefault(ranksOnHost: ranksOnThisHost())

    /// Throws `MemoryBudgetError.overBudget` unless `bytes` (use `Int.max` for an overflowed product) fit.
    /// - Parameters:
    ///   - input: the file, dataset or config key that declared the size (the message names it).
    ///   - purpose: what the memory is for ("decoding 16384×16384 pixels").
    ///   - fix: what to do about the input ("downscale it, or remove it from the manifest").
    public func reserve(bytes: Int, for input: String, purpose: String, fix: String) throws(MemoryBudgetError) {
        guard bytes <= self.bytes else {
            throw .overBudget(input: input, purpose: purpose, requested: bytes, allowed: self.bytes, origin: origin, fix: fix)
        }
    }

    /// The product of `factors` (element counts, bytes per element), or `Int.max` when it overflows or a
    /// factor is negative: header numbers are checked, never trapped on.
    public static func product(_ factors: [Int]) -> Int {
        var total = 1
        for factor in factors {
            guard factor >= 0 else { return Int.max }
            let (next, overflow) = total.multipliedReportingOverflow(by: factor)
            if overflow { return Int.max }
            total = next
        }
        return total
    }

    /// `a + b`, saturating at `Int.max`.
    public static func sum(_ terms: [Int]) -> Int {
        terms.reduce(0) { total, term in
            let (next, overflow) = total.addingReportingOverflow(term)
            return overflow ? Int.max : next
        }
    }

    public var description: String { "\(Self.format(bytes)) (\(origin))" }

    // MARK: - The default

    /// The fraction of usable memory the ranks of one host share (see the table above).
    public static let defaultFraction = 0.5

    /// ½ × usable memory ÷ `ranksOnHost`.
    public static func machineDefault(ranksOnHost: Int) -> MemoryBudget {
        let ranks = max(1, ranksOnHost)
        let usable = usableMemory()
        let bytes = max(1, Int(Double(usable.bytes) * defaultFraction) / ranks)
        return MemoryBudget(bytes: bytes, origin: "default: ½ of \(format(usable.bytes)) \(usable.source) ÷ \(ranks) "
                                + "rank\(ranks == 1 ? "" : "s") on this host")
    }

    /// Ranks of this job on this host, from the launcher's environment; 1 without a launcher.
    public static func ranksOnThisHost(environment: (String) -> String? = { getenv($0).map { String(cString: $0) } }) -> Int {
        for name in ["OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_NTASKS_PER_NODE"] {
            if let text = environment(name), let n = Int(text.prefix { $0.isNumber }), n > 0 { return n }
        }
        return 1
    }

    /// min(physical memory, cgroup limits), and which one it is.
    static func usableMemory() -> (bytes: Int, source: String) {
        let physical = max(0, sysconf(Int32(_SC_PHYS_PAGES))) * max(1, sysconf(Int32(_SC_PAGESIZE)))
        return smallestLimit(physical: physical > 0 ? physical : 1 << 30,
                             procSelfCgroup: readTextFile("/proc/self/cgroup") ?? "", readLimit: readSmallFile)
    }

    /// The smallest of `physical` and the limits in `cgroupLimitFiles(procSelfCgroup:)` (`readLimit` reads one
    /// file; "max" and unset v1 limits, 2⁶³ − 4096, are no limit), with where it came from.
    public static func smallestLimit(physical: Int, procSelfCgroup: String,
                                     readLimit: (String) -> String?) -> (bytes: Int, source: String) {
        var best = (bytes: physical, source: "physical memory")
        for path in cgroupLimitFiles(procSelfCgroup: procSelfCgroup) {
            guard let text = readLimit(path), let limit = Int(text), limit > 0, limit < best.bytes else { continue }
            best = (limit, "cgroup memory limit (\(path))")
        }
        return best
    }

    /// The limit files that bound this process: the mount roots (`/sys/fs/cgroup/memory.max`, v1
    /// `/sys/fs/cgroup/memory/memory.limit_in_bytes`: a container's own cgroup under a cgroup namespace) and then
    /// the process's own cgroup and each of its ancestors, read from `/proc/self/cgroup` (v1 line
    /// `N:…memory…:/a/b`, v2 line `0::/a/b`). Without the second part a rank placed in its own capped cgroup
    /// below the mount root (e.g. `/sys/fs/cgroup/memory/job-rank0`) would be budgeted from physical memory.
    public static func cgroupLimitFiles(procSelfCgroup: String) -> [String] {
        var files = ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]
        for line in procSelfCgroup.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, fields[2].hasPrefix("/") else { continue }
            let (mount, file): (String, String)
            if fields[1].split(separator: ",").contains("memory") {
                (mount, file) = ("/sys/fs/cgroup/memory", "memory.limit_in_bytes")
            } else if fields[0] == "0", fields[1].isEmpty {
                (mount, file) = ("/sys/fs/cgroup", "memory.max")
            } else { continue }
            var components = fields[2].split(separator: "/").map(String.init)
            while !components.isEmpty {   // own cgroup first, then up to (not including) the root, listed above
                let path = "\(mount)/\(components.joined(separator: "/"))/\(file)"
                if !files.contains(path) { files.append(path) }
                components.removeLast()
            }
        }
        return files
    }

    /// A small text file's contents (at most `limit` bytes), or nil.
    static func readTextFile(_ path: String, limit: Int = 16_384) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var buffer = [UInt8](repeating: 0, count: limit)
        let count = fread(&buffer, 1, limit, file)
        return String(decoding: buffer.prefix(count), as: UTF8.self)
    }

    /// The trimmed contents of a small text file (a few bytes), or nil.
    static func readSmallFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 64)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            .trimmingWhitespace()
    }

    // MARK: - Sizes as text

    /// `4GiB`, `512MiB`, `1.5G`, `64k`, `1000000` → bytes (binary units: K = KiB = 1024); nil when not a size.
    public static func parseSize(_ text: String) -> Int? {
        let trimmed = text.trimmingWhitespace()
        let number = trimmed.prefix { $0.isNumber || $0 == "." }
        var unit = trimmed.dropFirst(number.count).trimmingWhitespace().lowercased()
        if unit.hasSuffix("ib") { unit.removeLast(2) } else if unit.hasSuffix("b") { unit.removeLast() }
        let shifts: [String: Int] = ["": 0, "k": 10, "m": 20, "g": 30, "t": 40]
        guard !number.isEmpty, let shift = shifts[unit], let value = Double(number), value.isFinite else { return nil }
        let bytes = value * Double(1 << shift)
        guard bytes >= 1, bytes < 0x1p62 else { return nil }
        return Int(bytes)
    }

    /// Bytes as a short binary-unit text: "783 B", "512.0 MiB", "3.0 GiB", "186.3 TiB".
    public static func format(_ bytes: Int) -> String {
        if bytes == Int.max { return "more than 8 EiB (the size overflows)" }
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        var value = Double(bytes), unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : "\(fixed(value, 1)) \(units[unit])"
    }
}

/// An input asks for more memory than the budget allows, or a budget was written wrongly.
public enum MemoryBudgetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `input` needs `requested` bytes for `purpose`; the budget (`origin`) allows `allowed`.
    case overBudget(input: String, purpose: String, requested: Int, allowed: Int, origin: String, fix: String)
    /// `text` (given by `origin`) is not a size.
    case badSize(text: String, origin: String)

    public var description: String {
        switch self {
        case let .overBudget(input, purpose, requested, allowed, origin, fix):
            return "\(input): \(purpose) needs \(MemoryBudget.format(requested)), more than the memory budget of "
                + "\(MemoryBudget.format(allowed)) per rank (\(origin)); \(fix), or raise the budget with --memory <size> "
                + "(\"memory\" in a pipeline config) if this host has the memory"
        case let .badSize(text, origin):
            return "\(origin) '\(text)' is not a memory size; give a size such as 4GiB, 512MiB or 1.5G"
        }
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces, tabs and newlines.
    fileprivate func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
