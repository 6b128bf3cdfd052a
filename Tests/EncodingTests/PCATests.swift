import Core
@testable import Encoding
import LinearAlgebra
import TestSupport
import XCTest

/// A communicator that plays rank `rank` of `size` and all-gathers from the shards of a simulated world:
/// `allGather` returns every rank's local array, computed by running `rankBody` for each simulated rank.
/// Used to show that statistics reduced with `OrderedReduction` do not depend on the number of ranks.
final class SimulatedWorld {
    /// Runs `body(communicator)` once per simulated rank with communicators whose `allGather` exchanges the
    /// ranks' contributions; returns rank 0's result. Every rank's calls to `allGather` happen in lockstep order.
    static func run<R>(size: Int, _ body: @escaping (any Communicator) throws -> R) throws -> R {
        // Pass 1: record every rank's contributions per collective, in order; pass 2: replay with all of them.
        var recorded: [[[Double]]] = Array(repeating: [], count: size)
        var recordedF: [[[Float]]] = Array(repeating: [], count: size)
        for _ in 0 ..< 64 {  // iterate until the recorded contributions are consistent (a fixed point)
            var newRecorded = recorded, newRecordedF = recordedF
            var result: R?
            for r in 0 ..< size {
                let comm = RecordingCommunicator(rank: r, size: size, doubles: recorded, floats: recordedF)
                let value = try body(comm)
                newRecorded[r] = comm.myDoubles
                newRecordedF[r] = comm.myFloats
                if r == 0 { result = value }
            }
            if newRecorded == recorded && newRecordedF == recordedF { return result! }
            recorded = newRecorded
            recordedF = newRecordedF
        }
        fatalError("SimulatedWorld: the ranks' collectives did not reach a fixed point")
    }
}

/// One simulated rank: its own all-gather contributions are recorded; the others' come from the previous pass.
final class RecordingCommunicator: Communicator {
    let rank: Int, size: Int
    let doubles: [[[Double]]], floats: [[[Float]]]
    var myDoubles: [[Double]] = [], myFloats: [[Float]] = []

    init(rank: Int, size: Int, doubles: [[[Double]]], floats: [[[Float]]]) {
        self.rank = rank
        self.size = size
        self.doubles = doubles
        self.floats = floats
    }

    func barrier() throws {}
    func allReduce<T: CommunicatorScalar>(_ buffer: inout [T], op: ReduceOp) throws { fatalError("not used") }
    func broadcast<T: CommunicatorScalar>(_ buffer: inout [T], root: Int) throws {}
    func gather<T: CommunicatorScalar>(_ local: [T], root: Int) throws -> [[T]]? { fatalError("not used") }
    func scatter<T: CommunicatorScalar>(_ chunks: [[T]]?, root: Int) throws -> [T] { fatalError("not used") }
    func abort(_ message: String, exitCode: Int32) -> Never { fatalError(message) }

    func allGather<T: CommunicatorScalar>(_ local: [T]) throws -> [[T]] {
        if let d = local as? [Double] {
            let call = myDoubles.count
            myDoubles.append(d)
            return (0 ..< size).map { r in r == rank ? local : ((call < doubles[r].count ? doubles[r][call] : []) as! [T]) }
        }
        if let f = local as? [Float] {
            let call = myFloats.count
            myFloats.append(f)
            return (0 ..< size).map { r in r == rank ? local : ((call < floats[r].count ? floats[r][call] : []) as! [T]) }
        }
        fatalError("unsupported type")
    }
}

final class PCATests: XCTestCase {
    /// Correlated 5-d data with distinct variances and a non-zero mean.
    func correlatedData(rows: Int = 300, seed: UInt64 = 7) -> Matrix<Float> {
        let z = randomMatrix(rows: rows, columns: 5, seed: seed)
        let mix = Matrix<Float>(rowArrays: [[3, 0.5, 0, 0, 0.1], [0, 2, 0.3, 0, 0], [0, 0, 1, 0.2, 0],
                                            [0.1, 0, 0, 0.5, 0], [0, 0, 0, 0, 0.2]])
        var x = BLAS.matmul(z, mix)
        for i in 0 ..< x.rows { for d in 0 ..< 5 { x[i, d] += Float(d) - 2 } }
        return x
    }

