#if canImport(Glibc)
import Glibc
#endif

/// One report from a long loop: `done` of `total` units (batches, images) of a task, `seconds` after timing
/// started at `doneAtStart` units (a resumed epoch starts part-way), with `processed` items behind the rate.
public struct ProgressTick: Sendable, Equatable {
    /// What is being counted, e.g. `epoch 2/20` or `extract (rank 0's shard)`.
    public var task: String
    public var done: Int
    public var total: Int
    /// `batches`, `images`.
    public var unit: String
    /// Units already done when the clock started (0 unless resumed).
    public var doneAtStart: Int
    /// Seconds since the clock started.
    public var seconds: Double
    /// Items processed since the clock started (samples for a trainer, images for an encoder): the rate's numerator.
    public var processed: Int
    /// `samples`, `images`.
    public var processedUnit: String
    /// The running mean loss of the task, when there is one.
    public var loss: Double?
    /// The epoch (1-based) and epoch count, for a trainer's ticks (metrics records carry them).
    public var epoch: Int?
    public var epochs: Int?

    public init(task: String, done: Int, total: Int, unit: String, doneAtStart: Int = 0, seconds: Double, processed: Int,
                processedUnit: String, loss: Double? = nil, epoch: Int? = nil, epochs: Int? = nil) {
        self.task = task
        self.done = done
        self.total = total
        self.unit = unit
        self.doneAtStart = doneAtStart
        self.seconds = seconds
        self.processed = processed
        self.processedUnit = processedUnit
        self.loss = loss
        self.epoch = epoch
        self.epochs = epochs
    }

    /// processed / seconds; nil before any time has passed.
    public var rate: Double? { seconds > 0 ? Double(processed) / seconds : nil }

    /// Seconds left at the pace so far: (total − done) · seconds / (done − doneAtStart); nil before the first unit.
    public var eta: Double? {
        let since = done - doneAtStart
        guard since > 0, seconds > 0 else { return nil }
        return Double(max(0, total - done)) * seconds / Double(since)
    }
}

/// The text of progress lines (pure functions: tested without a terminal).
public enum ProgressFormat {
    /// `M:SS`, or `H:MM:SS` from one hour; `--:--` when unknown.
    public static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return "--:--" }
        let s = Int(seconds.rounded())
        let (h, m, r) = (s / 3600, s / 60 % 60, s % 60)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return h > 0 ? "\(h):\(two(m)):\(two(r))" : "\(m):\(two(r))"
    }

    /// A rate with one decimal (`41.2`).
    public static func rate(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "-" }
        return fixed(value, 1)
    }

    /// `[#######-------------]`: `width` cells, ⌊width · done / total⌋ of them filled.
    public static func bar(done: Int, total: Int, width: Int = 20) -> String {
        let filled = total > 0 ? min(width, max(0, width * done / total)) : 0
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
    }

    /// The shared body: `epoch 2/3  5/12 batches (41%)  38.5 samples/s  ETA 0:07  loss 1.0923`.
    public static func body(_ tick: ProgressTick, name: String) -> String {
        let percent = tick.total > 0 ? 100 * tick.done / tick.total : 0
        var text = (name.isEmpty ? "" : name + "  ") + tick.task + "  \(tick.done)/\(tick.total) \(tick.unit) (\(percent)%)  "
            + "\(rate(tick.rate)) \(tick.processedUnit)/s  ETA \(duration(tick.eta))"
        if let loss = tick.loss { text += "  loss " + fixed(loss, 4) }
        return text
    }

    /// The `bar` line (without the carriage return and erase codes the reporter adds).
    public static func barLine(_ tick: ProgressTick, name: String) -> String {
        bar(done: tick.done, total: tick.total) + " " + body(tick, name: name)
    }

    /// The `plain` line: `2025-01-31 14:02:07  ` + the body.
    public static func plainLine(_ tick: ProgressTick, name: String, timestamp: String) -> String {
        timestamp + "  " + body(tick, name: name)
    }

    /// Local wall-clock time `YYYY-MM-DD HH:MM:SS`.
    public static func timestamp() -> String {
        var now = time(nil), parts = tm()
        localtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let n = strftime(&buffer, buffer.count, "%Y-%m-%d %H:%M:%S", &parts)
        return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
