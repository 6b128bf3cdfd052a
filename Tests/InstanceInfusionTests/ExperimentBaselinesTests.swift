import Core
import Foundation
@testable import InstanceInfusion
import LinearAlgebra
import Stages
import TestSupport
import XCTest

/// Table 5's classical baselines on a small separable corpus, and the k-NN vote rule by hand.
final class ExperimentBaselinesTests: XCTestCase {
    /// Majority of the neighbours' classes; a tie goes to the class of the nearest tied neighbour.
    func testVote() {
        XCTAssertEqual(ExperimentBaselines.vote([2, 1, 1, 0, 2], classes: 3), 2, "2 and 1 tie at 2; 2 is nearer")
        XCTAssertEqual(ExperimentBaselines.vote([0, 1, 1, 1, 0], classes: 3), 1)
        XCTAssertEqual(ExperimentBaselines.vote([2], classes: 3), 2)
    }

    /// Every model separates three topics told apart by their words (chance is 33 %); the NB row's counts model
    /// must beat chance by a wide margin, and the table lists the seven rows (five + two random forests).
    func testModelsSeparateTopics() throws {
        let root = try makeTemporaryDirectory("baselines")
        defer { try? FileManager.default.removeItem(at: root) }
        let topics = [["stock", "market", "shares", "bank"], ["goal", "match", "team", "cup"], ["vote", "party", "minister", "poll"]]
        var rng = SeededRandom(seed: 4)
        var lines = ["text,label"]
        for i in 0 ..< 90 {
            let words = (0 ..< 6).map { j in j % 2 == 0 ? topics[i % 3][rng.bounded(4)] : "w\(rng.bounded(30))" }
            lines.append(words.joined(separator: " ") + ",class\(i % 3)")
        }
        let csv = root.appendingPathComponent("c.csv").path
        try lines.joined(separator: "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let rows = try ExperimentBaselines(.init(source: TextCorpusSource(kind: .csv, path: csv), split: .fold(0, of: 3))).run()
        XCTAssertEqual(rows.count, 7)
        for row in rows {
            XCTAssertEqual(row.metrics.count, 30, row.name)
            XCTAssertGreaterThan(row.metrics.accuracy, 0.9, "\(row.name): \(row.metrics.accuracy)")
        }
        let table = ExperimentBaselines.markdown(rows)
        XCTAssertTrue(table.hasPrefix("| model | accuracy (%) | macro-F1 |"))
        XCTAssertEqual(table.split(separator: "\n").count, 9)
    }
}
