import Core
import Foundation
import XCTest

/// The progress renderer and reporter without a terminal: line formats, ETA arithmetic, the plain cadence, that
/// `plain` and `none` never write a carriage return or an escape code, and the metrics file's JSON lines.
final class ProgressTests: XCTestCase {
    func tick(done: Int, total: Int = 40, doneAtStart: Int = 0, seconds: Double, processed: Int,
              task: String = "epoch 2/3", loss: Double? = 1.5, epoch: Int? = 2) -> ProgressTick {
        ProgressTick(task: task, done: done, total: total, unit: "batches", doneAtStart: doneAtStart, seconds: seconds,
                     processed: processed, processedUnit: "samples", loss: loss, epoch: epoch, epochs: epoch.map { _ in 3 })
    }

    func testRateAndETAArithmetic() {
        // 10 of 40 batches in 5 s, 320 samples: 64 samples/s; 30 batches left at 0.5 s each = 15 s.
        let t = tick(done: 10, seconds: 5, processed: 320)
        XCTAssertEqual(t.rate, 64)
        XCTAssertEqual(t.eta, 15)
        // Resumed at batch 30: the pace counts only the batches run since (2 in 4 s), so 8 left take 16 s.
        XCTAssertEqual(tick(done: 32, doneAtStart: 30, seconds: 4, processed: 64).eta, 16)
        // No batch yet, or no time yet: unknown, not a division by zero.
        XCTAssertNil(tick(done: 30, doneAtStart: 30, seconds: 4, processed: 0).eta)
        XCTAssertNil(tick(done: 0, seconds: 0, processed: 0).rate)
        XCTAssertEqual(tick(done: 40, seconds: 20, processed: 1280).eta, 0)
    }

    func testDurationFormat() {
        XCTAssertEqual(ProgressFormat.duration(0), "0:00")
        XCTAssertEqual(ProgressFormat.duration(15), "0:15")
        XCTAssertEqual(ProgressFormat.duration(61.4), "1:01")
        XCTAssertEqual(ProgressFormat.duration(3600 + 5 * 60 + 7), "1:05:07")
        XCTAssertEqual(ProgressFormat.duration(nil), "--:--")
        XCTAssertEqual(ProgressFormat.duration(.infinity), "--:--")
    }

