import Core
import Datasets
import Features
import Foundation
import LinearAlgebra
import Stages
import Storage

/// `tributary extract`: dense ORH (128-D) and COL (96-D) descriptors of every image (Mensink et al. 2010 §4.1:
/// patches of P px every `step` px at S scales), written as per-rank parts stitched into one file.
///
/// Distribution: the I images are split by `shard(count: I, rank:, size:)`; rank r decodes and describes its
/// range in batches of `batchSize` images (memory is bounded by a batch: descriptors are appended to
/// extendable datasets as they are made), writes `descriptors.h5.parts/[g<key>/]part-r.h5` (`PartFiles`
/// generations), and rank 0 stitches the parts into `descriptors.h5`. Descriptors are numbered globally in image order (image 0's first), which
/// is the numbering `DescriptorSample` draws from.
///
/// Resume: a rank whose part already exists with exactly the header it would write (same parameters, same
/// shard range, `complete = 1`) keeps it and skips its images; rank 0 prints which shards were reused.
///
/// Layout of `descriptors.h5` (stage `extract`, version 1; N descriptors, I images):
///
/// | dataset | shape, type | meaning |
/// | --- | --- | --- |
/// | `orh` | (N, 128) float32 | ORH descriptors |
/// | `col` | (N, 96) float32 | COL descriptors |
/// | `x`, `y` | (N) float32 | patch centre in original-image pixels |
/// | `scale` | (N) int32 | scale index s |
/// | `image` | (N) int64 | the image each descriptor belongs to |
/// | `descriptor_counts` | (I) int64 | descriptors per image (global offsets are its prefix sums) |
/// | `labels` | (I) int64 | class index into `class_names` |
/// | `image_width`, `image_height` | (I) int64 | image size in pixels (for the spatial pyramid) |
/// | `ids` | (I) string | image ids (paths) |
/// | `class_names` | (C) string | class names |
///
/// Root attributes: `format`, `version`, `stage` and the parameters of `ExtractConfig.parameters` plus
/// `image_count`.
public struct ExtractStage {
    public static let stage = "extract"
    public static let version = 1
    /// The stitched (per-rank) datasets.
    public static let datasets = ["orh", "col", "x", "y", "scale", "image", "descriptor_counts", "labels",
                                  "image_width", "image_height"]

    public let config: ExtractConfig

    public init(config: ExtractConfig) {
        self.config = config
    }

    /// What a rank did with its shard.
    public enum ShardOutcome: Sendable, Equatable {
        case reused
        case written(descriptors: Int, skippedImages: [Int])
    }

    /// Runs the stage on every rank of `communicator`; `log` receives the shard lines (print them on rank 0),
    /// `progress` the images done in rank 0's shard (every shard holds ⌊N/R⌋ or ⌈N/R⌉ images).
    /// Returns, for every shard in rank order, whether its part was reused.
    @discardableResult
    public func run(communicator comm: any Communicator, log: (String) -> Void = { _ in },
                    progress: ProgressReporter = .silent()) throws -> [Bool] {
        let images = try config.source.open(selection: config.selection)
        guard images.count >= comm.size else {
            throw TooManyRanksError(items: images.count, ranks: comm.size, what: "images")
        }
        try ShardedOutput.makeDirectory(containing: config.output)
        let outcome = try writeShard(images, rank: comm.rank, size: comm.size, log: log, progress: progress.tick)
        let local: [Int] = outcome == .reused ? [1] : [0]
        let reused = try comm.allGather(local)  // Distributed: every rank says whether it reused its part
        for (r, flag) in reused.enumerated() {
            let range = shard(count: images.count, rank: r, size: comm.size)
            log("extract: shard \(r) (\(ShardedOutput.describe(range))) " + (flag[0] == 1 ? "skipped: complete part reused" : "written"))
        }
        if comm.isRoot { try stitch(images, size: comm.size) }  // Distributed: rank 0 writes the master
        try comm.barrier()  // Distributed: nobody reads the master before it exists
        return reused.map { $0[0] == 1 }
    }

    /// The header of `descriptors.h5` for a collection of `count` images.
    public func header(imageCount: Int) -> ArtifactHeader {
        var p = config.parameters
        p["image_count"] = .int(imageCount)
        // The image folder / archive / idx folder, relative to descriptors.h5 (a synthetic set's "data" is a size).
        if case .string("synthetic")? = p["dataset"] {} else if case let .string(data)? = p["data"], !data.isEmpty {
            p["data"] = ArtifactHeader.storedPath(data, in: config.output)
        }
        return ArtifactHeader(stage: Self.stage, version: Self.version, parameters: p)
    }

