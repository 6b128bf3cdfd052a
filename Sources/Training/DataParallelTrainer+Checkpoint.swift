import Core
import Foundation
import LinearAlgebra
import NeuralNets
import Storage

/// Training checkpoints: `<checkpointDirectory>/checkpoint.h5`, written by rank 0 only, atomically
/// (`HDF5File.createAtomic`: a crash leaves the previous checkpoint intact).
///
/// | object | type | content |
/// | --- | --- | --- |
/// | root attributes | header | stage `train-checkpoint`, version 1; the trainer's `checkedAttributes` and the caller's `configuration` (compared on resume); `ranks` (informative) |
/// | `position` | Int64 (6) | next epoch, next batch in it, total steps, Adam step count t, samples so far this epoch, epochs done |
/// | `epoch_loss` | Float64 (1) | Σ loss so far this epoch |
/// | `rng_state` | Int64 (4) | the seeded state of the next epoch's permutation generator (checked on resume: same seed, same generator) |
/// | `parameters` | Float32 (P) | θ |
/// | `optimizer/m`, `optimizer/v` | Float32 (P) | Adam's moments (zeros under SGD) |
/// | `history/mean_loss`, `history/learning_rate` | Float64 (E) | the curve so far; `history/samples`, `history/steps` Int64 (E) |
/// | `history/metrics/<name>` | Float64 (E) | what `evaluate` measured after each epoch (held-out accuracy, …) |
/// | `extra/<name>` | Float64 (n) | the caller's own state (`CheckpointExtras`: neighbour ids, a reward baseline, …) |
///
/// Resuming at the same rank count continues bit-identically; at another rank count it continues from the same
/// state, with float-rounding differences from then on.
extension DataParallelTrainer {
    public static let checkpointStage = "train-checkpoint"
    public static let checkpointVersion = 1
    public static let checkpointFileName = "checkpoint.h5"

    /// `<checkpointDirectory>/checkpoint.h5`, or nil without a directory.
    public var checkpointPath: String? { Self.checkpointPath(in: options.checkpointDirectory) }

    /// `<directory>/checkpoint.h5`, or nil without a directory: where a trainer checkpointing into `directory` writes.
    public static func checkpointPath(in directory: String?) -> String? {
        directory.map { $0.hasSuffix("/") ? $0 + checkpointFileName : $0 + "/" + checkpointFileName }
    }

    /// Whether a trainer checkpointing into `directory` left a checkpoint there (false without a directory).
    public static func hasCheckpoint(in directory: String?) -> Bool {
        checkpointPath(in: directory).map { FileManager.default.fileExists(atPath: $0) } ?? false
    }

    func writeCheckpoint(_ state: State) throws {
        guard let path = checkpointPath else { return }
        let extraValues = try extras?.save() ?? [:]  // every rank: `save` may call collectives
        guard communicator.isRoot else { return }  // Distributed: rank 0 writes
        var attributes = options.checkedAttributes.merging(configuration) { a, _ in a }
        attributes["ranks"] = .int(communicator.size)
        let header = ArtifactHeader(stage: Self.checkpointStage, version: Self.checkpointVersion, parameters: attributes)
        try ArtifactFile.create(path, header: header) { file in
            let position: [Int64] = [state.epoch, state.batch, state.totalSteps, state.adam.stepCount,
                                     state.epochSamples, state.history.count].map { Int64($0) }
            try file.write(position, shape: [position.count], to: "position")
            try file.write([state.epochLoss], shape: [1], to: "epoch_loss")
            let rng = Self.permutationState(seed: options.seed, epoch: state.epoch)
            try file.write(rng, shape: [4], to: "rng_state")
            let p = state.parameters.values.count
            try file.write(state.parameters.values, shape: [p], to: "parameters")
            try file.write(state.adam.firstMoment, shape: [p], to: "optimizer/m")
            try file.write(state.adam.secondMoment, shape: [p], to: "optimizer/v")
            let e = state.history.count
            try file.write(state.history.map(\.meanLoss), shape: [e], to: "history/mean_loss")
            try file.write(state.history.map(\.learningRate), shape: [e], to: "history/learning_rate")
            try file.write(state.history.map { Int64($0.samples) }, shape: [e], to: "history/samples")
            try file.write(state.history.map { Int64($0.totalSteps) }, shape: [e], to: "history/steps")
            for name in Self.metricNames(state.history) {
                try file.write(state.history.map { $0.metrics[name]! }, shape: [e], to: "history/metrics/\(name)")
            }
            try Self.writeExtras(extraValues, to: file)
        }
    }

