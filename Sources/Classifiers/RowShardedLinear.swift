import Core
import LinearAlgebra

/// One-vs-rest linear classifiers for K concepts trained with the **rows** of X split over ranks (the
/// complement of `OneVsRest`, which splits concepts and needs all of X on every rank).
///
/// | `loss` | objective per concept k | solver | LIBLINEAR |
/// | --- | --- | --- | --- |
/// | `.squaredHinge` | ½‖ŵ_k‖² + C Σ_i max(0, 1 − y_ik ŵ_k·x̂_i)² | `TrustRegionNewton` | `-s 2` (primal) |
/// | `.logistic` | ½‖ŵ_k‖² + C Σ_i log(1 + exp(−y_ik ŵ_k·x̂_i)) | `TrustRegionNewton` | `-s 0` |
///
/// x̂_i = [x_i, B] with B = `bias` (LIBLINEAR `-B 1`; the bias weight is regularised), so f(x) = w·x + b with
/// b = w_B·B. X is given as column blocks (`RowSource`s with the same rows, early fusion without concatenation).
///
/// **Distribution.** Rank r reads only the rows of the `OrderedReduction` blocks it owns
/// (`OrderedReduction.rows(totalRows:rank:size:)`), each block as one `RowSource.rows` call per column block;
/// it keeps in memory the chunks that fit `cacheBytes` and reads the rest again on every pass. Function values,
/// gradients and Hessian-vector products are summed over blocks in block order, so the model is bit-identical
/// for any number of ranks and for streamed or cached rows. Ŵ (D·K) is replicated on every rank; when TRON's
/// per-concept state for all K does not fit, `Options.conceptsPerGroup` (from `ConceptGroups`) trains the concepts
/// in groups over the same rows, with the same bits per concept.
///
/// ```swift
/// let model = try RowShardedLinear<Float>.train([InMemoryRows(x)], labels: y, options: .init(loss: .squaredHinge),
///                                                communicator: comm)
/// let scores = model.oneVsRest.decisionValues(testX)
/// ```
public struct RowShardedLinear<Scalar: BLASScalar>: Sendable {
    public typealias Loss = RowShardedObjective<Scalar>.Loss

    public struct Options: Sendable, Equatable {
        public var loss: Loss
        /// C > 0.
        public var cost: Double
        /// B ≥ 0, the bias feature (0: no bias).
        public var bias: Double
        /// ε of TRON's relative gradient-norm test (LIBLINEAR's default 0.01).
        public var tolerance: Double
        /// Cap on TRON iterations (LIBLINEAR: 1000).
        public var maxIterations: Int
        /// Rows per `OrderedReduction` block (and per read): part of the bits of the result.
        public var blockSize: Int
        /// Rows per read within a block (bounds the memory of a streamed pass): also part of the bits.
        public var chunkRows: Int
        /// Keep this rank's rows in memory up to this many bytes (the first chunks of a pass; the rest are read again
        /// on every pass); 0 streams every pass.
        public var cacheBytes: Int
        /// Train the concepts in groups of at most this many, each a full TRON over the rows (bounds the replicated
        /// per-concept state; `ConceptGroups` chooses it from the budget). Not part of the bits of any concept.
        public var conceptsPerGroup: Int

        public init(loss: Loss = .squaredHinge, cost: Double = 1, bias: Double = 1, tolerance: Double = 0.01,
                    maxIterations: Int = 1000, blockSize: Int = 4096, chunkRows: Int = 1024, cacheBytes: Int = .max,
                    conceptsPerGroup: Int = .max) {
            self.loss = loss
            self.cost = cost
            self.bias = bias
            self.tolerance = tolerance
            self.maxIterations = maxIterations
            self.blockSize = blockSize
            self.chunkRows = chunkRows
            self.cacheBytes = cacheBytes
            self.conceptsPerGroup = conceptsPerGroup
        }

        func validate() throws {
            try ClassifierError.checkLinear(cost: cost, bias: bias, tolerance: tolerance)
            guard maxIterations > 0, blockSize > 0, chunkRows > 0, conceptsPerGroup > 0 else {
                throw ClassifierError.invalidOption(name: "maxIterations/blockSize/chunkRows/conceptsPerGroup",
                                                    value: "\(maxIterations)/\(blockSize)/\(chunkRows)/\(conceptsPerGroup)",
                                                    requirement: "> 0")
            }
        }
    }

