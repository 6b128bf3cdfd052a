import XCTest
final class RetrievalPlaceholderTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
