import Core
@testable import Distributed
import LinearAlgebra
import XCTest

/// `World` picks MPI only under an MPI launcher; `MPITransport`'s pure helpers split large counts correctly.
final class WorldTests: XCTestCase {
    func testLauncherDetection() {
        XCTAssertFalse(World.isLaunchedByMPI { _ in nil })
        for name in ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"] {
            XCTAssertTrue(World.isLaunchedByMPI { $0 == name ? "0" : nil }, name)
        }
        XCTAssertFalse(World.isLaunchedByMPI { $0 == "OMPI_MCA_btl" ? "self" : nil })
    }

    func testWithoutLauncherTheWorldIsOneRank() throws {
        try XCTSkipIf(World.isLaunchedByMPI(), "the test process itself was started by an MPI launcher")
        let (rank, size, sum) = World.run { comm -> (Int, Int, Int) in
            XCTAssertTrue(comm is SingleProcessCommunicator)
            return (comm.rank, comm.size, try comm.allReduce(41, op: .sum) + 1)
        }
        XCTAssertEqual(rank, 0)
        XCTAssertEqual(size, 1)
        XCTAssertEqual(sum, 42)
    }

    func testChunkRanges() {
        XCTAssertEqual(MPITransport.chunkRanges(count: 0, limit: 4), [])
        XCTAssertEqual(MPITransport.chunkRanges(count: 4, limit: 4), [0 ..< 4])
        XCTAssertEqual(MPITransport.chunkRanges(count: 10, limit: 4), [0 ..< 4, 4 ..< 8, 8 ..< 10])
        let huge = Int(Int32.max) * 2 + 5
        let chunks = MPITransport.chunkRanges(count: huge)
        XCTAssertEqual(chunks.count, 3)
        XCTAssertTrue(chunks.allSatisfy { $0.count <= Int(Int32.max) })
        XCTAssertEqual(chunks.last?.upperBound, huge)
    }

    func testDisplacementsAndLimit() throws {
        let layout = try MPITransport.countsAndDisplacements([2, 0, 3], operation: "allGather")
        XCTAssertEqual(layout.counts, [2, 0, 3])
        XCTAssertEqual(layout.displacements, [0, 2, 2])
        XCTAssertThrowsError(try MPITransport.countsAndDisplacements([Int(Int32.max), 1], operation: "gather")) { error in
            XCTAssertTrue("\(error)".contains("Int32"), "\(error)")
        }
        XCTAssertEqual(MPITransport.split([1, 2, 3, 4, 5], counts: [2, 0, 3]), [[1, 2], [], [3, 4, 5]])
    }
}

/// `--progress auto` asks the launcher, not the rank's terminal: Open MPI gives ranks a pty.
final class WorldProgressModeTests: XCTestCase {
    func testAutoFollowsTheLauncher() {
        let none: (String) -> String? = { _ in nil }
        XCTAssertEqual(World.progressMode(.auto, environment: none, terminal: true), .bar)
        XCTAssertEqual(World.progressMode(.auto, environment: none, terminal: false), .plain)
        for variable in World.launcherVariables + World.schedulerVariables {
            let launched: (String) -> String? = { $0 == variable ? "1" : nil }
            XCTAssertEqual(World.progressMode(.auto, environment: launched, terminal: true), .plain, variable)
            XCTAssertEqual(World.progressMode(.bar, environment: launched, terminal: true), .bar, variable)
        }
    }
}
