#if canImport(Glibc)
import Glibc
#endif

/// How a long loop shows its progress (`--progress auto|bar|plain|none`).
///
/// | mode    | output on rank 0 |
/// |---------|------------------|
/// | `bar`   | one line rewritten in place (`\r` … `ESC[K`): task, count/total, rate, ETA; cleared when the task ends |
/// | `plain` | one timestamped line at every 10 % of the task and at least every 30 s (`ProgressReporter.plainInterval`); never `\r` or escape codes |
/// | `none`  | no progress lines: only the summaries (per epoch, per stage) |
/// | `auto`  | `plain` under a launcher (mpirun, srun) or when standard output is not a terminal; `bar` on an interactive terminal |
///
/// `auto` asks the launcher's environment, not the rank's `isatty`: Open MPI gives its ranks a pseudo-terminal
/// even when `mpirun`'s own output goes to a file, so a rank's `isatty` says "terminal" for a redirected log.
public enum ProgressMode: String, Sendable, CaseIterable {
    case auto, bar, plain, none

    /// `auto` made concrete: `plain` when `launched` (an MPI or batch launcher started the process) or when
    /// standard output is not a `terminal`, else `bar`. Other modes are returned as they are.
    public func resolved(launched: Bool, terminal: Bool) -> ProgressMode {
        guard self == .auto else { return self }
        return launched || !terminal ? .plain : .bar
    }
}

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

/// Prints progress ticks on rank 0 in the chosen `ProgressMode` and writes the metrics file (`MetricsLog`).
///
/// Cadence: `bar` redraws at most every `barInterval` seconds; `plain` prints (and the metrics file gets a
/// `batch`/`progress` record) when the task crosses a new 10 % step or `plainInterval` seconds have passed since
/// the last line, whichever comes first. Ranks other than 0 hold a reporter that does nothing.
///
/// Not `Sendable`: one reporter belongs to one stage's loop, on one thread.
public final class ProgressReporter {
    /// The longest silence of `plain` mode within a task, in seconds.
    public static let plainInterval = 30.0
    /// The shortest time between two redraws of `bar` mode, in seconds.
    public static let barInterval = 0.2

    /// The resolved mode (never `auto`).
    public let mode: ProgressMode
    /// The stage or command name printed before every line and stored in every metrics record.
    public let name: String
    let enabled: Bool
    /// Written before every plain line (the runner indents its stages' lines).
    let prefix: String
    /// `plain` prints every tick, not every 10 % (the runner's `--verbose`).
    let everyTick: Bool
    let metrics: MetricsLog?
    let write: (String) -> Void
    let clock = ContinuousClock()
    /// When the last plain line / metrics record was due, and when the bar was last drawn.
    var lastRecord: ContinuousClock.Instant?
    var lastBar: ContinuousClock.Instant?
    var lastTask = ""
    var lastStep = -1
    var barShown = false
    /// The last tick of the current task (its rate and seconds go into the epoch record).
    public private(set) var lastTick: ProgressTick?

    /// - Parameters:
    ///   - mode: `auto` is taken as `plain` here; resolve it first (`World.progressMode`).
    ///   - isRoot: only rank 0 prints and writes.
    ///   - metricsPath: the JSON-lines file rank 0 appends to; nil = none.
    ///   - prefix: written before every plain line.
    ///   - everyTick: `plain` prints every tick (metrics records keep the 10 % / 30 s cadence).
    ///   - write: where lines go (standard output, flushed; tests capture it).
    public init(name: String, mode: ProgressMode, isRoot: Bool, metricsPath: String? = nil, prefix: String = "",
                everyTick: Bool = false, write: @escaping (String) -> Void = ProgressReporter.standardOutput) {
        self.name = name
        self.prefix = prefix
        self.everyTick = everyTick
        self.mode = mode == .auto ? .plain : mode
        self.enabled = isRoot
        self.metrics = isRoot ? metricsPath.flatMap { MetricsLog(path: $0) } : nil
        self.write = write
    }

    /// A reporter that prints and writes nothing (the default of library entry points).
    public static func silent() -> ProgressReporter { ProgressReporter(name: "", mode: .none, isRoot: false) }

    /// Writes `text` to standard output (through the same stdio buffer as `print`) and flushes it.
    public static func standardOutput(_ text: String) {
        print(text, terminator: "")
        fflush(nil)
    }

