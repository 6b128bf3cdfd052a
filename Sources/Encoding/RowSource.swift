import Core
import LinearAlgebra

/// Where a distributed fit reads its rows: a global row space 0 ..< N of which each rank holds a part.
///
/// Fitting code (PCA, GMM) cuts 0 ..< N into the fixed blocks of an `OrderedReduction` and calls `rows(_:)` only
/// for the blocks this rank owns, i.e. for global rows inside `reduction.rows(totalRows: N, rank:, size:)`. A
/// rank therefore needs to hold exactly that range (VLFeat's svm "data abstraction": the solver touches data
/// through one operation, so the storage can vary: an in-memory shard, an HDF5 hyperslab, a closure).
public protocol RowSource {
    /// N, the global number of rows (the same on every rank).
    var totalRows: Int { get }
    /// D, the row dimension.
    var dimension: Int { get }
    /// The rows `globalRange` as a (range.count, D) row-major matrix.
    func rows(_ globalRange: Range<Int>) throws -> Matrix<Float>
    /// True when `rows(_:)` may run on several threads at once (an in-memory shard), so that each E-step worker
    /// reads its own block; false (the default) keeps every read on the calling thread, in order (an HDF5 file).
    var allowsConcurrentReads: Bool { get }
}

extension RowSource {
    public var allowsConcurrentReads: Bool { false }
}

/// A `RowSource` over an in-memory matrix that holds global rows `firstRow ..< firstRow + matrix.rows`.
///
/// With one rank: `MatrixRowSource(x)`. With several: rank r holds the rows
/// `OrderedReduction.rows(totalRows: N, rank: r, size: S)` and passes `firstRow` = that range's lower bound.
public struct MatrixRowSource: RowSource, Sendable {
    public let matrix: Matrix<Float>
    public let firstRow: Int
    public let totalRows: Int
    public var dimension: Int { matrix.columns }
    /// A read is a copy out of an immutable matrix.
    public var allowsConcurrentReads: Bool { true }

    public init(_ matrix: Matrix<Float>, firstRow: Int = 0, totalRows: Int? = nil) {
        self.matrix = matrix
        self.firstRow = firstRow
        self.totalRows = totalRows ?? matrix.rows
    }

    public func rows(_ globalRange: Range<Int>) throws -> Matrix<Float> {
        let local = (globalRange.lowerBound - firstRow) ..< (globalRange.upperBound - firstRow)
        guard local.lowerBound >= 0, local.upperBound <= matrix.rows else {
            throw EncodingError.invalidParameter(
                name: "row range", value: "\(globalRange)",
                rule: "this rank holds global rows \(firstRow)..<\(firstRow + matrix.rows) only")
        }
        return matrix.rows(local)
    }
}

/// A `RowSource` that reads rows through a closure (e.g. an HDF5 hyperslab read).
public struct ClosureRowSource: RowSource {
    public let totalRows: Int
    public let dimension: Int
    private let read: (Range<Int>) throws -> Matrix<Float>

    public init(totalRows: Int, dimension: Int, read: @escaping (Range<Int>) throws -> Matrix<Float>) {
        self.totalRows = totalRows
        self.dimension = dimension
        self.read = read
    }

    public func rows(_ globalRange: Range<Int>) throws -> Matrix<Float> { try read(globalRange) }
}

extension RowSource {
    /// The rows at sorted global `indices`, identical on every rank: each rank reads the indices inside its own
    /// range and the pieces are all-gathered in rank order, which is increasing global order.
    public func gatherRows(
        _ indices: [Int], reduction: OrderedReduction, communicator: any Communicator
    ) throws -> Matrix<Float> {
        let owned = reduction.rows(totalRows: totalRows, rank: communicator.rank, size: communicator.size)
        var local: [Float] = []
        var i = indices.firstIndex(notBelow: owned.lowerBound)
        while i < indices.count, indices[i] < owned.upperBound {
            var j = i + 1  // read runs of nearby indices through one call
            while j < indices.count, indices[j] < owned.upperBound, indices[j] - indices[i] < 4096 { j += 1 }
            let block = try rows(indices[i] ..< indices[j - 1] + 1)
            for t in i ..< j {
                let r = indices[t] - indices[i]
                local.append(contentsOf: block.values[(r * dimension) ..< ((r + 1) * dimension)])
            }
            i = j
        }
        let all = try communicator.allGather(local).flatMap { $0 }
        return Matrix(rows: all.count / Swift.max(dimension, 1), columns: dimension, values: all)
    }
}

extension Array where Element == Int {
    /// The first index whose element is ≥ `value` (the array is sorted).
    func firstIndex(notBelow value: Int) -> Int {
        var low = 0, high = count
        while low < high {
            let mid = (low + high) / 2
            if self[mid] >= value { high = mid } else { low = mid + 1 }
        }
        return low
    }
}

/// The seeded choice of descriptor rows a PCA or GMM is fitted on (the paper fits both on a sample).
///
/// Descriptors are numbered globally: image 0's descriptors first, then image 1's, … (the order of the
/// extraction output). `SeededRandom(seed).sample(k, from: Σ counts)` picks k distinct global indices in
/// increasing order; every rank calls it with the same arguments and gets the same answer, so no
/// communication is needed to agree on the sample.
public enum DescriptorSample {
    /// One chosen descriptor: its image and its index inside that image.
    public struct Location: Sendable, Hashable {
        public let image: Int
        public let descriptor: Int
    }

    /// k = min(sampleSize, Σ counts) distinct global descriptor indices, sorted.
    public static func globalIndices(descriptorCounts counts: [Int], sampleSize: Int, seed: UInt64) -> [Int] {
        let total = counts.reduce(0, +)
        var rng = SeededRandom(seed: seed)
        return rng.sample(Swift.min(Swift.max(sampleSize, 0), total), from: total)
    }

    /// The same draw restricted to the descriptors of `images` (sorted image indices, e.g. the training images of a
    /// manifest): k = min(sampleSize, Σ_{n ∈ images} counts[n]) indices are drawn in the compacted space of those
    /// images' descriptors, then mapped back to global indices (sorted). No other image's descriptor can be chosen;
    /// with every image it is `globalIndices(descriptorCounts:sampleSize:seed:)`.
    public static func globalIndices(descriptorCounts counts: [Int], images: [Int], sampleSize: Int, seed: UInt64) -> [Int] {
        var offsets = [0]  // offsets[n]: global index of image n's first descriptor
        offsets.reserveCapacity(counts.count + 1)
        for c in counts { offsets.append(offsets[offsets.count - 1] + c) }
        let kept = images.map { counts[$0] }
        let local = globalIndices(descriptorCounts: kept, sampleSize: sampleSize, seed: seed)
        var result: [Int] = []
        result.reserveCapacity(local.count)
        var j = 0, start = 0
        for g in local {
            while g >= start + kept[j] { start += kept[j]; j += 1 }
            result.append(offsets[images[j]] + g - start)
        }
        return result
    }

    /// Maps sorted global indices to (image, descriptor) pairs.
    public static func locate(_ globalIndices: [Int], descriptorCounts counts: [Int]) -> [Location] {
        var result: [Location] = []
        result.reserveCapacity(globalIndices.count)
        var image = 0, start = 0
        for g in globalIndices {
            while image < counts.count, g >= start + counts[image] { start += counts[image]; image += 1 }
            precondition(image < counts.count, "DescriptorSample.locate: index \(g) beyond \(start) descriptors")
            result.append(Location(image: image, descriptor: g - start))
        }
        return result
    }
}
