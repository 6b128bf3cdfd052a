import Core
import Foundation
import InstanceInfusion
import TestSupport
import Training
import XCTest

/// `refresh_unit steps` resumes to the same bits: with N = 2 a step that does not refresh gathers the ids of the
/// last refresh of its documents, which only the checkpoint's stored lists can give a resumed run; every step
/// fetches its own rows (there is no epoch prefetch to redo). Stops mid-epoch before an odd (non-refreshing) step
/// and at an epoch boundary, on 1 and 2 ranks.
extension InfusedTrainingTests {
    func testStepRefreshRunsResumeToTheSameModel() throws {
        let p = try prepare()
        for ranks in [1, 2] {
            var base = infused(p.target, p.model, ranks == 1 ? p.one : p.two, epochs: 3)
            (base.refreshUnit, base.refreshEvery) = (.steps, 2)
            let whole = try InfusedModelFile.read(
                path: try runResumable(base, "steps-whole", ranks: ranks, stopAfter: nil, resume: false))
            // 5 steps per epoch: 7 stops before step 7 (7 mod 2 = 1: no refresh), 5 at the end of epoch 1.
            for (name, stops) in [("mid", [7]), ("boundary", [5])] {
                for (i, stop) in stops.enumerated() {
                    try runResumable(base, "steps-\(name)", ranks: ranks, stopAfter: stop, resume: i > 0)
                }
                let resumed = try InfusedModelFile.read(
                    path: try runResumable(base, "steps-\(name)", ranks: ranks, stopAfter: nil, resume: true))
                XCTAssertEqual(resumed.parameters, whole.parameters, "\(ranks) rank(s), \(name): θ")
                XCTAssertEqual(resumed.history, whole.history, "\(ranks) rank(s), \(name): curves")
                XCTAssertEqual(resumed.attributes["refresh_unit"], .string("steps"))
            }
        }
    }
}
