import Core
import Foundation
import LabelGraphs
import LinearAlgebra
import NeuralNets
import TestSupport
import XCTest

/// The paper's Figure 2 (cat subgraph) in the `.graph` format. Cat is the label of the coarse dataset
/// (Dogs vs. Cats), British Shorthair a label of the fine one (Pets); Hair and Color pattern are Cat's two
/// competing groups. Ragdoll (longhair, point colour) is added so Longhair is not a leaf, which validation forbids.
let figure2 = """
    # Figure 2: Animal ∘ Cat ∘ {hair | colour pattern} ∘ British Shorthair
    node animal root "Animal"
    node cat label datasets=dogs-vs-cats "Cat"
    node shorthair augmented "Shorthair"
    node longhair augmented "Longhair"
    node solid augmented "Solid-Color"
    node tabby augmented "Tabby-Color"
    node point augmented "Point-Color"
    node bsh label datasets=pets "British-Shorthair"
    node ragdoll label datasets=pets "Ragdoll"
    edge animal cat
    edge cat shorthair longhair solid tabby point
    group cat shorthair longhair      # Hair
    group cat solid tabby point       # Color pattern
    edge shorthair bsh
    edge solid bsh
    edge tabby bsh
    edge point bsh
    edge longhair ragdoll
    edge point ragdoll
    """

/// A two-level joined graph (coarse A, B over fine a1 a2 b1 b2).
let twoLevel = LabelGraphFixtures.twoLevel

/// The REINFORCE bandit: l has two competing routes (g1, g2), m a third (g3).
let bandit = """
    node root root
    node g1 augmented
    node g2 augmented
    node g3 augmented
    node l label datasets=d
    node m label datasets=d
    edge root g1 g2 g3
    edge g1 l
    edge g2 l
    edge g3 m
    """

func graph(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> LabelGraph {
    do { return try LabelGraph(parsing: text, file: "fixture.graph") } catch {
        XCTFail("fixture does not parse: \(error)", file: file, line: line)
        fatalError("unusable fixture")
    }
}

/// Node ids along a path.
func ids(_ path: [Int], _ g: LabelGraph) -> String { path.map { g.nodes[$0].id }.joined(separator: "∘") }

/// The error a throwing expression throws, as a LabelGraphError.
func labelGraphError(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> LabelGraphError? {
    do {
        try body()
        XCTFail("expected a LabelGraphError", file: file, line: line)
    } catch let error as LabelGraphError {
        return error
    } catch {
        XCTFail("expected a LabelGraphError, got \(error)", file: file, line: line)
    }
    return nil
}

func randomMatrixD(rows: Int, columns: Int, seed: UInt64) -> Matrix<Double> {
    var rng = SeededRandom(seed: seed)
    return Matrix(rows: rows, columns: columns, values: (0 ..< rows * columns).map { _ in rng.normal() })
}

/// Central differences of `f` over every parameter, compared to `analytic`.
func assertGradient(_ analytic: [Double], at point: [Double], tolerance: Double = 1e-6, label: String,
                    file: StaticString = #filePath, line: UInt = #line, _ f: ([Double]) -> Double) {
    let numeric = numericalGradient(point, f)
    let error = maxRelativeError(analytic, numeric, floor: 1e-4)
    XCTAssertLessThan(error, tolerance, "\(label): max relative error \(error)", file: file, line: line)
    XCTAssertGreaterThan(numeric.map(abs).max() ?? 0, 1e-6, "\(label): the check is vacuous (zero gradient)",
                         file: file, line: line)
}
