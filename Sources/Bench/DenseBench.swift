import Core
import Distributed
import Encoding
import Features
import LinearAlgebra

/// The `tributary bench dsift` workload (W3): dense ORH + COL at the paper's grid (P = 32, step 16, 5 scales) on
/// seeded `width`×`height` images, `repeats` per rank at the same time; rank 0 logs images/s (Σ over ranks).
public struct DenseDescriptorBench {
    public var repeats: Int
    public var width: Int
    public var height: Int

    public init(repeats: Int, width: Int, height: Int) {
        self.repeats = repeats
        self.width = width
        self.height = height
    }

    public func run(communicator comm: any Communicator) throws {
        comm.log0("bench dsift: ORH+COL, P=32 step=16 S=5 on \(width)×\(height), \(comm.size) rank(s)")
        try comm.barrier()  // Distributed: ranks start together
        let result = try DenseExtractor(grid: .paper).benchmark(width: width, height: height, repeats: repeats)
        // Distributed: one wall rate and one CPU-time rate per rank
        let gathered = try comm.allGather([result.imagesPerSecond, result.imagesPerCPUSecond])
        let rates = gathered.map { $0[0] }, cpuRates = gathered.map { $0[1] }
        let total = rates.reduce(0, +)
        comm.log0("  per rank: \(rates.map { BenchTiming.format($0, 2) }) images/s wall, "
            + "\(cpuRates.map { BenchTiming.format($0, 2) }) images per CPU second (robust to a loaded machine); "
            + "\(result.descriptorsPerImage) descriptors/image")
        comm.log0("  aggregate \(BenchTiming.format(total, 2)) images/s = \(BenchTiming.format(total / Self.anchorImagesPerSecond, 2))× "
            + "the W3 anchor (VLFeat pyr5 flat, ORH only, 1 thread: \(Self.anchorImagesPerSecond)/s, measured in another session)")
        comm.log0(BenchTiming.resultLine(
            name: "tributary dense ORH+COL pyr5", metric: "throughput", unit: "images/s", values: [total],
            params: ["ranks": "\(comm.size)", "width": "\(width)", "height": "\(height)", "repeats": "\(repeats)",
                     "images_per_cpu_second": BenchTiming.format(cpuRates.reduce(0, +), 2),
                     "descriptors_per_image": "\(result.descriptorsPerImage)",
                     "ratio_vs_vlfeat_pyr5_flat_1t": BenchTiming.format(total / Self.anchorImagesPerSecond, 3)]))
    }

    static let anchorImagesPerSecond = 37.62
}

/// The `tributary bench fisher` workload (W2): improved Fisher vectors of synthetic images (D, M, T descriptors
/// per image), `images` per rank; rank 0 logs images/s, GFLOP/s (8·T·D·M per image) and the share of sgemm.
public struct FisherBench {
    public var images: Int
    public var dimension: Int
    public var components: Int
    public var descriptors: Int

    public init(images: Int, dimension: Int, components: Int, descriptors: Int) {
        self.images = images
        self.dimension = dimension
        self.components = components
        self.descriptors = descriptors
    }