    /// Reports a tick (see the type's cadence).
    public func tick(_ tick: ProgressTick) {
        guard enabled else { return }
        if tick.task != lastTask || tick.done < (lastTick?.done ?? 0) {  // a new task: count its steps from its start
            lastTask = tick.task
            lastStep = tick.total > 0 ? 10 * tick.doneAtStart / tick.total : 0
            lastRecord = clock.now
        }
        lastTick = tick
        let now = clock.now
        let step = tick.total > 0 ? 10 * tick.done / tick.total : 0
        let sinceRecord = lastRecord.map { $0.duration(to: now).inSeconds } ?? .infinity
        if step > lastStep || sinceRecord >= Self.plainInterval {
            lastRecord = now
            lastStep = step
            if mode == .plain { write(ProgressFormat.plainLine(tick, name: name, timestamp: ProgressFormat.timestamp()) + "\n") }
            var record: [(String, MetricValue)] = [("event", .string(tick.epoch == nil ? "progress" : "batch"))]
            if let epoch = tick.epoch { record.append(("epoch", .int(epoch))) }
            if let epochs = tick.epochs { record.append(("epochs", .int(epochs))) }
            if tick.epoch == nil { record.append(("task", .string(tick.task))) }
            record += [("done", .int(tick.done)), ("total", .int(tick.total)), ("unit", .string(tick.unit))]
            if let loss = tick.loss { record.append(("loss", .double(loss))) }
            record += [("\(tick.processedUnit)_per_s", .double(tick.rate ?? 0)), ("eta_s", .double(tick.eta ?? -1)),
                       ("seconds", .double(tick.seconds))]
            self.record(record)
        }
        let sinceBar = lastBar.map { $0.duration(to: now).inSeconds } ?? .infinity
        if mode == .bar && (sinceBar >= Self.barInterval || tick.done >= tick.total) {
            if tick.done >= tick.total {
                clear()
            } else {
                write("\r" + String(ProgressFormat.barLine(tick, name: name).prefix(160)) + "\u{1B}[K")
                barShown = true
            }
            lastBar = now
        }
    }

    /// A status line from a stage (a shard written, a file reused): the bar shows it in place; other modes drop it.
    public func status(_ line: String) {
        guard enabled, mode == .bar else { return }
        write("\r" + String(line.prefix(160)) + "\u{1B}[K")
        barShown = true
    }

    /// Appends one JSON object to the metrics file (`stage` and `time` are added first).
    public func record(_ fields: [(String, MetricValue)]) {
        guard enabled, let metrics else { return }
        metrics.append([("stage", .string(name)), ("time", .string(ProgressFormat.timestamp()))] + fields)
    }

    /// The epoch record: the summary's loss, the caller's metrics (accuracy …), and the epoch's training rate and
    /// seconds from the last tick.
    public func epoch(_ epoch: Int, of epochs: Int, loss: Double, samples: Int, learningRate: Double,
                      extra: [(String, MetricValue)] = []) {
        var fields: [(String, MetricValue)] = [("event", .string("epoch")), ("epoch", .int(epoch)), ("epochs", .int(epochs)),
                                                ("loss", .double(loss))]
        fields += extra
        fields += [("samples", .int(samples)), ("learning_rate", .double(learningRate))]
        if let tick = lastTick, tick.epoch == epoch {
            fields += [("samples_per_s", .double(tick.rate ?? 0)), ("seconds", .double(tick.seconds))]
        }
        record(fields)
    }

    /// Erases the bar (before a summary line is printed).
    public func clear() {
        guard enabled, barShown else { return }
        write("\r\u{1B}[K")
        barShown = false
    }
}

/// A value of a metrics record.
public enum MetricValue: Sendable, Equatable {
    case int(Int)
    case double(Double)
    case string(String)

    /// The JSON text (non-finite doubles as null).
    public var json: String {
        switch self {
        case let .int(v): return String(v)
        case let .double(v): return v.isFinite ? "\(v)" : "null"
        case let .string(s):
            var out = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if u.value < 0x20 {
                        let hex = String(u.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(u)
                    }
                }
            }
            return out + "\""
        }
    }
}

/// A JSON-lines metrics file: one object per line, appended and flushed line by line, so `tail -f` follows it
/// and a killed run keeps every line written so far. A rerun appends (resumed epochs follow the first ones; each
/// record has its `time`).
public final class MetricsLog {
    let file: UnsafeMutablePointer<FILE>
    public let path: String

    /// Opens `path` for appending, creating its folder first (a command's `--out` folder may not exist yet);
    /// nil (and a warning naming the real condition) when it cannot be opened: metrics never stop a run.
    public init?(path: String) {
        let folder = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let problem = folder.isEmpty ? nil : FileProblem.makeFolder(folder)
        guard problem == nil, let file = fopen(path, "a") else {
            let reason = problem ?? FileProblem.from(errno: errno, path: path)
            FileHandleOutput.standardError.write("warning: metrics file \(path): \(reason); no metrics are written\n")
            return nil
        }
        self.file = file
        self.path = path
    }

    deinit { fclose(file) }

    /// `{"k": v, …}` in the given key order.
    public static func line(_ fields: [(String, MetricValue)]) -> String {
        "{" + fields.map { MetricValue.string($0.0).json + ": " + $0.1.json }.joined(separator: ", ") + "}"
    }

    public func append(_ fields: [(String, MetricValue)]) {
        fputs(Self.line(fields) + "\n", file)
        fflush(file)
    }
}
