import Stages
import XCTest

final class AnnotationTableTests: XCTestCase {
    func testConceptsFollowTheDatasetClassOrderThenByteOrder() {
        let items = [("a.png", ["Trouser"]), ("b.png", ["T-shirt/top", "extra"]), ("c.png", ["Bag"]), ("d.png", ["Ankle boot"])]
            .map { AnnotationTable.Item(path: $0.0, concepts: $0.1, tags: [], split: "train") }
        let table = AnnotationTable(source: "images.csv", items: items)
        XCTAssertEqual(table.conceptNames, ["Ankle boot", "Bag", "T-shirt/top", "Trouser", "extra"])
        // Fashion-MNIST's index order (Pullover has no item; "extra" is not a class): by hand.
        XCTAssertEqual(table.conceptNames(orderedLike: ["T-shirt/top", "Trouser", "Pullover", "Bag", "Ankle boot"]),
                       ["T-shirt/top", "Trouser", "Bag", "Ankle boot", "extra"])
        XCTAssertEqual(table.conceptNames(orderedLike: []), table.conceptNames)
        XCTAssertEqual(table.conceptNames(orderedLike: ["Bag", "Bag"]), ["Bag", "Ankle boot", "T-shirt/top", "Trouser", "extra"])
    }
}
