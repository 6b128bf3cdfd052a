import Core
import Encoding
import LinearAlgebra
import Stages
import Storage
import Training

/// `tributary encode`: improved Fisher vectors (Mensink et al. 2010 §2: gradients w.r.t. means and standard
/// deviations, signed square root then L2, each region independently) over the spatial pyramid 1x1, 2x2, 1x3,
/// for ORH and COL separately. Per image and kind: project its descriptors with the PCA, encode every region
/// of every layout with the GMM (`SpatialPyramid`).
///
/// Distribution: images are split by `shard(count: I, …)`; rank r encodes its range in batches of `batchSize`
/// images, appending rows to its part `fv.h5.parts/[g<key>/]part-r.h5` (`PartFiles` generations); rank 0 stitches
/// the parts into `fv.h5`.
/// Every image's vector depends only on that image and the models, so `fv.h5` is bit-identical for any
/// number of ranks.
///
/// Resume: a rank whose part already exists with exactly the header it would write (same parameters, same
/// shard range, inputs made with the same parameters (`ShardedOutput.fingerprint`), `complete = 1`) keeps it and
/// skips its images; rank 0 prints which shards were reused.
///
/// Layout of `fv.h5` (stage `encode`, version 1; I images, F = 2·M·d per region):
///
/// | dataset | shape, type | meaning |
/// | --- | --- | --- |
/// | `fv/orh/1x1` | (I, F) float32 | whole-image FV of ORH |
/// | `fv/orh/2x2` | (I, 4F) float32 | quadrant FVs, row-major over the grid (top-left, top-right, …) |
/// | `fv/orh/1x3` | (I, 3F) float32 | top, middle, bottom strip FVs |
/// | `fv/col/…` | as for ORH | COL |
/// | `pq/<kind>/<layout>` | (S·K, d_s) float32 | with `fv_storage = pq` only: the codebooks of `fv/<kind>/<layout>` |
/// | `labels` | (I) int64 | class index into `class_names` |
/// | `image` | (I) int64 | image index in `descriptors.h5` |
/// | `ids`, `class_names` | string | copied from `descriptors.h5` |
///
/// Each region's FV has unit L2 norm, or is zero when the region holds no descriptor. Root attributes: the
/// header plus `components`, `pca_dims_orh`, `pca_dims_col`, `layouts`, `normalization`, the input paths, and
/// (when not the defaults float32 / off) `fv_storage` / `fv_compression` (+ `pq_subvector_dims`,
/// `pq_training_images`): with `fv_storage` float16 the
/// `fv/…` datasets are IEEE half, with `pq` uint8 codes (`FisherVectorStorage`; read them with `FisherVectorRows`).
///
/// Before writing, the stage prints the bytes it will write and refuses when the output's file system cannot hold
/// them (`sizePlan`, `DiskSpace.check`).
public struct EncodeStage {
    public static let stage = "encode"
    public static let version = 1
    public static let layouts = SpatialLayout.standard

    /// `fv/<kind>/<layout>`, e.g. `fv/orh/2x2`.
    public static func datasetName(_ kind: DescriptorKind, _ layout: SpatialLayout) -> String {
        "fv/\(kind.rawValue)/\(layout)"
    }

    /// Every stitched dataset, in a fixed order.
    public static var datasets: [String] {
        DescriptorKind.allCases.flatMap { kind in layouts.map { datasetName(kind, $0) } } + ["labels", "image"]
    }

    public let config: EncodeConfig

    public init(config: EncodeConfig) {
        self.config = config
    }

    /// The inputs, read and cross-checked once per rank.
    public struct Models {
        public let descriptors: DescriptorsFile
        public let pca: [DescriptorKind: PCA]
        public let gmm: [DescriptorKind: GaussianMixture]
        public let header: ArtifactHeader
        /// With `fv_storage = pq`: the quantizer of each `fv/…` dataset (`fitQuantizers`); looked up, never iterated.
        public var quantizers: [String: ProductQuantizer] = [:]
    }

