import Datasets
import Foundation
import Storage

/// What a stage's size estimate may look at before anything runs (`tributary plan`): the stage, its folder, its
/// dataset (resolved, not read), and the same for the stage filling each input role, recursively — so `embed`
/// can read the `context_size` M of its `train-text` stage and `query` the corpus of the `embed` stage whose
/// rows it queries. No file of an earlier stage is read (it may not exist yet).
public struct RunnerEstimateInput: Sendable {
    public typealias Estimator = @Sendable (RunnerEstimateInput) throws -> [DiskSpace.Plan]

    public var stage: RunnerStage
    public var directory: String
    public var dataset: ResolvedDataset?
    /// R, the ranks of the planned run (per-rank parts repeat some data R times).
    public var ranks: Int
    /// Input role → the estimate input of the stage that fills it.
    public var inputs: [String: RunnerEstimateInput]
    /// Shared by every stage of one plan: a corpus read (and tokenised) once however many stages count it.
    public var cache: RunnerEstimateCache
    /// Set when this stage's text dataset has no snapshot yet and its size is bounded from the config instead of
    /// read (`plan` builds no snapshot): N ≤ `limit` documents, C ≤ N classes, V ≤ the model's `vocab_size`.
    public var textBound: TextBound?

    /// Upper bounds of a text dataset that has not been read.
    public struct TextBound: Sendable, Equatable {
        /// N ≤ this: the dataset's `limit`.
        public var documents: Int

        public init(documents: Int) { self.documents = documents }
    }

    public init(stage: RunnerStage, directory: String, dataset: ResolvedDataset?, ranks: Int = 1,
                inputs: [String: RunnerEstimateInput], cache: RunnerEstimateCache = RunnerEstimateCache()) {
        self.cache = cache
        self.stage = stage
        self.directory = directory
        self.dataset = dataset
        self.ranks = ranks
        self.inputs = inputs
    }

    public var parameters: StageParameters { stage.parameters }

    /// The stage filling `role` (the config checked that it is there).
    public func input(_ role: String) throws -> RunnerEstimateInput {
        guard let input = inputs[role] else {
            throw RunnerError.stageFailed(stage: stage.name, type: stage.type.name,
                                          reason: "no stage fills input `\(role)`; name one under inputs.\(role) in the config")
        }
        return input
    }

    /// This stage's text corpus and its source (read once per plan: `cache`).
    public func corpus() throws -> (TextCorpus, TextCorpusSource) {
        guard case let .text(source)? = dataset else {
            throw RunnerError.stageFailed(stage: stage.name, type: stage.type.name, reason: "no text dataset to count documents of")
        }
        return (try cache.value("corpus \(source.kind) \(source.path ?? "")") { try source.load() }, source)
    }

    /// (N documents, C classes) of this stage's text dataset (`plan` checks that it parses anyway), or their
    /// bounds (N = `limit`, C ≤ N) when it has not been read (`textBound`).
    public func corpusSize() throws -> (documents: Int, classes: Int) {
        if let bound = textBound { return (bound.documents, bound.documents) }
        let corpus = try corpus().0
        return (corpus.count, corpus.classNames.count)
    }

    /// A plan line for `file` in this stage's folder.
    public func plan(_ file: String, _ what: String, bytes: Int, fixes: [String] = []) -> DiskSpace.Plan {
        DiskSpace.Plan(what: "\(file) (\(what))", folder: directory, bytes: bytes, fixes: fixes)
    }
}

extension RunnerStageType {
    /// This type with `estimator` as its plan estimate from inputs.
    public func estimating(_ estimator: @escaping RunnerEstimateInput.Estimator) -> RunnerStageType {
        var copy = self
        copy.estimateFromInputs = estimator
        return copy
    }
}

/// Values computed once per plan (a corpus, its vocabulary), keyed by what they were computed from.
public final class RunnerEstimateCache: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: Any] = [:]

    public init() {}

    /// The value under `key`, computed by `make` the first time.
    public func value<T>(_ key: String, _ make: () throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        if let value = values[key] as? T { return value }
        let value = try make()
        values[key] = value
        return value
    }
}
