import Core
#if canImport(Glibc)
import Glibc
#endif

/// A write's size checked against the free space of the file system that will hold it, before the write starts.
///
/// A stage that knows its output size up front (rows × row bytes: `encode` writes I images × Σ_l F_l values)
/// calls `DiskSpace.check(_:)` with a `Plan` before it writes anything: rank 0 prints the plan, and a plan larger
/// than the free space is refused with the numbers and the fixes instead of filling the disk hours later (a
/// `fisher --dataset fashion-mnist --limit 6000` at the paper's size silently wrote 12 GB of float32 vectors).
///
/// Free space is `statvfs`'s `f_bavail · f_frsize` (what an unprivileged writer may use) of the nearest existing
/// folder on the path; tests inject the figure (`Plan.free`). A margin of `margin` (1 %, at least 16 MiB) is kept
/// for HDF5 metadata and everything else on the disk.
///
/// ```swift
/// let plan = DiskSpace.Plan(what: "fv.h5 parts", folder: "out", bytes: 12 << 30, fixes: ["fewer images (--limit)"])
/// try DiskSpace.check(plan, log: log)   // "fv.h5 parts: will write 12.0 GiB in out (… free)" or throws
/// ```
public enum DiskSpace {
    /// What a stage is about to write.
    public struct Plan: Sendable, Equatable {
        /// What is written ("fv.h5 (4 datasets of 6000 images)").
        public var what: String
        /// The folder the bytes go to.
        public var folder: String
        /// The bytes about to be written (an upper bound: compression can only shrink it).
        public var bytes: Int
        /// How to write less or elsewhere, most specific first ("--fv-storage float16 (halves it)", …).
        public var fixes: [String]
        /// The free bytes to assume instead of asking the file system (tests; nil: `statvfs`).
        public var free: Int?

        public init(what: String, folder: String, bytes: Int, fixes: [String], free: Int? = nil) {
            self.what = what
            self.folder = folder
            self.bytes = bytes
            self.fixes = fixes
            self.free = free
        }
    }

    /// The share of the free space kept back, and its floor in bytes.
    public static let marginFraction = 0.01
    public static let marginFloor = 16 << 20

    /// The bytes the file system holding `path` (or its nearest existing parent folder) lets an unprivileged
    /// process write: `f_bavail · f_frsize`; nil when no folder on the path can be queried.
    public static func freeBytes(at path: String) -> Int? {
        var folder = path.isEmpty ? "." : path
        while true {
            var stats = statvfs()
            if statvfs(folder, &stats) == 0 {
                let (product, overflow) = Int(stats.f_bavail).multipliedReportingOverflow(by: Int(stats.f_frsize))
                return overflow ? Int.max : product
            }
            if folder == "/" || folder == "." { return nil }
            guard let slash = folder.lastIndex(of: "/") else { folder = "."; continue }
            folder = slash == folder.startIndex ? "/" : String(folder[..<slash])
        }
    }

    /// The bytes `plan` may use: the free space less the margin.
    public static func usable(free: Int) -> Int {
        Swift.max(0, free - Swift.max(marginFloor, Int(Double(free) * marginFraction)))
    }

    /// The line a stage prints before writing: "encode: will write 11.9 GiB (12 884 901 888 bytes) of fv.h5 … in
    /// out (free: 40.0 GiB)".
    public static func describe(_ plan: Plan, free: Int?) -> String {
        "will write \(MemoryBudget.format(plan.bytes)) (\(plan.bytes) bytes) of \(plan.what) in \(plan.folder)"
            + " (free: \(free.map(MemoryBudget.format) ?? "unknown"))"
    }

    /// Logs `describe(plan)` and throws `DiskSpaceError` when the plan does not fit the usable free space.
    /// An unknown free space (no folder on the path can be queried) passes: the write itself will report it.
    /// Returns the free bytes it compared against.
    @discardableResult
    public static func check(_ plan: Plan, log: (String) -> Void = { _ in }) throws(DiskSpaceError) -> Int? {
        let free = plan.free ?? freeBytes(at: plan.folder)
        log(describe(plan, free: free))
        if let free, plan.bytes > usable(free: free) {
            throw DiskSpaceError(plan: plan, free: free)
        }
        return free
    }
}

/// A write refused because the file system cannot hold it: the numbers and the fixes.
public struct DiskSpaceError: Error, Equatable, Sendable, CustomStringConvertible {
    public let plan: DiskSpace.Plan
    public let free: Int

    public init(plan: DiskSpace.Plan, free: Int) {
        self.plan = plan
        self.free = free
    }

    public var description: String {
        let fixes = plan.fixes + ["free space on that disk, or write to another disk (another output folder)"]
        return "refusing to write \(plan.what): it needs \(MemoryBudget.format(plan.bytes)) (\(plan.bytes) bytes) but "
            + "\(plan.folder) has \(MemoryBudget.format(free)) (\(free) bytes) free, of which "
            + "\(MemoryBudget.format(DiskSpace.usable(free: free))) usable (a margin of 1 %, at least "
            + "\(MemoryBudget.format(DiskSpace.marginFloor)), stays free); fix: "
            + fixes.joined(separator: "; or ")
    }
}
