import Core
import Encoding
import LinearAlgebra
import Stages
import Storage

/// `tributary fit-gmm`: a diagonal Gaussian mixture of M components (256 by default, Mensink et al. 2010 §2)
/// per descriptor kind, fitted by EM on PCA-projected descriptors of a seeded sample of the training images of
/// `fitManifest` (`TrainingImages`; every image when it is nil, which the log says).
///
/// Distribution: as in `FitPCAStage`, every rank holds the same sample (drawn with seed + 1, so it is not the
/// PCA sample) and EM reduces its sufficient statistics in fixed block order, so the mixture is bit-identical
/// for any number of ranks. Rank 0 prints the log-likelihood after every iteration and writes `gmm.h5`
/// (layout in `ModelFiles`). EM stops after `maxIterations` M-steps or when the relative log-likelihood gain
/// falls below `tolerance`.
public struct FitGMMStage {
    public let config: GMMConfig

    public init(config: GMMConfig) {
        self.config = config
    }

    @discardableResult
    public func run(communicator comm: any Communicator,
                    log: (String) -> Void = { _ in }) throws -> [DescriptorKind: GaussianMixture] {
        guard config.components >= 1 else {
            throw PipelineError.invalidParameter(name: "--components", value: "\(config.components)", rule: "must be ≥ 1")
        }
        let descriptors = try DescriptorsFile.open(config.descriptors)
        defer { descriptors.close() }
        let pca = try ModelFiles.readPCA(config.pca)
        let fit = try TrainingImages.forFit(manifest: config.fitManifest, descriptors: descriptors, stage: "fit-gmm",
                                            output: config.output, log: log)
        let indices = descriptors.sampleIndices(sampleSize: config.sampleSize, seed: config.seed &+ 1, images: fit.images)
        guard indices.count >= config.components else {
            throw PipelineError.invalidParameter(
                name: "--components", value: "\(config.components)",
                rule: "the GMM sample has \(indices.count) descriptors (of \(descriptors.descriptorCount) extracted); "
                    + "use at most that many components, or extract more images / raise --sample-size")
        }
        let options = GaussianMixture.Options(maxIterations: config.maxIterations, tolerance: config.tolerance,
                                              seed: config.seed)
        var models: [DescriptorKind: GaussianMixture] = [:]
        for kind in DescriptorKind.allCases {
            let sample = try descriptors.sample(kind, indices: indices, communicator: comm)  // Distributed: all-gather
            let projected = pca[kind]!.project(sample)
            try requireFinite(projected, file: config.pca, what: "PCA-projected \(kind.rawValue) descriptor")
            log("fit-gmm: \(kind.rawValue): M = \(config.components) on \(projected.rows) × \(projected.columns)")
            // Distributed: EM statistics reduced over ranks in fixed block order
            let gmm = try GaussianMixture.fit(MatrixRowSource(projected), components: config.components,
                                              options: options, communicator: comm) { p in
                let gain = p.relativeImprovement.map { ", gain \(format($0))" } ?? ""
                log("fit-gmm: \(kind.rawValue) iteration \(p.iteration): log-likelihood \(format(p.logLikelihood))"
                    + gain + (p.reseeded > 0 ? ", \(p.reseeded) re-seeded" : ""))
            }
            models[kind] = gmm
        }
        var parameters = descriptorsProvenance(descriptors, in: config.output).merging(fit.parameters) { a, _ in a }
        parameters["pca"] = ArtifactHeader.storedPath(config.pca, in: config.output)
        parameters["components"] = .int(config.components)
        parameters["sample_size"] = .int(config.sampleSize)
        parameters["sample_rows"] = .int(indices.count)
        parameters["max_iterations"] = .int(config.maxIterations)
        parameters["tolerance"] = .double(config.tolerance)
        parameters["seed"] = .int(Int(truncatingIfNeeded: config.seed))
        try ModelFiles.writeOnRoot(models, stage: ModelFiles.gmmStage, parameters: parameters, to: config.output,
                                   communicator: comm, ModelFiles.writeGMM)
        return models
    }
}