    /// Writes (or reuses) the part of shard `rank` of `size`. Needs no communication, so tests can write the
    /// shards of a simulated multi-rank job one after the other.
    public func writeShard(_ images: any ImageCollection, rank: Int, size: Int, log: (String) -> Void = { _ in },
                           progress: (ProgressTick) -> Void = { _ in }) throws -> ShardOutcome {
        let range = shard(count: images.count, rank: rank, size: size)
        let parts = partFiles(imageCount: images.count, size: size)
        let partHeader = ShardedOutput.partHeader(stage: Self.stage, version: Self.version,
                                                  parameters: header(imageCount: images.count).parameters, range: range)
        let blocker = ShardedOutput.reuseBlocker(parts: parts, rank: rank, expected: partHeader)
        guard let blocker else { return .reused }
        if blocker != "no part yet" { log("extract: rewriting shard \(rank): its part was \(blocker)") }
        let extractor = DenseExtractor(grid: try config.grid())
        var perImage = PerImage()
        var total = 0
        try parts.writePart(rank: rank) { file in
            var withoutComplete = partHeader
            withoutComplete.parameters["complete"] = .int(0)
            try withoutComplete.write(to: file)
            try file.createExtendable("orh", of: Float.self, rowShape: [OrientationHistogram.dimension], chunkRows: 1024)
            try file.createExtendable("col", of: Float.self, rowShape: [ColorDescriptor.dimension], chunkRows: 1024)
            for name in ["x", "y"] { try file.createExtendable(name, of: Float.self, rowShape: [], chunkRows: 8192) }
            try file.createExtendable("scale", of: Int32.self, rowShape: [], chunkRows: 8192)
            try file.createExtendable("image", of: Int64.self, rowShape: [], chunkRows: 8192)
            let clock = ContinuousClock(), started = clock.now
            for start in stride(from: range.lowerBound, to: range.upperBound, by: Swift.max(1, config.batchSize)) {
                let batch = start ..< Swift.min(start + Swift.max(1, config.batchSize), range.upperBound)
                var rows = Batch()
                for n in batch {
                    let set = try describe(images, index: n, extractor: extractor, perImage: &perImage)
                    rows.add(set, image: n)
                }
                try rows.append(to: file)
                total += rows.count
                let done = batch.upperBound - range.lowerBound
                progress(ProgressTick(task: "extract (rank \(rank) shard)", done: done, total: range.count, unit: "images",
                                      seconds: started.duration(to: clock.now).inSeconds, processed: done, processedUnit: "images"))
            }
            try file.write(perImage.counts, shape: [range.count], to: "descriptor_counts")
            try file.write(range.map { Int64(images.label(at: $0)) }, shape: [range.count], to: "labels")
            try file.write(perImage.widths, shape: [range.count], to: "image_width")
            try file.write(perImage.heights, shape: [range.count], to: "image_height")
            try file.setAttribute("complete", 1)
        }
        return .written(descriptors: total, skippedImages: perImage.skipped)
    }

    /// The part set of a `size`-rank job over `imageCount` images (a generation keyed by the parameters).
    public func partFiles(imageCount: Int, size: Int) -> PartFiles {
        ShardedOutput.partFiles(master: config.output, count: size, stage: Self.stage, version: Self.version,
                                parameters: header(imageCount: imageCount).parameters)
    }

    /// Writes the master `descriptors.h5` over the parts of a `size`-rank job (rank 0).
    public func stitch(_ images: any ImageCollection, size: Int) throws {
        try partFiles(imageCount: images.count, size: size).stitch(datasets: Self.datasets,
                                                                 header: header(imageCount: images.count)) { file in
            try file.writeStrings((0 ..< images.count).map { images.id(at: $0) }, to: "ids")
            try file.writeStrings(images.classNames, to: "class_names")
        }
    }

    /// The descriptors of image n, applying the bad-image policy.
    private func describe(_ images: any ImageCollection, index n: Int, extractor: DenseExtractor,
                          perImage: inout PerImage) throws -> DescriptorSet {
        var planes: ImagePlanes?
        do {
            let image = try images.image(at: n)
            planes = image
            let set = try extractor.extract(image)
            guard set.orh.allSatisfy(\.isFinite), set.col.allSatisfy(\.isFinite) else {
                throw PipelineError.badImage(index: n, id: images.id(at: n), reason: "non-finite descriptors")
            }
            perImage.add(set.count, width: image.width, height: image.height)
            return set
        } catch {
            guard config.badImages == .skip else {
                if error is PipelineError { throw error }
                throw PipelineError.badImage(index: n, id: images.id(at: n), reason: "\(error)")
            }
            FileHandle.standardError.write(Data("warning: skipping image \(n) (\(images.id(at: n))): \(error)\n".utf8))
            perImage.add(0, width: planes?.width ?? 1, height: planes?.height ?? 1)
            perImage.skipped.append(n)
            return DescriptorSet(count: 0, imageWidth: 1, imageHeight: 1, orh: [], col: [], x: [], y: [], scale: [])
        }
    }

    /// Per-image columns of a shard.
    private struct PerImage {
        var counts: [Int64] = [], widths: [Int64] = [], heights: [Int64] = []
        var skipped: [Int] = []
        mutating func add(_ count: Int, width: Int, height: Int) {
            counts.append(Int64(count))
            widths.append(Int64(width))
            heights.append(Int64(height))
        }
    }

    /// The rows of one batch of images, appended in one go.
    private struct Batch {
        var orh: [Float] = [], col: [Float] = [], x: [Float] = [], y: [Float] = []
        var scale: [Int32] = [], image: [Int64] = []
        var count: Int { x.count }

        mutating func add(_ set: DescriptorSet, image n: Int) {
            orh += set.orh
            col += set.col
            x += set.x
            y += set.y
            scale += set.scale
            image += [Int64](repeating: Int64(n), count: set.count)
        }

        func append(to file: HDF5File) throws {
            try file.append(rows: orh, to: "orh")
            try file.append(rows: col, to: "col")
            try file.append(rows: x, to: "x")
            try file.append(rows: y, to: "y")
            try file.append(rows: scale, to: "scale")
            try file.append(rows: image, to: "image")
        }
    }
}