    /// Opens descriptors.h5, pca.h5 and gmm.h5 and checks that they fit together.
    public func loadModels() throws -> Models {
        let descriptors = try DescriptorsFile.open(config.descriptors)
        let pca = try ModelFiles.readPCA(config.pca)
        let gmm = try ModelFiles.readGMM(config.gmm, pca: pca)
        let m = gmm[.orh]!.components
        var parameters: [String: HDF5AttributeValue] = [
            "descriptors": ArtifactHeader.storedPath(config.descriptors, in: config.output),
            "pca": ArtifactHeader.storedPath(config.pca, in: config.output),
            "gmm": ArtifactHeader.storedPath(config.gmm, in: config.output),
            "components": .int(m), "pca_dims_orh": .int(pca[.orh]!.outputDimension),
            "pca_dims_col": .int(pca[.col]!.outputDimension), "image_count": .int(descriptors.imageCount),
            "layouts": .strings(Self.layouts.map(\.description)), "normalization": .string("improved"),
        ]
        // Recorded only when not the default, so a default run's header (and parts key) is the one it was before
        // these options existed: earlier fv.h5 files and their parts stay valid and resumable.
        if config.storage != .float32 { parameters["fv_storage"] = .string(config.storage.rawValue) }
        if config.compress { parameters["fv_compression"] = .int(1) }
        if config.storage == .pq {
            parameters["pq_subvector_dims"] = .int(config.pqSubvectorDimension)
            parameters["pq_training_images"] = .int(Swift.min(config.pqTrainingImages, descriptors.imageCount))
            if let manifest = config.pqTrainingManifest { parameters["pq_training_manifest"] = .string(manifest) }
        }
        return Models(descriptors: descriptors, pca: pca, gmm: gmm,
                      header: ArtifactHeader(stage: Self.stage, version: Self.version, parameters: parameters))
    }

    /// Runs the stage on every rank.
    /// `log` receives the shard lines, `progress` the images done in rank 0's shard.
    public func run(communicator comm: any Communicator, log: (String) -> Void = { _ in },
                    progress: ProgressReporter = .silent()) throws {
        var models = try loadModels()
        defer { models.descriptors.close() }
        guard models.descriptors.imageCount >= comm.size else {
            throw TooManyRanksError(items: models.descriptors.imageCount, ranks: comm.size, what: "images")
        }
        try ShardedOutput.makeDirectory(containing: config.output)
        try checkSpace(models, communicator: comm, log: log)
        if config.storage == .pq { models.quantizers = try fitQuantizers(models, communicator: comm, log: log) }
        let reused = try writeShard(models, rank: comm.rank, size: comm.size, log: log, progress: progress.tick)
        let flags = try comm.allGather([reused ? 1 : 0])  // Distributed: every part is complete before the stitch
        for (r, flag) in flags.enumerated() {
            let range = shard(count: models.descriptors.imageCount, rank: r, size: comm.size)
            log("encode: shard \(r) (\(ShardedOutput.describe(range))) " + (flag[0] == 1 ? "skipped: complete part reused" : "written"))
        }
        if comm.isRoot { try stitch(models, size: comm.size) }  // Distributed: rank 0 writes the master
        try comm.barrier()  // Distributed: nobody reads fv.h5 before it exists
    }

    /// Writes (or reuses, returning true) the part of shard `rank` of `size` (no communication: tests can
    /// simulate several ranks).
    @discardableResult
    public func writeShard(_ models: Models, rank: Int, size: Int, log: (String) -> Void = { _ in },
                           progress: (ProgressTick) -> Void = { _ in }) throws -> Bool {
        let d = models.descriptors
        let range = shard(count: d.imageCount, rank: rank, size: size)
        let parameters = partParameters(models)
        let header = ShardedOutput.partHeader(stage: Self.stage, version: Self.version, parameters: parameters, range: range)
        let parts = partFiles(models, size: size)
        guard let blocker = ShardedOutput.reuseBlocker(parts: parts, rank: rank, expected: header) else { return true }
        if blocker != "no part yet" { log("encode: rewriting shard \(rank): its part was \(blocker)") }
        let inputs = try ImageInputs(models)
        var workspaces = EncodeWorkspaces(dimension: models.pca.values.map(\.outputDimension).max() ?? 0,
                                          components: inputs.encoders.map(\.mixture.components).max() ?? 0)
        try parts.writePart(rank: rank) { file in
            try header.write(to: file)
            for (name, width) in zip(Self.vectorDatasets, inputs.datasetWidths) {
                try createDataset(name, width: width, models: models, in: file)
            }
            let step = Swift.max(1, config.batchSize)
            let clock = ContinuousClock(), started = clock.now
            for start in stride(from: range.lowerBound, to: range.upperBound, by: step) {
                let batch = start ..< Swift.min(start + step, range.upperBound)
                let rows = try vectors(of: batch, models, inputs, workspaces: &workspaces)
                for (name, values) in zip(Self.vectorDatasets, rows) { try append(values, to: name, models: models, in: file) }
                let done = batch.upperBound - range.lowerBound
                progress(ProgressTick(task: "encode (rank \(rank) shard)", done: done, total: range.count, unit: "images",
                                      seconds: started.duration(to: clock.now).inSeconds, processed: done, processedUnit: "images"))
                FaultInjection.point("encode", step: (batch.upperBound - range.lowerBound + step - 1) / step, rank: rank, size: size)
            }
            try file.write(range.map { inputs.labels[$0] }, shape: [range.count], to: "labels")
            try file.write(range.map { Int64($0) }, shape: [range.count], to: "image")
        }
        return false
    }

