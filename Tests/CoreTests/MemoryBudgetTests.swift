import Core
import XCTest

final class MemoryBudgetTests: XCTestCase {
    func testSizesParseInBinaryUnits() {
        XCTAssertEqual(MemoryBudget.parseSize("4GiB"), 4 << 30)
        XCTAssertEqual(MemoryBudget.parseSize("512MiB"), 512 << 20)
        XCTAssertEqual(MemoryBudget.parseSize("1.5G"), 3 << 29)
        XCTAssertEqual(MemoryBudget.parseSize("64k"), 64 << 10)
        XCTAssertEqual(MemoryBudget.parseSize(" 1000 "), 1000)
        for bad in ["", "lots", "4XB", "-1G", "0", "1e3G", "nanG", "99999999999T"] {
            XCTAssertNil(MemoryBudget.parseSize(bad), bad)
        }
    }

    func testReserveThrowsNamingTheInputTheAskTheAllowanceAndTheFix() throws {
        let budget = try MemoryBudget(parsing: "1MiB")
        XCTAssertNoThrow(try budget.reserve(bytes: 1 << 20, for: "a.png", purpose: "decoding", fix: "downscale it"))
        XCTAssertThrowsError(try budget.reserve(bytes: (1 << 20) + 1, for: "a.png", purpose: "decoding", fix: "downscale it")) {
            let text = "\($0)"
            XCTAssertEqual(text, "a.png: decoding needs 1.0 MiB, more than the memory budget of 1.0 MiB per rank (--memory 1MiB); "
                + "downscale it, or raise the budget with --memory <size> (\"memory\" in a pipeline config) if this host has the memory")
        }
    }

    func testProductsOfHeaderNumbersSaturateInsteadOfTrapping() {
        XCTAssertEqual(MemoryBudget.product([16384, 16384, 60]), 16384 * 16384 * 60)
        XCTAssertEqual(MemoryBudget.product([1_000_000_000_000, 1_000_000_000_000]), Int.max)
        XCTAssertEqual(MemoryBudget.product([-1, 4]), Int.max)
        XCTAssertEqual(MemoryBudget.sum([Int.max, 1]), Int.max)
        XCTAssertEqual(MemoryBudget.format(Int.max), "more than 8 EiB (the size overflows)")
    }

    /// The default is ½ of usable memory shared by the ranks of the host: positive, and halved by twice the ranks.
    func testTheDefaultDividesHalfTheMemoryByTheRanksOnTheHost() {
        let one = MemoryBudget.machineDefault(ranksOnHost: 1), two = MemoryBudget.machineDefault(ranksOnHost: 2)
        XCTAssertGreaterThan(one.bytes, 0)
        XCTAssertEqual(two.bytes, one.bytes / 2, accuracy: 1)
        XCTAssertTrue(two.origin.hasPrefix("default: ½ of "), two.origin)
        XCTAssertEqual(MemoryBudget.ranksOnThisHost { $0 == "OMPI_COMM_WORLD_LOCAL_SIZE" ? "3" : nil }, 3)
        XCTAssertEqual(MemoryBudget.ranksOnThisHost { _ in nil }, 1)
    }

    /// A rank moved into its own capped cgroup below the mount root (cgroup v1, as `experiments/flowers102-
    /// paper-size.sh` does) is budgeted from that cgroup's limit, not from the mount root's unset one.
    func testTheOwnCgroupAndItsAncestorsBoundUsableMemory() {
        let v1 = "12:pids:/\n4:memory:/jobs/f102-rank0\n3:cpuset:/\n"
        XCTAssertEqual(MemoryBudget.cgroupLimitFiles(procSelfCgroup: v1), [
            "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/jobs/f102-rank0/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/jobs/memory.limit_in_bytes"])
        XCTAssertEqual(MemoryBudget.cgroupLimitFiles(procSelfCgroup: "0::/user.slice/job.scope\n"), [
            "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/user.slice/job.scope/memory.max", "/sys/fs/cgroup/user.slice/memory.max"])
        // Namespaced container (own cgroup shown as "/"): only the mount roots.
        XCTAssertEqual(MemoryBudget.cgroupLimitFiles(procSelfCgroup: "4:memory:/\n").count, 2)

        let unset = "9223372036854771712", gib = 1 << 30
        let files = ["/sys/fs/cgroup/memory/memory.limit_in_bytes": unset,
                     "/sys/fs/cgroup/memory/jobs/f102-rank0/memory.limit_in_bytes": "\(3 * gib)",
                     "/sys/fs/cgroup/memory/jobs/memory.limit_in_bytes": "\(8 * gib)"]
        let capped = MemoryBudget.smallestLimit(physical: 23 * gib, procSelfCgroup: v1) { files[$0] }
        XCTAssertEqual(capped.bytes, 3 * gib)
        XCTAssertEqual(capped.source, "cgroup memory limit (/sys/fs/cgroup/memory/jobs/f102-rank0/memory.limit_in_bytes)")
        // The smaller of physical memory and the limits; "max" (v2) and the unset v1 value are no limit.
        XCTAssertEqual(MemoryBudget.smallestLimit(physical: 2 * gib, procSelfCgroup: v1) { files[$0] }.bytes, 2 * gib)
        let none = MemoryBudget.smallestLimit(physical: 23 * gib, procSelfCgroup: "0::/a\n") { $0.hasSuffix("max") ? "max" : unset }
        XCTAssertEqual(none.bytes, 23 * gib)
        XCTAssertEqual(none.source, "physical memory")
    }
}