    func testMatchesDirectEigendecompositionOfCovariance() throws {
        let x = correlatedData()
        let pca = try PCA.fit(MatrixRowSource(x), dimensions: 3, reduction: OrderedReduction(blockSize: 64))
        // Direct: mean and covariance in Double by plain loops, then LAPACK.
        let n = x.rows, dim = x.columns
        var mean = [Double](repeating: 0, count: dim)
        for i in 0 ..< n { for d in 0 ..< dim { mean[d] += Double(x[i, d]) / Double(n) } }
        var cov = Matrix<Double>(rows: dim, columns: dim)
        for i in 0 ..< n {
            for a in 0 ..< dim { for b in 0 ..< dim {
                cov[a, b] += (Double(x[i, a]) - mean[a]) * (Double(x[i, b]) - mean[b]) / Double(n - 1)
            } }
        }
        let eigen = try SymmetricEigen(cov)
        assertClose(pca.mean.map(Double.init), mean, rtol: 1e-6, atol: 1e-6, label: "mean")
        assertClose(pca.eigenvalues, Array(eigen.values[0 ..< 3]), rtol: 1e-9, atol: 1e-9, label: "eigenvalues")
        assertClose(pca.components.values.map(Double.init), eigen.vectors.rows(0 ..< 3).values, rtol: 1e-5, atol: 1e-6,
                    label: "components")
        XCTAssertEqual(pca.totalVariance, (0 ..< dim).reduce(0) { $0 + cov[$1, $1] }, accuracy: 1e-9)
    }

    func testComponentsOrthonormalVarianceDecreasingMeanProjectsToZero() throws {
        let x = correlatedData()
        let pca = try PCA.fit(MatrixRowSource(x), dimensions: 4)
        let gram = BLAS.matmul(pca.components, pca.components, transposeB: true)
        assertClose(gram, Matrix<Float>.identity(4), rtol: 0, atol: 1e-5, label: "W·Wᵀ = I")
        for j in 1 ..< 4 { XCTAssertGreaterThanOrEqual(pca.eigenvalues[j - 1], pca.eigenvalues[j]) }
        let projectedMean = pca.project(Matrix(rows: 1, columns: 5, values: pca.mean))
        XCTAssertEqual(projectedMean.values, [0, 0, 0, 0])
        // The variance of the projected data along component j is λ_j.
        let y = pca.project(x)
        for j in 0 ..< 4 {
            var s = 0.0
            for i in 0 ..< y.rows { s += Double(y[i, j]) * Double(y[i, j]) }
            XCTAssertEqual(s / Double(y.rows - 1), pca.eigenvalues[j], accuracy: 1e-4 * pca.eigenvalues[0])
        }
    }

    func testProjectMatchesNaive() throws {
        let x = correlatedData(rows: 37)
        let pca = try PCA.fit(MatrixRowSource(x), dimensions: 2)
        assertClose(pca.project(x), pca.projectNaive(x), rtol: 1e-4, atol: 1e-5, label: "project")
    }

    func testMultiRankFitIsBitIdenticalToOneRank() throws {
        let x = correlatedData(rows: 1000)
        let reduction = OrderedReduction(blockSize: 64)
        let single = try PCA.fit(MatrixRowSource(x), dimensions: 3, reduction: reduction)
        for size in [2, 3, 5] {
            let multi = try SimulatedWorld.run(size: size) { comm -> PCA in
                let owned = reduction.rows(totalRows: x.rows, rank: comm.rank, size: comm.size)
                let shard = MatrixRowSource(x.rows(owned), firstRow: owned.lowerBound, totalRows: x.rows)
                return try PCA.fit(shard, dimensions: 3, reduction: reduction, communicator: comm)
            }
            XCTAssertEqual(bits(multi.components.values), bits(single.components.values), "\(size) ranks")
            XCTAssertEqual(bits(multi.mean), bits(single.mean), "\(size) ranks")
            XCTAssertEqual(multi.eigenvalues.map(\.bitPattern), single.eigenvalues.map(\.bitPattern))
        }
    }

