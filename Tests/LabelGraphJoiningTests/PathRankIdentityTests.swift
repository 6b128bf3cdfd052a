import Core
import Foundation
import LabelGraphJoining
import LabelGraphs
import Storage
import TestSupport
import Training
import XCTest

/// `train-paths` (frozen encoder vectors) gives the same bits on 1, 2 and 3 ranks for every method, label-aug
/// with REINFORCE on the coarse rows included (issue 19). Before the ordered batch sums, label-aug's
/// loss curves agreed only to float rounding and then parted once a draw crossed a threshold.
final class PathRankIdentityTests: XCTestCase {
    /// `PathFixture` (60 fine + 60 coarse rows: every coarse row is a REINFORCE sample), r_tf 0.7 so the step coin
    /// is used, batches of 25 (the last of 20): blocks 8 + 8 + 8 + 1, so at 3 ranks one rank holds two blocks.
    func testOneTwoThreeRanksGiveTheSameBits() throws {
        let fixture = try PathFixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        for method in [PathMethod.labelAug, .labelSet, .labelSetAugmented, .ffn, .pseudoLabels] {
            var settings = fixture.configuration(method, epochs: 4)
            settings.pathOptions.reinforceSamples = 3
            let configuration = settings
            let one = try PathTrainingStage(configuration).run(communicator: SingleProcessCommunicator())
            let expected = Self.bits(one)
            for size in [2, 3] {
                let many = try ThreadedWorld.run(size: size) { comm in try Self.bits(PathTrainingStage(configuration).run(communicator: comm)) }
                for (rank, got) in many.enumerated() {
                    XCTAssertEqual(got.hash, expected.hash, "\(method): parameters, rank \(rank) of \(size)")
                    XCTAssertEqual(got.losses, expected.losses, "\(method): loss curve, rank \(rank) of \(size)")
                    XCTAssertEqual(got.baseline, expected.baseline, "\(method): reward baseline, rank \(rank) of \(size)")
                }
            }
            if method == .labelAug {  // the coarse rows did run REINFORCE: b moved off 0
                guard case .double(let b)? = one.model.attributes["reward_baseline"] else { return XCTFail("no reward_baseline") }
                XCTAssertGreaterThan(b, 0)
            }
            XCTAssertLessThan(one.history.last!.meanLoss, one.history.first!.meanLoss, "\(method): the loss decreases")
        }
    }

    /// What must match across rank counts: the parameter hash, the loss curve's bits and the reward baseline.
    static func bits(_ report: PathTrainingStage.Report) -> (hash: UInt64, losses: [UInt64], baseline: HDF5AttributeValue?) {
        (report.parameterHash, report.history.map(\.meanLoss.bitPattern), report.model.attributes["reward_baseline"])
    }
}
