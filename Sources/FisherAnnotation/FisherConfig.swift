import Features
import Stages
import Storage

/// The settings of the four Fisher-vector stages, as plain values (the CLI fills them from flags; tests build
/// them directly). Defaults follow Mensink et al. (2010) §2 and §4.1: PCA to 64 dimensions, M = 256
/// Gaussians, improved FV (signed square root, then L2), spatial pyramid 1x1 + 2x2 + 1x3.
///
/// Files, for `--out DIR` (see each stage for the datasets):
///
/// | file | stage | holds |
/// | --- | --- | --- |
/// | `DIR/descriptors.h5` (+ `.parts/`) | `extract` | ORH/COL descriptors, positions, per-image counts, labels, ids |
/// | `DIR/pca.h5` | `fit-pca` | ORH and COL PCA models |
/// | `DIR/gmm.h5` | `fit-gmm` | ORH and COL Gaussian mixtures |
/// | `DIR/fv.h5` (+ `.parts/`) | `encode` | Fisher vectors per descriptor kind and layout, labels, ids |
public enum FisherFiles {
    public static func descriptors(_ directory: String) -> String { directory + "/descriptors.h5" }
    public static func pca(_ directory: String) -> String { directory + "/pca.h5" }
    public static func gmm(_ directory: String) -> String { directory + "/gmm.h5" }
    public static func fisherVectors(_ directory: String) -> String { directory + "/fv.h5" }
}

/// What `extract` does with an image that does not decode (or is smaller than one patch).
public enum BadImagePolicy: String, Sendable, CaseIterable {
    /// Stop the job with an error naming the image (default: a silent hole in a dataset is worse).
    case fail
    /// Keep the image with zero descriptors (its Fisher vectors are zero) and print a warning naming it.
    case skip
}

/// `tributary extract`.
public struct ExtractConfig: Sendable, Hashable {
    public var source: ImageSource
    public var selection: ImageSelection
    /// The descriptors file to write (`DIR/descriptors.h5`).
    public var output: String
    /// Dense grid: P, step, S (scale factor 2^−½ as in the paper).
    public var patchSize: Int
    public var step: Int
    public var scales: Int
    /// Images decoded and described per append: the memory bound of a rank.
    public var batchSize: Int
    public var badImages: BadImagePolicy

    public init(source: ImageSource, selection: ImageSelection = ImageSelection(), output: String,
                patchSize: Int? = nil, step: Int? = nil, scales: Int? = nil, batchSize: Int = 256,
                badImages: BadImagePolicy = .fail) {
        let grid = source.defaultGrid
        self.source = source
        self.selection = selection
        self.output = output
        self.patchSize = patchSize ?? grid.patchSize
        self.step = step ?? grid.step
        self.scales = scales ?? grid.scales
        self.batchSize = batchSize
        self.badImages = badImages
    }

    /// The validated grid.
    public func grid() throws -> DenseGrid {
        try DenseGrid(patchSize: patchSize, step: step, scales: scales, scaleFactor: DenseGrid.paperScaleFactor)
    }

    /// Header attributes of `descriptors.h5` (everything that changes its contents; not `batchSize`).
    public var parameters: [String: HDF5AttributeValue] {
        var p = source.parameters.merging(selection.parameters) { a, _ in a }
        p["patch_size"] = .int(patchSize)
        p["step"] = .int(step)
        p["scales"] = .int(scales)
        p["scale_factor"] = .double(DenseGrid.paperScaleFactor)
        p["on_bad_image"] = .string(badImages.rawValue)
        return p
    }
}

/// `tributary fit-pca`.
public struct PCAConfig: Sendable, Hashable {
    public var descriptors: String
    public var output: String
    /// d, clamped to each descriptor's dimension (128 ORH, 96 COL).
    public var dimensions: Int
    /// Descriptors sampled (seeded, without replacement) from the fit's images (`fitManifest`).
    public var sampleSize: Int
    public var seed: UInt64
    /// An images.csv whose `train` rows are the only images sampled (`TrainingImages`); nil: every image.
    public var fitManifest: String?

    public init(descriptors: String, output: String, dimensions: Int = 64, sampleSize: Int = 100_000, seed: UInt64 = 0,
                fitManifest: String? = nil) {
        self.descriptors = descriptors
        self.output = output
        self.dimensions = dimensions
        self.sampleSize = sampleSize
        self.seed = seed
        self.fitManifest = fitManifest
    }
}

/// `tributary fit-gmm`.
public struct GMMConfig: Sendable, Hashable {
    public var descriptors: String
    public var pca: String
    public var output: String
    /// M.
    public var components: Int
    public var sampleSize: Int
    public var maxIterations: Int
    public var tolerance: Double
    /// The sample uses seed + 1 (so it differs from the PCA sample); EM initialisation uses seed.
    public var seed: UInt64
    /// An images.csv whose `train` rows are the only images sampled (`TrainingImages`); nil: every image.
    public var fitManifest: String?

    public init(descriptors: String, pca: String, output: String, components: Int = 256, sampleSize: Int = 100_000,
                maxIterations: Int = 50, tolerance: Double = 1e-5, seed: UInt64 = 0, fitManifest: String? = nil) {
        self.fitManifest = fitManifest
        self.descriptors = descriptors
        self.pca = pca
        self.output = output
        self.components = components
        self.sampleSize = sampleSize
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.seed = seed
    }
}

/// `tributary encode`.
public struct EncodeConfig: Sendable, Hashable {
    public var descriptors: String
    public var pca: String
    public var gmm: String
    public var output: String
    /// Images encoded per append.
    public var batchSize: Int
    /// How the vectors are stored: float32, float16 or PQ codes (`FisherVectorStorage`).
    public var storage: FisherVectorStorage
    /// HDF5 shuffle + deflate (level `FisherVectorStorage.deflateLevel`) on the stored vectors.
    public var compress: Bool
    /// PQ: d_s, the sub-vector dimension (one byte per d_s values).
    public var pqSubvectorDimension: Int
    /// PQ: the images (a seeded sample) whose vectors train the codebooks.
    public var pqTrainingImages: Int
    /// PQ: an `images.csv` whose `train` rows are the only images the sample is drawn from (nil: all images).
    public var pqTrainingManifest: String?
    /// The free bytes to assume for the output folder instead of `statvfs` (tests of the size check).
    public var assumedFreeBytes: Int?

    public init(descriptors: String, pca: String, gmm: String, output: String, batchSize: Int = 256,
                storage: FisherVectorStorage = .float32, compress: Bool = false, pqSubvectorDimension: Int = 8,
                pqTrainingImages: Int = 1000, pqTrainingManifest: String? = nil, assumedFreeBytes: Int? = nil) {
        self.descriptors = descriptors
        self.pca = pca
        self.gmm = gmm
        self.output = output
        self.batchSize = batchSize
        self.storage = storage
        self.compress = compress
        self.pqSubvectorDimension = pqSubvectorDimension
        self.pqTrainingImages = pqTrainingImages
        self.pqTrainingManifest = pqTrainingManifest
        self.assumedFreeBytes = assumedFreeBytes
    }
}
