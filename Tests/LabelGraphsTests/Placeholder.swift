import XCTest
final class LabelGraphsPlaceholderTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
