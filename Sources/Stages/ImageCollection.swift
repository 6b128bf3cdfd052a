import Core
import Datasets
import Features
import Foundation
import LinearAlgebra
import Storage

/// The images a Fisher-vector run reads: an indexed, labelled collection, the same on every rank.
///
/// Every stage addresses images by their index n ∈ 0 ..< `count`; ranks split that range with `shard`, so a
/// collection must list its images in an order that does not depend on the process (sorted folders, file
/// order of a CSV or an archive, idx order). Images are decoded lazily, one at a time, so memory is bounded by
/// a batch, not by the dataset.
///
/// | source (`ImageSource`) | images | labels | ids |
/// | --- | --- | --- | --- |
/// | `.fashionMNIST` | idx files, gray 28×28 → `ImagePlanes(gray:)` | 0 … 9, the 10 Fashion-MNIST classes | `train/000123` |
/// | `.folder` | PNG/JPEG files; CSV rows or one subfolder per class | CSV label column / folder name | path relative to the CSV or root |
/// | `.tar` | PNG/JPEG entries of a .tar/.tar.gz, never unpacked | the CSV entry inside the archive | entry path |
/// | `.synthetic` | seeded random test images | n mod 3 | `synthetic/000007` |
///
/// A label is one class index into `classNames`; a multi-label CSV row (`a;b`) is one class named `a;b`.
public protocol ImageCollection {
    /// N, the number of images.
    var count: Int { get }
    /// Class names; `label(at:)` indexes them.
    var classNames: [String] { get }
    /// Image n, decoded. Errors name the image's file (or archive entry).
    func image(at index: Int) throws -> ImagePlanes
    /// The class index of image n.
    func label(at index: Int) -> Int
    /// A stable identifier of image n (a relative path or `split/number`).
    func id(at index: Int) -> String
}

/// The images `indices` of another collection, in the order given (first-N and seeded subsets).
public struct SubsetCollection: ImageCollection {
    public let base: any ImageCollection
    public let indices: [Int]

    public init(base: any ImageCollection, indices: [Int]) {
        self.base = base
        self.indices = indices
    }

    public var count: Int { indices.count }
    public var classNames: [String] { base.classNames }
    public func image(at index: Int) throws -> ImagePlanes { try base.image(at: indices[index]) }
    public func label(at index: Int) -> Int { base.label(at: indices[index]) }
    public func id(at index: Int) -> String { base.id(at: indices[index]) }
}

/// Which images of a collection a run uses: all, the first `limit`, or (with `subsetSeed`) a seeded random
/// `limit` of them, kept in increasing index order so that the subset is the same on every rank.
public struct ImageSelection: Sendable, Hashable {
    public var limit: Int?
    public var subsetSeed: UInt64?

    public init(limit: Int? = nil, subsetSeed: UInt64? = nil) {
        self.limit = limit
        self.subsetSeed = subsetSeed
    }

    /// The chosen indices of a collection of `count` images.
    public func indices(count: Int) -> [Int] {
        let k = Swift.min(limit ?? count, count)
        guard let subsetSeed, k < count else { return Array(0 ..< k) }
        var rng = SeededRandom(seed: subsetSeed)
        return rng.sample(k, from: count)
    }

    /// Header attributes (`limit` = −1 for all, `subset_seed` = −1 for first-N).
    public var parameters: [String: HDF5AttributeValue] {
        ["limit": .int(limit ?? -1), "subset_seed": .int(subsetSeed.map { Int(truncatingIfNeeded: $0) } ?? -1)]
    }
}

/// Where the images come from (the `--dataset`, `--data`, `--labels-csv`, `--split` flags).
public enum ImageSource: Sendable, Hashable {
    /// Fashion-MNIST idx files in `directory`; split `train` or `test`.
    case fashionMNIST(directory: String, split: String)
    /// Images under `root`: listed by `labelsCSV` (relative paths are relative to the CSV's folder), or one
    /// subfolder per class when `labelsCSV` is nil. `split` keeps the rows whose `split` column equals it.
    /// Listed paths must stay under `root` unless `allowOutsidePaths` (`DatasetPath`).
    case folder(root: String, labelsCSV: String?, split: String?, allowOutsidePaths: Bool = false)
    /// Images inside the archive, listed by the CSV entry `labelsEntry` of the same archive.
    case tar(archive: String, labelsEntry: String, split: String?)
    /// `count` seeded random W×H colour images (tests and demos; no files needed).
    case synthetic(count: Int, width: Int, height: Int, seed: UInt64)

