import ArgumentParser
import Core
import Foundation

/// `tributary fuzz` (hidden): seeded mutants of every input format Tributary reads, through the real parsers.
///
/// For each format, mutants 0 ..< count (`Mutator`: bit flips, byte sets, interesting integers, truncations,
/// splices, duplicated blocks of the seeds in `SEEDS/<format>/`) are parsed by a *worker*: this executable
/// re-run as `fuzz --worker …` over a range of mutants (`FuzzWorker`), in-process for the formats Tributary
/// parses itself and through the HDF5 preflight for HDF5. The worker writes its position and counts to a
/// progress file before each mutant, so when it dies by a signal (a crash) or its watchdog ends it (a hang: one
/// mutant took longer than `--timeout`), the parent knows which mutant did it, saves it to `--crashes`, and
/// starts a new worker after it. Output: one line per format with the counts.
///
/// ```sh
/// tributary fuzz --seeds Tests/fuzz-seeds --count 100000 --seed 1 --crashes /tmp/fuzz-crashes
/// ```
struct Fuzz: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz",
        abstract: "Fuzz every parser with seeded mutants of valid inputs; report crashes and hangs per format.",
        shouldDisplay: false)

    @Option(help: "Folder with one subfolder of valid inputs per format (png, jpeg, tar, targz, csv, graph, config, hdf5).")
    var seeds = "Tests/fuzz-seeds"

    @Option(help: "Comma-separated formats to fuzz.")
    var formats = FuzzFormat.allCases.map(\.rawValue).joined(separator: ",")

    @Option(help: "Mutants per format.")
    var count = 1000

    @Option(help: "Seed of the mutations (mutant i of a format is a function of the seed and i alone).")
    var seed: UInt64 = 1

    @Option(help: "Seconds one mutant may take before it counts as a hang.")
    var timeout = 10.0

    @Option(help: "Folder where crashing and hanging mutants are saved (none: not saved).")
    var crashes: String?

    @Option(help: "Only write mutant i of each format to --crashes (to replay one input) and exit.")
    var replay: Int?

    @Option(help: .hidden) var worker: Int?
    @Option(help: .hidden) var workerEnd: Int?
    @Option(help: .hidden) var progressFile: String?

    func validate() throws {
        guard count >= 0, timeout > 0 else { throw ValidationError("--count must be ≥ 0 and --timeout > 0, got \(count) and \(timeout)") }
        _ = try selectedFormats()
    }

    func selectedFormats() throws -> [FuzzFormat] {
        try formats.split(separator: ",").map { name in
            guard let format = FuzzFormat(rawValue: String(name)) else {
                throw ValidationError("--formats: unknown format '\(name)'; known: \(FuzzFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return format
        }
    }

    func run() throws {
        let formats = try selectedFormats()
        if let start = worker, let end = workerEnd, let progress = progressFile, let format = formats.first {
            let mutator = try FuzzFormat.mutator(format, seeds: seeds, seed: seed)
            FuzzWorker(format: format, mutator: mutator, progressPath: progress, timeout: timeout, saveContained: { bytes, kind, index in
                save(bytes, format: format, kind: kind, index: index, quiet: true)
            }).run(start ..< end)
            return
        }
        if let replay {
            guard crashes != nil else { throw ValidationError("--replay needs --crashes DIR to write the mutant into") }
            for format in formats {
                save(try FuzzFormat.mutator(format, seeds: seeds, seed: seed).mutant(index: replay), format: format, kind: "replay", index: replay)
            }
            return
        }
        var failed = false
        for format in formats {
            let tally = try fuzz(format)
            print(tally.line(format: format, count: count))
            failed = failed || tally.crashes + tally.hangs > 0  // contained libhdf5 failures are the defence working
        }
        if failed { throw ExitCode(1) }
    }

    /// Runs workers over 0 ..< count, restarting after each crash or hang.
    func fuzz(_ format: FuzzFormat) throws -> FuzzTally {
        let mutator = try FuzzFormat.mutator(format, seeds: seeds, seed: seed)
        let progressPath = NSTemporaryDirectory() + "tributary-fuzz-\(getpid())-\(format.rawValue).progress"
        defer { unlink(progressPath) }
        var tally = FuzzTally()
        var next = 0
        let started = Date()
        while next < count {
            FuzzProgress(index: next).write(to: progressPath)
            let arguments = ["fuzz", "--seeds", seeds, "--formats", format.rawValue, "--seed", "\(seed)",
                             "--timeout", "\(timeout)", "--worker", "\(next)", "--worker-end", "\(count)",
                             "--progress-file", progressPath] + (crashes.map { ["--crashes", $0] } ?? [])
            // Backstop only: the worker's own watchdog reports a hang after `timeout`.
            let outcome = ChildProcess.run(ChildProcess.currentExecutable, arguments,
                                           timeout: Double(count - next) * timeout + 60, quiet: false)
            let progress = FuzzProgress(contentsOf: progressPath) ?? FuzzProgress(index: next)
            tally.add(progress)
            switch outcome {
            case .exited(0):
                next = count
            case .exited(FuzzWorker.hangStatus), .timedOut:
                tally.hangs += 1
                save(mutator.mutant(index: progress.index), format: format, kind: "hang", index: progress.index)
                next = progress.index + 1
            case .signalled:
                tally.crashes += 1
                save(mutator.mutant(index: progress.index), format: format, kind: "crash", index: progress.index)
                next = progress.index + 1
            default:
                throw ValidationError("fuzz worker for \(format.rawValue) \(outcome) at mutant \(progress.index); see its message above")
            }
        }
        tally.seconds = Date().timeIntervalSince(started)
        return tally
    }

    func save(_ bytes: [UInt8], format: FuzzFormat, kind: String, index: Int, quiet: Bool = false) {
        if !quiet { print("\(format.rawValue): mutant \(index) (seed \(seed)) was a \(kind)") }
        guard let crashes else { return }
        try? FileManager.default.createDirectory(atPath: crashes, withIntermediateDirectories: true)
        let path = "\(crashes)/\(format.rawValue)-seed\(seed)-\(index)-\(kind).\(format.fileExtension)"
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }
}

/// Counts of one format's run.
struct FuzzTally {
    var accepted = 0, refused = 0, containedCrashes = 0, containedHangs = 0, crashes = 0, hangs = 0
    var seconds = 0.0

    mutating func add(_ progress: FuzzProgress) {
        accepted += progress.accepted
        refused += progress.refused
        containedCrashes += progress.containedCrashes
        containedHangs += progress.containedHangs
    }

    func line(format: FuzzFormat, count: Int) -> String {
        var text = "\(format.rawValue): \(count) mutants in \(fixed(seconds, 1)) s: \(accepted) accepted, \(refused) refused with a typed error, "
        if format == .hdf5 {
            text += "\(containedCrashes) libhdf5 crashes and \(containedHangs) libhdf5 hangs contained by the preflight (unsafeHDF5), "
        }
        return text + "\(crashes) crashes, \(hangs) hangs"
    }
}
