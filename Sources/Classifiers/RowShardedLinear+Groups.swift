import Core
import LinearAlgebra

/// Concept groups for `RowShardedLinear` under a per-rank memory budget (issue 15): when TRON's replicated
/// per-concept state for all K concepts does not fit, the concepts are trained in groups of G, each group a full
/// TRON over the same rows (`RowBlocks`, and so its row cache, shared by the groups).
///
/// **Bytes per concept**, counted from `TrustRegionNewton.solve`, its `conjugateGradient` and
/// `RowShardedObjective` (s = `MemoryLayout<Scalar>.stride`, W = Σ_b D_b + 1 values of one concept's ŵ,
/// B_r = row blocks this rank owns, n_r = its rows, c = rows per read):
///
///     bytes/concept = s·((7 + B_r)·W + 2·n_r + 2·c)
///
/// - 7·W: at the peak of a pass, five live vectors of the solver (ŵ, g, and the trial point, step s and residual r
///   during `evaluate`; or ŵ, g, s, r, d during a Hessian product in CG) plus two transient W-vectors (one chunk's
///   X̂ᵀR with its per-block GEMM output, or the ordered sum's total and the `ConceptWeights` copy of it);
/// - B_r·W: one gradient (or Hv) partial per owned `OrderedReduction` block, held until the ordered sum;
/// - 2·n_r: the curvature D at ŵ and at the trial point (n_r × K each);
/// - 2·c: one chunk's scores Z and residuals R (c × K each).
///
/// Not per concept: one read of a chunk of every column block, c·(W − 1)·s, held while streaming.
///
/// **Choice.** G = min(K, ⌊(budget − c·(W − 1)·s) / bytes-per-concept⌋); no group at all (G < 1) is a
/// `MemoryBudgetError.overBudget` naming the budget and the fix. Each concept's TRON uses only its own column of
/// every quantity (its own Δ, CG state and stopping test; the iteration and CG-step caps count from the start for
/// every concept still running), so a concept's model does not depend on which concepts share its group — as long
/// as the products give each output column the same bits for any column count. A group of one therefore uses GEMMs
/// too (`RowShardedObjective.singleConceptGEMV` off when K > 1: a GEMV sums in another order and moved the last
/// bits of the fixture's models); only a problem with K = 1 uses GEMVs. That OpenBLAS's sgemm gives a column the same
/// bits for 1, 3 and 7 columns is checked on `RowShardedLinearGroupTests`' fixture (grouped = all-at-once bits on 1
/// and 2 ranks), not proved for every size and kernel.
public struct ConceptGroups: Sendable, Equatable {
    /// K.
    public let concepts: Int
    /// G, the most concepts per group.
    public let groupSize: Int
    /// The count above, for one concept.
    public let bytesPerConcept: Int
    /// One chunk of every column block (held while streaming, whatever G).
    public let chunkBytes: Int
    public let budget: MemoryBudget

    /// ⌈K / G⌉.
    public var count: Int { (concepts + groupSize - 1) / groupSize }
    /// The concepts of each group, in order.
    public var ranges: [Range<Int>] {
        stride(from: 0, to: concepts, by: groupSize).map { $0 ..< Swift.min($0 + groupSize, concepts) }
    }
    /// G · bytes per concept.
    public var stateBytes: Int { MemoryBudget.product([groupSize, bytesPerConcept]) }
    /// What is left of the budget for cached rows.
    public var cacheBytes: Int { Swift.max(0, budget.bytes - stateBytes - chunkBytes) }

    /// "K concepts in N groups of ≤ G" (recorded in `models.h5` as `svm_concept_groups`).
    public var layout: String { "\(concepts) concepts in \(count) group\(count == 1 ? "" : "s") of ≤ \(groupSize)" }

    /// "K concepts in N groups of ≤ G: state X per group within budget Y".
    public var summary: String {
        "\(layout): TRON state "
            + "\(MemoryBudget.format(stateBytes)) per group (\(MemoryBudget.format(bytesPerConcept)) per concept) "
            + "within the budget of \(budget); rows cached up to \(MemoryBudget.format(cacheBytes))"
    }

