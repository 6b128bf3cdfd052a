import XCTest
final class DistributedPlaceholderTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
