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

    func validate() throws {
        guard repeats >= 1, width >= 32, height >= 32 else {
            throw ValidationError("--repeats must be ≥ 1 and the image at least 32×32")
        }
    }

    @OptionGroup var job: JobOptions

    func run() throws {
        job.run { comm in
            try DenseDescriptorBench(repeats: repeats, width: width, height: height).run(communicator: comm)
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

    @OptionGroup var job: JobOptions

    func run() throws {
        job.run { comm in
            try FisherBench(images: images, dimension: dimension, components: components, descriptors: descriptors)
                .run(communicator: comm)
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

    @OptionGroup var job: JobOptions

    func run() throws {
        job.run { comm in
            try GaussianMixtureBench(rows: rows, dimension: dimension, components: components, iterations: iterations)
                .run(communicator: comm)
        }
    }
}