    /// s·((7 + B_r)·W + 2·n_r + 2·c) (see the type's comment); `Int.max` on overflow.
    public static func bytesPerConcept(width: Int, ownedBlocks: Int, ownedRows: Int, chunkRows: Int,
                                       scalarBytes: Int) -> Int {
        MemoryBudget.product([
            MemoryBudget.sum([MemoryBudget.product([7 + ownedBlocks, width]), 2 * ownedRows, 2 * chunkRows]),
            scalarBytes,
        ])
    }

    /// The largest G that fits `budget`, or `MemoryBudgetError.overBudget` when even one concept does not.
    public static func plan(concepts: Int, dimensions: [Int], ownedBlocks: Int, ownedRows: Int, chunkRows: Int,
                            scalarBytes: Int, budget: MemoryBudget) throws -> ConceptGroups {
        let columns = dimensions.reduce(0, +)
        let perConcept = bytesPerConcept(width: columns + 1, ownedBlocks: ownedBlocks, ownedRows: ownedRows,
                                         chunkRows: chunkRows, scalarBytes: scalarBytes)
        let chunk = MemoryBudget.product([chunkRows, columns, scalarBytes])
        try budget.reserve(
            bytes: MemoryBudget.sum([perConcept, chunk]), for: "\(columns) columns × \(ownedBlocks) row blocks on this rank",
            purpose: "TRON's state for one concept (\(MemoryBudget.format(perConcept))) and one chunk of rows "
                + "(\(MemoryBudget.format(chunk)))",
            fix: "run on more ranks (fewer row blocks per rank) or train fewer columns at once (late fusion "
                + "instead of early)")
        let g = Swift.max(1, Swift.min(concepts, (budget.bytes - chunk) / Swift.max(perConcept, 1)))
        return ConceptGroups(concepts: concepts, groupSize: g, bytesPerConcept: perConcept, chunkBytes: chunk,
                             budget: budget)
    }
}

extension RowShardedLinear {
    /// The concept groups for `sources` and `labels` on `size` ranks under `budget`: planned for the rank with the
    /// most state (most owned blocks and rows), so that every rank trains the same groups (the same collectives).
    public static func conceptGroups(_ sources: [any RowSource<Scalar>], labels: LabelMatrix, options: Options,
                                     size: Int, budget: MemoryBudget = .current) throws -> ConceptGroups {
        let reduction = OrderedReduction(blockSize: options.blockSize)
        let n = sources.first?.rowCount ?? 0
        let ranks = 0 ..< Swift.max(size, 1)
        let ownedRows = ranks.map { reduction.rows(totalRows: n, rank: $0, size: size).count }.max() ?? 0
        return try ConceptGroups.plan(
            concepts: labels.columns, dimensions: sources.map(\.dimension),
            ownedBlocks: ranks.map { reduction.blocks(totalRows: n, rank: $0, size: size).count }.max() ?? 0,
            ownedRows: ownedRows, chunkRows: Swift.min(options.chunkRows, options.blockSize, ownedRows),
            scalarBytes: MemoryLayout<Scalar>.stride, budget: budget)
    }
}

extension LabelMatrix {
    /// The columns `range` (N, |range|).
    func selectingColumns(_ range: Range<Int>) -> LabelMatrix {
        var values: [Bool] = []
        values.reserveCapacity(rows * range.count)
        for i in 0 ..< rows { values += self.values[i * columns + range.lowerBound ..< i * columns + range.upperBound] }
        return LabelMatrix(rows: rows, columns: range.count, values: values)
    }
}

extension ConceptWeights {
    /// The concepts of `parts` side by side, in order (every part with the same block dimensions).
    init(concatenating parts: [ConceptWeights]) {
        let k = parts.reduce(0) { $0 + $1.concepts }
        var out = ConceptWeights(dimensions: parts.first?.blocks.map(\.rows) ?? [], concepts: k)
        var offset = 0
        for part in parts {
            for b in out.blocks.indices {
                for j in 0 ..< out.blocks[b].rows {
                    for c in 0 ..< part.concepts { out.blocks[b][j, offset + c] = part.blocks[b][j, c] }
                }
            }
            for c in 0 ..< part.concepts { out.bias[offset + c] = part.bias[c] }
            offset += part.concepts
        }
        self = out
    }
}
