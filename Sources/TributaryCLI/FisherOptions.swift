import ArgumentParser
import FisherAnnotation
import Stages

/// Flags shared by the Fisher-vector subcommands (`extract`, `fit-pca`, `fit-gmm`, `encode`, `fisher`). The stage
/// parameters take their help and defaults from the steps' specs (`StageSpec.extract`, `.fitPCA`, `.fitGMM`,
/// `.encode`; the runner's `fisher` stage is their union); each command offers exactly its step's parameters, so no
/// option is accepted and then ignored.

/// The image sources of `--dataset`.
enum ImageDatasetKind: String, CaseIterable, ExpressibleByArgument {
    case fashionMNIST = "fashion-mnist"
    case folder
    case tar
}

extension BadImagePolicy: ExpressibleByArgument {}

/// Where the images come from: `--dataset`, `--data`, `--labels-csv`, `--split`, `--limit`, `--subset-seed` (the
/// runner's `datasets` section), and `--on-bad-image` (an `extract` parameter).
struct DatasetOptions: ParsableArguments {
    @Option(help: "Image source: fashion-mnist (idx files of dataset-fashion-mnist), folder (PNG/JPEG files), tar (.tar/.tar.gz with a labels CSV inside).")
    var dataset = ImageDatasetKind.fashionMNIST

    @Option(help: "fashion-mnist: folder of the idx files (default /usr/share/datasets/fashion-mnist); folder: the image folder; tar: the archive.")
    var data: String?

    @Option(name: .customLong("labels-csv"), help: "folder: a CSV listing the images (columns path|filename, labels|class_name|label, optional split; paths relative to --data; default: one subfolder per class). tar: the CSV entry inside the archive (default labels.csv).")
    var labelsCSV: String?

    @Flag(name: .customLong("allow-outside-paths"), help: "folder: let --labels-csv list images outside --data (absolute paths, ../); refused by default so a CSV cannot name any file on the host.")
    var allowOutsidePaths = false

    @Option(help: "fashion-mnist: train (default) or test. folder/tar: keep the CSV rows whose split column equals this.")
    var split: String?

    @Option(help: "Use only N images: the first N, or a seeded random N with --subset-seed.")
    var limit: Int?

    @Option(name: .customLong("subset-seed"), help: "With --limit: pick a seeded random subset instead of the first N.")
    var subsetSeed: UInt64?

    @Option(help: ArgumentHelp(StageSpec.extract.help("on_bad_image")))
    var onBadImage = StageSpec.extract.default("on_bad_image", as: BadImagePolicy.self)

    func validate() throws {
        if dataset != .fashionMNIST && data == nil {
            throw ValidationError("--dataset \(dataset.rawValue) needs --data (the image folder or the archive)")
        }
        if dataset == .fashionMNIST && labelsCSV != nil {
            throw ValidationError("--labels-csv applies to --dataset folder or tar, not fashion-mnist (its labels are in the idx files); remove it")
        }
        if dataset == .fashionMNIST, let split, split != "train" && split != "test" {
            throw ValidationError("--split for fashion-mnist must be train or test, got '\(split)'")
        }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        if subsetSeed != nil && limit == nil { throw ValidationError("--subset-seed needs --limit (the subset size)") }
    }

    var source: ImageSource {
        switch dataset {
        case .folder: return .folder(root: data ?? ".", labelsCSV: labelsCSV, split: split, allowOutsidePaths: allowOutsidePaths)
        case .tar: return .tar(archive: data ?? "", labelsEntry: labelsCSV ?? "labels.csv", split: split)
        case .fashionMNIST: return .fashionMNIST(directory: data ?? ImageSource.fashionMNISTDirectory, split: split ?? "train")
        }
    }

    var selection: ImageSelection { ImageSelection(limit: limit, subsetSeed: subsetSeed) }
}

/// The dense grid: `--patch-size`, `--step`, `--scales` (`extract` parameters; default: the dataset's).
struct GridOptions: ParsableArguments {
    @Option(help: ArgumentHelp(StageSpec.extract.help("patch_size"))) var patchSize: Int?
    @Option(help: ArgumentHelp(StageSpec.extract.help("step"))) var step: Int?
    @Option(help: ArgumentHelp(StageSpec.extract.help("scales"))) var scales: Int?

