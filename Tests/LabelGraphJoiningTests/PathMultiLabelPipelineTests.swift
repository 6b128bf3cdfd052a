import Core
import Foundation
import LabelGraphJoining
import LabelGraphs
import LinearAlgebra
import Storage
import TestSupport
import Training
import XCTest

/// A tiny multi-label dataset on disk (the shape of the Debian experiment): a graph where tag y sits under two
/// competing sections (nondeterministic paths), 4-D Gaussian vectors around one centre per label GROUP in
/// `embeddings.h5` with per-row `ids` ("pkg-0" …), and an `id,label` CSV in which the {x, z} rows are named on
/// two lines (the second line at the end of the file, not next to the first).
///
///     groups   0: {x}   1: {z}   2: {y}   3: {x, z}
///     rows     0 ..< 120 train, 120 ..< 160 validation (τ tuning), 160 ..< 200 test
struct MultiLabelFixture {
    static let graph = """
        node root root
        node s1 augmented
        node s2 augmented
        node x label datasets=tag
        node y label datasets=tag
        node z label datasets=tag
        edge root s1 s2
        edge s1 x y
        edge s2 y z
        """
    static let groups: [[String]] = [["x"], ["z"], ["y"], ["x", "z"]]
    static let rows = 200

    let directory: URL
    private(set) var group: [Int] = []
    var graphPath: String { directory.appendingPathComponent("tags.graph").path }
    var features: String { directory.appendingPathComponent("embeddings.h5").path }
    var labelsCSV: String { directory.appendingPathComponent("tags.csv").path }
    /// Row 0 is named twice with the same label (deduplicated); "ghost" is not in the features file.
    static let ghost = "ghost-package"

    func id(_ row: Int) -> String { "pkg-\(row)" }
    func spec(_ rows: Range<Int>) -> PathDataSpec { PathDataSpec(dataset: "tag", features: features, labels: labelsCSV, rows: rows) }
    /// The true label set of a row, in line order of the CSV.
    func truth(_ row: Int) -> [String] { Self.groups[group[row]] }

    init(seed: UInt64 = 5) throws {
        directory = try makeTemporaryDirectory("path-multilabel")
        try Self.graph.write(toFile: graphPath, atomically: true, encoding: .utf8)
        var rng = SeededRandom(seed: seed)
        var x: [Float] = []
        let centres: [[Float]] = [[2, 2, 0, 0], [2, -2, 0, 1], [-2, 2, 1, 0], [-2, -2, 1, 1]]
        for _ in 0 ..< Self.rows {
            let g = rng.bounded(4)
            group.append(g)
            x += centres[g].map { $0 + 0.4 * Float(rng.normal()) }
        }
        let file = try HDF5File.create(path: features)
        try file.write(x, shape: [Self.rows, 4], to: "embeddings")
        try file.writeStrings((0 ..< Self.rows).map { "pkg-\($0)" }, to: "ids")
        try file.close()
        var csv = "id,label\n"
        for r in 0 ..< Self.rows { csv += "pkg-\(r),\(Self.groups[group[r]][0])\n" }
        csv += "\(Self.ghost),x\n"
        csv += "pkg-0,\(Self.groups[group[0]][0])\n"
        for r in 0 ..< Self.rows where Self.groups[group[r]].count > 1 { csv += "pkg-\(r),\(Self.groups[group[r]][1])\n" }
        try csv.write(toFile: labelsCSV, atomically: true, encoding: .utf8)
    }
}

