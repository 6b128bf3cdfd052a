import Core
import Foundation
import Stages
import Statistics

/// The `repeat` block of a pipeline config: the experiment is run once per (seed, fold) pair, and the report
/// gives every metric over the repetitions with a paired test for each "method vs baseline" row.
///
///     "repeat": { "seeds": [0, 1, 2],                      required: distinct integers ≥ 0
///                 "folds": 10  |  ["1/10", "2/10"],        optional: all K folds, or some k/K of one K
///                 "shared": ["fv"],                        optional: stages kept as written, run once
///                 "alpha": 0.05,                           optional: the paired tests' level
///                 "compare": [ { "method": "infused.accuracy", "baseline": "lstm.accuracy",
///                                "better": "higher" } ] }  optional; "better" higher (default) or lower
///
/// Repetitions r = (s, f) for s in seeds (outer), f in folds (inner), numbered 0 … R − 1 with R = |seeds|·|folds|
/// (|folds| = 1 without folds): `run --repetition r` and a job array's task r run the same one. Repetition r
/// writes under `OUT/rep-seedS-foldK/` (`OUT/rep-seedS` without folds).
///
/// Which stages repeat: a stage whose type declares `seed` gets s, one that declares `fold` gets "k/K"; a stage
/// with an input from a repeated stage repeats too. Every other stage, and every stage named in `shared` (whose
/// inputs must then be shared too), runs once under `OUT/shared/` and its outputs are read by every repetition.
/// A repeated stage may not write `seed` or `fold` itself (the value would be silently replaced), and with
/// folds it may not write `test_fraction` (the fold decides the held-out rows).
public struct RepeatSpec: Sendable, Equatable {
    /// Cross-validation fold k of K (k 1-based), written "k/K" as the stages' `fold` parameter.
    public struct Fold: Sendable, Equatable, Hashable {
        public var k: Int
        public var of: Int
        public var text: String { "\(k)/\(of)" }
    }

    /// One (seed, fold) pair.
    public struct Repetition: Sendable, Equatable {
        /// r, 0-based: seeds outer, folds inner.
        public var index: Int
        public var seed: Int
        public var fold: Fold?
        /// Its folder under OUT: `rep-seedS-foldK` or `rep-seedS`.
        public var folder: String { "rep-seed\(seed)" + (fold.map { "-fold\($0.k)" } ?? "") }
        /// "seed 0, fold 1/10".
        public var label: String { "seed \(seed)" + (fold.map { ", fold \($0.text)" } ?? "") }
    }

    /// "STAGE.metric": a metric a repeated stage reports (`RunnerStageResult.metrics`).
    public struct MetricReference: Sendable, Equatable, Hashable, CustomStringConvertible {
        public var stage: String
        public var metric: String
        public var description: String { stage + "." + metric }
    }

    /// One "method vs baseline" row.
    public struct ComparisonRequest: Sendable, Equatable {
        public var method: MetricReference
        public var baseline: MetricReference
        public var higherIsBetter: Bool
    }

    public var seeds: [Int]
    public var folds: [Fold]
    public var compare: [ComparisonRequest]
    public var alpha: Double
    /// The stages that repeat (the rest run once, under OUT/shared).
    public var repeated: Set<String>

    public static let keys = ["seeds", "folds", "shared", "alpha", "compare"]
    public static let comparisonKeys = ["method", "baseline", "better"]
    /// The folder of the stages that run once.
    public static let sharedFolder = "shared"

    /// Every repetition, in index order.
    public var repetitions: [Repetition] {
        let foldList: [Fold?] = folds.isEmpty ? [nil] : folds
        return seeds.flatMap { s in foldList.map { (s, $0) } }.enumerated().map { Repetition(index: $0, seed: $1.0, fold: $1.1) }
    }

    // MARK: - Parsing

