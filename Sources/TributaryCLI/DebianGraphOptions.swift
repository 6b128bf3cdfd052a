import ArgumentParser
import Datasets
import Foundation
import LabelGraphJoining
import LabelGraphs

/// `graph build --debian …`: the options of `DebianJoinExperiment` (the sections → debtags graph and, with
/// --debian-splits, the experiment's package splits and label files; see there).
struct DebianGraphOptions: ParsableArguments {
    @Option(help: "Debian graph: comma-separated debtags facets of the fine vocabulary.")
    var debianFacets = DebtagsGraph.Configuration().facets.joined(separator: ",")
    @Option(help: "Debian graph: most frequent tags kept per facet.")
    var debianTagsPerFacet = DebtagsGraph.Configuration().tagsPerFacet
    @Option(help: "Debian graph: edge section → tag when at least this share of the section's packages has the tag.")
    var debianEdgeShare = DebtagsGraph.Configuration().edgeShare
    @Option(help: "Debian graph: … and at least this many packages.")
    var debianMinEdge = DebtagsGraph.Configuration().minimumEdgeCount
    @Option(help: "Debian graph: a folder for the experiment's package splits and label CSVs (experiment.dumpavail, pretrain.dumpavail, fine/validation/test/coarse.csv, summary.txt; see experiments/README.md).")
    var debianSplits: String?
    @Option(help: "Debian splits: test packages.")
    var debianTest = 3000
    @Option(help: "Debian splits: validation packages (threshold tuning).")
    var debianValidation = 1000
    @Option(help: "Debian splits: fine (debtags) training packages.")
    var debianFine = 3000
    @Option(help: "Debian splits: coarse (section only) training packages.")
    var debianCoarse = 9000
    @Option(help: "Debian splits: untagged packages for the encoder.")
    var debianPretrain = 8000

    func build(source: String, graphFile: String, seed: UInt64) throws -> LabelGraph {
        let packages = source == "apt" ? try DebianPackages.fromAptCache() : try DebianPackages.read(path: source)
        var experiment = DebianJoinExperiment()
        experiment.graph.facets = debianFacets.split(separator: ",").map(String.init)
        experiment.graph.tagsPerFacet = debianTagsPerFacet
        experiment.graph.edgeShare = debianEdgeShare
        experiment.graph.minimumEdgeCount = debianMinEdge
        (experiment.test, experiment.validation, experiment.fine) = (debianTest, debianValidation, debianFine)
        (experiment.coarse, experiment.pretrain) = (debianCoarse, debianPretrain)
        guard let dir = debianSplits else { return try experiment.buildGraph(packages, graphFile: graphFile) }
        let (graph, files, summary) = try experiment.splits(packages, graphFile: graphFile, seed: seed)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in files { try writeTextAtomically(text, to: "\(dir)/\(name)") }
        print(summary, terminator: "")
        return graph
    }
}
