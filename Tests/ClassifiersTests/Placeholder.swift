import XCTest
final class ClassifiersPlaceholderTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
