import Core
import Datasets
import Foundation
import LabelGraphs
import LinearAlgebra
import Stages
import Storage
import Training

/// The files of the `train-paths` runner stage (`PathsStageDriver`): the fv rows it joins, the `class,label` maps
/// (checked against the graph) and the per-row label files of the join.
extension PathsStageDriver {
    /// The fv file's ids, class index per row, and class names.
    static func readRows(_ path: String) throws -> (ids: [String], classes: [Int], names: [String]) {
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        let ids = try file.readStrings("ids"), names = try file.readStrings("class_names")
        let classes = try file.read("labels", as: Int64.self).values.map { Int($0) }
        guard classes.count == ids.count, classes.allSatisfy({ $0 >= 0 && $0 < names.count }) else {
            throw PathTrainingError.badFeatures(path: path, reason: "labels do not match ids / class_names; rerun the fisher stage")
        }
        return (ids, classes, names)
    }

    /// A `class,label` map, every non-empty label checked to be a label node of `dataset` in `graph`.
    static func readMap(_ path: String, dataset: String, graph: LabelGraph) throws -> ClassMap {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PathTrainingError.missingFile(path: path, fix: "pass a `class,label` CSV mapping the fv class names to label nodes of the graph")
        }
        let table = try CSVTable.parse(Array(data), name: path)
        let classColumn = try table.requireColumn("class"), labelColumn = try table.requireColumn("label")
        let paths = PredictionPaths(graph: graph)
        var map: ClassMap = [:]
        for row in table.rows {
            let label = row.fields[labelColumn]
            if !label.isEmpty {
                do {
                    _ = try paths.groundTruth(label: label, dataset: dataset)
                } catch {
                    throw PathTrainingError.unknownLabel(csv: path, line: row.line, label: label, dataset: dataset, graph: graph.file,
                                                         reason: "\(error)")
                }
            }
            map[row.fields[classColumn]] = .some(label.isEmpty ? nil : label)
        }
        return map
    }

    static func writeLabels(_ rows: [(Int, String)], to path: String) throws {
        try RunnerFiles.writeAtomically("row,label\n" + rows.map { "\($0.0),\($0.1)\n" }.joined(), to: path)
    }
}
