import Core
@testable import LabelGraphs
import XCTest

/// Deep, wide and combinatorial graphs (hardening: a 40k-deep chain overflowed the stack in `paths(to:)`, and
/// validating 100k siblings took 8.7 s). Every graph algorithm is iterative and linear: these tests run the
/// large cases, compare the fast algorithms with naive twins (the former recursive / quadratic ones) on small
/// random DAGs, and check linearity by counting the algorithms' steps (`GraphWork`), never by wall-clock time.
final class GraphScalingTests: XCTestCase {
    // MARK: - Builders

    /// root → a1 → a2 → … → a(n-2) → leaf: n nodes, the leaf a label of dataset "x".
    static func chain(_ n: Int) -> LabelGraph.Definition {
        var d = LabelGraph.Definition()
        d.nodes.append(.init(id: "root", kind: .root))
        for i in 1 ..< n - 1 { d.nodes.append(.init(id: "a\(i)", kind: .augmented)) }
        d.nodes.append(.init(id: "leaf", kind: .label, datasets: ["x"]))
        for i in 1 ..< n { d.edges.append(.init(d.nodes[i - 1].id, d.nodes[i].id)) }
        return d
    }

    /// root with n label children (dataset "x"), one default competing group.
    static func siblings(_ n: Int) -> String {
        var lines = ["node root root"]
        for i in 0 ..< n { lines.append("node s\(i) label datasets=x") }
        for i in 0 ..< n { lines.append("edge root s\(i)") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// k levels of two nodes, each with both nodes of the level above as parents, then one label: 2^k paths.
    static func ladder(_ k: Int) -> LabelGraph.Definition {
        var d = LabelGraph.Definition()
        d.nodes.append(.init(id: "root", kind: .root))
        for i in 0 ..< k {
            d.nodes.append(.init(id: "a\(i)", kind: .augmented))
            d.nodes.append(.init(id: "b\(i)", kind: .augmented))
            for child in ["a\(i)", "b\(i)"] {
                if i == 0 { d.edges.append(.init("root", child)) } else {
                    d.edges.append(.init("a\(i - 1)", child))
                    d.edges.append(.init("b\(i - 1)", child))
                }
            }
        }
        d.nodes.append(.init(id: "leaf", kind: .label, datasets: ["x"]))
        d.edges.append(.init("a\(k - 1)", "leaf"))
        d.edges.append(.init("b\(k - 1)", "leaf"))
        return d
    }

    /// A seeded random DAG: node i > 0 gets 1–3 parents among 0 ..< i; leaves and ~1/3 of the inner nodes are
    /// labels of dataset "a", "b" or both.
    static func randomDAG(_ n: Int, seed: UInt64) -> LabelGraph.Definition {
        var rng = SeededRandom(seed: seed)
        var parents = [[Int]](repeating: [], count: n), hasChild = [Bool](repeating: false, count: n)
        for i in 1 ..< n {
            for _ in 0 ..< 1 + rng.bounded(3) {
                let p = rng.bounded(i)
                if !parents[i].contains(p) { parents[i].append(p); hasChild[p] = true }
            }
        }
        var d = LabelGraph.Definition()
        let datasets = [["a"], ["b"], ["a", "b"]]
        for i in 0 ..< n {
            let isLabel = i > 0 && (!hasChild[i] || rng.bounded(3) == 0)
            d.nodes.append(.init(id: "n\(i)", kind: i == 0 ? .root : isLabel ? .label : .augmented,
                                 datasets: isLabel ? datasets[rng.bounded(3)] : []))
        }
        for i in 1 ..< n { for p in parents[i] { d.edges.append(.init("n\(p)", "n\(i)")) } }
        return d
    }

    // MARK: - Naive twins (the former recursive / quadratic algorithms)

    static func naivePaths(_ g: LabelGraph, to v: Int) -> [[Int]] {
        if v == g.root { return [[v]] }
        return g.parents[v].flatMap { p in naivePaths(g, to: p).map { $0 + [v] } }
    }

    static func naivePathCount(_ g: LabelGraph, to v: Int) -> Int {
        var count = [Int](repeating: 0, count: g.count)
        for u in 0 ..< g.count { count[u] = u == g.root ? 1 : g.parents[u].reduce(0) { min(1 << 40, $0 + count[$1]) } }
        return count[v]  // node indices of `randomDAG` are a topological order
    }

    static func naiveEndNodes(_ g: LabelGraph, label l: Int, dataset d: String) -> [Int] {
        let finer = g.descendants(of: l).filter { g.nodes[$0].kind == .label && g.nodes[$0].datasets.contains { $0 != d } }
        if finer.isEmpty { return [l] }
        let finerSet = Set(finer)
        return finer.filter { g.descendants(of: $0).allSatisfy { !finerSet.contains($0) } }
    }

    static func edgeCount(_ g: LabelGraph) -> Int { g.children.reduce(0) { $0 + $1.count } }

    // MARK: - Tests

    func testA100kDeepChainIsProcessedWithoutOverflowingTheStack() throws {
        let n = 100_000
        let g = try LabelGraph(Self.chain(n), file: "chain.graph")
        let leaf = g.index(of: "leaf")!
        let paths = PredictionPaths(graph: g)
        // By hand: one path, root a1 … a99998 leaf, 100,000 nodes long; S = every node but the root.
        let found = try paths.paths(to: leaf)
        XCTAssertEqual(found.count, 1)
        XCTAssertEqual(found[0].count, n)
        XCTAssertEqual(found[0], Array(0 ..< n))
        let truth = try paths.groundTruth(label: "leaf", dataset: "x")
        XCTAssertEqual(truth.paths.count, 1)
        XCTAssertEqual(truth.requiredNodes.count, n - 1)
        XCTAssertEqual(truth.isDeterministic, [true])
        XCTAssertEqual(paths.endNodes.indices.filter { paths.endNodes[$0] }, [leaf])
        XCTAssertEqual(g.descendants(of: g.root).count, n - 1)
        XCTAssertTrue(g.isAncestor(g.root, of: leaf))
        XCTAssertEqual(g.topologicalOrder(), Array(0 ..< n))
        // The decoder's longest path (its step bound) and a round trip through the text format.
        let decoder = try PathDecoder(graph: g, configuration: .init(featureSize: 2, embeddingSize: 2, hiddenSize: 2))
        XCTAssertEqual(decoder.maxSteps, n)
        XCTAssertEqual(try LabelGraph(parsing: g.text, file: "chain.graph").children, g.children)
        // Trimming every augmented node of the chain leaves root → leaf.
        let trimmed = try g.removing(Set(1 ..< n - 1))
        XCTAssertEqual(trimmed.nodes.map(\.id), ["root", "leaf"])
        XCTAssertEqual(trimmed.children, [[1], []])
        // A 100k-deep cycle is found and reported without recursion.
        var cyclic = Self.chain(n)
        cyclic.edges.append(.init("a\(n - 2)", "a1"))
        XCTAssertThrowsError(try LabelGraph(cyclic, file: "chain.graph")) { error in
            guard case let .cycle(_, path) = error as? LabelGraphError else { return XCTFail("\(error)") }
            XCTAssertEqual(path.count, n - 1)
        }
    }

    func testA200kSiblingGraphValidatesInLinearWork() throws {
        // What `tributary graph validate` does: parse, validate, then every label's ground truth.
        func validate(_ n: Int) throws -> (steps: Int, size: Int, graph: LabelGraph) {
            var work = GraphWork()
            let g = try LabelGraph(LabelGraph.parseDefinition(Self.siblings(n), file: "wide.graph"), file: "wide.graph", work: &work)
            let paths = PredictionPaths(graph: g, work: &work)
            var pathCount = 0
            for l in g.labels(in: "x") { pathCount += try paths.groundTruth(label: l, dataset: "x", work: &work).paths.count }
            XCTAssertEqual(pathCount, n)
            XCTAssertEqual(g.groups.count, 1)
            XCTAssertEqual(g.groups[0].members.count, n)
            return (work.steps, g.count + Self.edgeCount(g), g)
        }
        var ratios: [Double] = [], wide: LabelGraph?
        for n in [1_000, 10_000, 200_000] {
            let (steps, size, g) = try validate(n)
            wide = g
            ratios.append(Double(steps) / Double(size))
            // A quadratic pass (one sibling scan per edge) would be ≥ n / 2 steps per node: 100,000 at n = 200k.
            XCTAssertLessThanOrEqual(steps, 16 * size, "n = \(n): \(steps) steps for V + E = \(size)")
        }
        XCTAssertLessThan(ratios.max()! - ratios.min()!, 0.5, "steps per node and edge stay constant: \(ratios)")
        // Competing siblings of the one 200k-member group: a lookup by group index, not a scan of the group.
        let g = wide!
        XCTAssertTrue(g.competing(1, 200_000))
        XCTAssertFalse(g.competing(1, 1))
    }

    func testChainsAndRandomDAGsTakeLinearWork() throws {
        for n in [1_000, 10_000, 100_000] {
            var work = GraphWork()
            let g = try LabelGraph(Self.chain(n), file: "chain.graph", work: &work)
            let paths = PredictionPaths(graph: g, work: &work)
            _ = try paths.groundTruth(label: g.index(of: "leaf")!, dataset: "x", work: &work)
            XCTAssertLessThanOrEqual(work.steps, 16 * (g.count + Self.edgeCount(g)), "chain of \(n)")
        }
        for n in [200, 2_000, 20_000] {
            var work = GraphWork()
            let g = try LabelGraph(Self.randomDAG(n, seed: 7), file: "random.graph", work: &work)
            _ = PredictionPaths(graph: g, work: &work)
            XCTAssertLessThanOrEqual(work.steps, 16 * (g.count + Self.edgeCount(g)), "random DAG of \(n)")
        }
    }

    func testFastAlgorithmsMatchTheirNaiveTwinsOnRandomDAGs() throws {
        for seed in UInt64(1) ... 20 {
            let g = try LabelGraph(Self.randomDAG(40, seed: seed), file: "random.graph")
            let paths = PredictionPaths(graph: g)
            for v in g.nodes.indices {
                if Self.naivePathCount(g, to: v) > PredictionPaths.maximumPathsPerLabel {
                    XCTAssertThrowsError(try paths.paths(to: v))
                } else {
                    XCTAssertEqual(try paths.paths(to: v), Self.naivePaths(g, to: v), "seed \(seed), node \(v)")
                }
            }
            var naiveEnds = [Bool](repeating: false, count: g.count)
            for l in g.labelNodes {
                for d in g.nodes[l].datasets {
                    let ends = Self.naiveEndNodes(g, label: l, dataset: d)
                    var work = GraphWork()
                    XCTAssertEqual(paths.endNodes(label: l, dataset: d, work: &work), ends, "seed \(seed), label \(l), \(d)")
                    for m in ends { naiveEnds[m] = true }
                }
            }
            XCTAssertEqual(paths.endNodes, naiveEnds, "seed \(seed)")
            let order = g.topologicalOrder()
            var position = [Int](repeating: 0, count: g.count)
            for (i, v) in order.enumerated() { position[v] = i }
            XCTAssertTrue(g.nodes.indices.allSatisfy { v in g.children[v].allSatisfy { position[$0] > position[v] } })
            for a in g.nodes.indices { for v in g.nodes.indices { XCTAssertEqual(g.isAncestor(a, of: v), g.descendants(of: a).contains(v)) } }
        }
    }

    func testExponentiallyManyPathsThrowAClearErrorInsteadOfExhaustingMemory() throws {
        // 2^12 = 4096 paths: the limit, listed; 2^13 and 2^200 (which would overflow Int): refused, by counting.
        let g12 = try LabelGraph(Self.ladder(12), file: "ladder.graph")
        XCTAssertEqual(try PredictionPaths(graph: g12).paths(to: g12.index(of: "leaf")!).count, 4096)
        for k in [13, 200] {
            let g = try LabelGraph(Self.ladder(k), file: "ladder.graph")
            XCTAssertThrowsError(try PredictionPaths(graph: g).groundTruth(label: "leaf", dataset: "x")) { error in
                XCTAssertEqual(error as? LabelGraphError, .tooManyPaths(file: "ladder.graph", id: "leaf", limit: 4096))
                let message = "\(error)"
                XCTAssertTrue(message.contains("ladder.graph") && message.contains("'leaf'") && message.contains("Fix:"), message)
            }
        }
    }
}