    /// What TRON did for one concept.
    public struct Statistics: Sendable, Equatable {
        public var iterations: Int
        public var converged: Bool
        /// The primal objective f_k at the returned model.
        public var objective: Double
        /// ‖∇f_k‖ at the returned model.
        public var gradientNorm: Double
    }

    /// Ŵ: the column-block weights and bias-feature weights of every concept.
    public let weights: ConceptWeights<Scalar>
    /// B used in training (b_k = w_B[k]·B).
    public let biasFeature: Double
    public let statistics: [Statistics]
    /// Hessian-vector products (passes over X) spent in conjugate gradients, all concepts together.
    public let conjugateGradientSteps: Int
    /// This rank's passes over its rows, reads and seconds (read / products / ordered sums) during training.
    public let work: RowWork

    /// The models as a `OneVsRest` over the concatenated columns (W (K, D), b_k = w_B[k]·B).
    public var oneVsRest: OneVsRest<Scalar> {
        let k = weights.concepts, d = weights.blocks.reduce(0) { $0 + $1.rows }
        var w = Matrix<Scalar>(rows: k, columns: d)
        var offset = 0
        for block in weights.blocks {
            for j in 0 ..< block.rows { for c in 0 ..< k { w[c, offset + j] = block[j, c] } }
            offset += block.rows
        }
        let stats = statistics.map {
            SVMTrainingStatistics(iterations: $0.iterations, converged: $0.converged, dualObjective: .nan,
                                  primalObjective: $0.objective, supportVectors: 0, boundedSupportVectors: 0)
        }
        return OneVsRest(weights: w, biases: weights.bias.map { $0 * Scalar(biasFeature) }, statistics: stats)
    }

    /// Trains the K concepts of `labels` (N, K) on the column blocks `sources` (each N rows).
    public static func train(_ sources: [any RowSource<Scalar>], labels: LabelMatrix, options: Options = Options(),
                             communicator: any Communicator = SingleProcessCommunicator()) throws -> RowShardedLinear {
        try options.validate()
        let data = try RowBlocks(sources: sources, reduction: OrderedReduction(blockSize: options.blockSize),
                                 chunkRows: options.chunkRows, rank: communicator.rank, size: communicator.size, cacheBytes: options.cacheBytes)
        guard data.rowCount > 0 else { throw ClassifierError.emptyTrainingSet(what: "RowShardedLinear.train") }
        var parts: [ConceptWeights<Scalar>] = [], stats: [Statistics] = [], cgSteps = 0
        for start in stride(from: 0, to: labels.columns, by: options.conceptsPerGroup) {  // one TRON per group
            let group = labels.selectingColumns(start ..< Swift.min(start + options.conceptsPerGroup, labels.columns))
            var objective = try RowShardedObjective(data: data, labels: group, loss: options.loss, cost: options.cost,
                                                    biasFeature: options.bias, ridge: 1, communicator: communicator)
            objective.singleConceptGEMV = labels.columns == 1  // a group of one of K > 1: GEMMs, as all at once
            let solver = TrustRegionNewton(objective: objective, tolerance: options.tolerance,
                                           maxIterations: options.maxIterations)
            let result = try solver.solve(dimensions: data.dimensions)
            parts.append(result.weights)
            stats += (0 ..< group.columns).map {
                Statistics(iterations: result.iterations[$0], converged: result.converged[$0],
                           objective: result.values[$0], gradientNorm: result.gradientNorms[$0])
            }
            cgSteps += result.conjugateGradientSteps
        }
        let weights = parts.count == 1 ? parts[0]
            : parts.isEmpty ? ConceptWeights(dimensions: data.dimensions, concepts: 0) : ConceptWeights(concatenating: parts)
        return RowShardedLinear(weights: weights, biasFeature: options.bias, statistics: stats,
                                conjugateGradientSteps: cgSteps, work: data.work)
    }
}
