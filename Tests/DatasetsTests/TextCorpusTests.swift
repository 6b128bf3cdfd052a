import Datasets
import Foundation
import TestSupport
import XCTest

/// Folder-per-class corpora (from a .tar.gz built here with /bin/tar, and from the folder), dumpavail parsing,
/// CSV corpora, and the errors for bad input.
final class TextCorpusTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws { root = try makeTemporaryDirectory("text-corpus") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    func write(_ relative: String, _ bytes: [UInt8]) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    func tar(_ archive: String, _ tops: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/tar")
        process.arguments = ["-czf", root.appendingPathComponent(archive).path, "-C", root.path] + tops
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
    }

    // The archive is read directly; README at the top is ignored; Latin-1 bytes decode as U+00A3.
    func testArchiveWithLatin1() throws {
        try write("news/business/001.txt", Array("Shares rose".utf8))
        try write("news/sport/001.txt", [0x43, 0x6F, 0x73, 0x74, 0x20, 0xA3, 0x35])  // "Cost £5" in Latin-1
        try write("news/sport/002.txt", Array("Goal! ⚽".utf8))
        try write("news/README.TXT", Array("readme".utf8))
        try tar("news.tar.gz", ["news"])
        let corpus = try TextCorpus.classFolders(path: root.appendingPathComponent("news.tar.gz").path)
        XCTAssertEqual(corpus.documents.map(\.id), ["news/business/001.txt", "news/sport/001.txt", "news/sport/002.txt"])
        XCTAssertEqual(corpus.documents[1].text, "Cost £5")
        XCTAssertEqual(corpus.classNames, ["business", "sport"])
        XCTAssertEqual(try corpus.labelIndices(), [0, 1, 1])
        XCTAssertFalse(corpus.hasPredefinedSplit)
        // The same from the unpacked folder.
        let folder = try TextCorpus.classFolders(path: root.appendingPathComponent("news").path)
        XCTAssertEqual(folder.documents.map(\.text), corpus.documents.map(\.text))
    }

    // 20 Newsgroups layout: *-train / *-test tops become subsets.
    func testPredefinedSplitTops() throws {
        try write("ng-train/sci.space/1", Array("orbit".utf8))
        try write("ng-train/rec.autos/2", Array("engine".utf8))
        try write("ng-test/sci.space/3", Array("launch".utf8))
        try tar("ng.tar.gz", ["ng-train", "ng-test"])
        let corpus = try TextCorpus.classFolders(path: root.appendingPathComponent("ng.tar.gz").path)
        XCTAssertTrue(corpus.hasPredefinedSplit)
        XCTAssertEqual(corpus.indices(inSubset: "test").map { corpus.documents[$0].id }, ["ng-test/sci.space/3"])
        XCTAssertEqual(corpus.indices(inSubset: "train").count, 2)
        let folder = try TextCorpus.classFolders(path: root.path)
        XCTAssertEqual(folder.indices(inSubset: "train").count, 2)
    }

    // Empty texts: dropped and counted, or an error naming the file; all-empty fails; a class of only empty
    // texts is an empty class.
    func testEmptyTextPolicies() throws {
        try write("c/a/1.txt", Array("text".utf8))
        try write("c/a/2.txt", Array(" -- ".utf8))
        try write("c/b/1.txt", Array("more".utf8))
        let path = root.appendingPathComponent("c").path
        XCTAssertEqual(try TextCorpus.classFolders(path: path).droppedEmpty, 1)
        XCTAssertThrowsError(try TextCorpus.classFolders(path: path, emptyTexts: .fail)) { error in
            XCTAssertEqual(error as? CorpusError, .emptyText(path: "c/a/2.txt"))
            XCTAssertTrue("\(error)".contains("--empty-texts drop"))
        }
        try write("c/b/1.txt", Array("!!".utf8))
        XCTAssertThrowsError(try TextCorpus.classFolders(path: path)) { error in
            XCTAssertEqual(error as? CorpusError, .emptyClass(path: path, className: "b"))
        }
        try write("c/a/1.txt", Array("".utf8))
        XCTAssertThrowsError(try TextCorpus.classFolders(path: path)) { error in
            XCTAssertEqual(error as? CorpusError, .noDocuments(path: path, dropped: 3))
        }
    }

