import Core
import XCTest

/// `Mutator` (deterministic, replayable mutants) and `ChildProcess` (how a child ended), the two halves of
/// `tributary fuzz` and of the HDF5 preflight.
final class MutatorAndChildProcessTests: XCTestCase {
    let seeds: [[UInt8]] = [Array("filename,label\na.png,cat\n".utf8), Array(repeating: 0xAB, count: 300)]

    func testMutantIIsAFunctionOfSeedFormatAndIAlone() {
        let mutator = Mutator(seeds: seeds, format: "csv", seed: 7)
        let forward = (0 ..< 200).map { mutator.mutant(index: $0) }
        let backward = (0 ..< 200).reversed().map { mutator.mutant(index: $0) }.reversed()
        XCTAssertEqual(forward, Array(backward), "replaying mutant i must not depend on the mutants before it")
        XCTAssertEqual(forward, (0 ..< 200).map { Mutator(seeds: seeds, format: "csv", seed: 7).mutant(index: $0) })
        let otherSeed = (0 ..< 200).map { Mutator(seeds: seeds, format: "csv", seed: 8).mutant(index: $0) }
        let otherFormat = (0 ..< 200).map { Mutator(seeds: seeds, format: "tar", seed: 7).mutant(index: $0) }
        XCTAssertGreaterThan(zip(forward, otherSeed).filter { $0 != $1 }.count, 180)
        XCTAssertGreaterThan(zip(forward, otherFormat).filter { $0 != $1 }.count, 180)
    }

    func testMutantsDifferFromTheSeedsAndCoverEveryKindOfChange() {
        let mutator = Mutator(seeds: seeds, format: "csv", seed: 1)
        let mutants = (0 ..< 2000).map { mutator.mutant(index: $0) }
        XCTAssertGreaterThan(mutants.filter { !seeds.contains($0) }.count, 1900, "nearly every mutant differs from its seed")
        XCTAssertTrue(mutants.contains { $0.count < seeds[0].count && !seeds[1].starts(with: $0) }, "truncations")
        XCTAssertTrue(mutants.contains { $0.count > seeds[1].count }, "insertions and splices grow inputs")
        XCTAssertTrue(mutants.contains { $0.count == seeds[1].count && $0.contains(0xFF) && $0.contains(0x7F) },
                      "interesting bytes and integers")
        XCTAssertGreaterThan(Set(mutants).count, 1800, "mutants are varied")
    }

    func testChildOutcomesExitSignalAndHang() {
        XCTAssertEqual(ChildProcess.run("/bin/sh", ["-c", "exit 0"], timeout: 10), .exited(0))
        XCTAssertEqual(ChildProcess.run("/bin/sh", ["-c", "exit 3"], timeout: 10), .exited(3))
        XCTAssertEqual(ChildProcess.run("/bin/sh", ["-c", "kill -SEGV $$"], timeout: 10), .signalled(SIGSEGV))
        XCTAssertEqual(ChildProcess.run("/bin/sh", ["-c", "kill -ABRT $$"], timeout: 10), .signalled(SIGABRT))
        XCTAssertEqual(ChildProcess.run("/bin/sh", ["-c", "exec sleep 30"], timeout: 0.3), .timedOut(seconds: 0.3))
        XCTAssertEqual(ChildProcess.run("/nonexistent/program", [], timeout: 1), .couldNotStart(errno: ENOENT))
        XCTAssertTrue("\(ChildOutcome.signalled(SIGSEGV))".contains("SIGSEGV"))
        XCTAssertTrue("\(ChildOutcome.timedOut(seconds: 2))".contains("hang"))
    }
}