    /// The metric names every epoch of `history` has (the ones a checkpoint can store as full curves).
    static func metricNames(_ history: [EpochSummary]) -> [String] {
        guard let first = history.first else { return [] }
        return first.metrics.keys.filter { name in history.allSatisfy { $0.metrics[name] != nil } }.sorted()
    }

    /// Rank 0 reads and checks the checkpoint, then broadcasts it; a failure on rank 0 is broadcast too, so
    /// every rank throws instead of waiting.
    func loadCheckpoint(like initial: Parameters<Float>) throws -> State {
        let comm = communicator
        let path = checkpointPath ?? "(no --checkpoint folder)"
        var state = State(parameters: initial,
                          adam: Adam<Float>(parameterCount: initial.values.count, learningRate: options.learningRate))
        var failure = ""
        var scalars: [Int64] = [], doubles: [Double] = [], metrics: [Double] = []
        var names = "", extraValues: [String: [Double]] = [:]
        if comm.isRoot {
            do {
                extraValues = try readCheckpoint(path: path, into: &state)
                scalars = [state.epoch, state.batch, state.totalSteps, state.adam.stepCount, state.epochSamples]
                    .map { Int64($0) } + state.history.flatMap { [Int64($0.samples), Int64($0.totalSteps)] }
                doubles = [state.epochLoss] + state.history.flatMap { [$0.meanLoss, $0.learningRate] }
                let metricNames = Self.metricNames(state.history)
                names = metricNames.joined(separator: "\n")
                metrics = metricNames.flatMap { name in state.history.map { $0.metrics[name]! } }
            } catch {
                failure = "\(error)"
            }
        }
        failure = try comm.broadcast(failure, root: 0)  // Distributed: every rank learns whether rank 0 failed
        guard failure.isEmpty else {
            throw comm.isRoot ? TrainingError.checkpointUnusable(path: path, reason: failure) : TrainingError.rootFailed(message: failure)
        }
        // Distributed: rank 0's checkpoint goes to every rank.
        try comm.broadcast(&state.parameters.values, root: 0)
        try comm.broadcast(&state.adam.firstMoment, root: 0)
        try comm.broadcast(&state.adam.secondMoment, root: 0)
        try comm.broadcast(&scalars, root: 0)
        try comm.broadcast(&doubles, root: 0)
        names = try comm.broadcast(names, root: 0)
        try comm.broadcast(&metrics, root: 0)
        (state.epoch, state.batch, state.totalSteps) = (Int(scalars[0]), Int(scalars[1]), Int(scalars[2]))
        (state.adam.stepCount, state.epochSamples, state.epochLoss) = (Int(scalars[3]), Int(scalars[4]), doubles[0])
        let epochs = (scalars.count - 5) / 2
        let metricNames = names.isEmpty ? [] : names.split(separator: "\n").map(String.init)
        state.history = (0 ..< epochs).map { e in
            var metricsOfEpoch: [String: Double] = [:]
            for (m, name) in metricNames.enumerated() { metricsOfEpoch[name] = metrics[m * epochs + e] }
            return EpochSummary(epoch: e, meanLoss: doubles[1 + 2 * e], samples: Int(scalars[5 + 2 * e]),
                                learningRate: doubles[2 + 2 * e], totalSteps: Int(scalars[6 + 2 * e]), metrics: metricsOfEpoch)
        }
        if let extras { try extras.restore(try broadcastExtras(extraValues)) }
        return state
    }

