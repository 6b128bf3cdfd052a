import Core
import Encoding
import LinearAlgebra
import Stages
import Storage

/// How `encode` stores its vectors (`fv_storage`, `fv_compression`; see `FisherVectorStorage`), the size check
/// before it writes, and the product quantizers of `fv_storage = pq`.
///
/// **Size.** Bytes = I · (Σ_l B(F_l) + 16) (+ the PQ codebooks, Σ_l 4 · K · F_l), where F_l is dataset l's row
/// width and B(F) = 4F (float32), 2F (float16) or F / d_s (pq); the 16 bytes are `labels` and `image`. Compression
/// can only shrink it, so the figure is an upper bound. Rank 0 measures the free space (`DiskSpace.freeBytes`) and
/// broadcasts it, so every rank reaches the same verdict.
///
/// **PQ training.** The codebooks are fitted on the vectors of a seeded sample of `pq_training_images` images:
/// of the `train` rows of `pq_training_manifest` (an `images.csv`) when given, so that no test vector shapes
/// the codebooks, else of all images (labels are never read: like the PCA and the GMM, the codebooks are
/// unsupervised). Each rank encodes its share of the sample
/// (`shard` of the sorted sample), the rows are all-gathered in rank order, so every rank holds the same sample in
/// the same order; each rank then fits its contiguous share of the S codebooks and they are all-gathered
/// (`ProductQuantizer.fit(…, communicator:)`, the same bits as one process fitting all S): bit-identical codes for
/// any number of ranks.
extension EncodeStage {
    /// The seed of the PQ sample and of the codebooks' k-means (dataset l uses seed + l).
    static let pqSeed: UInt64 = 0x5051

    /// Creates `fv/…` dataset `name` (rows of `width` floats) in a part, in the configured storage.
    func createDataset(_ name: String, width: Int, models: Models, in file: HDF5File) throws {
        let gzip = config.compress ? FisherVectorStorage.deflateLevel : nil
        switch config.storage {
        case .float32, .float16:
            try file.createExtendable(name, of: Float.self, rowShape: [width], chunkRows: 16, gzip: gzip,
                                      shuffle: config.compress, storedAs: config.storage == .float16 ? .float16 : nil)
        case .pq:
            try file.createExtendable(name, of: UInt8.self, rowShape: [models.quantizers[name]!.subvectors],
                                      chunkRows: 256, gzip: gzip)
        }
    }

    /// Appends float rows to `name`, as codes when the storage is PQ.
    func append(_ rows: [Float], to name: String, models: Models, in file: HDF5File) throws {
        guard config.storage == .pq, let quantizer = models.quantizers[name] else {
            try file.append(rows: rows, to: name)
            return
        }
        let x = Matrix(rows: rows.count / quantizer.dimension, columns: quantizer.dimension, values: rows)
        try file.append(rows: quantizer.encode(x), to: name)
    }

    /// The master's `pq/<kind>/<layout>` codebooks (nothing unless the storage is PQ).
    func writeCodebooks(_ models: Models, to file: HDF5File) throws {
        guard config.storage == .pq else { return }
        for name in Self.vectorDatasets {
            let q = models.quantizers[name]!
            try file.write(q.codebooks.values, shape: [q.codebooks.rows, q.codebooks.columns],
                           to: FisherVectorStorage.codebooksName(name))
        }
    }

    /// F_l of every `fv/…` dataset (kind-major, then layout) for PCA dimensions d_kind and M components: regions · 2·M·d.
    public static func rowWidths(pcaDimensions: (DescriptorKind) -> Int, components: Int) -> [Int] {
        DescriptorKind.allCases.flatMap { kind in layouts.map { $0.regionCount * 2 * components * pcaDimensions(kind) } }
    }

    /// The row widths of the models' datasets.
    func rowWidths(_ models: Models) -> [Int] {
        Self.rowWidths(pcaDimensions: { models.gmm[$0]!.dimension }, components: models.gmm[.orh]!.components)
    }

    /// The bytes `fv.h5` (its parts) will take for `storage`, for the models' image count and row widths.
    func byteCount(_ models: Models, storage: FisherVectorStorage) -> Int {
        byteCount(images: models.descriptors.imageCount, widths: rowWidths(models), storage: storage)
    }

    /// The bytes of `images` rows of `widths` in `storage` (see the type's comment).
    func byteCount(images: Int, widths: [Int], storage: FisherVectorStorage) -> Int {
        let d = Swift.max(1, config.pqSubvectorDimension)
        let perImage = widths.reduce(16) { $0 + storage.rowBytes(values: $1, subvectorDimension: d) }
        let centroids = Swift.min(ProductQuantizer.maxCentroids, Swift.min(config.pqTrainingImages, images))
        let codebooks = storage == .pq ? widths.reduce(0) { $0 + 4 * centroids * $1 } : 0
        return images * perImage + codebooks
    }

    /// What encode will write, with the fixes that write less.
    public func sizePlan(_ models: Models) -> DiskSpace.Plan {
        sizePlan(images: models.descriptors.imageCount, widths: rowWidths(models))
    }

