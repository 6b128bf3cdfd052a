import Core
import NeuralNets
import TestSupport
import Training
import XCTest

/// `DataParallelTrainer.train`'s `prepareStep` (what `train-infused --refresh-unit steps` re-retrieves in): it runs
/// on every rank before every step, an empty slice included, with the step number, the global batch, this rank's
/// slice and the parameters after the previous step. Hand-checkable model: one weight w, ℓ_i = ½(w − 2)², SGD with
/// η = 0.5 from w = 0, so each step does w ← w − 0.5·(w − 2): before steps 0, 1, 2, 3 the trainer holds
/// w = 0, 1, 1.5, 1.75 (exact in binary floating point), and 1.875 at the end.
final class PrepareStepTests: XCTestCase {
    func testPrepareStepSeesTheParametersAfterThePreviousStepOnEveryRank() throws {
        let options = TrainingOptions(epochs: 2, batchSize: 2, learningRate: 0.5, optimizer: .sgd, seed: 3)
        for size in [1, 2, 3] {
            let seen = try ThreadedWorld.run(size: size) { comm -> StepLog in
                let log = StepLog()
                var layout = ParameterLayout()
                let w = layout.register("w", rows: 1, columns: 1)
                let result = try DataParallelTrainer(options: options, communicator: comm).train(
                    initial: Parameters<Float>(layout: layout), sampleCount: 4,
                    lossSum: { samples, parameters in
                        log.lossSamples.append(samples)
                        let value = parameters.values[w.offset]
                        parameters.grads[w.offset] += Float(samples.count) * (value - 2)
                        return Float(samples.count) * 0.5 * (value - 2) * (value - 2)
                    },
                    prepareStep: { step, batch, local, parameters in
                        log.steps.append(step)
                        log.weights.append(parameters.values[w.offset])
                        log.batches.append(batch)
                        log.locals.append(local)
                        var count = [local.count]
                        try comm.allReduce(&count, op: .sum)  // collectives are allowed: every rank is here
                        log.covered.append(count[0])
                    })
                log.final = result.parameters.values[w.offset]
                return log
            }
            for (rank, log) in seen.enumerated() {
                let at = "rank \(rank) of \(size)"
                XCTAssertEqual(log.steps, [0, 1, 2, 3], at)
                XCTAssertEqual(log.weights, [0, 1, 1.5, 1.75], at)
                XCTAssertEqual(log.final, 1.875, at)
                XCTAssertEqual(log.covered, [2, 2, 2, 2], at)  // the slices of all ranks make up each batch
                for t in 0 ..< 4 {
                    let epoch = t / 2, order = DataParallelTrainer.permutation(count: 4, seed: 3, epoch: epoch)
                    XCTAssertEqual(log.batches[t], Array(order[(t % 2) * 2 ..< (t % 2) * 2 + 2]), at)
                    XCTAssertEqual(log.batches[t], seen[0].batches[t], "every rank is given the same batch")
                    let slice = shard(count: 2, rank: rank, size: size)
                    XCTAssertEqual(log.locals[t], Array(log.batches[t][slice]), at)
                }
                // lossSum gets exactly the non-empty slices prepareStep was told of.
                XCTAssertEqual(log.lossSamples, log.locals.filter { !$0.isEmpty }, at)
            }
        }
    }
}

/// What the trainer's closures saw (a class: they share it).
private final class StepLog: @unchecked Sendable {
    var steps: [Int] = [], weights: [Float] = [], batches: [[Int]] = [], locals: [[Int]] = [], covered: [Int] = []
    var lossSamples: [[Int]] = []
    var final: Float = .nan
}