    /// Reads the checkpoint into `state`; returns its `extra/*` datasets.
    private func readCheckpoint(path: String, into state: inout State) throws -> [String: [Double]] {
        let file: HDF5File
        do {
            file = try HDF5File.open(path: path)
        } catch StorageError.fileMissing {
            throw TrainingError.checkpointUnusable(path: path, reason: "no checkpoint there yet")
        }
        defer { try? file.close() }
        let header = try ArtifactHeader.check(file, stage: Self.checkpointStage, version: Self.checkpointVersion)
        let expected = options.checkedAttributes.merging(configuration) { a, _ in a }
        let differences = expected.keys.sorted().compactMap { key -> String? in
            let found = header.parameters[key]
            if found == expected[key] || pathAttributes.contains(key) && Self.sameFile(found, expected[key], checkpoint: path) { return nil }
            return "\(key): checkpoint \(found.map { "\($0)" } ?? "absent"), now \(expected[key]!)"
        }
        guard differences.isEmpty else { throw TrainingError.checkpointMismatch(path: path, differences: differences) }
        let p = state.parameters.values.count
        state.parameters.values = try file.read("parameters", shape: [p])
        state.adam.firstMoment = try file.read("optimizer/m", shape: [p])
        state.adam.secondMoment = try file.read("optimizer/v", shape: [p])
        let position: [Int64] = try file.read("position", shape: [6])
        (state.epoch, state.batch, state.totalSteps) = (Int(position[0]), Int(position[1]), Int(position[2]))
        (state.adam.stepCount, state.epochSamples) = (Int(position[3]), Int(position[4]))
        state.epochLoss = try file.read("epoch_loss", as: Double.self).values[0]
        let rng: [Int64] = try file.read("rng_state", shape: [4])
        guard rng == Self.permutationState(seed: options.seed, epoch: state.epoch) else {
            throw TrainingError.checkpointMismatch(path: path, differences: ["rng_state: the permutation generator differs"])
        }
        let losses: [Double] = try file.read("history/mean_loss").values
        let rates: [Double] = try file.read("history/learning_rate").values
        let samples: [Int64] = try file.read("history/samples").values
        let steps: [Int64] = try file.read("history/steps").values
        var metricCurves: [String: [Double]] = [:]
        if file.contains("history/metrics") {
            for name in try file.children(of: "history/metrics") {
                metricCurves[name] = try file.read("history/metrics/\(name)", as: Double.self, shape: [losses.count])
            }
        }
        state.history = losses.indices.map { e in
            EpochSummary(epoch: e, meanLoss: losses[e], samples: Int(samples[e]), learningRate: rates[e],
                         totalSteps: Int(steps[e]), metrics: metricCurves.mapValues { $0[e] })
        }
        return try Self.readExtras(file)
    }

    /// True when the path attribute `found` of the checkpoint at `checkpoint` names the file `expected` names
    /// (relative to the checkpoint's folder, or absolute); `found` may also be a path as given, relative to the
    /// working directory (checkpoints written before `pathAttributes`).
    /// A list of paths matches element by element.
    static func sameFile(_ found: HDF5AttributeValue?, _ expected: HDF5AttributeValue?, checkpoint: String) -> Bool {
        if case let .strings(olds)? = found, case let .strings(news)? = expected {
            return olds.count == news.count && zip(olds, news).allSatisfy { sameFile(.string($0), .string($1), checkpoint: checkpoint) }
        }
        guard case let .string(old)? = found, case let .string(new)? = expected, !old.isEmpty else { return false }
        func standard(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }
        let target = standard(ArtifactHeader.resolvedPath(new, in: checkpoint))
        return standard(ArtifactHeader.resolvedPath(old, in: checkpoint)) == target || standard(old) == target
    }

    /// The state of epoch `epoch`'s permutation generator before it draws π_e (as Int64 bit patterns).
    static func permutationState(seed: UInt64, epoch: Int) -> [Int64] {
        SeededRandom(seed: seed, stream: UInt64(epoch) &+ 1).state.map { Int64(bitPattern: $0) }
    }
}
