import ArgumentParser
import Distributed
import FisherAnnotation
import LinearAlgebra

/// `tributary extract`: dense ORH + COL descriptors of every image → DIR/descriptors.h5 (see `ExtractStage`).
struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Dense ORH + COL descriptors of every image → OUT/descriptors.h5 (per-rank parts; reruns reuse finished parts).")

    @OptionGroup var dataset: DatasetOptions
    @OptionGroup var grid: GridOptions
    @OptionGroup var runOptions: FisherRunOptions

    func run() throws {
        let config = FisherPipeline(source: dataset.source, selection: dataset.selection, directory: runOptions.out,
                                    patchSize: grid.patchSize, step: grid.step, scales: grid.scales,
                                    batchSize: runOptions.batchSize, seed: runOptions.seed, badImages: dataset.badImages).extract
        World.run { comm in
            comm.log0("extract: \(dataset.source.description), P=\(config.patchSize) step=\(config.step) "
                + "S=\(config.scales), \(comm.size) rank(s) → \(config.output)")
            try ExtractStage(config: config).run(communicator: comm) { comm.log0($0) }
        }
    }
}

/// `tributary fit-pca`: PCA of sampled ORH and COL descriptors → DIR/pca.h5 (see `FitPCAStage`).
struct FitPCA: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit-pca", abstract: "PCA of sampled ORH and COL descriptors → OUT/pca.h5.")

    @OptionGroup var pca: PCAOptions
    @OptionGroup var runOptions: FisherRunOptions

    func run() throws {
        let config = PCAConfig(descriptors: FisherFiles.descriptors(runOptions.out), output: FisherFiles.pca(runOptions.out),
                               dimensions: pca.pcaDims, sampleSize: pca.sampleSize, seed: runOptions.seed)
        World.run { comm in
            try FitPCAStage(config: config).run(communicator: comm) { comm.log0($0) }
            comm.log0("fit-pca: wrote \(config.output)")
        }
    }
}

/// `tributary fit-gmm`: GMMs of PCA-projected sampled descriptors → DIR/gmm.h5 (see `FitGMMStage`).
struct FitGMM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit-gmm", abstract: "Gaussian mixtures of PCA-projected ORH and COL descriptors → OUT/gmm.h5.")

    @OptionGroup var pca: PCAOptions
    @OptionGroup var gmm: GMMOptions
    @OptionGroup var runOptions: FisherRunOptions

    func run() throws {
        let config = GMMConfig(descriptors: FisherFiles.descriptors(runOptions.out), pca: FisherFiles.pca(runOptions.out),
                               output: FisherFiles.gmm(runOptions.out), components: gmm.components,
                               sampleSize: pca.sampleSize, maxIterations: gmm.iterations, tolerance: gmm.tolerance,
                               seed: runOptions.seed)
        World.run { comm in
            try FitGMMStage(config: config).run(communicator: comm) { comm.log0($0) }
            comm.log0("fit-gmm: wrote \(config.output)")
        }
    }
}

/// `tributary encode`: improved Fisher vectors with spatial pyramids → DIR/fv.h5 (see `EncodeStage`).
struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Improved Fisher vectors (1x1, 2x2, 1x3 pyramids; ORH and COL) of every image → OUT/fv.h5.")

    @OptionGroup var runOptions: FisherRunOptions

    func run() throws {
        let config = EncodeConfig(descriptors: FisherFiles.descriptors(runOptions.out), pca: FisherFiles.pca(runOptions.out),
                                  gmm: FisherFiles.gmm(runOptions.out), output: FisherFiles.fisherVectors(runOptions.out),
                                  batchSize: runOptions.batchSize)
        World.run { comm in
            try EncodeStage(config: config).run(communicator: comm) { comm.log0($0) }
            comm.log0("encode: wrote \(config.output)")
        }
    }
}

/// `tributary fisher`: the four stages in one job.
struct Fisher: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fisher",
        abstract: "extract → fit-pca → fit-gmm → encode in one job (files in OUT).",
        discussion: """
            Quick run on 64 Fashion-MNIST images with 2 ranks:
              launch/run.sh -n 2 -- fisher --limit 64 --components 16 --out /tmp/fv
            """)

    @OptionGroup var dataset: DatasetOptions
    @OptionGroup var grid: GridOptions
    @OptionGroup var pca: PCAOptions
    @OptionGroup var gmm: GMMOptions
    @OptionGroup var runOptions: FisherRunOptions

    func run() throws {
        let pipeline = FisherPipeline(
            source: dataset.source, selection: dataset.selection, directory: runOptions.out, patchSize: grid.patchSize,
            step: grid.step, scales: grid.scales, pcaDimensions: pca.pcaDims, components: gmm.components,
            sampleSize: pca.sampleSize, maxIterations: gmm.iterations, tolerance: gmm.tolerance,
            batchSize: runOptions.batchSize, seed: runOptions.seed, badImages: dataset.badImages)
        World.run { comm in
            comm.log0("fisher: \(dataset.source.description), \(comm.size) rank(s) → \(runOptions.out)")
            try pipeline.run(communicator: comm) { comm.log0($0) }
            comm.log0("fisher: wrote \(pipeline.encode.output)")
        }
    }
}
