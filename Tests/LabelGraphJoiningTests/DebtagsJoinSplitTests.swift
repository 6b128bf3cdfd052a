import LabelGraphJoining
import XCTest

/// The Debian join experiment's package splits (`DebtagsJoinSplit`).
final class DebtagsJoinSplitTests: XCTestCase {
    func testSplitsAreDisjointSeededAndPretrainIsUntagged() throws {
        let tagged = (0 ..< 100).map { $0 % 3 != 0 }, usable = (0 ..< 100).map { $0 != 5 }
        // Section "rare" (packages 1, 2) has no untagged package: never in the pool.
        let sections = (0 ..< 100).map { $0 == 1 || $0 == 2 ? "rare" : "s\($0 % 2)" }
        let split = try DebtagsJoinSplit(tagged: tagged, usable: usable, sections: sections, test: 10, validation: 5, fine: 20, coarse: 25,
                                         pretrain: 12, seed: 7)
        let experiment = split.test + split.validation + split.fine + split.coarse
        XCTAssertEqual([split.test.count, split.validation.count, split.fine.count, split.coarse.count, split.pretrain.count], [10, 5, 20, 25, 12])
        XCTAssertEqual(Set(experiment).count, 60)
        XCTAssertTrue(experiment.allSatisfy { tagged[$0] && usable[$0] && sections[$0] != "rare" })
        XCTAssertTrue(split.pretrain.allSatisfy { !tagged[$0] && usable[$0] })
        XCTAssertEqual(try DebtagsJoinSplit(tagged: tagged, usable: usable, sections: sections, test: 10, validation: 5, fine: 20, coarse: 25,
                                            pretrain: 12, seed: 7), split)
        XCTAssertNotEqual(try DebtagsJoinSplit(tagged: tagged, usable: usable, sections: sections, test: 10, validation: 5, fine: 20, coarse: 25,
                                               pretrain: 12, seed: 8).test, split.test)
        XCTAssertThrowsError(try DebtagsJoinSplit(tagged: tagged, usable: usable, sections: sections, test: 60, validation: 5, fine: 1, coarse: 1,
                                                  pretrain: 1, seed: 0))
    }
}