    public func run(communicator comm: any Communicator) throws {
        comm.log0("bench fisher: D=\(dimension) M=\(components) T=\(descriptors), \(images) images per rank, "
            + "\(comm.size) rank(s) × \(BLASThreads.count) BLAS thread(s)")
        let sgemm = EncodingBenchmark.sgemmGigaflops(size: 1024)
        try comm.barrier()  // Distributed: ranks start together
        let result = try EncodingBenchmark.fisher(dimension: dimension, components: components,
                                              descriptorsPerImage: descriptors, images: images)
        let rates = try comm.allGather([result.imagesPerSecond, sgemm])  // Distributed: per-rank figures
        let total = rates.map { $0[0] }.reduce(0, +), peak = rates.map { $0[1] }.reduce(0, +)
        let gflops = total * result.flopsPerImage / 1e9
        comm.log0("  per rank: \(rates.map { BenchTiming.format($0[0], 2) }) images/s")
        comm.log0("  aggregate \(BenchTiming.format(total, 2)) images/s, \(BenchTiming.format(gflops, 1)) GFLOP/s = "
            + "\(BenchTiming.format(100 * gflops / peak, 1))% of sgemm (Σ ranks \(BenchTiming.format(peak, 1)) GFLOP/s, same run)")
        comm.log0("  W2 anchors (1 thread, other session): VLFeat 26.07/s → \(BenchTiming.format(total / 26.07, 2))×, "
            + "numpy GEMM 162.9/s → \(BenchTiming.format(total / 162.9, 2))×")
        comm.log0(BenchTiming.resultLine(
            name: "tributary FisherEncoder improved", metric: "throughput", unit: "images/s", values: [total],
            params: ["ranks": "\(comm.size)", "threads": "\(BLASThreads.count)", "D": "\(dimension)",
                     "M": "\(components)", "T": "\(descriptors)", "gflops": BenchTiming.format(gflops, 2),
                     "sgemm_gflops": BenchTiming.format(peak, 2),
                     "percent_of_sgemm": BenchTiming.format(100 * gflops / peak, 1)]))
    }
}

/// The `tributary bench gmm` workload (W1): seconds per EM iteration on N synthetic rows (D, M, random
/// initialisation, no early stop), rows split over the ranks as the ordered reduction does.
public struct GaussianMixtureBench {
    public var rows: Int
    public var dimension: Int
    public var components: Int
    public var iterations: Int

    public init(rows: Int, dimension: Int, components: Int, iterations: Int) {
        self.rows = rows
        self.dimension = dimension
        self.components = components
        self.iterations = iterations
    }

    public func run(communicator comm: any Communicator) throws {
        comm.log0("bench gmm: N=\(rows) D=\(dimension) M=\(components), \(iterations) iterations, "
            + "\(comm.size) rank(s) × \(BLASThreads.count) BLAS thread(s)")
        let (_, x) = EncodingBenchmark.syntheticMixture(components: components, dimension: dimension, rows: rows, seed: 101)
        let reduction = OrderedReduction()
        let mine = reduction.rows(totalRows: rows, rank: comm.rank, size: comm.size)
        let source = MatrixRowSource(x.rows(mine), firstRow: mine.lowerBound, totalRows: rows)
        let options = GaussianMixture.Options(initialization: .random, maxIterations: iterations,
                                              tolerance: -.infinity, seed: 101)
        var times: [Double] = []
        // Distributed: EM statistics reduced over ranks in block order
        _ = try GaussianMixture.fit(source, components: components, options: options, communicator: comm) { p in
            if p.iteration > 0 { times.append(p.seconds) }
            comm.log0("  iteration \(p.iteration): log-likelihood \(p.logLikelihood), \(BenchTiming.format(p.seconds, 3)) s")
        }
        let median = BenchTiming.median(times)
        let sgemm = try comm.allReduce(EncodingBenchmark.sgemmGigaflops(size: 1024), op: .sum)  // Distributed: Σ ranks
        let gflops = 8 * Double(rows) * Double(dimension) * Double(components) / median / 1e9  // the two EM GEMMs
        comm.log0("  \(BenchTiming.format(gflops, 1)) GFLOP/s (8·N·D·M per iteration) = "
            + "\(BenchTiming.format(100 * gflops / sgemm, 1))% of sgemm (Σ ranks \(BenchTiming.format(sgemm, 1)) GFLOP/s, same run)")
        comm.log0("  s/iteration: \(BenchTiming.summary(times, digits: 3)); W1 anchor VLFeat 3.757 s (1 thread, "
            + "N = 256,000, other session) → \(BenchTiming.format(3.757 / median * Double(rows) / 256_000, 2))× its rate per row")
        comm.log0(BenchTiming.resultLine(
            name: "tributary GaussianMixture EM", metric: "seconds per iteration", unit: "s", values: times,
            params: ["ranks": "\(comm.size)", "threads": "\(BLASThreads.count)", "N": "\(rows)",
                     "D": "\(dimension)", "M": "\(components)", "gflops": BenchTiming.format(gflops, 2),
                     "sgemm_gflops": BenchTiming.format(sgemm, 2)]))
    }
}
