import Foundation
import XCTest

/// `tributary stats compare` through the binary: two value files and one CSV give the same row, input errors
/// name the file and the fix, and the comparison printed under docs/results.md's Table 1 is what the binary
/// prints for the per-fold numbers listed there.
final class StatsCLITests: XCTestCase {
    private var folder = ""

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("stats-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    private func write(_ name: String, _ text: String) throws -> String {
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// d = method − baseline = 1 … 5: p_t 0.0132, CI [1.04, 4.96], Wilcoxon exact 2/32 (StatisticsTests).
    private let handRow = "| doubled vs plain | 5 | 3.00 ± 1.58 | 6.00 ± 3.16 | +3.00 [+1.04, +4.96] | 0.0132 "
        + "| 0.0625 (exact, n = 5) | wins |"

    func testValueFilesAndCSVGiveTheSameRow() throws {
        let b = try write("baseline.txt", "# fold scores\n1\n2, 3\n\n4 5  # the last two folds\n")
        let m = try write("method.txt", "2 4 6 8 10\n")
        let files = try runTributary(["stats", "compare", "--baseline", b, "--method", m, "--label", "doubled vs plain",
                                      "--header"])
        XCTAssertEqual(files.status, 0, files.output)
        let lines = files.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, files.output)
        XCTAssertTrue(lines[0].hasPrefix("| comparison | n | baseline (mean ± std) |"), files.output)
        XCTAssertEqual(lines[2], handRow)
        let csv = try write("runs.csv", "fold,seed,baseline,method\n1,0,1,2\n2,0,2,4\n3,0,3,6\n4,0,4,8\n5,0,5,10\n")
        let table = try runTributary(["stats", "compare", "--csv", csv, "--label", "doubled vs plain"])
        XCTAssertEqual(table.status, 0, table.output)
        XCTAssertEqual(table.output, handRow + "\n")
    }

    func testOptionsReachTheComparison() throws {
        let b = try write("b.txt", "1 2 3 4 5"), m = try write("m.txt", "2 4 6 8 10")
        let lower = try runTributary(["stats", "compare", "--baseline", b, "--method", m, "--lower-is-better",
                                      "--level", "0.9", "--alpha", "0.1", "--digits", "1", "--header"])
        XCTAssertEqual(lower.status, 0, lower.output)
        for words in ["difference [90 % CI]", "verdict (α = 0.1)", "| +3.0 [+1.5, +4.5] |", "| loses |"] {
            XCTAssertTrue(lower.output.contains(words), "\(words) not in\n\(lower.output)")
        }
    }

    func testInputErrorsNameTheFileAndTheFix() throws {
        let one = try write("one.txt", "96.75\n"), other = try write("other.txt", "95.39\n")
        let single = try runTributary(["stats", "compare", "--baseline", one, "--method", other])
        XCTAssertNotEqual(single.status, 0, single.output)
        XCTAssertTrue(single.output.contains("1 value, needs at least 2"), single.output)

        let three = try write("three.txt", "1 2 3"), two = try write("two.txt", "1 2")
        let mismatch = try runTributary(["stats", "compare", "--baseline", three, "--method", two])
        XCTAssertNotEqual(mismatch.status, 0, mismatch.output)
        XCTAssertTrue(mismatch.output.contains("3 baseline values but 2 method values"), mismatch.output)

        let bad = try write("bad.txt", "1\n2\n9x.5\n")
        let word = try runTributary(["stats", "compare", "--baseline", bad, "--method", three])
        XCTAssertNotEqual(word.status, 0, word.output)
        XCTAssertTrue(word.output.contains("bad.txt:3: '9x.5' is not a number"), word.output)

        let csv = try write("runs.csv", "fold,base,method\n1,1,2\n")
        let column = try runTributary(["stats", "compare", "--csv", csv])
        XCTAssertNotEqual(column.status, 0, column.output)
        XCTAssertTrue(column.output.contains("baseline"), column.output)

        let missing = try runTributary(["stats", "compare", "--baseline", folder + "/nope.txt", "--method", three])
        XCTAssertTrue(missing.output.contains("nope.txt: cannot read the scores file"), missing.output)

        for arguments in [["--csv", csv, "--baseline", three], ["--method", three], []] {
            let result = try runTributary(["stats", "compare"] + arguments)
            XCTAssertEqual(result.status, 64, result.output)
            XCTAssertTrue(result.output.contains("give --baseline FILE and --method FILE, or --csv FILE alone"), result.output)
        }
    }

    /// The comparison rows under docs/results.md's "Table 1 at Table 3's sizes" are what the binary prints for the
    /// per-fold accuracies listed there (a change to the statistics or to those numbers must update both).
    func testResultsTableComparisonIsWhatTheBinaryPrints() throws {
        let results = try String(contentsOf: RunCLITests.repository.appendingPathComponent("docs/results.md"), encoding: .utf8)
        let base = try write("base.txt", "98.65 94.59 98.65 97.30 95.95 94.59 94.59 98.63 98.63 95.89")
        let infused = try write("infused.txt", "97.30 97.30 94.59 97.30 91.89 93.24 94.59 95.89 97.26 94.52")
        let penalty = try write("penalty.txt", "93.24 94.59 93.24 95.95 93.24 98.65 94.59 100.00 94.52 91.78")
        let rows = [("instance-infused vs bi-LSTM", base, infused, ["--header"]),
                    ("instance-infused + penalty vs bi-LSTM", base, penalty, []),
                    ("instance-infused + penalty vs instance-infused", infused, penalty, [])]
        for (label, b, m, extra) in rows {
            let result = try runTributary(["stats", "compare", "--label", label, "--baseline", b, "--method", m] + extra)
            XCTAssertEqual(result.status, 0, result.output)
            for line in result.output.split(separator: "\n") {
                XCTAssertTrue(results.contains(line + "\n"), "docs/results.md lacks the line\n\(line)")
            }
        }
    }
}
