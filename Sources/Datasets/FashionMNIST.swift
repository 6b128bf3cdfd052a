import Core
import Foundation

/// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 70,000 gray 28×28 images of clothing in 10 classes, read from
/// the idx files that the Debian package `dataset-fashion-mnist` installs:
///
///     /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz   60,000 images
///     /usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz
///     /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz    10,000 images (the test split)
///     /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz
///
/// **idx format** (LeCun's MNIST format; all integers big-endian):
///
/// | offset | images file (idx3) | labels file (idx1) |
/// | --- | --- | --- |
/// | 0 | magic 0x00000803 (unsigned byte, 3 dims) | magic 0x00000801 (unsigned byte, 1 dim) |
/// | 4 | N (UInt32) | N (UInt32) |
/// | 8 | rows H (UInt32) | labels: N bytes, 0 … 9 |
/// | 12 | columns W (UInt32) | |
/// | 16 | pixels: N·H·W bytes, row-major, 0 = background | |
///
/// Files are read gzip-compressed (detected by the gzip magic) or plain. Checked, each failing with a
/// `FashionMNISTError` that names the file and the fix: the files exist, the magic numbers, that the data is
/// as long as the header says (truncated otherwise), that both files hold the same N, and labels ≤ 9.
///
/// Shapes: `pixels` (N, H, W) row-major UInt8; `labels` (N). `image(at:)` returns floats v / 255 in [0, 1].
///
/// ```swift
/// let train = try FashionMNIST.load(split: .train)
/// let first = train.image(at: 0)          // 784 floats, 28×28 row-major
/// ```
public struct FashionMNIST: Sendable, Equatable {
    /// Where `dataset-fashion-mnist` installs the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
    /// The Debian package that ships the files (named by the missing-file message).
    public static let debianPackage = "dataset-fashion-mnist"
    /// The 10 class names, index = label.
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                                    "Sneaker", "Bag", "Ankle boot"]
    static let imagesMagic: UInt32 = 0x0000_0803
    static let labelsMagic: UInt32 = 0x0000_0801

    /// The two splits and their file-name prefixes.
    public enum Split: String, Sendable, CaseIterable {
        case train
        case test

        /// `train` or `t10k`.
        public var filePrefix: String { self == .train ? "train" : "t10k" }
    }

    /// N.
    public let count: Int
    /// H (28 for Fashion-MNIST).
    public let rows: Int
    /// W (28 for Fashion-MNIST).
    public let columns: Int
    /// (N, H, W) row-major bytes.
    public let pixels: [UInt8]
    /// (N) class indices 0 … 9.
    public let labels: [UInt8]

    /// The gray image n as H·W floats in [0, 1] (v / 255), row-major.
    public func image(at n: Int) -> [Float] {
        let size = rows * columns
        return pixels[n * size ..< (n + 1) * size].map { Float($0) / 255 }
    }

    /// The paths of a split's images and labels files in `directory`: the `.gz` name if it exists, else the
    /// uncompressed name (so an unpacked copy works too).
    public static func files(split: Split, directory: String = defaultDirectory) -> (images: String, labels: String) {
        func pick(_ base: String) -> String {
            let gz = directory + "/" + base + ".gz"
            return fileExists(gz) || !fileExists(directory + "/" + base) ? gz : directory + "/" + base
        }
        return (pick("\(split.filePrefix)-images-idx3-ubyte"), pick("\(split.filePrefix)-labels-idx1-ubyte"))
    }

    /// Reads one split from `directory`.
    public static func load(split: Split, directory: String = defaultDirectory) throws(FashionMNISTError) -> FashionMNIST {
        let (imagesPath, labelsPath) = files(split: split, directory: directory)
        return try load(images: imagesPath, labels: labelsPath)
    }

    /// Reads an images file and a labels file (idx, gzip-compressed or plain).
    public static func load(images imagesPath: String, labels labelsPath: String) throws(FashionMNISTError) -> FashionMNIST {
        try parse(images: read(imagesPath), labels: read(labelsPath), imagesName: imagesPath, labelsName: labelsPath)
    }

    /// Parses in-memory idx bytes (uncompressed); the names are used in error messages.
    public static func parse(images: [UInt8], labels: [UInt8], imagesName: String = "<images>",
                             labelsName: String = "<labels>") throws(FashionMNISTError) -> FashionMNIST {
        guard images.count >= 4 else { throw .truncated(path: imagesName, expected: 16, got: images.count) }
        guard labels.count >= 4 else { throw .truncated(path: labelsName, expected: 8, got: labels.count) }
        let imageMagic = bigEndian(images, at: 0), labelMagic = bigEndian(labels, at: 0)
        guard imageMagic == imagesMagic else { throw .wrongMagic(path: imagesName, expected: imagesMagic, got: imageMagic) }
        guard labelMagic == labelsMagic else { throw .wrongMagic(path: labelsName, expected: labelsMagic, got: labelMagic) }
        guard images.count >= 16 else { throw .truncated(path: imagesName, expected: 16, got: images.count) }
        guard labels.count >= 8 else { throw .truncated(path: labelsName, expected: 8, got: labels.count) }
        let n = Int(bigEndian(images, at: 4)), h = Int(bigEndian(images, at: 8)), w = Int(bigEndian(images, at: 12))
        let labelCount = Int(bigEndian(labels, at: 4))
        guard n == labelCount else {
            throw .countMismatch(images: imagesName, imageCount: n, labels: labelsName, labelCount: labelCount)
        }
        // N, H, W are UInt32s from the file: N·H·W can exceed Int.max (2⁹⁶), so the product is checked, never trapped.
        let (hw, overflow1) = h.multipliedReportingOverflow(by: w)
        let (pixelBytes, overflow2) = n.multipliedReportingOverflow(by: hw)
        guard !overflow1, !overflow2, pixelBytes <= images.count - 16 else {
            throw .truncated(path: imagesName, expected: overflow1 || overflow2 || pixelBytes > Int.max - 16 ? Int.max : 16 + pixelBytes, got: images.count)
        }
        guard labels.count >= 8 + n else { throw .truncated(path: labelsName, expected: 8 + n, got: labels.count) }
        let classes = Array(labels[8 ..< 8 + n])
        if let bad = classes.firstIndex(where: { Int($0) >= classNames.count }) {
            throw .badLabel(path: labelsName, index: bad, label: Int(classes[bad]))
        }
        return FashionMNIST(count: n, rows: h, columns: w, pixels: Array(images[16 ..< 16 + pixelBytes]), labels: classes)
    }

    private static func read(_ path: String) throws(FashionMNISTError) -> [UInt8] {
        guard fileExists(path) else { throw .missingFile(path: path) }
        do {
            let raw = try Gzip.readFile(path)
            return raw.count >= 2 && raw[0] == 0x1f && raw[1] == 0x8b ? try Gzip.decompress(raw, name: path) : raw
        } catch {
            throw .unreadable(path: path, reason: error.description)
        }
    }

    private static func bigEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0 ..< 4).reduce(UInt32(0)) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }

    private static func fileExists(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }
}

