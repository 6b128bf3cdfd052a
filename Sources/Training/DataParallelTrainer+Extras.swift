import Core
import Storage

/// Caller state a checkpoint must carry besides the trainer's own, so that a stage with state outside θ and
/// Adam (train-infused's neighbour ids and per-rank penalty sums, train-paths' REINFORCE baseline b) resumes
/// bit-identically.
///
/// At every checkpoint, `save` runs on EVERY rank (it may call collectives, e.g. gather per-rank sums) and
/// rank 0's result is written as `extra/<name>`, Float64 (n_name). On resume rank 0 reads `extra/*`, the
/// values are broadcast, and `restore` runs on every rank with them (before the first step).
///
/// Values are Float64: a Float, or an integer |i| < 2⁵³, round-trips exactly.
public struct CheckpointExtras {
    public var save: () throws -> [String: [Double]]
    public var restore: (_ values: [String: [Double]]) throws -> Void

    public init(save: @escaping () throws -> [String: [Double]],
                restore: @escaping (_ values: [String: [Double]]) throws -> Void) {
        self.save = save
        self.restore = restore
    }

    /// `values[name]`, which must hold `count` numbers (nil: any count); a checkpoint without it (an older
    /// build's, another stage's) is refused with the file named.
    public static func require(_ values: [String: [Double]], _ name: String, count: Int? = nil,
                               path: String) throws -> [Double] {
        guard let found = values[name], count.map({ $0 == found.count }) ?? true else {
            throw TrainingError.checkpointUnusable(
                path: path, reason: "its extra/\(name) is " + (values[name].map { "\($0.count) values, not \(count!)" } ?? "missing"))
        }
        return found
    }
}

extension DataParallelTrainer {
    /// Writes rank 0's `extras` under `extra/` (see `CheckpointExtras`).
    static func writeExtras(_ values: [String: [Double]], to file: HDF5File) throws {
        for name in values.keys.sorted() {
            try file.write(values[name]!, shape: [values[name]!.count], to: "extra/\(name)")
        }
    }

    /// `extra/*` of a checkpoint (empty when it has none).
    static func readExtras(_ file: HDF5File) throws -> [String: [Double]] {
        guard file.contains("extra") else { return [:] }
        var values: [String: [Double]] = [:]
        for name in try file.children(of: "extra") { values[name] = try file.read("extra/\(name)", as: Double.self).values }
        return values
    }

    /// Rank 0's `values` on every rank: names, lengths and the concatenated numbers (three broadcasts).
    func broadcastExtras(_ values: [String: [Double]]) throws -> [String: [Double]] {
        let comm = communicator
        let names = try comm.broadcast(values.keys.sorted().joined(separator: "\n"), root: 0)
        let list = names.isEmpty ? [] : names.split(separator: "\n").map(String.init)
        var counts = comm.isRoot ? list.map { Int64(values[$0]!.count) } : [Int64](repeating: 0, count: list.count)
        try comm.broadcast(&counts, root: 0)
        var flat = comm.isRoot ? list.flatMap { values[$0]! } : [Double](repeating: 0, count: Int(counts.reduce(0, +)))
        try comm.broadcast(&flat, root: 0)
        var result: [String: [Double]] = [:], offset = 0
        for (name, count) in zip(list, counts) {
            result[name] = Array(flat[offset ..< offset + Int(count)])
            offset += Int(count)
        }
        return result
    }
}
