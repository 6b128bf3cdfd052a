import XCTest
final class InfusionPlaceholderTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
