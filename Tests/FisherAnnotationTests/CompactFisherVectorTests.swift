import Classifiers
import Core
import Encoding
@testable import FisherAnnotation
import Foundation
import LinearAlgebra
import Stages
import Storage
import TestSupport
import XCTest

/// `fv_storage` float16 / pq and `fv_compression` of `encode`: what readers get back, the same bits for 1, 2 and 3
/// ranks, the size check before writing, and annotation quality against float32.
final class CompactFisherVectorTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws { folder = try makeTemporaryDirectory("compact-fv") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// The float32 pipeline once, then `encode` again into `name/fv.h5` with `change` applied.
    private func encodeAgain(_ base: FisherPipeline, _ name: String, _ change: (inout EncodeConfig) -> Void) -> EncodeConfig {
        var config = base.encode
        config.output = folder.appendingPathComponent(name).appendingPathComponent("fv.h5").path
        change(&config)
        return config
    }

    private func rows(_ path: String, _ dataset: String) throws -> Matrix<Float> {
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        return try FisherVectorReader(file: file, dataset: dataset).all()
    }

    func testCompactStoragesReadBackAsTheFloat32Vectors() throws {
        let base = FisherFixture.pipeline(folder.appendingPathComponent("f32"))
        try base.run(communicator: SingleProcessCommunicator())
        let half = encodeAgain(base, "f16") { $0.storage = .float16 }
        let deflated = encodeAgain(base, "gz") { $0.compress = true }
        let pq = encodeAgain(base, "pq") { $0.storage = .pq; $0.pqSubvectorDimension = 8; $0.pqTrainingImages = 6 }
        for config in [half, deflated, pq] { try EncodeStage(config: config).run(communicator: SingleProcessCommunicator()) }
        let sample = EncodeStage(config: pq).pqSample(candidates: Array(0 ..< 10))
        XCTAssertEqual(sample.count, 6)
        for (l, name) in EncodeStage.vectorDatasets.enumerated() {
            let exact = try rows(base.encode.output, name)
            // Compression changes no bit.
            XCTAssertEqual(try rows(deflated.output, name).values.map(\.bitPattern), exact.values.map(\.bitPattern), name)
            // float16: within half's rounding (FVs lie in [−1, 1]); the stored type is a real half.
            let h = try rows(half.output, name)
            XCTAssertEqual(h.rows, exact.rows)
            for (x, y) in zip(exact.values, h.values) {
                XCTAssertLessThanOrEqual(abs(x - y), abs(x) / 2048 + 1.0 / 33_554_432, "\(name): \(x) → \(y)")
            }
            let file = try HDF5File.open(path: half.output)
            XCTAssertEqual(try file.elementKind(of: name), .float16)
            XCTAssertEqual(try file.attribute("fv_storage", as: String.self), "float16")
            try file.close()
            // pq: the stored codebooks are a quantizer fitted on the sample's float32 rows (its naive twin, built
            // here), the stored codes are that quantizer's codes, and the reader decodes them.
            let twin = try ProductQuantizer.fit(Matrix(rows: 6, columns: exact.columns, values: sample.flatMap { exact.row($0) }),
                                                subvectorDimension: 8, seed: EncodeStage.pqSeed &+ UInt64(l))
            let decoded = try rows(pq.output, name)
            XCTAssertEqual(decoded.values, twin.decode(twin.encode(exact), rows: exact.rows).values, name)
            let pqFile = try HDF5File.open(path: pq.output)
            XCTAssertEqual(try pqFile.read(name, as: UInt8.self).values, twin.encode(exact), name)
            XCTAssertEqual(try pqFile.shape(of: name), [10, exact.columns / 8])
            try pqFile.close()
            // The sample's mean squared error is the k-means distortion (the stated bound; here K = 6 = the sample,
            // so both are 0 up to k-means' rounding); the 4 other images are quantized, not reproduced.
            func error(_ images: [Int]) -> Double {
                images.reduce(0.0) { total, i in
                    total + zip(exact.row(i), decoded.row(i)).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
                } / Double(images.count)
            }
            XCTAssertEqual(error(sample), twin.distortion, accuracy: 1e-6, name)
            XCTAssertGreaterThan(error((0 ..< 10).filter { !sample.contains($0) }), 1e-3, name)
        }
    }

