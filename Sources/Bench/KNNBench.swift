import Core
import Retrieval

/// The `tributary bench knn` workload (W6): exact search and the LSH Forest (default parameters, and with
/// `sweep` the (L, K, c) grid of `RetrievalBenchmark.defaultGrid`) on `data`, per metric: build seconds,
/// queries/s over `passes` passes, recall@5 against exact search. Prints one line and one RESULT line each.
public struct KNNBench {
    public var data: KNNDataset
    /// `synthetic` or `anchor` (the RESULT lines' `data`).
    public var dataset: String
    /// (name, metric) in the order measured.
    public var metrics: [(name: String, metric: Metric)]
    public var passes: Int
    public var sweep: Bool

    public init(data: KNNDataset, dataset: String, metrics: [(name: String, metric: Metric)], passes: Int, sweep: Bool) {
        self.data = data
        self.dataset = dataset
        self.metrics = metrics
        self.passes = passes
        self.sweep = sweep
    }

    public func run() throws {
        print("bench knn (W6): base \(data.base.rows)×\(data.base.columns), \(data.queries.rows) queries, k = 5, "
              + "\(passes) pass(es); \(BenchTiming.threadEnvironment())")
        print("  data: \(data.source)")
        for (name, metric) in metrics {
            let (truth, exact) = try RetrievalBenchmark.exact(data, metric: metric, passes: passes)
            report(exact, metricName: name, dataset: dataset)
            let defaults = LSHForest.Parameters.defaults(for: metric)
            report(try RetrievalBenchmark.forest(data, parameters: defaults, truth: truth, passes: passes),
                   metricName: name, dataset: dataset)
            if sweep {
                _ = try RetrievalBenchmark.sweep(data, metric: metric, truth: truth, passes: passes) {
                    report($0, metricName: name, dataset: dataset)
                }
            }
        }
    }

    func report(_ r: RetrievalBenchmark.Result, metricName: String, dataset: String) {
        let candidates = r.meanCandidates.map { ", \(BenchTiming.format($0, 0)) candidates/query" } ?? ""
        print("  \(metricName) \(r.name): build \(BenchTiming.format(r.buildSeconds, 3)) s, queries/s "
              + "\(BenchTiming.summary(r.queriesPerSecond, digits: 0)), recall@5 \(BenchTiming.format(r.recall, 4))"
              + candidates)
        var params = ["metric": metricName, "k": "5", "data": dataset, "n": "\(r.queriesPerSecond.count)",
                      "build_s": "\(r.buildSeconds)", "recall_at_5": "\(r.recall)"]
        if let p = r.parameters {
            params["L"] = "\(p.trees)"
            params["K"] = "\(p.maxDepth)"
            params["c"] = "\(p.candidatesPerTree)"
        }
        let impl = r.parameters == nil ? "tributary ExactSearch" : "tributary \(r.name)"
        print(BenchTiming.resultLine(name: impl, metric: "queries_per_s", unit: "queries/s",
                                     values: r.queriesPerSecond, params: params))
    }
}
