import Core

/// The rank-count-independence check of `CollectiveSelfTest`: an `OrderedReduction` over a fixed synthetic
/// dataset, compared bit for bit with the same reduction on a `SingleProcessCommunicator`.
///
/// Dataset (N = 10,007 rows × W = 5 columns, no storage, a pure formula so every rank reads "its" rows):
///
///     h(i, j) = (i · 2654435761 + j · 40503 + 12345) mod 2³²      (UInt32 wrap-around)
///     x(i, j) = (h mod 10007) / 997 − 5 + j / 10
///
/// The values are not exactly representable and the column sums are ~10⁴, so a plain all-reduce of per-rank
/// partial sums would change in the last bits with the rank count; the block-ordered sum must not.
extension CollectiveSelfTest {
    /// N, W and the block size of the synthetic reduction.
    static let syntheticRows = 10_007
    static let syntheticWidth = 5
    static let syntheticBlockSize = 256

    /// x(i, j) of the synthetic dataset.
    static func syntheticValue(row i: Int, column j: Int) -> Float {
        let h = UInt32(truncatingIfNeeded: i) &* 2_654_435_761 &+ UInt32(j) &* 40_503 &+ 12_345
        return Float(h % 10_007) / 997 - 5 + Float(j) / 10
    }

    /// The ordered sum of the synthetic dataset's columns over `communicator`'s ranks.
    public static func syntheticOrderedSum(communicator: any Communicator) throws -> [Float] {
        let reduction = OrderedReduction(blockSize: syntheticBlockSize)
        return try reduction.sum(totalRows: syntheticRows, width: syntheticWidth, communicator: communicator) {
            rows -> [Float] in
            var partial = [Float](repeating: 0, count: syntheticWidth)
            for i in rows {
                for j in 0 ..< syntheticWidth { partial[j] += syntheticValue(row: i, column: j) }
            }
            return partial
        }
    }

    /// `bitPattern`s as 8-digit hex, comma-separated.
    public static func hexBits(_ values: [Float]) -> String {
        values.map { value in
            let hex = String(value.bitPattern, radix: 16)
            return String(repeating: "0", count: 8 - hex.count) + hex
        }.joined(separator: ",")
    }

    /// Records the check and returns the bits (`"unavailable"` if the reduction threw).
    static func recordOrderedReduction(_ comm: any Communicator, into recorder: inout Recorder) -> String {
        var bits = "unavailable"
        recorder.check("ordered reduction \(syntheticRows)×\(syntheticWidth) (block \(syntheticBlockSize)) bits") {
            let distributed = try syntheticOrderedSum(communicator: comm)
            let reference = try syntheticOrderedSum(communicator: SingleProcessCommunicator())
            bits = hexBits(distributed)
            let same = distributed.map(\.bitPattern) == reference.map(\.bitPattern)
            return (same, same ? "equal to the 1-rank reference" : "\(bits) ≠ 1-rank \(hexBits(reference))")
        }
        return bits
    }
}