    func testPQCodebooksSeeOnlyTheManifestsTrainingRows() throws {
        let base = FisherFixture.pipeline(folder.appendingPathComponent("f32"))
        try base.run(communicator: SingleProcessCommunicator())
        let ids = (0 ..< 10).map { String(format: "synthetic/%06d", $0) }
        let manifest = folder.appendingPathComponent("images.csv").path
        try AnnotationTable(source: "test", items: ids.enumerated().map { i, id in
            .init(path: id, concepts: ["a"], tags: [], split: [1, 4, 6, 8].contains(i) ? "train" : "test")
        }).write(to: manifest)
        let config = encodeAgain(base, "pq") {
            $0.storage = .pq; $0.pqSubvectorDimension = 8; $0.pqTrainingImages = 3; $0.pqTrainingManifest = manifest
        }
        let stage = EncodeStage(config: config)
        let models = try stage.loadModels()
        XCTAssertEqual(try stage.pqCandidates(models), [1, 4, 6, 8])
        models.descriptors.close()
        let sample = stage.pqSample(candidates: [1, 4, 6, 8])
        XCTAssertEqual(sample.count, 3)
        try stage.run(communicator: SingleProcessCommunicator())
        let name = EncodeStage.vectorDatasets[0], exact = try rows(base.encode.output, name)
        let twin = try ProductQuantizer.fit(Matrix(rows: 3, columns: exact.columns, values: sample.flatMap { exact.row($0) }),
                                            subvectorDimension: 8, seed: EncodeStage.pqSeed)
        let file = try HDF5File.open(path: config.output)
        defer { try? file.close() }
        XCTAssertEqual(try file.read(FisherVectorStorage.codebooksName(name), as: Float.self).values, twin.codebooks.values)
        XCTAssertEqual(try file.attribute("pq_training_manifest", as: String.self), manifest)
        // A manifest that names none of the images is refused with the fix.
        try AnnotationTable(source: "test", items: [.init(path: "elsewhere.png", concepts: ["a"], tags: [], split: "train")])
            .write(to: manifest)
        var bad = config
        bad.output = folder.appendingPathComponent("bad").appendingPathComponent("fv.h5").path
        let text = FisherFixture.message { try EncodeStage(config: bad).run(communicator: SingleProcessCommunicator()) }
        XCTAssertTrue(text.contains("none of its train rows") && text.contains("synthetic/000000"), text)
    }

    func testFloat16AndPQFilesAreTheSameBitsForOneTwoAndThreeRanks() throws {
        let base = FisherFixture.pipeline(folder.appendingPathComponent("f32"))
        try base.run(communicator: SingleProcessCommunicator())
        for storage in [FisherVectorStorage.float16, .pq] {
            var outputs: [[UInt32]] = [], codes: [[UInt8]] = []
            for size in 1 ... 3 {
                let config = encodeAgain(base, "\(storage)\(size)") {
                    $0.storage = storage; $0.compress = true; $0.pqSubvectorDimension = 4; $0.pqTrainingImages = 7
                }
                _ = try ThreadedWorld.run(size: size) { comm in try EncodeStage(config: config).run(communicator: comm) }
                // What readers get (decoded floats), and for PQ the stored codes and codebooks themselves.
                outputs.append(try EncodeStage.vectorDatasets.flatMap { try rows(config.output, $0).values.map(\.bitPattern) })
                guard storage == .pq else { continue }
                let file = try HDF5File.open(path: config.output)
                codes.append(try EncodeStage.vectorDatasets.flatMap { try file.read($0, as: UInt8.self).values })
                try file.close()
            }
            XCTAssertEqual(outputs[1], outputs[0], "\(storage) 2 ranks")
            XCTAssertEqual(outputs[2], outputs[0], "\(storage) 3 ranks")
            if storage == .pq {
                XCTAssertEqual(codes[1], codes[0])
                XCTAssertEqual(codes[2], codes[0])
            }
        }
    }