/// Why Fashion-MNIST could not be read; every message names the file and the fix.
public enum FashionMNISTError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingFile(path: String)
    case unreadable(path: String, reason: String)
    case wrongMagic(path: String, expected: UInt32, got: UInt32)
    case truncated(path: String, expected: Int, got: Int)
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    case badLabel(path: String, index: Int, label: Int)

    public var description: String {
        let reinstall = "reinstall it with `apt-get install --reinstall \(FashionMNIST.debianPackage)`"
        switch self {
        case let .missingFile(path):
            return "\(path) not found: install Fashion-MNIST with `apt-get install \(FashionMNIST.debianPackage)` "
                + "(or pass the folder that holds the idx files with --data)"
        case let .unreadable(path, reason):
            return "\(path) cannot be read (\(reason)); \(reinstall)"
        case let .wrongMagic(path, expected, got):
            return "\(path) is not an idx file of the expected kind: magic 0x\(hex(got)), expected 0x\(hex(expected)) "
                + "(0x00000803 = images, 0x00000801 = labels); check that images and labels were not swapped, or \(reinstall)"
        case let .truncated(path, expected, got):
            return "\(path) is truncated: \(got) bytes, the header needs \(expected); \(reinstall)"
        case let .countMismatch(images, imageCount, labels, labelCount):
            return "\(images) holds \(imageCount) images but \(labels) holds \(labelCount) labels; pass the images and "
                + "labels of the same split, or \(reinstall)"
        case let .badLabel(path, index, label):
            return "\(path): label \(label) of item \(index) is outside 0…9; \(reinstall)"
        }
    }

    private func hex(_ value: UInt32) -> String {
        zeroPadded(String(value, radix: 16), width: 8)
    }
}
