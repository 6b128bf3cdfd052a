import Datasets
import XCTest

final class LabelsTableTests: XCTestCase {
    func testFindsFlowersColumnsAndSplit() throws {
        let csv = "filename,label,split,class_name\njpg/a.jpg,0,train,pink primrose\njpg/b.jpg,1,test,sweet pea\n"
        let table = try LabelsTable.parse(Array(csv.utf8), name: "x.tar:labels.csv")
        XCTAssertEqual(table.rows.map(\.path), ["jpg/a.jpg", "jpg/b.jpg"])
        XCTAssertEqual(table.rows.map(\.label), ["pink primrose", "sweet pea"])  // labels|class_name before label
        XCTAssertEqual(table.rows.map(\.split), ["train", "test"])
        XCTAssertEqual(table.rows.map(\.line), [2, 3])
    }

    func testMissingColumnNamesTheCSV() {
        XCTAssertThrowsError(try LabelsTable.parse(Array("name,x\na,b\n".utf8), name: "bad.csv")) { error in
            XCTAssertTrue("\(error)".contains("bad.csv:1: no column `path|filename|file|image`"), "\(error)")
        }
    }
}
