import XCTest
final class StoragePlaceholderTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