    /// The default `--data` of Fashion-MNIST.
    public static let fashionMNISTDirectory = FashionMNIST.defaultDirectory

    /// Reads the collection's index (not its pixels), then applies `selection`.
    public func open(selection: ImageSelection = ImageSelection()) throws -> any ImageCollection {
        let full: any ImageCollection
        switch self {
        case let .fashionMNIST(directory, split):
            full = try FashionMNISTImages(directory: directory, split: split)
        case let .folder(root, labelsCSV, split, allowOutsidePaths):
            full = try FolderImages(root: root, labelsCSV: labelsCSV, split: split, allowOutsidePaths: allowOutsidePaths)
        case let .tar(archive, labelsEntry, split):
            full = try TarImages(archive: archive, labelsEntry: labelsEntry, split: split)
        case let .synthetic(count, width, height, seed):
            try checkDeclaredSizes(input: description)
            full = SyntheticImages(count: count, width: width, height: height, seed: seed)
        }
        guard full.count > 0 else { throw PipelineError.noImages(source: description) }
        let indices = selection.indices(count: full.count)
        return indices.count == full.count ? full : SubsetCollection(base: full, indices: indices)
    }

    /// Checks what a synthetic collection declares against `budget` (other sources are checked per file as they
    /// are read): one image costs W × H × (12 + `ImagePlanes.workingBytesPerPixel`) bytes, and the collection
    /// keeps about 64 bytes per image (ids, labels, shard indices). `input` names the source in the message.
    public func checkDeclaredSizes(input: String, budget: MemoryBudget = .current) throws(MemoryBudgetError) {
        guard case let .synthetic(count, width, height, _) = self else { return }
        try budget.reserve(bytes: MemoryBudget.product([width, height, 12 + ImagePlanes.workingBytesPerPixel]),
                           for: "\(input) (width \(width), height \(height))", purpose: "one \(width)×\(height) image",
                           fix: "lower \"width\" and \"height\"")
        try budget.reserve(bytes: MemoryBudget.product([count, Self.bytesPerListedImage]),
                           for: "\(input) (count \(count))", purpose: "listing \(count) images", fix: "lower \"count\"")
    }

    /// Bookkeeping bytes per image of a collection (id, label, shard index): the `count` check above.
    static let bytesPerListedImage = 64

    /// The dense grid used when no `--patch-size/--step/--scales` is given: 12 px patches every 4 px at 2
    /// scales for Fashion-MNIST's 28×28 images (34 descriptors per image), the paper's 32/16/5 otherwise.
    public var defaultGrid: (patchSize: Int, step: Int, scales: Int) {
        switch self {
        case .fashionMNIST: return (12, 4, 2)
        case .synthetic: return (16, 8, 2)
        default: return (DenseGrid.paperPatchSize, DenseGrid.paperStep, DenseGrid.paperScales)
        }
    }

    /// Header attributes that identify the source.
    public var parameters: [String: HDF5AttributeValue] {
        switch self {
        case let .fashionMNIST(directory, split):
            return ["dataset": .string("fashion-mnist"), "data": .string(directory), "split": .string(split)]
        case let .folder(root, labelsCSV, split, allowOutsidePaths):
            // `allow_outside_paths` only when set, so the headers of every existing run stay bit for bit the same.
            return ["dataset": .string("folder"), "data": .string(root), "labels_csv": .string(labelsCSV ?? ""),
                    "split": .string(split ?? "")].merging(allowOutsidePaths ? ["allow_outside_paths": .string("true")] : [:]) { a, _ in a }
        case let .tar(archive, labelsEntry, split):
            return ["dataset": .string("tar"), "data": .string(archive), "labels_csv": .string(labelsEntry),
                    "split": .string(split ?? "")]
        case let .synthetic(count, width, height, seed):
            return ["dataset": .string("synthetic"), "data": .string("\(count)x\(width)x\(height)"),
                    "split": .string("seed \(seed)")]
        }
    }

    /// A short name for messages.
    public var description: String {
        switch self {
        case let .fashionMNIST(directory, split): return "Fashion-MNIST \(split) in \(directory)"
        case let .folder(root, labelsCSV, _, _): return labelsCSV.map { "images listed by \($0)" } ?? "class folders in \(root)"
        case let .tar(archive, labelsEntry, _): return "\(archive) (labels \(labelsEntry))"
        case let .synthetic(count, width, height, _): return "\(count) synthetic \(width)×\(height) images"
        }
    }
}

/// True when a regular file exists at `path`.
public func regularFileExists(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
}