    /// The spec checks the ranges (in either front door); this keeps the command line's own wording for P.
    func validate() throws {
        if let patchSize, patchSize < 4 || patchSize % 4 != 0 {
            throw ValidationError("--patch-size must be a positive multiple of 4, got \(patchSize)")
        }
    }
}

/// `--out DIR`: the folder of descriptors.h5, pca.h5, gmm.h5, fv.h5.
struct FisherFolderOptions: ParsableArguments {
    @Option(help: "Output folder: descriptors.h5, pca.h5, gmm.h5, fv.h5 (and their .parts folders).")
    var out = "fisher-out"
}

/// `--chunk-size` (`extract`, `encode`): images a rank holds at once. Not a training batch (that is `--batch-size`
/// in every trainer, global over the ranks).
struct ChunkOptions: ParsableArguments {
    @Option(help: ArgumentHelp(StageSpec.encode.help("chunk_size")))
    var chunkSize = StageSpec.encode.default("chunk_size", as: Int.self)
}

extension FisherVectorStorage: ExpressibleByArgument {}

/// `--fv-storage`, `--fv-compression`, `--pq-subvector-dims`, `--pq-training-images` (`encode`): how fv.h5 stores
/// the vectors (`FisherVectorStorage`).
struct VectorStorageOptions: ParsableArguments {
    @Option(help: ArgumentHelp(StageSpec.encode.help("fv_storage")))
    var fvStorage = StageSpec.encode.default("fv_storage", as: FisherVectorStorage.self)

    @Flag(help: ArgumentHelp(StageSpec.encode.help("fv_compression")))
    var fvCompression = StageSpec.encode.default("fv_compression", as: Bool.self)

    @Option(help: ArgumentHelp(StageSpec.encode.help("pq_subvector_dims")))
    var pqSubvectorDims = StageSpec.encode.default("pq_subvector_dims", as: Int.self)

    @Option(help: ArgumentHelp(StageSpec.encode.help("pq_training_images")))
    var pqTrainingImages = StageSpec.encode.default("pq_training_images", as: Int.self)

    @Option(help: ArgumentHelp(StageSpec.encode.help("pq_training_manifest")))
    var pqTrainingManifest: String?
}

/// `--sample-size`, `--seed`, `--fit-manifest` (`fit-pca`, `fit-gmm`, `fisher`).
struct SampleOptions: ParsableArguments {
    @Option(help: ArgumentHelp(StageSpec.fitPCA.help("sample_size")))
    var sampleSize = StageSpec.fitPCA.default("sample_size", as: Int.self)

    @Option(help: ArgumentHelp(StageSpec.fitPCA.help("seed")))
    var seed = StageSpec.fitPCA.default("seed", as: Int.self)

    @Option(help: ArgumentHelp(StageSpec.fitPCA.help("fit_manifest")))
    var fitManifest: String?
}

/// `--pca-dims` (`fit-pca` only: `fit-gmm` and `encode` read d from pca.h5).
struct PCAOptions: ParsableArguments {
    @Option(help: ArgumentHelp(StageSpec.fitPCA.help("pca_dims")))
    var pcaDims = StageSpec.fitPCA.default("pca_dims", as: Int.self)
}

/// `--components`, `--iterations`, `--tolerance` (`fit-gmm`).
struct GMMOptions: ParsableArguments {
    @Option(help: ArgumentHelp(StageSpec.fitGMM.help("components")))
    var components = StageSpec.fitGMM.default("components", as: Int.self)

    @Option(help: ArgumentHelp(StageSpec.fitGMM.help("iterations")))
    var iterations = StageSpec.fitGMM.default("iterations", as: Int.self)

    @Option(help: ArgumentHelp(StageSpec.fitGMM.help("tolerance")))
    var tolerance = StageSpec.fitGMM.default("tolerance", as: Double.self)
}