    /// Checks `value` (the config's `repeat`) against the config's `stages`; `given[i]` is stage i's `params` as
    /// written. Errors name the key (`repeat.folds`, `stages[2].params.seed`) and the fix.
    static func parse(_ value: JSONValue, file: String, stages: [RunnerStage],
                      given: [[String: JSONValue]]) throws(RunnerConfigError) -> RepeatSpec {
        let object = try value.object(file: file, key: "repeat")
        try JSONValue.checkKeys(object, allowed: keys, file: file, at: "repeat.")
        guard let seedValues = try object["seeds"]?.array(file: file, key: "repeat.seeds"), !seedValues.isEmpty else {
            throw .missingKey(file: file, key: "repeat.seeds", hint: "a non-empty list of seeds, e.g. [0, 1, 2]")
        }
        var seeds: [Int] = []
        for (i, v) in seedValues.enumerated() {
            guard case let .int(s) = v, s >= 0 else {
                throw .badValue(file: file, key: "repeat.seeds[\(i)]", value: v.canonical, rule: "must be an integer ≥ 0")
            }
            guard !seeds.contains(s) else {
                throw .badValue(file: file, key: "repeat.seeds[\(i)]", value: "\(s)", rule: "repeats an earlier seed; list each seed once")
            }
            seeds.append(s)
        }
        let folds = try parseFolds(object["folds"], file: file)
        var shared: [String] = []
        for (i, v) in (try object["shared"]?.array(file: file, key: "repeat.shared") ?? []).enumerated() {
            let name = try v.string(file: file, key: "repeat.shared[\(i)]")
            guard stages.contains(where: { $0.name == name }) else {
                throw .badValue(file: file, key: "repeat.shared[\(i)]", value: name, rule: "names no stage; list stage names")
            }
            shared.append(name)
        }
        var repeated: Set<String> = []
        for stage in stages where !shared.contains(stage.name) {
            let keys = stage.type.spec.keys
            if keys.contains("seed") || (keys.contains("fold") && !folds.isEmpty)
                || stage.inputs.values.contains(where: repeated.contains) { repeated.insert(stage.name) }
        }
        for stage in stages where shared.contains(stage.name) {
            if let role = stage.inputs.keys.sorted().first(where: { repeated.contains(stage.inputs[$0]!) }) {
                throw .badValue(file: file, key: "repeat.shared", value: stage.name,
                                rule: "reads inputs.\(role) = \(stage.inputs[role]!), which repeats; a shared stage runs once, so share \(stage.inputs[role]!) too or remove \(stage.name)")
            }
        }
        if !folds.isEmpty && !stages.contains(where: { repeated.contains($0.name) && $0.type.spec.keys.contains("fold") }) {
            let takers = stages.filter { $0.type.spec.keys.contains("fold") }.map(\.name)
            throw .badValue(file: file, key: "repeat.folds", value: folds.map(\.text).joined(separator: ", "),
                            rule: takers.isEmpty ? "but no stage takes a fold (train-text, train-infused, split, split-images do); remove repeat.folds"
                                : "but every stage that takes a fold (\(takers.joined(separator: ", "))) is shared; remove repeat.folds or unshare one")
        }
        try checkRepeatedParameters(stages: stages, given: given, repeated: repeated, seed: seeds[0], fold: folds.first, file: file)
        let alpha = try parseAlpha(object["alpha"], file: file)
        let count = seeds.count * max(1, folds.count)
        var compare: [ComparisonRequest] = []
        for (i, v) in (try object["compare"]?.array(file: file, key: "repeat.compare") ?? []).enumerated() {
            let at = "repeat.compare[\(i)]"
            let row = try v.object(file: file, key: at)
            try JSONValue.checkKeys(row, allowed: comparisonKeys, file: file, at: at + ".")
            func reference(_ key: String) throws(RunnerConfigError) -> MetricReference {
                guard let text = try row[key]?.string(file: file, key: at + "." + key) else {
                    throw .missingKey(file: file, key: at + "." + key, hint: "\"STAGE.metric\", e.g. \"lstm.accuracy\"")
                }
                // Stage names may hold dots: the longest stage name that prefixes the text is the stage.
                let stage = stages.map(\.name).filter { text.hasPrefix($0 + ".") && text.count > $0.count + 1 }.max { $0.count < $1.count }
                guard let stage else {
                    throw .badValue(file: file, key: at + "." + key, value: text, rule: "is not \"STAGE.metric\" with STAGE one of the config's stages")
                }
                guard repeated.contains(stage) else {
                    throw .badValue(file: file, key: at + "." + key, value: text,
                                    rule: "names \(stage), which runs once (shared); compare metrics of stages that repeat")
                }
                return MetricReference(stage: stage, metric: String(text.dropFirst(stage.count + 1)))
            }
            let method = try reference("method"), baseline = try reference("baseline")
            guard method != baseline else {
                throw .badValue(file: file, key: at + ".method", value: method.description, rule: "is also the baseline; compare two different metrics")
            }
            let better = try row["better"]?.string(file: file, key: at + ".better") ?? "higher"
            guard better == "higher" || better == "lower" else {
                throw .badValue(file: file, key: at + ".better", value: better, rule: "must be higher (accuracy, mAP) or lower (loss, error)")
            }
            compare.append(ComparisonRequest(method: method, baseline: baseline, higherIsBetter: better == "higher"))
        }
        if !compare.isEmpty && count < 2 {
            throw .badValue(file: file, key: "repeat.compare", value: "\(compare.count) row(s)",
                            rule: "needs at least 2 repetitions for a paired test, and seeds × folds gives \(count); add seeds or folds")
        }
        return RepeatSpec(seeds: seeds, folds: folds, compare: compare, alpha: alpha, repeated: repeated)
    }