final class PathMultiLabelPipelineTests: XCTestCase {
    /// The `id,label` loader: one sample per id (rows in order of their first CSV line), the label set of every
    /// line naming it (a repeated line once), `labels` = the first; ids outside `rows=` are skipped silently (another
    /// split's), ids the features file does not hold are skipped with one warning naming the CSV and the first id.
    func testIDLabelCSVGivesOneSamplePerIDWithItsLabelSet() throws {
        let fixture = try MultiLabelFixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let graph = try LabelGraph.read(file: fixture.graphPath)
        let (samples, sets) = try PathSamples.load([fixture.spec(0 ..< 120)], graph: graph, featureSets: nil)
        XCTAssertEqual(sets, ["embeddings"])
        XCTAssertEqual(samples.count, 120, "one sample per id, although \(fixture.group[0 ..< 120].filter { $0 == 3 }.count) ids have two lines")
        XCTAssertEqual(samples.rows, Array(0 ..< 120))
        XCTAssertEqual(samples.ids, (0 ..< 120).map(fixture.id))
        XCTAssertFalse(samples.ids.contains(MultiLabelFixture.ghost))
        XCTAssertEqual(samples.warnings.count, 1, "\(samples.warnings)")
        XCTAssertTrue(samples.warnings[0].contains("tags.csv: 1 line(s)") && samples.warnings[0].contains(MultiLabelFixture.ghost)
                      && samples.warnings[0].contains("embeddings.h5"), samples.warnings[0])
        XCTAssertEqual(samples.features.rows, 120)
        XCTAssertEqual(samples.labelSets.count, 120)
        let multi = (0 ..< 120).filter { fixture.group[$0] == 3 }
        XCTAssertGreaterThan(multi.count, 10, "the fixture has multi-label rows")
        for i in 0 ..< samples.count {
            let names = samples.labelSets[i].map { graph.nodes[$0].id }
            XCTAssertEqual(names, fixture.truth(samples.rows[i]), "\(samples.ids[i])")
            XCTAssertEqual(samples.labels[i], samples.labelSets[i].first, "`labels` keeps the first label")
        }
        // The features are the rows' own vectors.
        let file = try HDF5File.open(path: fixture.features)
        let all = try file.read("embeddings", as: Float.self).values
        try file.close()
        for i in [0, multi[0], 119] { XCTAssertEqual((0 ..< 4).map { samples.features[i, $0] }, Array(all[samples.rows[i] * 4 ..< samples.rows[i] * 4 + 4])) }

        // rows= keeps its ids only (the CSV covers the whole file).
        let (part, _) = try PathSamples.load([fixture.spec(160 ..< 200)], graph: graph, featureSets: nil)
        XCTAssertEqual(part.rows, Array(160 ..< 200))
        XCTAssertEqual(part.labelSets.map { $0.map { graph.nodes[$0].id } }, (160 ..< 200).map(fixture.truth))
        XCTAssertEqual(part.warnings, samples.warnings, "rows outside 160-200 are not warned about; the ghost is")
    }

    /// Bad `id,label` input: a label the graph lacks names the CSV line and the graph; an `id,label` CSV on a
    /// features file without `ids` names both files.
    func testIDLabelCSVErrorsNameTheFile() throws {
        let fixture = try MultiLabelFixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let graph = try LabelGraph.read(file: fixture.graphPath)
        let bad = fixture.directory.appendingPathComponent("bad.csv").path
        try "id,label\npkg-0,x\npkg-1,zebra\n".write(toFile: bad, atomically: true, encoding: .utf8)
        var spec = fixture.spec(0 ..< 10)
        spec.labels = bad
        var text = errorText { _ = try PathSamples.load([spec], graph: graph, featureSets: nil) }
        XCTAssertTrue(text.contains("bad.csv:3") && text.contains("zebra") && text.contains("tags.graph"), text)

        let noIDs = fixture.directory.appendingPathComponent("no-ids.h5").path
        let file = try HDF5File.create(path: noIDs)
        try file.write([Float](repeating: 0, count: 40), shape: [10, 4], to: "embeddings")
        try file.close()
        spec = PathDataSpec(dataset: "tag", features: noIDs, labels: fixture.labelsCSV)
        text = errorText { _ = try PathSamples.load([spec], graph: graph, featureSets: nil) }
        XCTAssertTrue(text.contains("no-ids.h5") && text.contains("tags.csv") && text.contains("ids"), text)
    }

