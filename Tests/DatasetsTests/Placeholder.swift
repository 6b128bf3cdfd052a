import XCTest
final class DatasetsPlaceholderTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
