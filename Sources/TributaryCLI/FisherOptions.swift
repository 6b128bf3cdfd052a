import ArgumentParser
import FisherAnnotation
import Stages

/// Flags shared by the Fisher-vector subcommands (`extract`, `fit-pca`, `fit-gmm`, `encode`, `fisher`).

/// Where the images come from: `--dataset`, `--data`, `--labels-csv`, `--split`, `--limit`, `--subset-seed`.
struct DatasetOptions: ParsableArguments {
    @Option(help: "Image source: fashion-mnist (idx files of dataset-fashion-mnist), folder (PNG/JPEG files), tar (.tar/.tar.gz with a labels CSV inside).")
    var dataset = "fashion-mnist"

    @Option(help: "fashion-mnist: folder of the idx files (default /usr/share/datasets/fashion-mnist); folder: the image folder; tar: the archive.")
    var data: String?

    @Option(name: .customLong("labels-csv"), help: "folder: a CSV listing the images (columns path|filename, labels|class_name|label, optional split; paths relative to --data; default: one subfolder per class). tar: the CSV entry inside the archive (default labels.csv).")
    var labelsCSV: String?

    @Option(help: "fashion-mnist: train (default) or test. folder/tar: keep the CSV rows whose split column equals this.")
    var split: String?

    @Option(help: "Use only N images: the first N, or a seeded random N with --subset-seed.")
    var limit: Int?

    @Option(name: .customLong("subset-seed"), help: "With --limit: pick a seeded random subset instead of the first N.")
    var subsetSeed: UInt64?

    @Option(name: .customLong("on-bad-image"), help: "fail (default): stop at an image that does not decode, naming it; skip: warn and keep it with no descriptors.")
    var onBadImage = "fail"

    func validate() throws {
        guard ["fashion-mnist", "folder", "tar"].contains(dataset) else {
            throw ValidationError("--dataset must be fashion-mnist, folder or tar, got '\(dataset)'")
        }
        if dataset != "fashion-mnist" && data == nil {
            throw ValidationError("--dataset \(dataset) needs --data (the image folder or the archive)")
        }
        if dataset == "fashion-mnist", let split, split != "train" && split != "test" {
            throw ValidationError("--split for fashion-mnist must be train or test, got '\(split)'")
        }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        if subsetSeed != nil && limit == nil { throw ValidationError("--subset-seed needs --limit (the subset size)") }
        guard BadImagePolicy(rawValue: onBadImage) != nil else {
            throw ValidationError("--on-bad-image must be fail or skip, got '\(onBadImage)'")
        }
    }

    var source: ImageSource {
        switch dataset {
        case "folder": return .folder(root: data ?? ".", labelsCSV: labelsCSV, split: split)
        case "tar": return .tar(archive: data ?? "", labelsEntry: labelsCSV ?? "labels.csv", split: split)
        default: return .fashionMNIST(directory: data ?? ImageSource.fashionMNISTDirectory, split: split ?? "train")
        }
    }

    var selection: ImageSelection { ImageSelection(limit: limit, subsetSeed: subsetSeed) }
    var badImages: BadImagePolicy { BadImagePolicy(rawValue: onBadImage) ?? .fail }
}

/// The dense grid: `--patch-size`, `--step`, `--scales`.
struct GridOptions: ParsableArguments {
    @Option(name: .customLong("patch-size"), help: "Patch side P in pixels, a multiple of 4 (default: 12 for fashion-mnist, 32 otherwise).")
    var patchSize: Int?

    @Option(help: "Grid step in pixels (default: 4 for fashion-mnist, 16 otherwise).")
    var step: Int?

    @Option(help: "Number of scales, factor 2^-1/2 apart (default: 2 for fashion-mnist, 5 otherwise).")
    var scales: Int?

    func validate() throws {
        if let patchSize, patchSize < 4 || patchSize % 4 != 0 {
            throw ValidationError("--patch-size must be a positive multiple of 4, got \(patchSize)")
        }
        if let step, step < 1 { throw ValidationError("--step must be at least 1, got \(step)") }
        if let scales, scales < 1 { throw ValidationError("--scales must be at least 1, got \(scales)") }
    }
}

/// `--out DIR`, `--batch-size`, `--seed`.
struct FisherRunOptions: ParsableArguments {
    @Option(help: "Output folder: descriptors.h5, pca.h5, gmm.h5, fv.h5 (and their .parts folders).")
    var out = "fisher-out"

    @Option(name: .customLong("batch-size"), help: "Images per batch on each rank (bounds memory).")
    var batchSize = 64

    @Option(help: "Seed of the descriptor samples and the GMM initialisation.")
    var seed: UInt64 = 0

    func validate() throws {
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
    }
}

/// `--pca-dims`, `--sample-size`.
struct PCAOptions: ParsableArguments {
    @Option(name: .customLong("pca-dims"), help: "PCA output dimension d (clamped to 128 for ORH and 96 for COL).")
    var pcaDims = 64

    @Option(name: .customLong("sample-size"), help: "Descriptors sampled (seeded) to fit the PCA and the GMM.")
    var sampleSize = 100_000

    func validate() throws {
        guard pcaDims >= 1 else { throw ValidationError("--pca-dims must be at least 1, got \(pcaDims)") }
        guard sampleSize >= 2 else { throw ValidationError("--sample-size must be at least 2, got \(sampleSize)") }
    }
}

/// `--components`, `--iterations`, `--tolerance`.
struct GMMOptions: ParsableArguments {
    @Option(help: "Gaussian components M (the paper: 256; 16–64 for quick runs).")
    var components = 256

    @Option(help: "Most EM iterations.")
    var iterations = 50

    @Option(help: "Stop EM when the relative log-likelihood gain falls below this.")
    var tolerance = 1e-5

    func validate() throws {
        guard components >= 1 else { throw ValidationError("--components must be at least 1, got \(components)") }
        guard iterations >= 0 else { throw ValidationError("--iterations must be at least 0, got \(iterations)") }
    }
}
