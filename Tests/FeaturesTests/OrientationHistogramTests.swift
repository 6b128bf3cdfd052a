import Features
import TestSupport
import XCTest

final class OrientationHistogramTests: XCTestCase {
    /// A ramp along θ = k·45° has all its gradient in orientation bin k (bin b is centred at 2πb/8, clockwise from +x).
    func testRampPeaksInItsOrientationBin() throws {
        let extractor = TestImages.singleScale(patch: 32, step: 16)
        for k in 0 ..< 8 {
            let image = TestImages.ramp(width: 32, height: 32, degrees: Double(k) * 45, slope: 0.01)
            let set = try extractor.extract(image)
            XCTAssertEqual(set.count, 1)
            let totals = orientationTotals(set.orh(0))
            let best = totals.indices.max { totals[$0] < totals[$1] }!
            XCTAssertEqual(best, k, "θ = \(k * 45)°: totals \(totals)")
            XCTAssertGreaterThan(totals[k] / totals.reduce(0, +), 0.999, "θ = \(k * 45)°: mass outside bin \(k)")
        }
    }

    /// Between bin centres the gradient splits linearly: θ = b·45° + r·45° puts (1 − r) in bin b and r in bin b + 1.
    func testOrientationBinningIsLinearBetweenNeighbouringBins() {
        for degrees in [10.0, 100.0, 200.0, 330.0] {
            let image = TestImages.ramp(width: 40, height: 40, degrees: degrees, slope: 0.01)
            let (h, _) = OrientationHistogram.naiveRawHistogram(gray: image.gray, width: 40, height: 40,
                                                                x0: 4, y0: 4, patchSize: 32)
            var totals = [Double](repeating: 0, count: 8)
            for (i, v) in h.enumerated() { totals[i % 8] += v }
            let t = degrees / 45, b = Int(t), r = t - Double(b)
            let sum = totals.reduce(0, +)
            XCTAssertEqual(totals[b] / sum, 1 - r, accuracy: 1e-4, "θ = \(degrees)°")
            XCTAssertEqual(totals[(b + 1) % 8] / sum, r, accuracy: 1e-4, "θ = \(degrees)°")
            // The fast path agrees with the reference on the normalised descriptor.
            let fast = try! TestImages.singleScale(patch: 32, step: 16).extract(image)
            let naive = OrientationHistogram.naiveDescriptor(gray: image.gray, width: 40, height: 40,
                                                             x0: 4, y0: 4, patchSize: 32)
            assertClose(Array(fast.orh(0)), naive, rtol: 0, atol: 1e-5, label: "θ = \(degrees)°")
        }
    }

    /// A vertical step edge at x = 3.5 of a 32-px patch (cells of 8 px) lands in cell column 0 (a little in column 1,
    /// nothing in 2, 3), in orientation bin 0 (dark → bright along +x), symmetrically in the cell rows (window).
    func testSpatialBinningOfAnEdge() {
        var gray = [Float](repeating: 0.2, count: 32 * 32)
        for y in 0 ..< 32 { for x in 4 ..< 32 { gray[y * 32 + x] = 0.8 } }
        let (h, _) = OrientationHistogram.naiveRawHistogram(gray: gray, width: 32, height: 32, x0: 0, y0: 0,
                                                            patchSize: 32)
        func cell(_ l: Int, _ k: Int, _ b: Int) -> Double { h[(l * 4 + k) * 8 + b] }
        for l in 0 ..< 4 {
            for b in 1 ..< 8 { for k in 0 ..< 4 { XCTAssertEqual(cell(l, k, b), 0, accuracy: 1e-12) } }
            XCTAssertEqual(cell(l, 2, 0), 0)
            XCTAssertEqual(cell(l, 3, 0), 0)
            XCTAssertGreaterThan(cell(l, 0, 0), 10 * cell(l, 1, 0))
            XCTAssertGreaterThan(cell(l, 1, 0), 0)
        }
        XCTAssertEqual(cell(0, 0, 0), cell(3, 0, 0), accuracy: 1e-9)
        XCTAssertEqual(cell(1, 0, 0), cell(2, 0, 0), accuracy: 1e-9)
        XCTAssertGreaterThan(cell(1, 0, 0), cell(0, 0, 0))  // inner rows: larger window and full bilinear weight
        let image = try! ImagePlanes(width: 32, height: 32, gray: gray)
        let fast = try! TestImages.singleScale(patch: 32, step: 16).extract(image)
        let naive = OrientationHistogram.naiveDescriptor(gray: gray, width: 32, height: 32, x0: 0, y0: 0, patchSize: 32)
        assertClose(Array(fast.orh(0)), naive, rtol: 0, atol: 1e-5, label: "edge")
    }

    /// Adding a constant leaves every gradient, hence the descriptor, unchanged.
    func testInvariantToBrightnessOffset() throws {
        let extractor = TestImages.singleScale(patch: 16, step: 8)
        let image = TestImages.texture(width: 48, height: 40, seed: 11)
        let base = try extractor.extract(image)
        for offset: Float in [0.1, -0.15] {
            let shifted = try extractor.extract(TestImages.map(image) { $0 + offset })
            assertClose(shifted.orh, base.orh, rtol: 0, atol: 2e-5, label: "offset \(offset)")
        }
    }

    /// Multiplying by k > 0 scales every gradient magnitude by k, which the L2 normalisation removes.
    func testInvariantToContrastScaling() throws {
        let extractor = TestImages.singleScale(patch: 16, step: 8)
        let image = TestImages.texture(width: 48, height: 40, seed: 12)
        let base = try extractor.extract(image)
        for k: Float in [0.5, 0.25, 1.2] {
            let scaled = try extractor.extract(TestImages.map(image) { $0 * k })
            assertClose(scaled.orh, base.orh, rtol: 0, atol: 2e-5, label: "contrast ×\(k)")
        }
    }

