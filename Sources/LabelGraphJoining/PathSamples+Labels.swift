import Datasets
import Foundation
import LabelGraphs
import LinearAlgebra
import Storage

/// The label CSVs of the joined datasets (`PathDataSpec`'s **Labels** table, all three forms): read, checked
/// against the graph, and matched to the selected rows of the features file.
extension PathSamples {
    /// (row, label node) of every labelled sample of `spec` within `selected`; `unknownIDs` gets the ids of
    /// `id,label` lines that are not in the file at all (ids outside `selected` are another split's, not unknown).
    static func readLabels(_ path: String, spec: PathDataSpec, file: HDF5File, selected: Range<Int>,
                           graph: LabelGraph, ids fileIDs: [String] = [],
                           unknownIDs: inout [String]) throws -> [(row: Int, label: Int?)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PathTrainingError.missingFile(path: path, fix: "write a CSV with a `label` column (graph node ids), or a `class,label` class map")
        }
        let table = try CSVTable.parse(Array(data), name: path)
        let paths = PredictionPaths(graph: graph)
        func node(_ id: String, line: Int) throws -> Int {
            do {
                return try paths.groundTruth(label: id, dataset: spec.dataset).label
            } catch let error as LabelGraphError {
                throw PathTrainingError.unknownLabel(csv: path, line: line, label: id, dataset: spec.dataset, graph: graph.file,
                                                     reason: "\(error)")
            }
        }
        let labelColumn = try table.requireColumn("label")
        if let classColumn = table.header.firstIndex(of: "class") {
            let namesSet = file.isDataset("class_names") ? "class_names" : "classes"
            guard file.isDataset("labels"), file.isDataset(namesSet) else {
                throw PathTrainingError.badFeatures(path: spec.features,
                    reason: "a class map (\(path)) needs the file's `labels` and `class_names` (or `classes`) datasets. Fix: give a per-sample CSV with a `label` column")
            }
            let names = try file.readStrings(namesSet)
            let classes = try file.read("labels", as: Int64.self).values
            var map: [String: Int?] = [:]
            for row in table.rows {
                let name = row.fields[classColumn], id = row.fields[labelColumn]
                map[name] = id.isEmpty ? .some(nil) : try node(id, line: row.line)
            }
            var result: [(row: Int, label: Int?)] = []
            for r in selected {
                let c = Int(classes[r])
                guard c >= 0, c < names.count, let mapped = map[names[c]] else {
                    throw PathTrainingError.unknownLabel(csv: path, line: 1, label: c >= 0 && c < names.count ? names[c] : "#\(c)",
                        dataset: spec.dataset, graph: graph.file,
                        reason: "class of row \(r) of \(spec.features) is not in the map. Fix: add a `class,label` line for it (empty label drops it)")
                }
                if let label = mapped { result.append((r, label)) }
            }
            return result
        }
        let rowColumn = table.header.firstIndex(of: "row")
        if rowColumn == nil, let idColumn = table.header.firstIndex(of: "id") {
            guard !fileIDs.isEmpty else {
                throw PathTrainingError.badFeatures(path: spec.features,
                    reason: "an `id,label` CSV (\(path)) needs the file's `ids` dataset. Fix: use a `tributary embed` file or a `row,label` CSV")
            }
            var rowOf: [String: Int] = [:]
            for (r, id) in fileIDs.enumerated() where rowOf[id] == nil { rowOf[id] = r }
            var result: [(row: Int, label: Int?)] = []
            for row in table.rows {
                guard let r = rowOf[row.fields[idColumn]] else {
                    unknownIDs.append(row.fields[idColumn])
                    continue
                }
                guard selected.contains(r) else { continue }
                result.append((r, try node(row.fields[labelColumn], line: row.line)))
            }
            return result
        }
        if rowColumn == nil && table.rows.count != selected.count {
            throw PathTrainingError.countMismatch(csv: path, labels: table.rows.count, features: spec.features, rows: selected.count)
        }
        var result: [(row: Int, label: Int?)] = []
        for (i, row) in table.rows.enumerated() {
            var r = selected.lowerBound + i
            if let rowColumn {
                guard let value = Int(row.fields[rowColumn]), value >= 0 else {
                    throw PathTrainingError.badFeatures(path: path, reason: "line \(row.line): row '\(row.fields[rowColumn])' is not a row number")
                }
                guard selected.contains(value) else { continue }  // a CSV for the whole file: keep the selection
                r = value
            }
            result.append((r, try node(row.fields[labelColumn], line: row.line)))
        }
        return result
    }
}
