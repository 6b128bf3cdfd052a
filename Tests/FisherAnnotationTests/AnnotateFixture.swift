import Classifiers
import Core
import Encoding
import FisherAnnotation
import Foundation
import LinearAlgebra
import Stages
import Storage
import TestSupport

/// A tiny annotation set written as the real files: `fv.h5` with the `encode` layout (6 visual blocks of
/// F = 4 per region) and `images.csv` with 3 concepts, tags and a train/test split.
///
/// Item i (of 48) has concept c when bit c of (i mod 8) is set; the visual blocks are noise plus +1.5 in
/// column c of every region for each concept c it has, so every classifier can learn the concepts; the tags are
/// the concept names (plus `extra` on even items), so the tag modality is informative too. Items with
/// (i / 8) even train, the others test (every concept pattern on both sides).
enum AnnotateFixture {
    static let items = 48
    static let concepts = ["cat", "dog", "sun"]
    static let regionWidth = 4

    /// The concept flags of item i.
    static func has(_ i: Int, _ c: Int) -> Bool { (i % 8) >> c & 1 == 1 }

    /// Writes `fv.h5` and `images.csv` into `folder`; returns their paths. `poison` puts a NaN in orh/2x2 row 3.
    /// `storage`: float16 stores IEEE halves; pq stores the codes of a `ProductQuantizer` (d_s = `pqSubvectorDims`)
    /// fitted on each block's training rows only, with its codebooks (the `encode` layout).
    @discardableResult
    static func write(_ folder: URL, poison: Bool = false, stage: String = EncodeStage.stage,
                      storage: FisherVectorStorage = .float32) throws -> (fv: String, csv: String) {
        let fv = folder.appendingPathComponent("fv.h5").path, csv = folder.appendingPathComponent("images.csv").path
        var rng = SeededRandom(seed: 11)
        let header = ArtifactHeader(stage: stage, version: EncodeStage.version,
                                    parameters: storage == .float32 ? [:] : ["fv_storage": .string(storage.rawValue)])
        try HDF5File.createAtomic(path: fv) { file in
            try header.write(to: file)
            for (name, regions) in [("1x1", 1), ("2x2", 4), ("1x3", 3)] {
                for kind in ["orh", "col"] {
                    var values: [Float] = []
                    for i in 0 ..< items {
                        for _ in 0 ..< regions {
                            for c in 0 ..< regionWidth {
                                let signal: Float = c < concepts.count && has(i, c) ? 1.5 : 0
                                values.append(signal + 0.5 * Float(rng.normal()))
                            }
                        }
                    }
                    if poison && kind == "orh" && name == "2x2" { values[3 * regions * regionWidth + 1] = .nan }
                    try store(values, columns: regions * regionWidth, to: "fv/\(kind)/\(name)", storage: storage, in: file)
                }
            }
            try file.writeStrings((0 ..< items).map(id), to: "ids")
            try file.write([Int64](repeating: 0, count: items), shape: [items], to: "labels")
        }
        try table().write(to: csv)
        return (fv, csv)
    }

    static func id(_ i: Int) -> String { String(format: "img/%02d.png", i) }

    static let pqSubvectorDims = 2

    /// Whether item i is a training item.
    static func isTraining(_ i: Int) -> Bool { (i / 8) % 2 == 0 }

    /// Writes the (items, columns) block `values` in `storage`.
    static func store(_ values: [Float], columns: Int, to name: String, storage: FisherVectorStorage, in file: HDF5File) throws {
        switch storage {
        case .float32: try file.write(values, shape: [items, columns], to: name)
        case .float16: try file.write(values, shape: [items, columns], to: name, storedAs: .float16)
        case .pq:
            let all = Matrix(rows: items, columns: columns, values: values)
            let train = Matrix(rows: (0 ..< items).filter(isTraining).count, columns: columns,
                               values: (0 ..< items).filter(isTraining).flatMap { all.row($0) })
            let pq = try ProductQuantizer.fit(train, subvectorDimension: pqSubvectorDims, centroids: 8, seed: 5)
            try file.write(pq.encode(all), shape: [items, pq.subvectors], to: name)
            try file.write(pq.codebooks.values, shape: [pq.codebooks.rows, pq.codebooks.columns],
                           to: FisherVectorStorage.codebooksName(name))
        }
    }

    static func table() -> AnnotationTable {
        AnnotationTable(source: "fixture", items: (0 ..< items).map { i in
            let names = concepts.indices.filter { has(i, $0) }.map { concepts[$0] }
            return .init(path: id(i), concepts: names, tags: names + (i % 2 == 0 ? ["extra"] : []),
                         split: isTraining(i) ? "train" : "test")
        })
    }

    /// A quick training config: every run, K = 12 TagProp neighbours, tags kept from 2 images.
    static func trainConfig(_ folder: URL, fv: String, csv: String) -> AnnotateTrainConfig {
        let tagProp = TagProp.Options(neighbours: 12, alternations: 2, gammaIterations: 5, newtonIterations: 10)
        return AnnotateTrainConfig(fisherVectors: fv, annotations: csv, output: folder.appendingPathComponent("models.h5").path,
                                   minimumTagCount: 2, tagProp: tagProp)
    }
}
