import XCTest
final class EncodingPlaceholderTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
