import Foundation
import LabelGraphs
import XCTest

/// §4.4's check on Figure 2's graph, every count worked out by hand.
final class PathCorrectnessTests: XCTestCase {
    func testCountsByKindOnTheFigure2Graph() {
        let g = graph(figure2)
        let paths = PredictionPaths(graph: g)
        let n = { (ids: String) in ids.split(separator: " ").map { g.index(of: String($0))! } }
        let bsh = g.index(of: "bsh")!, ragdoll = g.index(of: "ragdoll")!
        // BSH's paths: via shorthair (deterministic: no other BSH path holds longhair) and via solid / tabby /
        // point (nondeterministic: they hold competing colours). Ragdoll's two paths, via longhair and via point,
        // hold no competing pair (hair and colour are different groups): both deterministic.
        let decoded = [
            n("animal cat solid bsh"),        // nondeterministic, ends at the truth
            n("animal cat tabby bsh"),        // nondeterministic, truth ragdoll: wrong
            n("animal cat point bsh"),        // nondeterministic, no truth
            n("animal cat shorthair bsh"),    // deterministic, right
            n("animal cat point ragdoll"),    // deterministic, truth bsh: wrong
            n("animal cat tabby ragdoll"),    // invalid: tabby → ragdoll is no edge
            n("animal cat solid"),            // invalid: ⟨eop⟩ is not allowed after an augmented node
            n("cat shorthair bsh"),           // invalid: does not start at the root
        ]
        let truths: [Int?] = [bsh, ragdoll, nil, bsh, bsh, ragdoll, bsh, bsh]
        let c = PathCorrectness(decoded: decoded, truths: truths, paths: paths)
        XCTAssertEqual(c.kinds, [.nondeterministic, .nondeterministic, .nondeterministic, .deterministic, .deterministic,
                                 .invalid, .invalid, .invalid])
        XCTAssertEqual(c.nondeterministic, .init(paths: 3, labelled: 2, correct: 1))
        XCTAssertEqual(c.deterministic, .init(paths: 2, labelled: 2, correct: 1))
        XCTAssertEqual(c.invalid, .init(paths: 3, labelled: 3, correct: 0))
        XCTAssertEqual(c.total, .init(paths: 8, labelled: 7, correct: 2))
        XCTAssertEqual(c.nondeterministic.share, 0.5)
        XCTAssertTrue(c.summary.contains("path correctness: nondeterministic paths 3 (37.5 %): 1 of 2 labelled end at the true label (50.00 %)"),
                      c.summary)
        let json = try! JSONSerialization.jsonObject(with: Data(c.json.utf8)) as! [String: [String: Int]]
        XCTAssertEqual(json["nondeterministic"], ["paths": 3, "labelled": 2, "correct": 1])
        XCTAssertEqual(json["invalid"]?["paths"], 3)
        // The decode stage's own marks agree: `classify` among the root paths to the end node.
        let all = try! paths.paths(to: bsh)
        XCTAssertEqual(zip(all, paths.classify(all)).filter { !$0.1 }.count, 3)
    }

    /// On a tree every valid path is deterministic, and a coarse label (not an end node) is never a valid end.
    func testTreePathsAreDeterministicAndCoarseEndsInvalid() {
        let g = graph(twoLevel)
        let paths = PredictionPaths(graph: g)
        let n = { (ids: String) in ids.split(separator: " ").map { g.index(of: String($0))! } }
        let c = PathCorrectness(decoded: [n("root A a1"), n("root B b2"), n("root A")], truths: [g.index(of: "a1")!, g.index(of: "b1")!, nil],
                                paths: paths)
        XCTAssertEqual(c.kinds, [.deterministic, .deterministic, .invalid])
        XCTAssertEqual(c.deterministic, .init(paths: 2, labelled: 2, correct: 1))
        XCTAssertEqual(c.invalid, .init(paths: 1, labelled: 0, correct: 0))
        XCTAssertNil(c.nondeterministic.share)
    }
}
