import Core
import LabelGraphs
import LinearAlgebra
import NeuralNets
import XCTest

final class TrainingTests: XCTestCase {
    /// A tiny joined dataset: fine samples (a1 a2 b1 b2, teacher forcing) and coarse samples (A, B: their fine
    /// label unknown, REINFORCE) with 2-D Gaussian features around four centres. The decoder must reach > 90 %
    /// fine accuracy on held-out fine samples by greedy decoding.
    func testTinyJoinedDatasetTrains() throws {
        let g = graph(twoLevel)
        let decoder = try PathDecoder(graph: g, configuration: .init(featureSize: 2, embeddingSize: 8, hiddenSize: 16,
                                                                    encoder: .mlp(hiddenSize: 16)))
        let fine = ["a1", "a2", "b1", "b2"], centres: [(Float, Float)] = [(1, 1), (1, -1), (-1, 1), (-1, -1)]
        var rng = SeededRandom(seed: 5)
        func draw(_ n: Int) -> (x: Matrix<Float>, classes: [Int]) {
            var x = Matrix<Float>(rows: n, columns: 2)
            let classes = (0 ..< n).map { _ in rng.bounded(4) }
            for (i, c) in classes.enumerated() {
                x[i, 0] = centres[c].0 + 0.3 * Float(rng.normal())
                x[i, 1] = centres[c].1 + 0.3 * Float(rng.normal())
            }
            return (x, classes)
        }
        let paths = decoder.paths
        let train = draw(240)
        // The first half keeps its fine labels, the second half only its coarse label A/B.
        let truths = try train.classes.enumerated().map { i, c in
            i < 120 ? try paths.groundTruth(label: fine[c], dataset: "fine")
                    : try paths.groundTruth(label: c < 2 ? "A" : "B", dataset: "coarse")
        }
        XCTAssertTrue(truths[200].hasNondeterministicPaths && !truths[0].hasNondeterministicPaths)
        var parameters: Parameters<Float> = decoder.makeParameters(seed: 9)
        var adam = Adam<Float>(parameterCount: parameters.values.count, learningRate: 0.02)
        var baseline = RewardBaseline()
        let batchSize = 40
        for step in 0 ..< 150 {
            let rows = (0 ..< batchSize).map { (step * batchSize + $0 * 7) % train.x.rows }
            let x = Matrix<Float>(rows: batchSize, columns: 2, values: rows.flatMap { train.x.row($0) })
            parameters.zeroGrads()
            let result = decoder.loss(PathBatch(features: x, truths: rows.map { truths[$0] }),
                                      options: PathTrainingOptions(teacherForcingRate: 0.8), baseline: baseline.value,
                                      parameters: &parameters, rng: &rng)
            XCTAssertTrue(result.loss.isFinite)
            baseline.update(rewardSum: result.rewardSum, count: result.rewardCount)
            adam.step(&parameters, gradientScale: 1 / Float(batchSize))
        }
        let test = draw(200)
        let decoded = decoder.decode(features: test.x, parameters: parameters.values)
        let correct = zip(decoded, test.classes).filter { path, c in
            paths.label(on: path, dataset: "fine") == g.index(of: fine[c])
        }.count
        let accuracy = Double(correct) / Double(test.classes.count)
        print("tiny joined dataset: fine accuracy \(accuracy), reward baseline \(baseline.value)")
        XCTAssertGreaterThan(accuracy, 0.9)
        XCTAssertGreaterThan(baseline.value, 0.9, "coarse samples reach their coarse label")
    }
}
