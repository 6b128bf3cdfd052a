/// A knowledge-driven label graph joining Debian sections (coarse) with debtags (fine), the Arxiv analog of
/// Label-graph dataset joining, Table 2 (archive `cs` → category `cs.LG`).
///
///     v₀ ─▶ section s (label of `coarseDataset`; all sections compete: a package has one section)
///         ─▶ tag t    (label of `fineDataset`; a package has several tags: multi-label)
///
/// **Vocabulary.** For each facet f in `facets` (`role`, `interface`, …) the `tagsPerFacet` most frequent tags
/// `f::…` among the training packages (ties by name; `::TODO` placeholders and tags on fewer than
/// `minimumTagCount` packages left out). Other tags are ignored.
///
/// **Edges.** With n(s) the training packages of section s and n(s, t) those of s tagged t:
///
///     s → t   iff   n(s, t) ≥ minimumEdgeCount   and   n(s, t) / n(s) ≥ edgeShare        (share of s's packages)
///     a tag with no such section hangs under argmax_s n(s, t) (ties by name), so every tag is reachable
///
/// Sections are not a taxonomy of debtags: `role::program` occurs in `utils`, `games`, `net`, …; every tag with
/// k ≥ 2 parent sections has k root paths that part at competing sections, i.e. nondeterministic paths
/// (Definition 3.3), trained by REINFORCE. Sections of the training packages with at least
/// `minimumSectionCount` packages become nodes, those without a qualifying tag are leaves (coarse labels with
/// no fine label below). Which packages count as "training" is the caller's choice: pass the fine and coarse
/// training packages only, never the test packages (the edges are statistics of the data).
///
/// Node ids: sections as in the archive (`utils`), tags as in debtags (`role::program`); they cannot collide
/// (section names have no `::`). Node order: root, sections by name, tags by facet order then frequency.
public enum DebtagsGraph {
    public struct Configuration: Sendable, Equatable {
        public var facets = ["role", "interface", "implemented-in", "use", "works-with", "devel"]
        public var tagsPerFacet = 8
        public var minimumTagCount = 10
        public var edgeShare = 0.1
        public var minimumEdgeCount = 5
        public var minimumSectionCount = 1
        public var fineDataset = "debtags"
        public var coarseDataset = "sections"
        public init() {}
    }

    /// One package's section and debtags (any order; tags outside the vocabulary are ignored).
    public struct Package: Sendable, Equatable {
        public var section: String
        public var tags: [String]
        public init(section: String, tags: [String]) {
            self.section = section
            self.tags = tags
        }
    }

    /// The chosen tags, facet by facet, each facet's tags by descending frequency (ties by name).
    public static func vocabulary(_ packages: [Package], configuration c: Configuration) -> [String] {
        var counts: [String: Int] = [:]
        for package in packages { for tag in Set(package.tags) { counts[tag, default: 0] += 1 } }
        return c.facets.flatMap { facet in
            counts.filter { $0.key.hasPrefix(facet + "::") && !$0.key.hasSuffix("::TODO") && $0.value >= c.minimumTagCount }
                .sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
                .prefix(c.tagsPerFacet).map(\.key)
        }
    }

    /// The graph (validated) built from the training packages; throws when no tag qualifies.
    public static func build(_ packages: [Package], configuration c: Configuration, file: String = "<debtags graph>") throws -> LabelGraph {
        let tags = vocabulary(packages, configuration: c)
        guard !tags.isEmpty else {
            throw LabelGraphError.invalidConfiguration(message: "no debtag of the facets \(c.facets.joined(separator: ", ")) is on ≥ \(c.minimumTagCount) "
                + "of the \(packages.count) packages. Fix: pass packages with a Tag field, other --debian-facets or a lower minimum")
        }
        let tagSet = Set(tags)
        var sectionCount: [String: Int] = [:], pairCount: [String: [String: Int]] = [:]
        for package in packages {
            sectionCount[package.section, default: 0] += 1
            for tag in Set(package.tags) where tagSet.contains(tag) { pairCount[package.section, default: [:]][tag, default: 0] += 1 }
        }
        let sections = sectionCount.filter { $0.value >= c.minimumSectionCount }.keys.sorted()
        var definition = LabelGraph.Definition()
        definition.nodes.append(.init(id: "debian", kind: .root, name: "Debian package"))
        for s in sections { definition.nodes.append(.init(id: s, kind: .label, datasets: [c.coarseDataset])) }
        for t in tags { definition.nodes.append(.init(id: t, kind: .label, datasets: [c.fineDataset])) }
        definition.edges = sections.map { LabelGraph.Edge("debian", $0) }
        for t in tags {
            var parents = sections.filter { s in
                let n = pairCount[s]?[t] ?? 0
                return n >= c.minimumEdgeCount && Double(n) / Double(sectionCount[s]!) >= c.edgeShare
            }
            if parents.isEmpty {
                // The section where the tag is most frequent (name order breaks ties: `sections` is sorted).
                let best = sections.max { (pairCount[$0]?[t] ?? 0) < (pairCount[$1]?[t] ?? 0) }
                guard let best, (pairCount[best]?[t] ?? 0) > 0 else {
                    throw LabelGraphError.invalidConfiguration(message: "tag '\(t)' occurs in no section with ≥ \(c.minimumSectionCount) packages. "
                        + "Fix: lower --debian-min-section")
                }
                parents = [best]
            }
            definition.edges += parents.map { LabelGraph.Edge($0, t) }
        }
        // Edges grouped by parent, so `text` writes one `edge` line per section.
        let order = Dictionary(uniqueKeysWithValues: definition.nodes.enumerated().map { ($1.id, $0) })
        definition.edges.sort { (order[$0.parent]!, order[$0.child]!) < (order[$1.parent]!, order[$1.child]!) }
        return try LabelGraph(definition, file: file)
    }
}
