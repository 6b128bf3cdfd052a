import Core
import Datasets
import Foundation
import LinearAlgebra
import Stages

/// A single-label image dataset (Flowers17, Flowers102: a labels CSV with `filename`, `label|class_name`,
/// optional `split`) as an `AnnotationTable` whose items have exactly one concept (their class) and no tags,
/// for the one-vs-rest runs (accuracy, macro-F1, mAP).
///
/// **Split.** When the CSV has a `split` column, `test` rows are test and every other row (`train`, `val`)
/// is training. Without one (Flowers17: the official `datasplits.mat` is not available), each class's rows
/// are permuted by `SeededRandom(seed: seed, stream: class index)` and the first `trainPerClass` are training,
/// the rest test: a split of our own, to be reported as such.
///
/// The class name is the `class_name` column when present, else the `label` column. Paths are kept as written
/// (`jpg/image_0001.jpg`), which are the ids `tributary fisher --dataset tar` gives the archive's images.
public enum ClassLabelsDataset {
    public static func load(csv path: String, trainPerClass: Int = 40, seed: UInt64 = 0) throws -> AnnotationTable {
        guard let data = FileManager.default.contents(atPath: path) else { throw ManifestError.missingCSV(path: path) }
        let table = try CSVTable.parse([UInt8](data), name: path)
        let pathColumn = LabelsTable.pathColumns.lazy.compactMap { table.header.firstIndex(of: $0) }.first
        let classColumn = ["class_name", "label", "labels", "class"].lazy.compactMap { table.header.firstIndex(of: $0) }.first
        guard let pathColumn, let classColumn else {
            throw ManifestError.missingColumn(path: path, column: "filename|path and class_name|label", header: table.header)
        }
        guard trainPerClass >= 1 else {
            throw PipelineError.invalidParameter(name: "--train-per-class", value: "\(trainPerClass)", rule: "must be at least 1")
        }
        let splitColumn = table.header.firstIndex(of: "split")
        var items = table.rows.map { row in
            AnnotationTable.Item(path: row.fields[pathColumn], concepts: [row.fields[classColumn]], tags: [],
                                 split: splitColumn.map { row.fields[$0] == "test" ? "test" : "train" } ?? "test")
        }
        guard !items.isEmpty else { throw ManifestError.noImages(path: path) }
        if splitColumn == nil {
            let classes = Array(Set(items.map { $0.concepts[0] })).sorted()
            for (c, name) in classes.enumerated() {
                let members = items.indices.filter { items[$0].concepts[0] == name }
                var rng = SeededRandom(seed: seed, stream: UInt64(c))
                for j in rng.permutation(members.count).prefix(trainPerClass) { items[members[j]].split = "train" }
            }
        }
        return AnnotationTable(source: path, items: items)
    }
}