    // Bad input: missing archive, empty class folder, unreadable file (a dangling link), unknown label.
    func testBadInputErrors() throws {
        let missing = root.appendingPathComponent("nope.tar.gz").path
        XCTAssertThrowsError(try TextCorpus.classFolders(path: missing)) { error in
            XCTAssertEqual(error as? CorpusError, .missingArchive(path: missing))
            XCTAssertTrue("\(error)".contains("--data"))
        }
        try write("d/a/1.txt", Array("text".utf8))
        try FileManager.default.createDirectory(at: root.appendingPathComponent("d/empty"), withIntermediateDirectories: true)
        let d = root.appendingPathComponent("d").path
        XCTAssertThrowsError(try TextCorpus.classFolders(path: d)) { error in
            guard case .emptyClass(_, "empty")? = error as? CorpusError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("add documents or remove the class folder"))
        }
        try FileManager.default.removeItem(at: root.appendingPathComponent("d/empty"))
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("d/a/2.txt").path,
                                                   withDestinationPath: "/nonexistent/target")
        XCTAssertThrowsError(try TextCorpus.classFolders(path: d)) { error in
            guard case .unreadable(let file, _)? = error as? CorpusError else { return XCTFail("\(error)") }
            XCTAssertTrue(file.hasSuffix("d/a/2.txt"))
        }
        try write("bad.tar.gz", Array("not an archive".utf8))
        XCTAssertThrowsError(try TextCorpus.classFolders(path: root.appendingPathComponent("bad.tar.gz").path)) { error in
            guard case .unreadable? = error as? CorpusError else { return XCTFail("\(error)") }
        }
        let corpus = try TextCorpus(source: "x", documents: [TextDocument(id: "doc1", text: "t", labels: ["z"])],
                                    emptyTexts: .drop)
        XCTAssertThrowsError(try corpus.labelIndices(classes: ["a", "b"])) { error in
            XCTAssertEqual(error as? CorpusError, .unknownLabel(path: "doc1", label: "z", known: ["a", "b"]))
        }
    }

    // CSV: text,label columns, quoted commas, multi-label `;`, optional subset column; a missing column is named.
    func testCSVCorpus() throws {
        try write("t.csv", Array("label,text,subset\nbusiness,\"Shares rose, then fell\",train\nsport;news,Goal,test\n".utf8))
        let corpus = try TextCorpus.csv(path: root.appendingPathComponent("t.csv").path)
        XCTAssertEqual(corpus.documents.map(\.text), ["Shares rose, then fell", "Goal"])
        XCTAssertEqual(corpus.documents[1].labels, ["sport", "news"])
        XCTAssertEqual(corpus.documents.map(\.subset), ["train", "test"])
        XCTAssertThrowsError(try TextCorpus.csv(path: root.appendingPathComponent("t.csv").path, textColumn: "body")) { error in
            guard case .missingColumn(_, "body", _)? = error as? CorpusError else { return XCTFail("\(error)") }
        }
    }

    // dumpavail: multi-line descriptions (" ." = blank line), tags over continuation lines, area prefix
    // stripped from the section, duplicate versions and untagged packages handled.
    func testDumpavailParsing() throws {
        let dump = """
            Package: 0ad
            Version: 0.0.26-3
            Description: Real-time strategy game
             0 A.D. is a free game.
             .
             It has history.
            Tag: game::strategy, interface::graphical,
             role::program,  use::gameplaying
            Section: contrib/games

            Package: 0ad
            Version: 0.0.25
            Description: older version
            Section: games

            Package: libfoo
            Description: a library
            Section: libs

            """
        let packages = try DebianPackages.parse(dump, source: "dump.txt")
        XCTAssertEqual(packages.map(\.name), ["0ad", "libfoo"])
        XCTAssertEqual(packages[0].text, "Real-time strategy game\n0 A.D. is a free game.\n\nIt has history.")
        XCTAssertEqual(packages[0].tags, ["game::strategy", "interface::graphical", "role::program", "use::gameplaying"])
        XCTAssertEqual(packages[0].section, "games")
        let sections = try TextCorpus.debian(packages, labels: .section, source: "dump.txt")
        XCTAssertEqual(sections.classNames, ["games", "libs"])
        let tags = try TextCorpus.debian(packages, labels: .tags, source: "dump.txt")
        XCTAssertEqual(tags.count, 1, "untagged packages are left out of the multi-label corpus")
        XCTAssertThrowsError(try DebianPackages.parse(" orphan continuation\n", source: "dump.txt")) { error in
            XCTAssertEqual(error as? CorpusError, .malformed(path: "dump.txt", line: 1, reason: "continuation line before any field"))
        }
        XCTAssertThrowsError(try DebianPackages.parse("Section: games\n", source: "dump.txt"))
    }
}
