import Bench
import Core
@testable import Encoding
import LinearAlgebra
import TestSupport
import XCTest

final class SpatialPyramidTests: XCTestCase {
    func testBoundaryRule() {
        let q = SpatialLayout.quadrants
        XCTAssertEqual(q.region(x: 0, y: 0, width: 100, height: 60), 0)
        XCTAssertEqual(q.region(x: 49.9, y: 29.9, width: 100, height: 60), 0)
        XCTAssertEqual(q.region(x: 50, y: 0, width: 100, height: 60), 1)      // on the boundary: right
        XCTAssertEqual(q.region(x: 0, y: 30, width: 100, height: 60), 2)      // on the boundary: lower
        XCTAssertEqual(q.region(x: 100, y: 60, width: 100, height: 60), 3)    // far edge: last region
        XCTAssertEqual(q.region(x: -3, y: 70, width: 100, height: 60), 2)     // outside: clamped
        let s = SpatialLayout.horizontalStrips
        XCTAssertEqual([10, 25, 40, 59].map { s.region(x: 99, y: $0, width: 100, height: 60) }, [0, 1, 2, 2])
        XCTAssertEqual(SpatialLayout.standard.map(\.description), ["1x1", "2x2", "1x3"])
        XCTAssertEqual(SpatialPyramid().regionCount, 8)
    }

    func testRegionsPoolExactlyTheirDescriptors() {
        let (gmm, x) = EncodingBenchmark.syntheticMixture(components: 4, dimension: 3, rows: 120, seed: 17)
        let encoder = FisherEncoder(mixture: gmm)
        let width: Float = 90, height: Float = 60
        // Descriptor i sits at a known place: spread over the image so every standard region is populated.
        var rng = SeededRandom(seed: 2)
        let xs = (0 ..< 120).map { _ in Float(rng.uniform(0, Double(width))) }
        let ys = (0 ..< 120).map { _ in Float(rng.uniform(0, Double(height))) }
        var workspace = FisherEncoder.Workspace()
        let pyramid = SpatialPyramid()
        let result = pyramid.encode(x, x: xs, y: ys, imageWidth: width, imageHeight: height, encoder: encoder,
                                    workspace: &workspace)
        XCTAssertEqual(result.vectors.map(\.count), [1, 4, 3].map { $0 * encoder.dimension })
        for (l, layout) in pyramid.layouts.enumerated() {
            for r in 0 ..< layout.regionCount {
                // Reference: pick the descriptors by hand (x < W/2 …) and encode just those.
                let members = (0 ..< 120).filter { i in
                    let column = layout.columns == 1 ? 0 : (xs[i] < width / 2 ? 0 : 1)
                    let row = layout.rows == 1 ? 0 : Int(ys[i] / (height / Float(layout.rows)))
                    return row * layout.columns + column == r
                }
                XCTAssertFalse(members.isEmpty)
                let subset = Matrix(rows: members.count, columns: 3, values: members.flatMap { x.row($0) })
                let expected = encoder.encode(subset)
                let got = Array(result.vectors[l][(r * encoder.dimension) ..< ((r + 1) * encoder.dimension)])
                assertClose(got, expected, rtol: 1e-4, atol: 1e-5, label: "\(layout) region \(r)")
            }
        }
        XCTAssertEqual(result.combined().count, 8 * encoder.dimension)
        XCTAssertEqual(result.combined([.horizontalStrips]), result.vectors[2])
        assertClose(result.vectors[0], encoder.encode(x), rtol: 1e-4, atol: 1e-5, label: "1x1 = whole image")
    }

    func testEmptyRegionIsZeroNotNaN() {
        let (gmm, x) = EncodingBenchmark.syntheticMixture(components: 4, dimension: 3, rows: 20, seed: 18)
        let encoder = FisherEncoder(mixture: gmm)
        // Every descriptor in the top-left quadrant (and top strip).
        let xs = [Float](repeating: 5, count: 20), ys = [Float](repeating: 5, count: 20)
        var workspace = FisherEncoder.Workspace()
        let result = SpatialPyramid().encode(x, x: xs, y: ys, imageWidth: 100, imageHeight: 100, encoder: encoder,
                                             workspace: &workspace)
        let fvDim = encoder.dimension
        let quadrants = result.vectors[1], strips = result.vectors[2]
        XCTAssertTrue(quadrants.allSatisfy(\.isFinite) && strips.allSatisfy(\.isFinite))
        XCTAssertEqual(Array(quadrants[fvDim...]), [Float](repeating: 0, count: 3 * fvDim))
        XCTAssertEqual(Array(strips[fvDim...]), [Float](repeating: 0, count: 2 * fvDim))
        assertClose(Array(quadrants[0 ..< fvDim]), encoder.encode(x), rtol: 1e-4, atol: 1e-5, label: "top-left = all")
        // No descriptors at all: every region is zero.
        let none = SpatialPyramid().encode(Matrix(rows: 0, columns: 3), x: [], y: [], imageWidth: 10, imageHeight: 10,
                                           encoder: encoder, workspace: &workspace)
        XCTAssertTrue(none.combined().allSatisfy { $0 == 0 })
    }
}