    func testBarAndPlainLines() {
        let t = tick(done: 10, seconds: 5, processed: 320)
        XCTAssertEqual(ProgressFormat.bar(done: 10, total: 40), "[#####---------------]")
        XCTAssertEqual(ProgressFormat.bar(done: 0, total: 0), "[--------------------]")
        XCTAssertEqual(ProgressFormat.barLine(t, name: "lstm"),
                       "[#####---------------] lstm  epoch 2/3  10/40 batches (25%)  64.0 samples/s  ETA 0:15  loss 1.5000")
        XCTAssertEqual(ProgressFormat.plainLine(t, name: "", timestamp: "2025-01-31 14:02:07"),
                       "2025-01-31 14:02:07  epoch 2/3  10/40 batches (25%)  64.0 samples/s  ETA 0:15  loss 1.5000")
        let stamp = ProgressFormat.timestamp()
        XCTAssertNotNil(stamp.range(of: #"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"#, options: .regularExpression), stamp)
    }

    /// Captures what a reporter writes.
    final class Capture: @unchecked Sendable {
        var text = ""
    }

    func testPlainPrintsEveryTenPercentWithoutEscapeCodes() {
        let out = Capture()
        let reporter = ProgressReporter(name: "lstm", mode: .plain, isRoot: true) { out.text += $0 }
        for b in 1 ... 40 { reporter.tick(tick(done: b, seconds: Double(b) * 0.01, processed: 32 * b)) }
        let lines = out.text.split(separator: "\n")
        XCTAssertEqual(lines.count, 10, out.text)  // 10 %, 20 %, …, 100 %
        XCTAssertTrue(lines.last!.contains("40/40 batches (100%)"), out.text)
        XCTAssertFalse(out.text.contains("\r") || out.text.contains("\u{1B}"))
        // A new task (the next epoch) starts its own steps.
        reporter.tick(tick(done: 4, seconds: 0.1, processed: 128, task: "epoch 3/3", epoch: 3))
        XCTAssertEqual(out.text.split(separator: "\n").count, 11)
    }

    func testNoneAndOtherRanksPrintNothing() {
        let out = Capture()
        let none = ProgressReporter(name: "lstm", mode: .none, isRoot: true) { out.text += $0 }
        let rank1 = ProgressReporter(name: "lstm", mode: .plain, isRoot: false) { out.text += $0 }
        for b in 1 ... 40 {
            none.tick(tick(done: b, seconds: 1, processed: b))
            rank1.tick(tick(done: b, seconds: 1, processed: b))
        }
        none.status("    fv: shard 0 written")
        none.clear()
        XCTAssertEqual(out.text, "")
    }

    func testBarRewritesOneLineAndClearsAtTheEnd() {
        let out = Capture()
        let reporter = ProgressReporter(name: "lstm", mode: .bar, isRoot: true) { out.text += $0 }
        reporter.tick(tick(done: 1, seconds: 0.5, processed: 32))
        XCTAssertEqual(out.text, "\r[--------------------] lstm  epoch 2/3  1/40 batches (2%)  64.0 samples/s  ETA 0:20  loss 1.5000\u{1B}[K")
        reporter.tick(tick(done: 2, seconds: 0.6, processed: 64))  // within barInterval: not redrawn
        XCTAssertEqual(out.text.components(separatedBy: "\r").count - 1, 1)
        reporter.tick(tick(done: 40, seconds: 20, processed: 1280))  // done: the bar is erased for the summary line
        XCTAssertTrue(out.text.hasSuffix("\r\u{1B}[K"), out.text)
        XCTAssertFalse(out.text.contains("\n"))
    }

    func testMetricsFileHasOneJSONObjectPerLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("progress-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("metrics.jsonl").path
        do {
            let reporter = ProgressReporter(name: "lstm \"a\"", mode: .none, isRoot: true, metricsPath: path) { _ in }
            for epoch in 1 ... 2 {
                for b in 1 ... 20 {
                    reporter.tick(tick(done: b, total: 20, seconds: Double(b), processed: 8 * b, epoch: epoch))
                }
                reporter.epoch(epoch, of: 2, loss: 0.5, samples: 160, learningRate: 0.01, extra: [("accuracy", .double(0.75))])
            }
            // Rank 1's reporter writes nothing, even with a path.
            ProgressReporter(name: "x", mode: .plain, isRoot: false, metricsPath: path) { _ in }.epoch(9, of: 9, loss: 0, samples: 0, learningRate: 0)
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let records = try lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(records.filter { $0["event"] as? String == "batch" }.count, 20)  // every 10 % of each epoch
        let epochs = records.filter { $0["event"] as? String == "epoch" }
        XCTAssertEqual(epochs.map { $0["epoch"] as? Int }, [1, 2])
        for record in epochs {
            XCTAssertEqual(record["stage"] as? String, "lstm \"a\"")
            XCTAssertEqual(record["accuracy"] as? Double, 0.75)
            XCTAssertEqual(record["samples_per_s"] as? Double, 8)
            XCTAssertEqual(record["seconds"] as? Double, 20)
            for key in ["time", "loss", "epochs", "samples", "learning_rate"] { XCTAssertNotNil(record[key], key) }
        }
        XCTAssertEqual(MetricValue.double(.nan).json, "null")
        XCTAssertEqual(MetricValue.string("a\nb\u{1}").json, #""a\nb\u0001""#)
    }

    func testAutoIsPlainUnderALauncherOrWithoutATerminal() {
        XCTAssertEqual(ProgressMode.auto.resolved(launched: true, terminal: true), .plain)
        XCTAssertEqual(ProgressMode.auto.resolved(launched: false, terminal: false), .plain)
        XCTAssertEqual(ProgressMode.auto.resolved(launched: false, terminal: true), .bar)
        XCTAssertEqual(ProgressMode.bar.resolved(launched: true, terminal: false), .bar)
        XCTAssertEqual(ProgressMode.none.resolved(launched: false, terminal: true), .none)
    }

    /// A command's metrics file sits in its `--out` folder, which the stage creates later: opening the log creates
    /// the folder (the Fisher smoke test's runs warned "cannot open … errno 2" and lost their metrics).
    func testMetricsFileCreatesItsFolder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let path = root + "/out/np1/metrics.jsonl"
        let log = try XCTUnwrap(MetricsLog(path: path))
        log.append([("event", .string("epoch"))])
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "{\"event\": \"epoch\"}\n")
        // A folder that cannot be made (its parent is a file) gives no log, and the run goes on.
        XCTAssertTrue(FileManager.default.createFile(atPath: root + "/file", contents: Data()))
        XCTAssertNil(MetricsLog(path: root + "/file/metrics.jsonl"))
    }
}
