import Core
@testable import Encoding
import LinearAlgebra
import TestSupport
import XCTest

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
            let multi = try ThreadedWorld.run(size: size) { comm -> PCA in
                let owned = reduction.rows(totalRows: x.rows, rank: comm.rank, size: comm.size)
                let shard = MatrixRowSource(x.rows(owned), firstRow: owned.lowerBound, totalRows: x.rows)
                return try PCA.fit(shard, dimensions: 3, reduction: reduction, communicator: comm)
            }[0]
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
        let three = try ThreadedWorld.run(size: 3) { comm -> Matrix<Float> in
            let owned = reduction.rows(totalRows: x.rows, rank: comm.rank, size: comm.size)
            return try MatrixRowSource(x.rows(owned), firstRow: owned.lowerBound, totalRows: x.rows)
                .gatherRows(indices, reduction: reduction, communicator: comm)
        }[0]
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