    /// `10` → 1/10 … 10/10; `["1/10", "3/10"]` → those (one K, each k once).
    static func parseFolds(_ value: JSONValue?, file: String) throws(RunnerConfigError) -> [Fold] {
        guard let value else { return [] }
        if case let .int(k) = value {
            guard k >= 2 else { throw .badValue(file: file, key: "repeat.folds", value: "\(k)", rule: "must be at least 2 (K-fold cross-validation)") }
            return (1 ... k).map { Fold(k: $0, of: k) }
        }
        let items = try value.array(file: file, key: "repeat.folds")
        guard !items.isEmpty else { throw .badValue(file: file, key: "repeat.folds", value: "[]", rule: "is empty; give K or a list such as [\"1/10\", \"2/10\"]") }
        var folds: [Fold] = []
        for (i, item) in items.enumerated() {
            let text = try item.string(file: file, key: "repeat.folds[\(i)]")
            guard let (j, of) = try? CrossValidationFold.parse(text) else {
                throw .badValue(file: file, key: "repeat.folds[\(i)]", value: text, rule: "must be " + CrossValidationFold.rule)
            }
            let k = j + 1
            guard folds.isEmpty || folds[0].of == of else {
                throw .badValue(file: file, key: "repeat.folds[\(i)]", value: text, rule: "has K = \(of) but repeat.folds[0] has K = \(folds[0].of); use one K")
            }
            guard !folds.contains(Fold(k: k, of: of)) else {
                throw .badValue(file: file, key: "repeat.folds[\(i)]", value: text, rule: "repeats an earlier fold; list each fold once")
            }
            folds.append(Fold(k: k, of: of))
        }
        return folds
    }

    static func parseAlpha(_ value: JSONValue?, file: String) throws(RunnerConfigError) -> Double {
        guard let value else { return Comparison.defaultAlpha }
        guard let alpha = Double(json: value), alpha > 0, alpha < 1 else {
            throw .badValue(file: file, key: "repeat.alpha", value: value.canonical, rule: "must be a number strictly between 0 and 1 (0.05 for 5 %)")
        }
        return alpha
    }

    /// A repeated stage may not write the values the repetition sets, and must accept them (its constraints).
    static func checkRepeatedParameters(stages: [RunnerStage], given: [[String: JSONValue]], repeated: Set<String>,
                                        seed: Int, fold: Fold?, file: String) throws(RunnerConfigError) {
        for (i, stage) in stages.enumerated() where repeated.contains(stage.name) {
            let keys = stage.type.spec.keys
            for key in ["seed", "fold"] where given[i][key] != nil && keys.contains(key) && (key == "seed" || fold != nil) {
                throw .badValue(file: file, key: "stages[\(i)].params.\(key)", value: given[i][key]!.canonical,
                                rule: "is set by repeat.\(key)s in every repetition; remove it (or list \(stage.name) in repeat.shared to keep it)")
            }
            if fold != nil && keys.contains("fold") && given[i]["test_fraction"] != nil {
                throw .badValue(file: file, key: "stages[\(i)].params.test_fraction", value: given[i]["test_fraction"]!.canonical,
                                rule: "cannot be given with repeat.folds (each repetition holds out its fold); remove it")
            }
            var trial = given[i]
            if keys.contains("seed") { trial["seed"] = .int(seed) }
            if let fold, keys.contains("fold") { trial["fold"] = .string(fold.text) }
            do {
                _ = try stage.type.spec.resolve(trial, door: .config(file: file, prefix: "stages[\(i)].params."))
            } catch {
                throw .parameter(error)
            }
        }
    }
}
