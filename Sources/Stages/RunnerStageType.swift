import Core
import LinearAlgebra
import Storage

/// A kind of stage the pipeline runner can run (`"type"` in a config): its inputs, its parameters with their
/// defaults, the files it writes, and the driver call. Each method module lists its stage types
/// (`FisherAnnotationStages.stageTypes`, …); the caller (`tributary run`, a test) joins them into the registry
/// that `RunnerConfig.load(_:stageTypes:)` resolves `"type"` against, so the runner knows only this contract.
/// Adding a stage is adding one entry in its method's `RunnerStages+…` file, and the runner gives it config
/// checking, content-hash keys, skipping, resume and a report section.
///
/// Contract of `run`: every rank calls it with the same context; it writes its files under
/// `context.directory`; it returns (on every rank) a summary line and a Markdown report section whose figure
/// paths are relative to the run's `out` folder. If the folder holds files of an interrupted run with the same
/// key, the driver may reuse them (finished part files, a training checkpoint).
public struct RunnerStageType: Sendable {
    public typealias Driver = @Sendable (RunnerStageContext) throws -> RunnerStageResult

    public var name: String
    /// Bumped when the driver's output changes for the same parameters: part of the stage key.
    public var version: Int
    public var summary: String
    /// The dataset category it reads, or nil when it reads only earlier stages.
    public var dataset: RunnerDataset.Category?
    /// Input role → the stage types that may fill it.
    public var inputs: [String: [String]]
    /// The roles of `inputs` a config may leave out (the driver then sees no folder for them).
    public var optionalInputs: Set<String>
    /// The parameter table (`StageSpec`): `stages[i].params` is checked against it.
    public var spec: StageSpec
    /// The keys of `spec` that the command line shares (the rest are config-only plumbing).
    public var sharedKeys: [String]
    /// The files (relative to the stage folder) recorded with their content hashes; the first is the main one.
    public var outputs: [String]
    /// True when the output depends on the rank count (per-rank index parts): the key then includes it.
    public var rankDependent: Bool
    public var run: Driver
    /// What the stage will write, estimated before it runs without reading images or training (`tributary plan`;
    /// nil: the type cannot say). Gets the stage, its folder and its dataset.
    public typealias Estimator = @Sendable (RunnerStage, String, ResolvedDataset?) throws -> [DiskSpace.Plan]
    public var estimate: Estimator?
    /// The same from the stage's inputs too (`RunnerEstimateInput`: the upstream stages' parameters and datasets),
    /// for stages whose sizes follow from what earlier stages will write; set with `estimating(_:)`. Used when
    /// `estimate` is nil.
    public var estimateFromInputs: RunnerEstimateInput.Estimator?
    /// Peak memory per rank and a rough time (`StageCost`), from the same inputs; set with `costing(_:)`.
    public var estimateCost: RunnerEstimateInput.CostEstimator?

    /// A stage type whose parameters are `spec`'s (shared with the command line) plus `configOnly`: the config's
    /// plumbing that the command line expresses with its own options (input files, class maps, report rows).
    public init(spec: StageSpec, version: Int = 1, dataset: RunnerDataset.Category? = nil,
                inputs: [String: [String]] = [:], optionalInputs: Set<String> = [], configOnly: [ParameterSpec] = [], outputs: [String],
                rankDependent: Bool = false, estimate: Estimator? = nil, run: @escaping Driver) {
        self.name = spec.name
        self.version = version
        self.summary = spec.summary
        self.dataset = dataset
        self.inputs = inputs
        self.optionalInputs = optionalInputs
        self.spec = StageSpec(spec.name, summary: spec.summary, combining: [spec], configOnly)
        self.sharedKeys = spec.keys
        self.outputs = outputs
        self.rankDependent = rankDependent
        self.estimate = estimate
        self.run = run
    }

    /// The type called `name` in `registry`.
    public static func named(_ name: String, in registry: [RunnerStageType]) -> RunnerStageType? {
        registry.first { $0.name == name }
    }
}

/// What a stage driver gets.
public struct RunnerStageContext {
    public let communicator: any Communicator
    public let stage: RunnerStage
    /// `out/<stage name>`, created before the call.
    public let directory: String
    /// The run's `out` folder (report figure paths are relative to it).
    public let out: String
    /// The stage's dataset, materialised (nil for stages without one).
    public let dataset: ResolvedDataset?
    /// Input role → the folder of the stage that fills it.
    public let inputs: [String: String]
    /// Status lines (printed on rank 0 with `--verbose`, shown in the bar with `--progress bar`).
    public let log: (String) -> Void
    /// The stage's progress (batches, images) and its metrics file `<stage folder>/metrics.jsonl` (rank 0).
    public let progress: ProgressReporter

    public var parameters: StageParameters { stage.parameters }

    public init(communicator: any Communicator, stage: RunnerStage, directory: String, out: String,
                dataset: ResolvedDataset?, inputs: [String: String], log: @escaping (String) -> Void,
                progress: ProgressReporter = .silent()) {
        self.communicator = communicator
        self.stage = stage
        self.directory = directory
        self.out = out
        self.dataset = dataset
        self.inputs = inputs
        self.log = log
        self.progress = progress
    }

    /// `<folder of the stage filling role>/<file>`.
    public func input(_ role: String, _ file: String) -> String { inputs[role]! + "/" + file }

    /// `input(role, file)` for an optional role, nil when the config left it out.
    public func optionalInput(_ role: String, _ file: String) -> String? { inputs[role].map { $0 + "/" + file } }

    /// `<stage folder>/<file>`.
    public func output(_ file: String) -> String { directory + "/" + file }

    /// `file` in the stage folder, relative to `out` (for report links).
    public func relative(_ file: String) -> String { stage.name + "/" + file }
}

/// What a stage driver returns.
public struct RunnerStageResult: Sendable {
    /// One line for the progress log.
    public var summary: String
    /// Markdown for the report (tables, `![…](stage/plot.png)` figures).
    public var report: String
    /// The stage's scores by name (`accuracy` and `mAP…` in %, `macro_f1` in [0, 1]), kept in the manifest: a
    /// config's `repeat` block aggregates them over seeds × folds and compares them ("STAGE.metric"). Rank 0's
    /// values are the ones recorded.
    public var metrics: [String: Double]

    public init(summary: String, report: String, metrics: [String: Double] = [:]) {
        self.summary = summary
        self.report = report
        self.metrics = metrics
    }
}
