import Core

/// `tributary plan`'s rough cost of a stage before it runs: an upper bound of the peak memory one rank holds and a
/// rough wall time, from the same inputs as the byte estimate (`RunnerEstimateInput`: parameters, the dataset's
/// size, the upstream stages' parameters; nothing trained or encoded).
///
///     peak bytes per rank  = B₀ + Σ_j m_j (+ B_d)   B₀ = `processBytes` (binary, MPI, BLAS: measured), m_j the
///                                                stage's terms (each type's `*StageEstimates.swift` states them),
///                                                B_d = `rootDatasetBytes` on rank 0 for a stage with a dataset
///     seconds              = Σ_i w_i / r_i      w_i the work of step i on one rank (rows, tokens, multiply-adds),
///                                                r_i a per-core rate measured once on this machine (named constants
///                                                beside each formula, with the command that measured them)
///
/// The time is an order of magnitude, good to about ×3 either way on an idle machine (`timeUncertainty`): the
/// rates come from benchmarks of larger shapes (docs/benchmarks.md) or from one default-pipeline run, and a
/// machine shared with other jobs is slower still. The memory terms are upper bounds of the buffers the drivers
/// allocate (the glibc heap may keep more: docs/report-figures.md § Plan estimates compares both with a run).
public struct StageCost: Sendable, Equatable {
    /// One named term m_j of the peak (bytes on one rank).
    public struct Term: Sendable, Equatable {
        public var name: String
        public var bytes: Int

        public init(_ name: String, _ bytes: Int) {
            self.name = name
            self.bytes = bytes
        }
    }

    /// The stage's own terms m_j (B₀ is added by `peakBytes`).
    public var terms: [Term]
    /// The estimated wall time on the planned ranks, seconds.
    public var seconds: Double
    /// How the time was derived ("3 epochs × 7,200 documents × 60 tokens at W7's rate").
    public var time: String

    public init(terms: [Term], seconds: Double, time: String) {
        self.terms = terms
        self.seconds = seconds
        self.time = time
    }

    /// B₀ + Σ_j m_j.
    public var peakBytes: Int { MemoryBudget.sum([Self.processBytes] + terms.map(\.bytes)) }

    /// "B₀ 40 MiB + chunk 2.1 MiB + …" for the plan's line.
    public var memory: String {
        (["process \(MemoryBudget.format(Self.processBytes))"] + terms.map { "\($0.name) \(MemoryBudget.format($0.bytes))" })
            .joined(separator: " + ")
    }

    /// B₀: the peak RSS of one rank that runs no stage (binary, Swift runtime, Open MPI, OpenBLAS buffers), measured
    /// on AMD Zen 4 with `/usr/bin/time -v` per rank of `bash launch/run.sh -n 2 -- selftest` (release build).
    public static let processBytes = 56 << 20
    /// B_d: what rank 0 holds beyond the other ranks while the runner prepares a stage that reads a dataset (its
    /// fingerprint and snapshot: the ~50 MB `apt-cache dumpavail` text of a Debian corpus, the decoded Fashion-MNIST
    /// idx file, report figures). Measured, not derived: the larger rank-0 − rank-1 peak RSS difference of
    /// train-text (140,420 − 67,968 KB) and train-paths (174,024 − 101,172 KB) run alone at 2 ranks
    /// (docs/report-figures.md § Plan estimates), rounded up.
    public static let rootDatasetBytes = 72 << 20
    /// The stated uncertainty of `seconds`: ×3 either way.
    public static let timeUncertainty = 3.0

    /// "12 s (4–36 s)" — the estimate with its ×3 band.
    public static func format(seconds: Double) -> String {
        func f(_ s: Double) -> String { s < 10 ? String(format: "%.1f s", s) : String(format: "%.0f s", s) }
        return "\(f(seconds)) (\(f(seconds / timeUncertainty))–\(f(seconds * timeUncertainty)))"
    }
}

extension RunnerEstimateInput {
    public typealias CostEstimator = @Sendable (RunnerEstimateInput) throws -> StageCost

    /// ⌈n / R⌉: the rows of n the busiest rank holds when they are sharded over the planned ranks.
    public func perRank(_ n: Int) -> Int { (n + ranks - 1) / Swift.max(1, ranks) }
}

extension RunnerStageType {
    /// This type with `estimator` as its plan's memory and time estimate.
    public func costing(_ estimator: @escaping RunnerEstimateInput.CostEstimator) -> RunnerStageType {
        var copy = self
        copy.estimateCost = estimator
        return copy
    }
}
