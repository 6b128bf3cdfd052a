import ArgumentParser
import Bench
import Foundation
import Retrieval

/// `tributary bench knn`: workload W6 of `../shared/bench/ANCHORS.md`: build time, queries/s and recall@5 of the
/// LSH Forest (`LSHForest.Parameters.defaults(for:)`: L = 64, K = 20, c = 32; ip L = 128, c = 16) and of `ExactSearch`, on the anchors' own files
/// (`$ANCHOR_DATA/knn50_{base,query}.f32`, default folder /tmp/anchors-data, 100,000 × 50 base, 10,000 queries), or on the same recipe drawn with
/// `SeededRandom` (`--synthetic`). `--sweep` adds the (L, K, c) recall/throughput curve of
/// `RetrievalBenchmark.defaultGrid`. Conventions are the anchor script's (see `RetrievalBenchmark`); RESULT lines
/// carry impl, metric and params so `make_report.py`-style scripts can compute ratios against FAISS and annoy.
///
/// Measured on the anchor files (release, OPENBLAS_NUM_THREADS=1, shared 2-core machine at load 4–6, so
/// queries/s are noisy; recall is deterministic): defaults L=64 K=20 c=32 → l2 2,111–2,915 q/s, recall@5 0.927;
/// ip at L=64 K=20 c=32 2,192–3,466 q/s, recall@5 0.781, hence ip's own defaults L=128 K=20 c=16: 0.931 at
/// 1,269 q/s; ExactSearch 870–1,210 q/s. Same-session runs against FAISS and annoy: docs/benchmarks.md.
struct BenchKNN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "knn", abstract: "W6 k-NN: LSH Forest vs exact search, build s, queries/s, recall@5 (--sweep: (L, K, c) curve).")

    @Flag(help: "Use the seeded synthetic W6 recipe instead of the anchor files.")
    var synthetic = false

    @Option(help: "Base points for --synthetic (W6: 100000).")
    var baseCount = 100_000

    @Option(help: "Queries for --synthetic (W6: 10000).")
    var queryCount = 10_000

    @Option(help: "Metrics to measure, comma-separated: cosine, ip, l2 (W6 reports ip and l2).")
    var metrics = "ip,l2"

    @Option(help: "Timed passes over the queries.")
    var repeats = 3

    @Flag(help: "Also sweep (L, K, c) over RetrievalBenchmark.defaultGrid.")
    var sweep = false

    func validate() throws {
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
        guard baseCount >= 10, queryCount >= 1 else {
            throw ValidationError("--base-count must be ≥ 10 and --query-count ≥ 1")
        }
        for name in metricNames where Self.metricTable[name] == nil {
            throw ValidationError("--metrics: unknown metric \(name); use cosine, ip or l2")
        }
    }

    static let metricTable: [String: Metric] = ["cosine": .cosine, "ip": .innerProduct, "l2": .l2]
    var metricNames: [String] { metrics.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }

    func run() throws {
        let data: KNNDataset
        if synthetic {
            data = KNNDataset.clustered(baseCount: baseCount, queryCount: queryCount)
        } else {
            // The anchors' default data folder is /tmp/anchors-data (common.py), overridden by $ANCHOR_DATA.
            let directory = ProcessInfo.processInfo.environment["ANCHOR_DATA"] ?? "/tmp/anchors-data"
            guard FileManager.default.fileExists(atPath: directory + "/knn50_base.f32") else {
                throw ValidationError("""
                    W6 needs the anchor files knn50_base.f32 and knn50_query.f32 in \(directory) ($ANCHOR_DATA, default
                    /tmp/anchors-data); generate them with `python3 ../shared/bench/anchors/gen_data.py knn` (all data
                    sets: `python3 ../shared/bench/anchors/gen_data.py`), or pass --synthetic for the seeded recipe.
                    """)
            }
            data = try KNNDataset.anchorW6(directory: directory)
        }
        try KNNBench(data: data, dataset: synthetic ? "synthetic" : "anchor",
                     metrics: metricNames.map { ($0, Self.metricTable[$0]!) }, passes: repeats, sweep: sweep).run()
    }
}
