import ArgumentParser
import Bench
import Core
import Distributed
import Encoding
import Features
import LinearAlgebra

/// `tributary bench dsift`: dense ORH + COL on the W3 image (500×375, seeded) at the paper's grid (P = 32,
/// step 16, 5 scales), images/s. Each rank extracts `--repeats` images at the same time (single-threaded
/// each); the aggregate is Σ over ranks. Anchor (`../shared/bench/ANCHORS.md` W3): VLFeat vl_dsift pyr5,
/// flat window, ORH only, 37.6 images/s on 1 thread (66.6 with 2 images concurrently).
struct BenchDSIFT: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dsift", abstract: "Dense ORH + COL at 5 scales on 500×375 images, images/s (W3).")

    @Option(help: "Images timed per rank after one warm-up image.")
    var repeats = 20

    @Option(help: "Image width.") var width = 500
    @Option(help: "Image height.") var height = 375

    static let anchorImagesPerSecond = 37.62

    func validate() throws {
        guard repeats >= 1, width >= 32, height >= 32 else {
            throw ValidationError("--repeats must be ≥ 1 and the image at least 32×32")
        }
    }

    func run() throws {
        World.run { comm in
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
    }
}

/// `tributary bench fisher`: improved FV of synthetic images (W2: D = 64, M = 256, T = 2500), images/s,
/// effective GFLOP/s (8·T·D·M per image) and the fraction of the sgemm rate measured in the same run. Each
/// rank encodes `--images` images at the same time; the aggregate is Σ over ranks, so 2 ranks show scaling.
/// Anchors (W2, 1 thread): VLFeat 26.07 images/s, numpy GEMM formulation 162.9 images/s.
struct BenchFisher: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fisher", abstract: "Improved Fisher vectors, D=64 M=256 T=2500: images/s, GFLOP/s, % of sgemm (W2).")

    @Option(help: "Images encoded per rank.") var images = 50
    @Option(help: "Descriptor dimension D.") var dimension = 64
    @Option(help: "Components M.") var components = 256
    @Option(name: .customLong("descriptors"), help: "Descriptors per image T.") var descriptors = 2500

    func validate() throws {
        guard images >= 1, dimension >= 1, components >= 1, descriptors >= 1 else {
            throw ValidationError("--images, --dimension, --components and --descriptors must be ≥ 1")
        }
    }

    func run() throws {
        World.run { comm in
            comm.log0("bench fisher: D=\(dimension) M=\(components) T=\(descriptors), \(images) images per rank, "
                + "\(comm.size) rank(s) × \(BLASThreads.count) BLAS thread(s)")
            let sgemm = EncodingBenchmark.sgemmGigaflops(size: 1024)
            try comm.barrier()  // Distributed: ranks start together
            let result = EncodingBenchmark.fisher(dimension: dimension, components: components,
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
}

/// `tributary bench gmm`: seconds per EM iteration (W1: N = 256,000 synthetic rows, D = 64, M = 256, random
/// initialisation, no early stop). Rows are split over ranks as the ordered reduction does, so 2 ranks show
/// the distributed E-step. Anchor (W1): VLFeat 3.757 s/iteration on 1 thread, 2.392 on 2.
struct BenchGMM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gmm", abstract: "GMM EM seconds per iteration, D=64 M=256 N=256,000 (W1; --rows to shrink).")

    @Option(help: "Rows N.") var rows = 256_000
    @Option(help: "Dimension D.") var dimension = 64
    @Option(help: "Components M.") var components = 256
    @Option(help: "EM iterations timed.") var iterations = 5

    func validate() throws {
        guard rows >= components, dimension >= 1, components >= 1, iterations >= 1 else {
            throw ValidationError("need --rows ≥ --components ≥ 1, --dimension ≥ 1 and --iterations ≥ 1")
        }
    }

    func run() throws {
        World.run { comm in
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
}
