import Features
import Foundation
import XCTest

/// Speed check, run only on request (it is meaningless in a debug build):
/// `FEATURES_BENCHMARK=1 swift test -c release --filter FeaturesTests.BenchmarkTests`.
final class BenchmarkTests: XCTestCase {
    func testDenseExtractionSpeed() throws {
        guard ProcessInfo.processInfo.environment["FEATURES_BENCHMARK"] != nil else {
            throw XCTSkip("set FEATURES_BENCHMARK=1 (release build) to time dense extraction")
        }
        let result = try DenseExtractor().benchmark(width: 500, height: 375, repeats: 40)
        print("W3 500×375, 5 scales, 1 thread: \(result)  (VLFeat vl_dsift pyr5 flat: 37.6 images/s)")
        XCTAssertEqual(result.descriptorsPerImage, 1209)
    }
}
