import Core
import Foundation
import Runner
import Storage
import TestSupport
import XCTest

/// The continued-training control of the infusion experiments (issue 19; `experiments/infusion-ablation.sh`,
/// `TABLE=table1`) is a `train-text` stage with E + E' epochs beside the baseline's E, in the same repetition:
///
///     lstm:    θ_0 ─(E epochs)→ θ_E                      (the baseline; infused runs start from θ_E)
///     control: θ_0 ─(E epochs)→ θ_E ─(E' epochs)→ θ_{E+E'} (no retrieval)
///     infused: θ_E ─(E' epochs, retrieval, λ)→ θ'
///
/// It is a control only if (a) its first E epochs are the baseline's — the same initial θ_0, shuffles and
/// learning rates, so the same loss bits per epoch — and (b) its last E' epochs take as many optimiser steps over
/// as many documents as the infused run. Both are read from the stages' epoch-end checkpoints
/// (`history/mean_loss`, `history/learning_rate`, `history/samples`, `history/steps`, the last cumulative), for
/// every repetition of a seeds × folds block (the runner sets seed and fold; the stages do not write them).
final class ContinuedTrainingControlTests: XCTestCase {
    static let epochs = 2, extra = 2

    func config(_ folder: URL) throws -> RunnerConfig {
        let csv = folder.appendingPathComponent("corpus.csv")
        try Data(RunnerInfusedStageTests.corpus().utf8).write(to: csv)
        let sizes = #""batch_size": 8, "embedding_size": 8, "hidden_size": 6, "context_size": 5, "min_count": 1"#
        let json = """
            {"out": "\(folder.path)/out", "datasets": {"t": {"kind": "csv", "data": "\(csv.path)"}},
             "repeat": {"seeds": [4], "folds": 3, "shared": ["src", "embed", "index"],
                        "compare": [{"method": "control.accuracy", "baseline": "lstm.accuracy"}]},
             "stages": [
               {"name": "src", "type": "train-text", "dataset": "t",
                "params": {"epochs": 1, "test_fraction": 0.25, \(sizes)}},
               {"name": "embed", "type": "embed", "dataset": "t", "inputs": {"model": "src"}},
               {"name": "index", "type": "index", "inputs": {"embeddings": "embed"}, "params": {"trees": 4, "max_depth": 10}},
               {"name": "lstm", "type": "train-text", "dataset": "t", "params": {"epochs": \(Self.epochs), \(sizes)}},
               {"name": "control", "type": "train-text", "dataset": "t",
                "params": {"epochs": \(Self.epochs + Self.extra), \(sizes)}},
               {"name": "infused", "type": "train-infused", "dataset": "t", "inputs": {"model": "lstm", "index": "index"},
                "params": {"epochs": \(Self.extra), "batch_size": 8, "neighbours": 3}}
             ]}
            """
        let path = folder.appendingPathComponent("cfg.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return try RunnerConfig.load(path, stageTypes: allStageTypes)
    }

    /// One stage's epoch-end curves from its checkpoint.
    struct Curves {
        var loss: [Double], rate: [Double], samples: [Int64], steps: [Int64]
        init(_ stageFolder: String) throws {
            let file = try HDF5File.open(path: stageFolder + "/checkpoint/checkpoint.h5")
            defer { try? file.close() }
            loss = try file.read("history/mean_loss", as: Double.self).values
            rate = try file.read("history/learning_rate", as: Double.self).values
            samples = try file.read("history/samples", as: Int64.self).values
            steps = try file.read("history/steps", as: Int64.self).values
        }
    }

    func testControlContinuesTheBaselineForTheInfusedRunsSteps() throws {
        let folder = try makeTemporaryDirectory("continued-control")
        let outcome = try RepeatRunner(config: try config(folder), verbosity: .quiet).run(communicator: SingleProcessCommunicator())
        XCTAssertTrue(outcome.aggregated, "every repetition ran, so the statistics were written")
        let out = folder.path + "/out"
        let repetitions = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix("rep-") }.sorted()
        XCTAssertEqual(repetitions.count, 3, "1 seed × 3 folds: \(repetitions)")
        var lossesPerRepetition: Set<[Double]> = []
        for repetition in repetitions {
            let lstm = try Curves(out + "/" + repetition + "/lstm")
            let control = try Curves(out + "/" + repetition + "/control")
            let infused = try Curves(out + "/" + repetition + "/infused")
            let (e, x) = (Self.epochs, Self.extra)
            XCTAssertEqual([lstm.loss.count, control.loss.count, infused.loss.count], [e, e + x, x], repetition)
            // (a) the same model for the first E epochs: bit-equal losses, rates, documents and steps.
            XCTAssertEqual(Array(control.loss.prefix(e)).map(\.bitPattern), lstm.loss.map(\.bitPattern), repetition)
            XCTAssertEqual(Array(control.rate.prefix(e)), lstm.rate, repetition)
            XCTAssertEqual(Array(control.samples.prefix(e)), lstm.samples, repetition)
            XCTAssertEqual(Array(control.steps.prefix(e)), lstm.steps, repetition)
            XCTAssertNotEqual(control.loss[e...].first, lstm.loss.last, "the control trains on after epoch E (\(repetition))")
            // (b) the extra epochs: the infused run's documents and optimiser steps, epoch by epoch.
            XCTAssertEqual(Array(control.samples.suffix(x)), infused.samples, repetition)
            let controlSteps = zip(control.steps.suffix(x), control.steps.suffix(x + 1)).map { $0 - $1 }
            let infusedSteps = zip(infused.steps, [0] + infused.steps).map { $0 - $1 }
            XCTAssertEqual(controlSteps, infusedSteps, repetition)
            XCTAssertTrue(infusedSteps.allSatisfy { $0 > 0 }, "\(repetition): \(infusedSteps)")
            lossesPerRepetition.insert(lstm.loss)
        }
        XCTAssertEqual(lossesPerRepetition.count, 3, "each fold trains its own baseline (the runner sets the fold)")
    }
}
