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
