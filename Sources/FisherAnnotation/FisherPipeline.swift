import Core
import Foundation
import LinearAlgebra
import Stages
import Storage

/// `tributary fisher`: extract → fit-pca → fit-gmm → encode in one job, with the files of `FisherFiles` in
/// one output folder. Each stage is the same driver its own subcommand runs, so a chained run and four
/// separate runs write the same files (and a chained rerun reuses finished extraction parts).
public struct FisherPipeline {
    public var extract: ExtractConfig
    public var pca: PCAConfig
    public var gmm: GMMConfig
    public var encode: EncodeConfig

    /// The four configs for output folder `directory`.
    public init(source: ImageSource, selection: ImageSelection = ImageSelection(), directory: String,
                patchSize: Int? = nil, step: Int? = nil, scales: Int? = nil, pcaDimensions: Int = 64,
                components: Int = 256, sampleSize: Int = 100_000, maxIterations: Int = 50, tolerance: Double = 1e-5,
                batchSize: Int = 256, seed: UInt64 = 0, badImages: BadImagePolicy = .fail) {
        let descriptors = FisherFiles.descriptors(directory), pcaPath = FisherFiles.pca(directory)
        let gmmPath = FisherFiles.gmm(directory)
        extract = ExtractConfig(source: source, selection: selection, output: descriptors, patchSize: patchSize,
                                step: step, scales: scales, batchSize: batchSize, badImages: badImages)
        pca = PCAConfig(descriptors: descriptors, output: pcaPath, dimensions: pcaDimensions, sampleSize: sampleSize,
                        seed: seed)
        gmm = GMMConfig(descriptors: descriptors, pca: pcaPath, output: gmmPath, components: components,
                        sampleSize: sampleSize, maxIterations: maxIterations, tolerance: tolerance, seed: seed)
        encode = EncodeConfig(descriptors: descriptors, pca: pcaPath, gmm: gmmPath,
                              output: FisherFiles.fisherVectors(directory), batchSize: batchSize)
    }

    /// Runs the four stages in order on every rank.
    /// Logs each stage's wall time (from the first rank's clock; every stage ends in a collective, so the ranks
    /// leave it together) and the chain's throughput in images per second.
    /// `progress` shows extract's and encode's images (rank 0's shard) and gets one metrics record per step.
    public func run(communicator comm: any Communicator, log: (String) -> Void = { _ in },
                    progress: ProgressReporter = .silent()) throws {
        let clock = ContinuousClock()
        var seconds: [(String, Double)] = []
        func timed(_ name: String, _ body: () throws -> Void) rethrows {
            let start = clock.now
            try body()
            seconds.append((name, start.duration(to: clock.now).inSeconds))
            progress.record([("event", .string("step")), ("step", .string(name)), ("seconds", .double(seconds.last!.1))])
        }
        try checkSpaceBeforeExtracting(communicator: comm, log: log)
        try timed("extract") { try ExtractStage(config: extract).run(communicator: comm, log: log, progress: progress) }
        try timed("fit-pca") { try FitPCAStage(config: pca).run(communicator: comm, log: log) }
        try timed("fit-gmm") { try FitGMMStage(config: gmm).run(communicator: comm, log: log) }
        try timed("encode") { try EncodeStage(config: encode).run(communicator: comm, log: log, progress: progress) }
        let images = try DescriptorsFile.open(encode.descriptors)
        defer { images.close() }
        let total = seconds.reduce(0) { $0 + $1.1 }
        let parts = seconds.map { "\($0.0) \(String(format: "%.1f", $0.1)) s" }.joined(separator: ", ")
        log("fisher: \(images.imageCount) images on \(comm.size) rank(s) in \(String(format: "%.1f", total)) s "
            + "(\(parts)) = \(String(format: "%.1f", Double(images.imageCount) / total)) images/s")
    }

    /// The encode step's size check (`EncodeStage.checkSpace`) before the chain starts, from the image count and the
    /// PCA and GMM sizes, so that a job that cannot store its vectors stops now rather than after extraction and
    /// fitting (encode checks again with the fitted models).
    func checkSpaceBeforeExtracting(communicator comm: any Communicator, log: (String) -> Void) throws {
        let stage = EncodeStage(config: encode)
        try stage.checkSpace(try sizePlan(), communicator: comm, log: log)
    }

    /// What the encode step will write, from the image count and the PCA and GMM sizes (no image is decoded).
    public func sizePlan() throws -> DiskSpace.Plan {
        let images = try extract.source.open(selection: extract.selection).count
        return EncodeStage(config: encode).sizePlan(images: images, widths: rowWidths())
    }

    /// F_l of each `fv/…` dataset encode will write (`EncodeStage.vectorDatasets` order), from the parameters.
    public func rowWidths() -> [Int] {
        EncodeStage.rowWidths(pcaDimensions: { Swift.min(pca.dimensions, $0.dimension) }, components: gmm.components)
    }
}
