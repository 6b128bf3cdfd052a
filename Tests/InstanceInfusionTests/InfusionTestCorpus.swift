import Core
import Stages
import Foundation
import InstanceInfusion
import Training

/// The small target/source corpora of the `train-infused` tests and the baseline every infused run starts from.
enum InfusionTestCorpus {
    /// Documents of 3 classes: 4 words of the class's 6 topic words among 4 of 40 noise words, drawn by a seeded
    /// generator, so no two documents are (near-)duplicates (their context vectors would tie in retrieval, and
    /// float rounding of the scores could then pick either).
    static func write(to file: String, documents: Int, seed: UInt64) throws {
        let topics = [["stock", "market", "shares", "bank", "profit", "trade"],
                      ["goal", "match", "team", "cup", "coach", "league"],
                      ["vote", "party", "minister", "poll", "election", "law"]]
        var rng = SeededRandom(seed: seed)
        var lines = ["text,label"]
        for i in 0 ..< documents {
            let words = (0 ..< 4).flatMap { _ in [topics[i % 3][rng.bounded(6)], "w\(rng.bounded(40))"] }
            lines.append(words.joined(separator: " ") + ",class\(i % 3)")
        }
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
    }

    /// `path("target.csv")` (48 documents, seed 1) and `path("source.csv")` (60, seed 2), the baseline bi-LSTM on
    /// the target's fold 1 of 4 (`path("model.h5")`) and the source embedded with it (`path("source-emb.h5")`).
    static func baseline(_ path: (String) -> String) throws -> (target: String, model: String, test: ClassificationMetrics) {
        try write(to: path("target.csv"), documents: 48, seed: 1)
        try write(to: path("source.csv"), documents: 60, seed: 2)
        var configuration = TextTrainingStage.Configuration(
            source: TextCorpusSource(kind: .csv, path: path("target.csv")), split: .fold(0, of: 4),
            training: TrainingOptions(epochs: 3, batchSize: 8, learningRate: 0.02))
        configuration.embeddingSize = 8
        configuration.hiddenSize = 6
        configuration.contextSize = 5
        configuration.minimumCount = 1
        configuration.outputPath = path("model.h5")
        let report = try TextTrainingStage(configuration).run(communicator: SingleProcessCommunicator())
        try TextEmbeddingStage(modelPath: path("model.h5"), source: TextCorpusSource(kind: .csv, path: path("source.csv")),
                               outputPath: path("source-emb.h5")).run(communicator: SingleProcessCommunicator())
        return (path("target.csv"), path("model.h5"), report.test!)
    }
}
