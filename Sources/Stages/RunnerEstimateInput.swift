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

    public init(stage: RunnerStage, directory: String, dataset: ResolvedDataset?, ranks: Int = 1,
                inputs: [String: RunnerEstimateInput]) {
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

    /// (N documents, C classes) of this stage's text dataset, loaded (`plan` checks that it parses anyway).
    public func corpusSize() throws -> (documents: Int, classes: Int) {
        guard case let .text(source)? = dataset else {
            throw RunnerError.stageFailed(stage: stage.name, type: stage.type.name, reason: "no text dataset to count documents of")
        }
        let corpus = try source.load()
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