    /// What encoding an image needs besides the models: labels, sizes, the pyramid, one encoder per kind.
    struct ImageInputs {
        let labels: [Int64], widths: [Int64], heights: [Int64]
        let pyramid = SpatialPyramid(layouts: EncodeStage.layouts)
        let encoders: [FisherEncoder]

        init(_ models: Models) throws {
            let d = models.descriptors
            labels = try d.file.read("labels", as: Int64.self).values
            widths = try d.file.read("image_width", as: Int64.self).values
            heights = try d.file.read("image_height", as: Int64.self).values
            encoders = DescriptorKind.allCases.map { FisherEncoder(mixture: models.gmm[$0]!) }
        }

        /// F_l of each dataset of `vectorDatasets`.
        var datasetWidths: [Int] { encoders.flatMap { e in EncodeStage.layouts.map { $0.regionCount * e.dimension } } }
    }

    /// The `fv/…` datasets, kind-major then layout.
    public static var vectorDatasets: [String] { datasets.filter { $0.hasPrefix("fv/") } }

    /// The FV rows of images `batch` (contiguous): one `[Float]` of batch.count rows per `vectorDatasets` entry.
    func vectors(of batch: Range<Int>, _ models: Models, _ inputs: ImageInputs,
                 workspaces: inout EncodeWorkspaces) throws -> [[Float]] {
        let d = models.descriptors
        let rows = d.offsets[batch.lowerBound] ..< d.offsets[batch.upperBound]
        let x = try d.file.readRows("x", rows: rows, as: Float.self).values
        let y = try d.file.readRows("y", rows: rows, as: Float.self).values
        var out: [[Float]] = []
        for (k, kind) in DescriptorKind.allCases.enumerated() {
            let all = try d.rows(kind, rows)
            var perLayout = [[Float]](repeating: [], count: Self.layouts.count)
            // The batch's images over this rank's threads (InRankThreads: image n by one worker, same bits for
            // any thread count), then appended in image order.
            let images = try workspaces.reserve(images: batch.count, rows: batch.map { d.offsets[$0 + 1] - d.offsets[$0] })
            let vectors = workspaces.scratch.withUnsafeMutableBufferPointer { scratch in
                InRankThreads.map(items: batch.count, threads: images) { i, worker -> [[Float]] in
                    let n = batch.lowerBound + i
                    let local = (d.offsets[n] - rows.lowerBound) ..< (d.offsets[n + 1] - rows.lowerBound)
                    return encode(all.rows(local), x: Array(x[local]), y: Array(y[local]),
                                  width: Float(inputs.widths[n]), height: Float(inputs.heights[n]),
                                  pca: models.pca[kind]!, encoder: inputs.encoders[k], pyramid: inputs.pyramid,
                                  workspace: &scratch[worker])
                }
            }
            for image in vectors {
                for l in image.indices { perLayout[l] += image[l] }
            }
            out += perLayout
        }
        return out
    }

    /// The per-layout FVs of one image's descriptors of one kind (zeros for an image without descriptors).
    func encode(_ descriptors: Matrix<Float>, x: [Float], y: [Float], width: Float, height: Float, pca: PCA,
                encoder: FisherEncoder, pyramid: SpatialPyramid, workspace: inout FisherEncoder.Workspace) -> [[Float]] {
        guard descriptors.rows > 0 else {
            return pyramid.layouts.map { [Float](repeating: 0, count: $0.regionCount * encoder.dimension) }
        }
        return pyramid.encode(pca.project(descriptors), x: x, y: y, imageWidth: width, imageHeight: height,
                              encoder: encoder, normalization: .improved, workspace: &workspace).vectors
    }

    /// The parameters every part records: the master's plus `inputs_fingerprint`.
    func partParameters(_ models: Models) -> [String: HDF5AttributeValue] {
        var parameters = models.header.parameters
        parameters["inputs_fingerprint"] = .string(ShardedOutput.fingerprint([config.descriptors, config.pca, config.gmm]))
        return parameters
    }

    /// The part set of a `size`-rank job (a generation keyed by the parameters and the inputs' fingerprint).
    public func partFiles(_ models: Models, size: Int) -> PartFiles {
        ShardedOutput.partFiles(master: config.output, count: size, stage: Self.stage, version: Self.version,
                                parameters: partParameters(models))
    }

    /// Writes the master `fv.h5` over the parts of a `size`-rank job (rank 0).
    public func stitch(_ models: Models, size: Int) throws {
        let ids = try models.descriptors.file.readStrings("ids")
        let classes = try models.descriptors.file.readStrings("class_names")
        try partFiles(models, size: size).stitch(datasets: Self.datasets, header: models.header) { file in
            try file.writeStrings(ids, to: "ids")
            try file.writeStrings(classes, to: "class_names")
            try writeCodebooks(models, to: file)
        }
    }
}