    func testEncodePrintsItsSizeAndRefusesWhatTheDiskCannotHold() throws {
        let base = FisherFixture.pipeline(folder.appendingPathComponent("f32"))
        try base.run(communicator: SingleProcessCommunicator())
        // Hand count: 10 images × (ORH + COL) × (1 + 4 + 3 regions) × 2·M·d = 128 values, float32, + 16 bytes.
        let bytes = 10 * (2 * 8 * 128 * 4 + 16)
        let encode = EncodeStage(config: encodeAgain(base, "small") { $0.assumedFreeBytes = (16 << 20) + bytes - 1 })
        let models = try encode.loadModels()
        XCTAssertEqual(encode.sizePlan(models).bytes, bytes)
        XCTAssertEqual(encode.byteCount(models, storage: .float16), 10 * (2 * 8 * 128 * 2 + 16))
        XCTAssertEqual(encode.byteCount(models, storage: .pq), 10 * (2 * 8 * 128 / 8 + 16) + 2 * 8 * 128 * 4 * 10)
        models.descriptors.close()
        var lines: [String] = []
        XCTAssertThrowsError(try encode.run(communicator: SingleProcessCommunicator(), log: { lines.append($0) })) { error in
            let text = "\(error)"
            XCTAssertTrue(error is DiskSpaceError, text)
            for part in ["\(bytes) bytes", "fewer images", "--fv-storage float16", "--fv-compression", "another disk"] {
                XCTAssertTrue(text.contains(part), "missing '\(part)': \(text)")
            }
            // PQ is not offered: for 10 images its codebooks (K = 10 rows a sub-vector) outweigh the vectors.
            XCTAssertFalse(text.contains("--fv-storage pq"), text)
        }
        XCTAssertTrue(lines.contains { $0.hasPrefix("encode: will write") && $0.contains("(\(bytes) bytes)") }, "\(lines)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: encode.config.output), "nothing is written")
        XCTAssertFalse(FileManager.default.fileExists(atPath: encode.config.output + ".parts"), "no part either")
        // One byte more free space and it runs.
        var enough = encode.config
        enough.assumedFreeBytes = (16 << 20) + bytes
        try EncodeStage(config: enough).run(communicator: SingleProcessCommunicator())
        XCTAssertTrue(FileManager.default.fileExists(atPath: enough.output))
    }

    func testFisherRefusesBeforeExtractingWhenTheVectorsCannotFit() throws {
        var pipeline = FisherFixture.pipeline(folder.appendingPathComponent("tiny"))
        pipeline.encode.assumedFreeBytes = 16 << 20  // all margin: nothing usable
        var lines: [String] = []
        XCTAssertThrowsError(try pipeline.run(communicator: SingleProcessCommunicator(), log: { lines.append($0) })) { error in
            XCTAssertTrue(error is DiskSpaceError, "\(error)")
            XCTAssertTrue("\(error)".contains("(\(10 * (2 * 8 * 128 * 4 + 16)) bytes)"), "\(error)")  // the same hand count
        }
        XCTAssertEqual(lines.count, 1, "\(lines)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: pipeline.extract.output), "refused before extraction")
    }

    func testPQParametersWithoutPQStorageAreRefused() throws {
        for (key, value) in [("pq_subvector_dims", JSONValue.int(4)), ("pq_training_images", .int(10)),
                             ("pq_training_manifest", .string("images.csv"))] {
            for spec in [StageSpec.encode, StageSpec.fisher] {
                let text = FisherFixture.message { _ = try spec.resolve([key: value], door: .commandLine) }
                XCTAssertTrue(text.contains("applies to fv_storage pq only") && text.contains("--fv-storage pq"), "\(spec.name) \(key): \(text)")
                XCTAssertNoThrow(try spec.resolve([key: value, "fv_storage": .string("pq")], door: .commandLine))
            }
        }
        let p = try StageSpec.encode.resolve(["fv_storage": .string("float16"), "fv_compression": .bool(true)], door: .commandLine)
        let config = EncodeConfig(p, descriptors: "d", pca: "p", gmm: "g", output: "o")
        XCTAssertEqual(config.storage, .float16)
        XCTAssertTrue(config.compress)
    }

    /// SVM runs trained on float16 / PQ vectors (PQ codebooks fitted on the training rows only) score within
    /// 0.05 mAP of float32 on the annotation fixture (observed: identical to 3 decimals for float16, PQ within 0.02).
    func testAnnotationOnCompactVectorsIsWithinAStatedMAPOfFloat32() throws {
        var map: [FisherVectorStorage: [Double]] = [:]
        for storage in FisherVectorStorage.allCases {
            let sub = folder.appendingPathComponent(storage.rawValue)
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            let (fv, csv) = try AnnotateFixture.write(sub, storage: storage)
            var config = AnnotateFixture.trainConfig(sub, fv: fv, csv: csv)
            config.runs = [.svmLateVisual, .svmEarlyVisual]
            try AnnotateTrainStage(config: config).run(communicator: SingleProcessCommunicator())
            let scoresPath = sub.appendingPathComponent("scores.h5").path
            try AnnotatePredictStage(config: AnnotatePredictConfig(models: config.output, output: scoresPath))
                .run(communicator: SingleProcessCommunicator())
            map[storage] = AnnotationEvaluation.evaluate(try AnnotationScores.read(scoresPath)).runs.map(\.meanAveragePrecision)
        }
        print("compact FV fixture mAP (svm-late-visual, svm-early-visual):", FisherVectorStorage.allCases.map { "\($0): \(map[$0]!)" })
        for storage in [FisherVectorStorage.float16, .pq] {
            for (a, b) in zip(map[.float32]!, map[storage]!) {
                XCTAssertEqual(b, a, accuracy: 0.05, "\(storage) mAP \(b) vs float32 \(a)")
            }
        }
        XCTAssertTrue(map[.float32]!.allSatisfy { $0 > 0.8 }, "\(map)")
    }
}