    /// A constant patch has no gradient: the zero descriptor, not NaN. So does a ramp far below τ_low; a ramp above
    /// it is unit-norm.
    func testLowContrastPatchesGiveTheZeroDescriptor() throws {
        let extractor = TestImages.singleScale(patch: 32, step: 16)
        let flat = try extractor.extract(TestImages.constant(width: 32, height: 32, r: 0.3, g: 0.6, b: 0.1))
        XCTAssertEqual(flat.orh, [Float](repeating: 0, count: 128))
        let faint = try extractor.extract(TestImages.ramp(width: 32, height: 32, degrees: 30, slope: 1e-4))
        XCTAssertEqual(faint.orh, [Float](repeating: 0, count: 128))
        let visible = try extractor.extract(TestImages.ramp(width: 32, height: 32, degrees: 30, slope: 1e-2))
        XCTAssertEqual(l2(visible.orh), 1, accuracy: 1e-5)
    }

    /// The documented calibration of τ_low: a uniform gradient of magnitude m has contrast ρ = ‖h‖₂ / M ≈ 0.24·m.
    func testContrastOfAUniformGradient() {
        let m: Float = 0.01
        let image = TestImages.ramp(width: 32, height: 32, degrees: 0, slope: m)
        let (h, mass) = OrientationHistogram.naiveRawHistogram(gray: image.gray, width: 32, height: 32,
                                                               x0: 0, y0: 0, patchSize: 32)
        let rho = h.reduce(0) { $0 + $1 * $1 }.squareRoot() / mass
        XCTAssertEqual(rho / Double(m), 0.24, accuracy: 0.01)
    }

    /// normalize: [3, 4, 0…] → [0.6, 0.8] → clipped [0.2, 0.2] → renormalised [1/√2, 1/√2].
    func testNormaliseClipsAtPointTwoThenRenormalises() {
        var h = [Float](repeating: 0, count: 128)
        h[0] = 3; h[1] = 4
        let d = OrientationHistogram.normalized(h, windowMass: 1)
        XCTAssertEqual(d[0], Float(0.5).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(d[1], Float(0.5).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(d[2 ..< 128].reduce(0, +), 0)
        // Unclipped entries keep their ratios: [0.1, 0.15, 0.9] → clip only the last.
        var g = [Float](repeating: 0, count: 128)
        g[5] = 0.1; g[6] = 0.15; g[7] = 0.9
        let e = OrientationHistogram.normalized(g, windowMass: 1)
        let n = l2([0.1, 0.15, 0.9] as [Float])
        let clipped: [Float] = [0.1 / n, 0.15 / n, 0.2]
        let c = l2(clipped)
        XCTAssertEqual(e[5], clipped[0] / c, accuracy: 1e-6)
        XCTAssertEqual(e[6], clipped[1] / c, accuracy: 1e-6)
        XCTAssertEqual(e[7], clipped[2] / c, accuracy: 1e-6)
    }

    /// On a real (concentrated) patch: the extractor output equals min(h/‖h‖, 0.2)/‖·‖ of the raw histogram, clipping
    /// was active, and all clipped entries end up equal to the maximum.
    func testClipAtPointTwoHoldsBeforeRenormalisation() throws {
        let image = TestImages.ramp(width: 32, height: 32, degrees: 45, slope: 0.02)
        let (h, _) = OrientationHistogram.naiveRawHistogram(gray: image.gray, width: 32, height: 32,
                                                            x0: 0, y0: 0, patchSize: 32)
        let norm = h.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let unit = h.map { $0 / norm }
        let wasClipped = unit.map { $0 > 0.2 }
        XCTAssertTrue(wasClipped.contains(true), "the test patch must exercise clipping")
        let clipped = unit.map { min($0, 0.2) }
        let clippedNorm = clipped.reduce(0) { $0 + $1 * $1 }.squareRoot()
        let expected = clipped.map { Float($0 / clippedNorm) }
        let d = Array(try TestImages.singleScale(patch: 32, step: 16).extract(image).orh(0))
        assertClose(d, expected, rtol: 0, atol: 1e-5, label: "clip")
        let top = d.max()!
        for i in d.indices where wasClipped[i] { XCTAssertEqual(d[i], top, accuracy: 1e-6) }
        XCTAssertEqual(top, Float(0.2 / clippedNorm), accuracy: 1e-5)
    }

    /// Every descriptor of a mixed image (texture + a flat band) is unit-norm or exactly zero, and both occur.
    func testDescriptorsAreUnitNormOrZero() throws {
        let texture = TestImages.texture(width: 96, height: 64, seed: 5)
        var rgb = texture.rgb
        for y in 0 ..< 64 { for x in 0 ..< 40 { for c in 0 ..< 3 { rgb[(y * 96 + x) * 3 + c] = 0.4 } } }
        let image = try ImagePlanes(width: 96, height: 64, rgb: rgb)
        let set = try DenseExtractor(grid: try DenseGrid(patchSize: 16, step: 8, scales: 2)).extract(image)
        var zeros = 0, units = 0
        for n in 0 ..< set.count {
            let d = set.orh(n)
            XCTAssertTrue(d.allSatisfy { $0 >= 0 && $0.isFinite })
            let norm = l2(d)
            if norm == 0 { zeros += 1 } else { XCTAssertEqual(norm, 1, accuracy: 1e-5); units += 1 }
        }
        XCTAssertGreaterThan(zeros, 0)
        XCTAssertGreaterThan(units, 0)
    }
}
