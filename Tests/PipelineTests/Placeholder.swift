import XCTest
final class PipelinePlaceholderTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