    /// Label-aug with the marginal-likelihood objective on separable groups, then multi-path decoding with τ
    /// tuned on the validation rows: τ is one of the candidates and the best on validation (ties → smaller),
    /// the F1s lie in [0, 1], equal a recomputation from the returned sets, and the {x, z} samples get both.
    func testTrainMarginalThenDecodeMultiLabelWithTunedThreshold() throws {
        let fixture = try MultiLabelFixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let model = fixture.directory.appendingPathComponent("model.h5").path
        var configuration = PathTrainingStage.Configuration(graphPath: fixture.graphPath, specs: [fixture.spec(0 ..< 120)], target: "tag",
            method: .labelAug, training: TrainingOptions(epochs: 30, batchSize: 20, learningRate: 0.01, seed: 4))
        configuration.encoderHidden = 16
        configuration.embeddingSize = 8
        configuration.hiddenSize = 16
        configuration.pathOptions = PathTrainingOptions(teacherForcingRate: 1, nondeterministic: .marginalLikelihood)
        configuration.seed = 4
        configuration.outputPath = model
        let trained = try PathTrainingStage(configuration).run(communicator: SingleProcessCommunicator())
        XCTAssertEqual(trained.sampleCount, 120)
        XCTAssertLessThan(trained.history.last!.meanLoss, trained.history.first!.meanLoss)

        let thresholds = [0.9, 0.2, 0.35, 0.6]
        let stage = PathDecodeStage(modelPath: model, input: fixture.spec(160 ..< 200))
        let report = try stage.runMultiLabel(thresholds: thresholds, tuneOn: fixture.spec(120 ..< 160))
        XCTAssertTrue(thresholds.contains(report.threshold), "τ = \(report.threshold)")
        XCTAssertEqual(report.tuning.map(\.threshold), thresholds.sorted())
        let best = report.tuning.map(\.micro).max()!
        XCTAssertEqual(report.threshold, report.tuning.first { $0.micro == best }!.threshold, "the best τ on validation, ties → smaller")
        XCTAssertEqual(report.dataset, "tag")
        print("multi-label: tuned τ = \(report.threshold); validation micro F1 " + report.tuning.map { "τ \($0.threshold): \($0.micro)" }.joined(separator: ", "))

        // The test rows, their true sets from the CSV.
        XCTAssertEqual(report.predictions.map(\.id), (160 ..< 200).map(fixture.id))
        for (p, row) in zip(report.predictions, 160 ..< 200) {
            XCTAssertEqual(p.truth, fixture.truth(row).sorted(), p.id)
            XCTAssertFalse(p.predicted.isEmpty, "the top label is always predicted")
            XCTAssertTrue(Set(p.predicted).isSubset(of: ["x", "y", "z"]), "\(p.predicted)")
        }

        // F1 recomputed from the returned sets, at the tuned τ (perfect on this data) and at τ = 0.9 (not: the
        // {x, z} samples keep their top label only), so a wrong F1 cannot hide behind all-ones.
        assertF1MatchesSets(report)
        let strict = try stage.runMultiLabel(thresholds: [0.9])
        assertF1MatchesSets(strict)
        XCTAssertLessThan(strict.f1.micro, report.f1.micro, "τ = 0.9 drops the second label of the {x, z} samples")
        for f in [report.f1.micro, report.f1.sampleAveraged, report.f1.macro, strict.f1.micro, strict.f1.sampleAveraged, strict.f1.macro] + report.tuning.map(\.micro) {
            XCTAssertTrue((0 ... 1).contains(f), "F1 \(f)")
        }

        // Separable groups: high F1, and multi-path decoding finds both labels of the {x, z} samples.
        XCTAssertGreaterThan(report.f1.micro, 0.9, PathDecodeStage.text(report))
        XCTAssertGreaterThan(report.f1.sampleAveraged, 0.9)
        let multi = report.predictions.filter { $0.truth.count == 2 }
        XCTAssertGreaterThan(multi.count, 4)
        XCTAssertGreaterThanOrEqual(multi.filter { $0.predicted == $0.truth }.count * 10, multi.count * 8,
                                    "≥ 80 % of the {x, z} samples get both labels:\n" + PathDecodeStage.text(report))

        // One τ without tuning; several without --tune-on are refused.
        let fixed = try stage.runMultiLabel(thresholds: [report.threshold])
        XCTAssertEqual(fixed.predictions, report.predictions)
        XCTAssertTrue(fixed.tuning.isEmpty)
        let text = errorText { _ = try stage.runMultiLabel(thresholds: thresholds) }
        XCTAssertTrue(text.contains("--tune-on"), text)
    }

    /// micro, sample-averaged and macro F1 of `report` recomputed from its predicted and true sets.
    func assertF1MatchesSets(_ report: PathDecodeStage.MultiLabelReport, line: UInt = #line) {
        var tp = 0, predicted = 0, actual = 0, sampleSum = 0.0
        var perLabel: [String: (tp: Int, predicted: Int, actual: Int)] = [:]
        for p in report.predictions {
            let yHat = Set(p.predicted), y = Set(p.truth), hit = yHat.intersection(y).count
            tp += hit
            predicted += yHat.count
            actual += y.count
            sampleSum += 2 * Double(hit) / Double(yHat.count + y.count)
            for l in yHat { perLabel[l, default: (0, 0, 0)].predicted += 1 }
            for l in y { perLabel[l, default: (0, 0, 0)].actual += 1 }
            for l in yHat.intersection(y) { perLabel[l, default: (0, 0, 0)].tp += 1 }
        }
        let precision = Double(tp) / Double(predicted), recall = Double(tp) / Double(actual)
        let micro = 2 * precision * recall / (precision + recall)
        let macro = perLabel.values.map { 2 * Double($0.tp) / Double($0.predicted + $0.actual) }.reduce(0, +) / Double(perLabel.count)
        XCTAssertEqual(report.f1.microPrecision, precision, accuracy: 1e-12, line: line)
        XCTAssertEqual(report.f1.microRecall, recall, accuracy: 1e-12, line: line)
        XCTAssertEqual(report.f1.micro, micro, accuracy: 1e-12, line: line)
        XCTAssertEqual(report.f1.sampleAveraged, sampleSum / Double(report.predictions.count), accuracy: 1e-12, line: line)
        XCTAssertEqual(report.f1.macro, macro, accuracy: 1e-12, line: line)
        XCTAssertEqual(report.f1.samples, report.predictions.count, line: line)
        print("multi-label F1 at τ = \(report.threshold): micro \(micro), sample \(sampleSum / Double(report.predictions.count)), macro \(macro)")
    }
}
