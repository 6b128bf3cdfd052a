import XCTest
final class TributaryCLIPlaceholderTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
