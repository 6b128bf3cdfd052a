import Core
import Foundation
import LabelGraphs
import Storage
import Training

/// Checkpoints of `train-paths` (the shared `DataParallelTrainer` checkpoint, `checkpoint.h5`):
///
/// - label-aug keeps two numbers outside θ and Adam, carried as `CheckpointExtras`: `reward_baseline`
///   = (b, updates), the running REINFORCE baseline every rank holds alike, and `step` = s, the step counter whose
///   value seeds the teacher-forcing coin and the per-sample streams of the next step;
/// - pseudo-labels trains twice: the FFN on the target dataset checkpoints into `<folder>/ffn/`, the FFN on the
///   union into `<folder>/pseudo/`. A resumed run resumes the first from its (possibly finished) checkpoint,
///   which gives back its final θ to relabel with, and the second only when its checkpoint exists.
///
/// The trainer's `configuration` (compared on resume) is every setting that changes the arithmetic: method,
/// target, graph file, joined datasets, sizes, path-loss options, the number of samples.
extension PathTrainingStage {
    /// The checkpoint sub-folder of the pseudo-labels phases.
    static let pseudoPhases = (first: "ffn", second: "pseudo")

    /// The model/data settings a checkpoint must match.
    func settings(samples: Int, featureSets: [String]) -> [String: HDF5AttributeValue] {
        let c = configuration, o = c.pathOptions
        return ["paths.method": .string(c.method.rawValue), "paths.target": .string(c.target),
                "paths.graph": .string(c.graphPath), "paths.joined": .strings(c.specs.map(\.description)),
                "paths.feature_sets": .strings(featureSets), "paths.samples": .int(samples),
                "model.encoder_hidden": .int(c.encoderHidden), "model.embedding_size": .int(c.embeddingSize),
                "model.hidden_size": .int(c.hiddenSize), "model.multi_label": .int(c.multiLabel ? 1 : 0),
                "paths.pooling": .string("\(o.pooling)"), "paths.teacher_forcing": .double(o.teacherForcingRate),
                "paths.alpha": .double(o.alpha), "paths.beta": .double(o.beta),
                "paths.max_target_paths": .int(o.maxTargetPaths), "paths.reinforce_samples": .int(o.reinforceSamples),
                "paths.nondeterministic": .string(o.nondeterministic.rawValue),
                "paths.baseline_momentum": .double(c.baselineMomentum)]
            .merging(c.textEncoder.map { text in
                ["paths.text_encoder": .string(String(DataParallelTrainer.hash(text.parameters), radix: 16)),
                 "paths.text_corpus": .string("\(text.corpus.kind.rawValue):\(text.corpus.path ?? "")")]
            } ?? [:]) { a, _ in a }
    }

    /// Samples per block of the ordered batch sums: the trainer's one standard size (the text trainers use it too).
    static let orderedBlockSize = DataParallelTrainer.standardOrderedBlockSize

    /// The trainer of one training run; `phase` names a pseudo-labels phase's checkpoint sub-folder.
    /// `ordered` (all but the end-to-end mode, which sums exactly itself): ordered batch sums of
    /// `orderedBlockSize` samples per block, recorded as `paths.ordered_block` (0 = plain all-reduce).
    func trainer(_ comm: any Communicator, phase: String? = nil, settings: [String: HDF5AttributeValue],
                 extras: CheckpointExtras? = nil, ordered: Bool = true) throws -> DataParallelTrainer {
        var options = configuration.training
        if let phase, let folder = options.checkpointDirectory {
            options.checkpointDirectory = folder + "/" + phase
            if comm.isRoot { try FileManager.default.createDirectory(atPath: folder + "/" + phase, withIntermediateDirectories: true) }
        }
        var phaseSettings = settings
        if let phase { phaseSettings["paths.phase"] = .string(phase) }
        phaseSettings["paths.ordered_block"] = .int(ordered ? Self.orderedBlockSize : 0)
        var trainer = DataParallelTrainer(options: options, communicator: comm, configuration: phaseSettings, extras: extras)
        trainer.orderedBlockSize = ordered ? Self.orderedBlockSize : nil
        return trainer
    }

    /// Whether `trainer` should resume: asked to, and (for the second pseudo-labels phase) its checkpoint exists
    /// on rank 0 (broadcast, so every rank decides alike).
    func resumes(_ trainer: DataParallelTrainer, optional: Bool) throws -> Bool {
        guard configuration.resume else { return false }
        guard optional else { return true }
        let comm = trainer.communicator
        let found = comm.isRoot && trainer.checkpointPath.map { FileManager.default.fileExists(atPath: $0) } == true
        return try comm.broadcast(found ? "yes" : "", root: 0) == "yes"  // Distributed: rank 0's file system decides
    }

    /// Whether `folder` holds a checkpoint of any method (the runner resumes an interrupted stage when it does).
    public static func hasCheckpoint(in folder: String) -> Bool {
        ["", "/" + pseudoPhases.first].contains { FileManager.default.fileExists(atPath: folder + $0 + "/" + DataParallelTrainer.checkpointFileName) }
    }
}

/// Label-aug's state outside θ and Adam: the running REINFORCE baseline b and the step counter s (a class: the
/// loss closure and the checkpoint extras share it).
final class LabelAugState {
    var baseline: RewardBaseline
    var step: UInt64 = 0

    init(momentum: Double) { baseline = RewardBaseline(momentum: momentum) }

    /// `reward_baseline` = (b, updates) and `step` = s, the same on every rank.
    func extras(path: String) -> CheckpointExtras {
        CheckpointExtras(
            save: { ["reward_baseline": [self.baseline.value, Double(self.baseline.updates)], "step": [Double(self.step)]] },
            restore: { values in
                let b = try CheckpointExtras.require(values, "reward_baseline", count: 2, path: path)
                self.baseline = RewardBaseline(momentum: self.baseline.momentum, value: b[0], updates: Int(b[1]))
                self.step = UInt64(try CheckpointExtras.require(values, "step", count: 1, path: path)[0])
            })
    }
}
