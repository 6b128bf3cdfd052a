import Core
import Encoding
import LinearAlgebra
import Stages
import Storage

/// How `encode` stores the Fisher vectors of `fv.h5` (stage parameter `fv_storage`, root attribute `fv_storage`).
///
/// | storage | `fv/<kind>/<layout>` | bytes per value | error |
/// | --- | --- | --- | --- |
/// | `float32` | (I, F_l) float32 | 4 | none |
/// | `float16` | (I, F_l) IEEE half (h5py `<f2`), read back as float | 2 | relative ≤ 2⁻¹¹ per value (FVs are in [−1, 1]) |
/// | `pq` | (I, F_l / d_s) uint8 PQ codes, codebooks `pq/<kind>/<layout>` (S·K, d_s) float32 | 1 / d_s | the k-means distortion (`ProductQuantizer`) |
///
/// At the paper's size (PCA 64, M 256, ORH + COL, 1x1 + 2x2 + 1x3: 2 × 8 × 32 768 values) an image takes
/// 2 MiB as float32, 1 MiB as float16 and 64 KiB as PQ with d_s = 8 (plus, once, the codebooks: 256 × 4 bytes per
/// value of a row, as much as 256 float32 images). `fv_compression` adds HDF5 shuffle + deflate on top of any of them.
/// Readers go through `FisherVectorRows`, which returns float rows whatever the storage.
public enum FisherVectorStorage: String, Sendable, CaseIterable, ParameterChoice {
    case float32, float16, pq

    /// The deflate level of `fv_compression` (HDF5 gzip 1–9: 4 gains nearly all of 9 on FVs at a fraction of the time).
    public static let deflateLevel = 4

    /// The storage of the `fv.h5` open in `file` (root attribute `fv_storage`; absent before it existed: float32).
    public static func of(_ file: HDF5File) throws -> FisherVectorStorage {
        guard file.hasAttribute("fv_storage") else { return .float32 }
        let name = try file.attribute("fv_storage", as: String.self)
        guard let storage = FisherVectorStorage(rawValue: name) else {
            throw StorageError.typeMismatch(file: file.path, name: "@fv_storage", expected: choices.joined(separator: " | "),
                                            got: name)
        }
        return storage
    }

    /// The bytes one row of F values takes (PQ: F / d_s codes).
    public func rowBytes(values: Int, subvectorDimension: Int) -> Int {
        switch self {
        case .float32: return 4 * values
        case .float16: return 2 * values
        case .pq: return values / Swift.max(1, subvectorDimension)
        }
    }

    /// The codebooks' dataset of FV dataset `fv/<kind>/<layout>`: `pq/<kind>/<layout>`.
    public static func codebooksName(_ dataset: String) -> String {
        "pq/" + (dataset.hasPrefix("fv/") ? String(dataset.dropFirst(3)) : dataset)
    }
}

/// The float rows of one Fisher-vector dataset of `fv.h5`, whatever its storage: float32 and float16 rows are read
/// as floats (libhdf5 converts half to float), PQ codes are decoded with the file's codebooks. `rows(_:)` reads a
/// global row range only (a hyperslab), so a solver can stream the rows it owns (`RowSource`).
///
/// ```swift
/// let orh = try FisherVectorReader(file: fv, dataset: "fv/orh/1x1")   // (I, F) as float, any storage
/// let block = try orh.rows(0 ..< 256)                                // Matrix<Float> (256, F)
/// ```
public struct FisherVectorReader: Encoding.RowSource {
    public let file: HDF5File
    public let dataset: String
    public let storage: FisherVectorStorage
    /// I, the images.
    public let totalRows: Int
    /// F, the float values per row (PQ: S · d_s).
    public let dimension: Int
    /// The codebooks of a PQ dataset.
    public let quantizer: ProductQuantizer?

    public init(file: HDF5File, dataset: String) throws {
        try self.init(file: file, dataset: dataset, codebooks: nil)
    }

    /// The same, with the dataset's PQ quantizer when a reader of this file already read it (`known`: a chunked
    /// reader that reopens the file per chunk reads the codebooks once, not per chunk).
    public init(file: HDF5File, dataset: String, codebooks known: ProductQuantizer?) throws {
        self.file = file
        self.dataset = dataset
        storage = try FisherVectorStorage.of(file)
        let shape = try file.shape(of: dataset)
        guard shape.count == 2 else {
            throw StorageError.shapeMismatch(file: file.path, dataset: dataset, expected: [nil, nil], got: shape)
        }
        totalRows = shape[0]
        if storage == .pq, let known {
            quantizer = known
            dimension = known.dimension
        } else if storage == .pq {
            let name = FisherVectorStorage.codebooksName(dataset)
            let (values, books) = try file.read(name, as: Float.self)
            guard books.count == 2, books[1] > 0 else {
                throw StorageError.shapeMismatch(file: file.path, dataset: name, expected: [nil, nil], got: books)
            }
            let q = try ProductQuantizer(dimension: shape[1] * books[1],
                                         codebooks: Matrix(rows: books[0], columns: books[1], values: values))
            quantizer = q
            dimension = q.dimension
        } else {
            quantizer = nil
            dimension = shape[1]
        }
    }

    /// Rows `range` as a (range.count, F) float matrix.
    public func rows(_ range: Range<Int>) throws -> Matrix<Float> {
        guard let quantizer else {
            let values = try file.readRows(dataset, rows: range, as: Float.self).values
            return Matrix(rows: range.count, columns: dimension, values: values)
        }
        let codes = try file.readRows(dataset, rows: range, as: UInt8.self).values
        try MemoryBudget.current.reserve(
            bytes: MemoryBudget.product([range.count, dimension, MemoryLayout<Float>.stride]),
            for: "file \(file.path), dataset '\(dataset)'", purpose: "decoding PQ rows \(range) to floats",
            fix: "read fewer rows at a time")
        return quantizer.decode(codes, rows: range.count)
    }

    /// Every row.
    public func all() throws -> Matrix<Float> { try rows(0 ..< totalRows) }
}