    func testDescriptorSampleIsDeterministicAndLocates() {
        let counts = [3, 0, 5, 2]
        let a = DescriptorSample.globalIndices(descriptorCounts: counts, sampleSize: 6, seed: 9)
        XCTAssertEqual(a, DescriptorSample.globalIndices(descriptorCounts: counts, sampleSize: 6, seed: 9))
        XCTAssertEqual(a.count, 6)
        XCTAssertEqual(a, a.sorted())
        XCTAssertEqual(Set(a).count, 6)
        let all = DescriptorSample.locate(Array(0 ..< 10), descriptorCounts: counts)
        XCTAssertEqual(all.map(\.image), [0, 0, 0, 2, 2, 2, 2, 2, 3, 3])
        XCTAssertEqual(all.map(\.descriptor), [0, 1, 2, 0, 1, 2, 3, 4, 0, 1])
        XCTAssertEqual(DescriptorSample.globalIndices(descriptorCounts: counts, sampleSize: 100, seed: 1).count, 10)
    }

    func testGatherRowsIsTheSameForAnyRankCount() throws {
        let x = randomMatrix(rows: 50, columns: 3, seed: 4)
        let reduction = OrderedReduction(blockSize: 7)
        let indices = [0, 5, 6, 7, 20, 33, 49]
        let one = try MatrixRowSource(x).gatherRows(indices, reduction: reduction, communicator: SingleProcessCommunicator())
        XCTAssertEqual(one.values, indices.flatMap { x.row($0) })
        let three = try SimulatedWorld.run(size: 3) { comm -> Matrix<Float> in
            let owned = reduction.rows(totalRows: x.rows, rank: comm.rank, size: comm.size)
            return try MatrixRowSource(x.rows(owned), firstRow: owned.lowerBound, totalRows: x.rows)
                .gatherRows(indices, reduction: reduction, communicator: comm)
        }
        XCTAssertEqual(three, one)
    }
}

final class KMeansTests: XCTestCase {
    func testPlusPlusIsDeterministicForASeed() throws {
        let x = randomMatrix(rows: 500, columns: 4, seed: 11)
        let a = try KMeans.fit(x, clusters: 8, iterations: 5, seed: 3)
        let b = try KMeans.fit(x, clusters: 8, iterations: 5, seed: 3)
        XCTAssertEqual(a, b)
        let c = try KMeans.fit(x, clusters: 8, iterations: 5, seed: 4)
        XCTAssertNotEqual(a.centers, c.centers)
    }

    func testGemmAssignmentMatchesNaive() throws {
        let x = randomMatrix(rows: 333, columns: 6, seed: 12)
        let centers = randomMatrix(rows: 9, columns: 6, seed: 13)
        XCTAssertEqual(KMeans.assign(x, centers: centers).labels, KMeans.assignNaive(x, centers: centers))
    }

    func testFindsSeparatedClustersAndInertiaDecreases() throws {
        var rows: [[Float]] = []
        var rng = SeededRandom(seed: 5)
        let truth: [[Float]] = [[0, 0], [10, 0], [0, 10]]
        for i in 0 ..< 300 { let c = truth[i % 3]; rows.append([c[0] + Float(rng.normal()) * 0.3, c[1] + Float(rng.normal()) * 0.3]) }
        let x = Matrix(rowArrays: rows)
        let once = try KMeans.fit(x, clusters: 3, iterations: 0, seeding: .random, seed: 1)
        let fitted = try KMeans.fit(x, clusters: 3, iterations: 20, seed: 1)
        XCTAssertLessThanOrEqual(fitted.inertia, once.inertia)
        for c in truth {
            let nearest = (0 ..< 3).map { k in hypot(fitted.centers[k, 0] - c[0], fitted.centers[k, 1] - c[1]) }.min()!
            XCTAssertLessThan(nearest, 0.2)
        }
    }
}
