import Core
import Encoding
import LinearAlgebra
import Stages
import Storage

/// `tributary fit-pca`: PCA of ORH (128 → d) and COL (96 → d) descriptors, d = 64 by default (Mensink et al.
/// 2010 §4.1), fitted on a seeded sample of descriptors drawn from the training images of `fitManifest` (`TrainingImages`;
/// every image when it is nil, which the log says).
///
/// Distribution: every rank draws the same sample indices (`DescriptorSample`, no communication), reads the
/// sampled rows inside its block range of the stitched descriptors and all-gathers them, so every rank holds
/// the same sample; `PCA.fit` then sums statistics per fixed block of rows and reduces them in block order
/// (`OrderedReduction`), so the model is bit-identical for any number of ranks. Rank 0 writes `pca.h5`
/// (layout in `ModelFiles`). The sample is checked to be finite before fitting.
public struct FitPCAStage {
    public let config: PCAConfig

    public init(config: PCAConfig) {
        self.config = config
    }

    /// Fits both models on every rank and writes `pca.h5` on rank 0; returns the models.
    @discardableResult
    public func run(communicator comm: any Communicator, log: (String) -> Void = { _ in }) throws -> [DescriptorKind: PCA] {
        guard config.dimensions >= 1 else {
            throw PipelineError.invalidParameter(name: "--pca-dims", value: "\(config.dimensions)", rule: "must be ≥ 1")
        }
        guard config.sampleSize >= 2 else {
            throw PipelineError.invalidParameter(name: "--sample-size", value: "\(config.sampleSize)", rule: "must be ≥ 2")
        }
        let descriptors = try DescriptorsFile.open(config.descriptors)
        defer { descriptors.close() }
        let fit = try TrainingImages.forFit(manifest: config.fitManifest, descriptors: descriptors, stage: "fit-pca",
                                            output: config.output, log: log)
        let indices = descriptors.sampleIndices(sampleSize: config.sampleSize, seed: config.seed, images: fit.images)
        var models: [DescriptorKind: PCA] = [:]
        for kind in DescriptorKind.allCases {
            let sample = try descriptors.sample(kind, indices: indices, communicator: comm)  // Distributed: all-gather
            let d = Swift.min(config.dimensions, kind.dimension)
            // Distributed: statistics reduced over ranks in fixed block order
            let pca = try PCA.fit(MatrixRowSource(sample), dimensions: d, communicator: comm)
            let explained = pca.eigenvalues.reduce(0, +) / Swift.max(pca.totalVariance, .leastNormalMagnitude)
            log("fit-pca: \(kind.rawValue) \(kind.dimension) → \(d) dims on \(sample.rows) sampled descriptors, "
                + "\(Int((explained * 1000).rounded()) / 10)% of the variance kept")
            models[kind] = pca
        }
        var parameters = descriptorsProvenance(descriptors, in: config.output).merging(fit.parameters) { a, _ in a }
        parameters["pca_dims"] = .int(config.dimensions)
        parameters["sample_size"] = .int(config.sampleSize)
        parameters["sample_rows"] = .int(indices.count)
        parameters["seed"] = .int(Int(truncatingIfNeeded: config.seed))
        try ModelFiles.writeOnRoot(models, stage: ModelFiles.pcaStage, parameters: parameters, to: config.output,
                                   communicator: comm, ModelFiles.writePCA)
        return models
    }
}

/// The attributes that tie a model (the file `output`) to the descriptors it was fitted on.
func descriptorsProvenance(_ descriptors: DescriptorsFile, in output: String) -> [String: HDF5AttributeValue] {
    ["descriptors": ArtifactHeader.storedPath(descriptors.path, in: output), "descriptor_rows": .int(descriptors.descriptorCount),
     "image_count": .int(descriptors.imageCount)]
}
