import Core
import Encoding
import LinearAlgebra
import Stages
import Storage

/// `pca.h5` and `gmm.h5`: the fitted models of `fit-pca` and `fit-gmm`, one group per descriptor kind.
///
/// `pca.h5` (stage `fit-pca`, version 1), for k ∈ {orh, col}, D = 128 / 96, d = min(pca_dims, D):
///
/// | dataset | shape, type | meaning |
/// | --- | --- | --- |
/// | `k/mean` | (D) float32 | μ |
/// | `k/components` | (d, D) float32 | W, orthonormal rows |
/// | `k/eigenvalues` | (d) float64 | λ, decreasing |
/// | `k/total_variance` | (1) float64 | trace of the covariance |
///
/// `gmm.h5` (stage `fit-gmm`, version 1), M components on d-dimensional projected descriptors:
///
/// | dataset | shape, type | meaning |
/// | --- | --- | --- |
/// | `k/priors` | (M) float64 | π |
/// | `k/means` | (M, d) float64 | μ |
/// | `k/variances` | (M, d) float64 | σ² |
/// | `k/log_likelihood` | (iterations + 1) float64 | mean log-likelihood after each E-step |
///
/// Root attributes: the header plus the stage's settings (`pca_dims`, `components`, `sample_size`,
/// `sample_rows`, `seed`, …) and the path of the input they were fitted on.
public enum ModelFiles {
    public static let pcaStage = "fit-pca"
    public static let gmmStage = "fit-gmm"
    public static let version = 1

    /// Rank 0 writes the per-kind models to `path` (header `stage` + `parameters`, one group per kind through
    /// `write`); every rank returns once the file exists, so no rank reads it early.
    static func writeOnRoot<Model>(
        _ models: [DescriptorKind: Model], stage: String, parameters: [String: HDF5AttributeValue], to path: String,
        communicator comm: any Communicator, _ write: (Model, DescriptorKind, HDF5File) throws -> Void
    ) throws {
        if comm.isRoot {  // Distributed: rank 0 writes
            try ShardedOutput.makeDirectory(containing: path)
            try ArtifactFile.create(path, header: ArtifactHeader(stage: stage, version: version, parameters: parameters)) { file in
                for kind in DescriptorKind.allCases { try write(models[kind]!, kind, file) }
            }
        }
        try comm.barrier()  // Distributed: the file exists before any rank goes on
    }

    static func writePCA(_ pca: PCA, kind: DescriptorKind, to file: HDF5File) throws {
        let k = kind.rawValue
        try file.write(pca.mean, shape: [pca.inputDimension], to: "\(k)/mean")
        try file.write(pca.components.values, shape: [pca.outputDimension, pca.inputDimension], to: "\(k)/components")
        try file.write(pca.eigenvalues, shape: [pca.outputDimension], to: "\(k)/eigenvalues")
        try file.write([pca.totalVariance], shape: [1], to: "\(k)/total_variance")
    }

    /// Reads both PCA models of `path`, checking the header and each model's input dimension.
    public static func readPCA(_ path: String) throws -> [DescriptorKind: PCA] {
        let file = try openArtifact(path, stage: pcaStage, version: version, producer: "`tributary fit-pca`")
        defer { try? file.close() }
        var models: [DescriptorKind: PCA] = [:]
        for kind in DescriptorKind.allCases {
            let k = kind.rawValue
            let mean = try file.read("\(k)/mean", as: Float.self, shape: [kind.dimension])
            let (components, shape) = try file.read("\(k)/components", as: Float.self)
            guard shape.count == 2, shape[1] == kind.dimension else {
                throw PipelineError.inconsistent(file: path, what: "\(k)/components has shape \(shape), expected (d, \(kind.dimension))",
                                                 rerun: "fit-pca")
            }
            let eigenvalues = try file.read("\(k)/eigenvalues", as: Double.self, shape: [shape[0]])
            let total = try file.read("\(k)/total_variance", as: Double.self, shape: [1])[0]
            models[kind] = PCA(mean: mean, components: Matrix(rows: shape[0], columns: shape[1], values: components),
                               eigenvalues: eigenvalues, totalVariance: total)
        }
        return models
    }

    static func writeGMM(_ gmm: GaussianMixture, kind: DescriptorKind, to file: HDF5File) throws {
        let k = kind.rawValue
        try file.write(gmm.priors, shape: [gmm.components], to: "\(k)/priors")
        try file.write(gmm.means.values, shape: [gmm.components, gmm.dimension], to: "\(k)/means")
        try file.write(gmm.variances.values, shape: [gmm.components, gmm.dimension], to: "\(k)/variances")
        try file.write(gmm.logLikelihoodHistory, shape: [gmm.logLikelihoodHistory.count], to: "\(k)/log_likelihood")
    }

    /// Reads both mixtures of `path`, checking the header and that each mixture's dimension equals the
    /// matching PCA output dimension in `pca` (else: re-run fit-gmm on this PCA).
    public static func readGMM(_ path: String, pca: [DescriptorKind: PCA]) throws -> [DescriptorKind: GaussianMixture] {
        let file = try openArtifact(path, stage: gmmStage, version: version, producer: "`tributary fit-gmm`")
        defer { try? file.close() }
        var models: [DescriptorKind: GaussianMixture] = [:]
        for kind in DescriptorKind.allCases {
            let k = kind.rawValue
            let priors = try file.read("\(k)/priors", as: Double.self).values
            let (means, shape) = try file.read("\(k)/means", as: Double.self)
            let d = pca[kind]?.outputDimension ?? -1
            guard shape == [priors.count, d] else {
                throw PipelineError.inconsistent(
                    file: path, what: "\(k) mixture has shape \(shape), but pca.h5 projects \(k) to \(d) dimensions",
                    rerun: "fit-gmm")
            }
            let variances = try file.read("\(k)/variances", as: Double.self, shape: [shape[0], shape[1]])
            let history = try file.read("\(k)/log_likelihood", as: Double.self).values
            models[kind] = GaussianMixture(priors: priors, means: Matrix(rows: shape[0], columns: shape[1], values: means),
                                           variances: Matrix(rows: shape[0], columns: shape[1], values: variances),
                                           logLikelihoodHistory: history)
        }
        return models
    }
}
