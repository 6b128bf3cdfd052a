import Datasets
import LabelGraphs

/// The Debian label-graph joining experiment (`tributary graph build --debian …`): the sections → debtags graph
/// (`DebtagsGraph`, LabelGraph+Debtags.swift) and, for the experiment, seeded package splits
/// (`DebtagsJoinSplit`) rendered as the files launch/graph-debian.sh feeds to `train-text`, `embed`,
/// `train-paths` and `decode`:
///
/// | file | content |
/// | --- | --- |
/// | `experiment.dumpavail` | the test, validation, fine and coarse packages (Package, Section, Tag, Description) |
/// | `pretrain.dumpavail` | the untagged pretraining packages (the encoder's corpus, labelled by section) |
/// | `fine.csv`, `validation.csv`, `test.csv` | `id,label`: one line per (package, in-vocabulary debtag) |
/// | `coarse.csv` | `id,label`: one line per coarse package, its section |
/// | `summary.txt` | counts |
public struct DebianJoinExperiment: Sendable {
    /// The graph's vocabulary and edge rules.
    public var graph = DebtagsGraph.Configuration()
    /// Packages per split: test, validation (threshold tuning), fine (debtags) training, coarse (section only)
    /// training, and untagged packages for the encoder.
    public var test = 3000, validation = 1000, fine = 3000, coarse = 9000, pretrain = 8000

    public init() {}

    /// The split files: name (in the splits folder) → text, in writing order, the last one `summary.txt`.
    public typealias Files = [(name: String, text: String)]

    /// The graph from every usable tagged package (no splits).
    public func buildGraph(_ packages: [DebianPackage], graphFile: String) throws -> LabelGraph {
        let usable = Self.usable(packages), records = Self.records(packages)
        let training = packages.indices.filter { usable[$0] && !packages[$0].tags.isEmpty }.map { records[$0] }
        return try DebtagsGraph.build(training, configuration: graph, file: graphFile)
    }

    /// The experiment's splits (seeded), the graph built from the fine + coarse packages, the split files and
    /// their summary (also the text of `summary.txt`).
    public func splits(_ packages: [DebianPackage], graphFile: String,
                       seed: UInt64) throws -> (graph: LabelGraph, files: Files, summary: String) {
        let usable = Self.usable(packages), records = Self.records(packages)
        let split = try DebtagsJoinSplit(tagged: packages.map { !$0.tags.isEmpty }, usable: usable,
                                         sections: packages.map { $0.section ?? "" }, test: test,
                                         validation: validation, fine: fine, coarse: coarse,
                                         pretrain: pretrain, seed: seed)
        let graph = try DebtagsGraph.build((split.fine + split.coarse).map { records[$0] }, configuration: self.graph, file: graphFile)
        var files: Files = []
        let experiment = split.test + split.validation + split.fine + split.coarse
        files.append(("experiment.dumpavail", experiment.map { Self.stanza(packages[$0]) }.joined()))
        files.append(("pretrain.dumpavail", split.pretrain.map { Self.stanza(packages[$0]) }.joined()))
        let fineTags = Set(graph.labels(in: self.graph.fineDataset).map { graph.nodes[$0].id })
        var summary = "debian splits (seed \(seed)) of \(packages.count) packages; graph \(graphFile): \(graph.labels(in: self.graph.coarseDataset).count) sections, \(fineTags.count) debtags\n"
        for (name, indices) in [("test", split.test), ("validation", split.validation), ("fine", split.fine)] {
            var lines = ["id,label"], labelled = 0
            for i in indices {
                let tags = packages[i].tags.filter { fineTags.contains($0) }
                if !tags.isEmpty { labelled += 1 }
                lines += tags.map { "\(packages[i].name),\($0)" }
            }
            files.append(("\(name).csv", lines.joined(separator: "\n") + "\n"))
            summary += "\(name): \(indices.count) packages, \(labelled) with a vocabulary tag, \(lines.count - 1) (package, tag) labels\n"
        }
        let coarseLines = ["id,label"] + split.coarse.map { "\(packages[$0].name),\(packages[$0].section!)" }
        files.append(("coarse.csv", coarseLines.joined(separator: "\n") + "\n"))
        summary += "coarse: \(split.coarse.count) packages (section only)\npretrain: \(split.pretrain.count) untagged packages\n"
        files.append(("summary.txt", summary))
        return (graph, files, summary)
    }

    /// A package can be used when it has a section and a description with a letter or digit.
    static func usable(_ packages: [DebianPackage]) -> [Bool] {
        packages.map { $0.section != nil && $0.text.contains { $0.isLetter || $0.isNumber } }
    }

    static func records(_ packages: [DebianPackage]) -> [DebtagsGraph.Package] {
        packages.map { DebtagsGraph.Package(section: $0.section ?? "", tags: $0.tags) }
    }

    /// `p` as an `apt-cache dumpavail` stanza (Package, Section, Tag, Description; continuation lines indented,
    /// empty ones as " .").
    static func stanza(_ p: DebianPackage) -> String {
        let lines = p.text.split(separator: "\n", omittingEmptySubsequences: false)
        var text = "Package: \(p.name)\nSection: \(p.section ?? "")\n"
        if !p.tags.isEmpty { text += "Tag: " + p.tags.joined(separator: ", ") + "\n" }
        text += "Description: \(lines.first ?? "")\n"
        for line in lines.dropFirst() { text += line.isEmpty ? " .\n" : " \(line)\n" }
        return text + "\n"
    }
}
