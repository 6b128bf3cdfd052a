import Core
import LabelGraphs
import LinearAlgebra
import NeuralNets
import TestSupport
import XCTest

/// Algorithm 1's teacher-forcing rate r_tf: with coin > r_tf the decoder is fed its own previous greedy choice
/// (free running) instead of the ground-truth node. Hand-made cases where the greedy choice is forced wrong by
/// the output bias, so feeding it is visible in the loss and in which node embedding gets gradient.
final class TeacherForcingTests: XCTestCase {
    /// r → a, b; a → c, f; b → c, f (c, f labels under both a and b).
    static let dag = """
        node r root
        node a augmented
        node b augmented
        node c label datasets=d
        node f label datasets=d
        edge r a b
        edge a c f
        edge b c f
        """
    /// r → a, b; a → c, f; b → g (a tree: every label has one path, deterministic).
    static let tree = """
        node r root
        node a augmented
        node b augmented
        node c label datasets=d
        node f label datasets=d
        node g label datasets=d
        edge r a b
        edge a c f
        edge b g
        """

    /// A decoder whose greedy first step picks b: the output bias of b is +20.
    func decoder(_ text: String) throws -> (PathDecoder, Parameters<Double>) {
        let decoder = try PathDecoder(graph: graph(text), configuration: .init(featureSize: 3, embeddingSize: 4, hiddenSize: 5))
        var parameters: Parameters<Double> = decoder.makeParameters(seed: 7)
        let bias = decoder.layout.view(named: "output.b")!
        parameters.values[bias.offset + decoder.graph.index(of: "b")!] = 20
        return (decoder, parameters)
    }

    func path(_ d: PathDecoder, _ ids: String) -> [Int] { ids.split(separator: " ").map { d.graph.index(of: String($0))! } }

    /// Free running on r ∘ a ∘ c feeds b (the greedy choice) at step 1, so the loss is
    ///     −log p(a | r) − log p(c | fed b)  =  ℓ_TF(r ∘ a) + ℓ_TF(r ∘ b ∘ c) − ℓ_TF(r ∘ b)
    /// (the first step's distribution is the same in all three; ℓ_TF(r ∘ a) and ℓ_TF(r ∘ b) stop after one term
    /// because ⟨eop⟩ cannot follow a or b), and E[b], not E[a], gets the gradient of the second step.
    func testFreeRunningFeedsTheGreedyChoice() throws {
        let (d, parameters) = try decoder(Self.dag)
        let x = randomMatrixD(rows: 1, columns: 3, seed: 4)
        func nll(_ ids: String, free: Bool) -> (Double, [Double]) {
            var p = parameters
            p.zeroGrads()
            let loss = d.negativeLogLikelihood(features: x, targets: [PathTarget(sample: 0, path: path(d, ids), weight: 1)],
                                               freeRunning: free, parameters: &p).loss
            return (loss, p.grads)
        }
        let (free, freeGrads) = nll("r a c", free: true)
        let (forced, forcedGrads) = nll("r a c", free: false)
        let expected = nll("r a", free: false).0 + nll("r b c", free: false).0 - nll("r b", free: false).0
        XCTAssertEqual(free, expected, accuracy: 1e-12)
        XCTAssertNotEqual(free, forced)
        let table = d.layout.view(named: "nodes.E")!, e = 4
        func rowNorm(_ grads: [Double], _ node: String) -> Double {
            let start = table.offset + d.graph.index(of: node)! * e
            return grads[start ..< start + e].map(abs).max()!
        }
        XCTAssertGreaterThan(rowNorm(freeGrads, "b"), 1e-6, "free running fed b")
        XCTAssertEqual(rowNorm(freeGrads, "a"), 0, "free running never fed a")
        XCTAssertGreaterThan(rowNorm(forcedGrads, "a"), 1e-6, "teacher forcing fed a")
        XCTAssertEqual(rowNorm(forcedGrads, "b"), 0, "teacher forcing never fed b")
    }

    /// Through `loss(options:)`: r_tf = 1 always teacher-forces, r_tf = 0 always runs free (the wrong first choice b
    /// ends the row, leaving −log p(a | r) only), so the losses and the gradients differ; r_tf = 0.5 uses both
    /// branches over seeded coins.
    func testTeacherForcingRateSelectsTheBranch() throws {
        let (d, parameters) = try decoder(Self.tree)
        let x = randomMatrixD(rows: 2, columns: 3, seed: 5)
        let truths = try ["c", "f"].map { try d.paths.groundTruth(label: $0, dataset: "d") }
        XCTAssertTrue(truths.allSatisfy { !$0.hasNondeterministicPaths })
        func run(_ rate: Double, seed: UInt64) -> (Double, [Double]) {
            var p = parameters
            p.zeroGrads()
            var rng = SeededRandom(seed: seed)
            let loss = d.loss(PathBatch(features: x, truths: truths), options: PathTrainingOptions(teacherForcingRate: rate),
                              baseline: 0, parameters: &p, rng: &rng)
            return (loss.loss, p.grads)
        }
        let (forced, forcedGrads) = run(1, seed: 1)
        let (free, freeGrads) = run(0, seed: 1)
        XCTAssertNotEqual(free, forced)
        XCTAssertNotEqual(freeGrads, forcedGrads)
        // Free running: each row stops after its first step (b was fed, c and f are not b's children).
        var reference = parameters
        let firstSteps = ["r a", "r a"].enumerated().map { PathTarget(sample: $0.offset, path: path(d, $0.element), weight: 1) }
        XCTAssertEqual(free, d.negativeLogLikelihood(features: x, targets: firstSteps, parameters: &reference).loss, accuracy: 1e-12)
        let mixed = (0 ..< 64).map { run(0.5, seed: $0).0 }
        let freeCount = mixed.filter { $0 == free }.count, forcedCount = mixed.filter { $0 == forced }.count
        XCTAssertEqual(freeCount + forcedCount, 64)
        XCTAssertGreaterThan(freeCount, 16)
        XCTAssertGreaterThan(forcedCount, 16)
    }
}
