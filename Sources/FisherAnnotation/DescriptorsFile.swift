import Core
import Encoding
import Features
import Foundation
import LinearAlgebra
import Stages
import Storage

/// The two descriptor kinds of the paper (§4.1), each reduced, modelled and encoded separately.
public enum DescriptorKind: String, Sendable, CaseIterable {
    /// SIFT-like orientation histograms, 128-D.
    case orh
    /// Colour means and standard deviations, 96-D.
    case col

    /// D before PCA.
    public var dimension: Int { self == .orh ? OrientationHistogram.dimension : ColorDescriptor.dimension }
}

/// A reader of `descriptors.h5` (the output of `extract`; layout in `ExtractStage`): header check, per-image
/// counts and offsets, and descriptor rows by global index.
public struct DescriptorsFile {
    public let path: String
    public let file: HDF5File
    public let header: ArtifactHeader
    /// Descriptors per image (I).
    public let counts: [Int]
    /// offsets[n] = first descriptor of image n; offsets[I] = N.
    public let offsets: [Int]

    /// Opens and checks `path`: it must exist and be version 1 of stage `extract`.
    public static func open(_ path: String) throws -> DescriptorsFile {
        let file = try openArtifact(path, stage: ExtractStage.stage, version: ExtractStage.version,
                                    producer: "`tributary extract … --out <dir>`")
        let header = try ArtifactHeader.check(file, stage: ExtractStage.stage, version: ExtractStage.version)
        let counts = try file.read("descriptor_counts", as: Int64.self).values.map { Int($0) }
        var offsets = [0]
        offsets.reserveCapacity(counts.count + 1)
        for c in counts { offsets.append(offsets[offsets.count - 1] + c) }
        guard offsets.last! > 0 else { throw PipelineError.noDescriptors(file: path) }
        for kind in DescriptorKind.allCases {
            let shape = try file.shape(of: kind.rawValue)
            guard shape == [offsets.last!, kind.dimension] else {
                throw StorageError.shapeMismatch(file: path, dataset: kind.rawValue, expected: [offsets.last!, kind.dimension], got: shape)
            }
        }
        return DescriptorsFile(path: path, file: file, header: header, counts: counts, offsets: offsets)
    }

    /// I.
    public var imageCount: Int { counts.count }
    /// N.
    public var descriptorCount: Int { offsets[offsets.count - 1] }

    /// The rows `range` (global descriptor indices) of `kind`, as an (n, D) matrix.
    public func rows(_ kind: DescriptorKind, _ range: Range<Int>) throws -> Matrix<Float> {
        guard !range.isEmpty else { return Matrix(rows: 0, columns: kind.dimension) }
        let values = try file.readRows(kind.rawValue, rows: range, as: Float.self).values
        return Matrix(rows: range.count, columns: kind.dimension, values: values)
    }

    /// The descriptors at sorted global `indices`, identical on every rank: each rank reads the indices in its
    /// block range and the pieces are all-gathered in order (`RowSource.gatherRows`). Checked to be finite.
    public func sample(_ kind: DescriptorKind, indices: [Int], communicator: any Communicator) throws -> Matrix<Float> {
        let source = ClosureRowSource(totalRows: descriptorCount, dimension: kind.dimension) { try rows(kind, $0) }
        let matrix = try source.gatherRows(indices, reduction: OrderedReduction(), communicator: communicator)
        try requireFinite(matrix, file: path, what: "sampled \(kind.rawValue) descriptor")
        return matrix
    }

    /// The sorted global indices of the seeded sample of `sampleSize` descriptors, drawn from the descriptors of
    /// `images` only (sorted image indices; nil: every image).
    public func sampleIndices(sampleSize: Int, seed: UInt64, images: [Int]? = nil) -> [Int] {
        guard let images else { return DescriptorSample.globalIndices(descriptorCounts: counts, sampleSize: sampleSize, seed: seed) }
        return DescriptorSample.globalIndices(descriptorCounts: counts, images: images, sampleSize: sampleSize, seed: seed)
    }

    public func close() {
        try? file.close()
    }
}

/// Opens an artifact after checking that it exists (a missing file names the command that makes it).
func openArtifact(_ path: String, stage: String, version: Int, producer: String) throws -> HDF5File {
    guard regularFileExists(path) else { throw PipelineError.missingInput(path: path, producer: producer) }
    let file = try HDF5File.open(path: path)
    try ArtifactHeader.check(file, stage: stage, version: version)
    return file
}

/// Throws `PipelineError.nonFinite` naming the first row holding NaN or ∞.
func requireFinite(_ matrix: Matrix<Float>, file: String, what: String) throws {
    guard let bad = matrix.values.firstIndex(where: { !$0.isFinite }) else { return }
    throw PipelineError.nonFinite(file: file, what: what, row: bad / Swift.max(matrix.columns, 1))
}
