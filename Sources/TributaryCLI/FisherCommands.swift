import Stages
import ArgumentParser
import Distributed
import FisherAnnotation
import LinearAlgebra

/// `tributary extract`: dense ORH + COL descriptors of every image → DIR/descriptors.h5 (see `ExtractStage`).
struct Extract: ParsableCommand, SpecCommand {
    static let spec = StageSpec.extract
    static let plumbing = ["dataset", "data", "labels_csv", "split", "limit", "subset_seed", "allow_outside_paths", "out",
                           "progress"]
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Dense ORH + COL descriptors of every image → OUT/descriptors.h5 (per-rank parts; reruns reuse finished parts).")

    @OptionGroup var dataset: DatasetOptions
    @OptionGroup var grid: GridOptions
    @OptionGroup var chunk: ChunkOptions
    @OptionGroup var folder: FisherFolderOptions
    @OptionGroup var progress: ProgressOptions

    @OptionGroup var job: JobOptions

    func run() throws {
        let config = ExtractConfig(try parameters(), source: dataset.source, selection: dataset.selection,
                                   output: FisherFiles.descriptors(folder.out))
        job.run { comm in
            comm.log0("extract: \(dataset.source.description), P=\(config.patchSize) step=\(config.step) "
                + "S=\(config.scales), \(comm.size) rank(s) → \(config.output)")
            let reporter = progress.reporter("extract", communicator: comm, metricsPath: ProgressOptions.metricsPath(inFolder: folder.out))
            try ExtractStage(config: config).run(communicator: comm, log: { comm.log0($0) }, progress: reporter)
        }
    }
}

/// `tributary fit-pca`: PCA of sampled ORH and COL descriptors → DIR/pca.h5 (see `FitPCAStage`).
struct FitPCA: ParsableCommand, SpecCommand {
    static let spec = StageSpec.fitPCA
    static let plumbing = ["out"]
    static let configuration = CommandConfiguration(
        commandName: "fit-pca", abstract: "PCA of sampled ORH and COL descriptors → OUT/pca.h5.")

    @OptionGroup var pca: PCAOptions
    @OptionGroup var sample: SampleOptions
    @OptionGroup var folder: FisherFolderOptions

    @OptionGroup var job: JobOptions

    func run() throws {
        let config = PCAConfig(try parameters(), descriptors: FisherFiles.descriptors(folder.out), output: FisherFiles.pca(folder.out))
        job.run { comm in
            try FitPCAStage(config: config).run(communicator: comm) { comm.log0($0) }
            comm.log0("fit-pca: wrote \(config.output)")
        }
    }
}

/// `tributary fit-gmm`: GMMs of PCA-projected sampled descriptors → DIR/gmm.h5 (see `FitGMMStage`). The PCA
/// dimension is pca.h5's: fit-pca's `--pca-dims` is no option here.
struct FitGMM: ParsableCommand, SpecCommand {
    static let spec = StageSpec.fitGMM
    static let plumbing = ["out"]
    static let configuration = CommandConfiguration(
        commandName: "fit-gmm", abstract: "Gaussian mixtures of PCA-projected ORH and COL descriptors → OUT/gmm.h5 (d is pca.h5's).")

    @OptionGroup var gmm: GMMOptions
    @OptionGroup var sample: SampleOptions
    @OptionGroup var folder: FisherFolderOptions

    @OptionGroup var job: JobOptions

    func run() throws {
        let config = GMMConfig(try parameters(), descriptors: FisherFiles.descriptors(folder.out), pca: FisherFiles.pca(folder.out),
                               output: FisherFiles.gmm(folder.out))
        job.run { comm in
            try FitGMMStage(config: config).run(communicator: comm) { comm.log0($0) }
            comm.log0("fit-gmm: wrote \(config.output)")
        }
    }
}

/// `tributary encode`: improved Fisher vectors with spatial pyramids → DIR/fv.h5 (see `EncodeStage`).
struct Encode: ParsableCommand, SpecCommand {
    static let spec = StageSpec.encode
    static let plumbing = ["out", "progress"]
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Improved Fisher vectors (1x1, 2x2, 1x3 pyramids; ORH and COL) of every image → OUT/fv.h5.")

    @OptionGroup var chunk: ChunkOptions
    @OptionGroup var storage: VectorStorageOptions
    @OptionGroup var folder: FisherFolderOptions
    @OptionGroup var progress: ProgressOptions

    @OptionGroup var job: JobOptions

    func run() throws {
        let config = EncodeConfig(try parameters(), descriptors: FisherFiles.descriptors(folder.out), pca: FisherFiles.pca(folder.out),
                                  gmm: FisherFiles.gmm(folder.out), output: FisherFiles.fisherVectors(folder.out))
        job.run { comm in
            let reporter = progress.reporter("encode", communicator: comm, metricsPath: ProgressOptions.metricsPath(inFolder: folder.out))
            try EncodeStage(config: config).run(communicator: comm, log: { comm.log0($0) }, progress: reporter)
            comm.log0("encode: wrote \(config.output)")
        }
    }
}

/// `tributary fisher`: the four stages in one job; the same parameters as a runner `fisher` stage.
struct Fisher: ParsableCommand, SpecCommand {
    static let spec = StageSpec.fisher
    static let plumbing = Extract.plumbing
    static let configuration = CommandConfiguration(
        commandName: "fisher",
        abstract: "extract → fit-pca → fit-gmm → encode in one job (files in OUT).",
        discussion: """
            Quick run on 64 Fashion-MNIST images with 2 ranks:
              launch/run.sh -n 2 -- fisher --limit 64 --components 16 --out /tmp/fv
            The same parameters, defaults and ranges as a `fisher` stage of a pipeline config (data/pipelines/README.md).
            """)

    @OptionGroup var dataset: DatasetOptions
    @OptionGroup var grid: GridOptions
    @OptionGroup var pca: PCAOptions
    @OptionGroup var gmm: GMMOptions
    @OptionGroup var sample: SampleOptions
    @OptionGroup var chunk: ChunkOptions
    @OptionGroup var storage: VectorStorageOptions
    @OptionGroup var folder: FisherFolderOptions
    @OptionGroup var progress: ProgressOptions

    @OptionGroup var job: JobOptions

    func run() throws {
        let pipeline = FisherPipeline(try parameters(), source: dataset.source, selection: dataset.selection, directory: folder.out)
        job.run { comm in
            comm.log0("fisher: \(dataset.source.description), \(comm.size) rank(s) → \(folder.out)")
            let reporter = progress.reporter("fisher", communicator: comm, metricsPath: ProgressOptions.metricsPath(inFolder: folder.out))
            try pipeline.run(communicator: comm, log: { comm.log0($0) }, progress: reporter)
            comm.log0("fisher: wrote \(pipeline.encode.output)")
        }
    }
}
