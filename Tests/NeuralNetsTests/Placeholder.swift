import XCTest
final class NeuralNetsPlaceholderTests: XCTestCase { func testBuilds() { XCTAssertTrue(true) } }