    /// What encode will write for `images` rows of `widths`, with the fixes that write less.
    public func sizePlan(images: Int, widths: [Int]) -> DiskSpace.Plan {
        let bytes = byteCount(images: images, widths: widths, storage: config.storage)
        var fixes = ["fewer images (--limit; \(MemoryBudget.format(bytes / Swift.max(1, images))) per image)"]
        for other in FisherVectorStorage.allCases where byteCount(images: images, widths: widths, storage: other) < bytes {
            fixes.append("fv_storage \(other.rawValue) (--fv-storage \(other.rawValue): "
                         + "\(MemoryBudget.format(byteCount(images: images, widths: widths, storage: other))))")
        }
        if !config.compress { fixes.append("fv_compression (--fv-compression: shuffle + deflate, size depends on the data)") }
        let what = "\(EncodeStage.stage) \(config.output) (\(images) images, \(config.storage.rawValue))"
        let folder = String(config.output.prefix(upTo: config.output.lastIndex(of: "/") ?? config.output.startIndex))
        return DiskSpace.Plan(what: what, folder: folder.isEmpty ? "." : folder, bytes: bytes, fixes: fixes)
    }

    /// Prints the plan and refuses it on every rank when it does not fit (rank 0's free-space figure, broadcast).
    func checkSpace(_ models: Models, communicator comm: any Communicator, log: (String) -> Void) throws {
        try checkSpace(sizePlan(models), communicator: comm, log: log)
    }

    /// `checkSpace` for a plan made before the models exist (`FisherPipeline`, before extraction).
    public func checkSpace(_ plan: DiskSpace.Plan, communicator comm: any Communicator, log: (String) -> Void) throws {
        var plan = plan
        var free = [comm.isRoot ? (config.assumedFreeBytes ?? DiskSpace.freeBytes(at: plan.folder) ?? -1) : 0]
        try comm.broadcast(&free, root: 0)  // Distributed: one verdict for all ranks
        plan.free = free[0] < 0 ? nil : free[0]
        if plan.free == nil { log("encode: cannot measure the free space of \(plan.folder); not checked") }
        try DiskSpace.check(plan, log: { log("encode: " + $0) })
    }

    /// The images whose vectors train the codebooks: a seeded sample of `pq_training_images` of `candidates`
    /// (sorted image indices), sorted.
    func pqSample(candidates: [Int]) -> [Int] {
        var rng = SeededRandom(seed: Self.pqSeed)
        return rng.sample(Swift.min(config.pqTrainingImages, candidates.count), from: candidates.count).map { candidates[$0] }.sorted()
    }

    /// The images the sample is drawn from: those whose id is a `train` row of `pq_training_manifest`, or all
    /// (`TrainingImages`).
    func pqCandidates(_ models: Models) throws -> [Int] {
        try TrainingImages.indices(manifest: config.pqTrainingManifest, descriptors: models.descriptors)
    }

    /// Fits one quantizer per `fv/…` dataset on the sample's vectors (every rank, same rows, same result).
    func fitQuantizers(_ models: Models, communicator comm: any Communicator,
                       log: (String) -> Void) throws -> [String: ProductQuantizer] {
        let sample = pqSample(candidates: try pqCandidates(models))
        let mine = sample[shard(count: sample.count, rank: comm.rank, size: comm.size)]
        let inputs = try ImageInputs(models)
        let widths = inputs.datasetWidths
        try MemoryBudget.current.reserve(bytes: MemoryBudget.product([sample.count, widths.reduce(0, +), 4]),
                                         for: "encode \(config.output)", purpose: "the PQ training vectors of \(sample.count) images",
                                         fix: "lower pq_training_images (--pq-training-images)")
        var workspaces = EncodeWorkspaces(dimension: models.pca.values.map(\.outputDimension).max() ?? 0,
                                          components: inputs.encoders.map(\.mixture.components).max() ?? 0)
        var local = [[Float]](repeating: [], count: widths.count)
        for n in mine {
            let rows = try vectors(of: n ..< n + 1, models, inputs, workspaces: &workspaces)
            for l in rows.indices { local[l] += rows[l] }
        }
        var quantizers: [String: ProductQuantizer] = [:]
        for (l, name) in Self.vectorDatasets.enumerated() {
            let rows = try comm.allGather(local[l]).flatMap { $0 }  // Distributed: the sample in rank order
            let x = Matrix(rows: sample.count, columns: widths[l], values: rows)
            let clock = ContinuousClock(), start = clock.now
            let q = try ProductQuantizer.fit(x, subvectorDimension: config.pqSubvectorDimension, seed: Self.pqSeed &+ UInt64(l),
                                             communicator: comm)  // Distributed: each rank fits 1/P of the codebooks
            log("encode: PQ \(name): \(q.subvectors) codes of \(q.centroids) centroids per image, training MSE "
                + "\(q.distortion) (mean squared norm \(meanSquaredNorm(x))); codebooks fitted on \(comm.size) rank(s) in "
                + "\((start.duration(to: clock.now).inSeconds * 10).rounded() / 10) s")
            quantizers[name] = q
        }
        return quantizers
    }

    func meanSquaredNorm(_ x: Matrix<Float>) -> Double {
        x.values.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(Swift.max(1, x.rows))
    }
}
