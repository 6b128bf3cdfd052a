import Foundation
import LabelGraphs
import XCTest

final class WordNetTests: XCTestCase {
    /// A tiny database in the real file format: offsets are byte offsets, hypernyms `@`, a licence header.
    static func fixture() -> WordNet {
        let synsets: [(key: String, words: [String], hypernyms: [String])] = [
            ("entity", ["entity"], []), ("physical", ["physical_entity"], ["entity"]),
            ("organism", ["organism", "being"], ["physical"]), ("animal", ["animal", "beast"], ["organism"]),
            ("chordate", ["chordate"], ["animal"]), ("carnivore", ["carnivore"], ["chordate"]),
            ("canine", ["canine", "canid"], ["carnivore"]), ("feline", ["feline", "felid"], ["carnivore"]),
            ("domestic", ["domestic_animal"], ["animal"]),
            ("dog", ["dog", "domestic_dog", "Canis_familiaris"], ["canine", "domestic"]), ("cat", ["cat", "true_cat"], ["feline"]),
        ]
        let header = "  1 This software and database is being provided to you, the LICENSEE, by\n  2 Princeton University\n"
        func line(_ s: (key: String, words: [String], hypernyms: [String]), _ offsets: [String: Int]) -> String {
            let pad = { (n: Int) in String(repeating: "0", count: 8 - String(n).count) + String(n) }
            let words = s.words.map { "\($0) 0" }.joined(separator: " ")
            let pointers = s.hypernyms.map { "@ \(pad(offsets[$0] ?? 0)) n 0000" } + ["~ 00000000 n 0000"]
            return "\(pad(offsets[s.key] ?? 0)) 05 n \(String(format: "%02x", s.words.count)) \(words) "
                + "\(String(format: "%03d", pointers.count)) \(pointers.joined(separator: " ")) | gloss of \(s.key)  \n"
        }
        var offsets: [String: Int] = [:], position = header.utf8.count
        for s in synsets {
            offsets[s.key] = position
            position += line(s, [:]).utf8.count  // fixed-width fields: the length does not depend on the offsets
        }
        let data = header + synsets.map { line($0, offsets) }.joined()
        let index = header + synsets.map { s in
            "\(s.words[0].lowercased()) n 1 1 @ 1 0 \(String(repeating: "0", count: 8 - String(offsets[s.key]!).count))\(offsets[s.key]!)  \n"
        }.joined()
        return WordNet(indexNoun: index, dataNoun: Array(data.utf8))
    }

    func testParsesSynsets() throws {
        let wordNet = Self.fixture()
        let dog = try wordNet.synset(at: wordNet.senses(of: "Dog")[0])
        XCTAssertEqual(dog.words, ["dog", "domestic_dog", "Canis_familiaris"])
        XCTAssertEqual(try dog.hypernyms.map { try wordNet.synset(at: $0).words[0] }, ["canine", "domestic_animal"])
        XCTAssertEqual(wordNet.senses(of: "unicorn"), [])
        XCTAssertNotNil(labelGraphError { _ = try wordNet.synset(at: 5) })
    }

    func testBuildsTheCompressedHypernymGraph() throws {
        let g = try Self.fixture().labelGraph(classes: ["dog", "cat"], dataset: "pets")
        // entity → physical entity → organism → animal compresses into the root animal; chordate, canine,
        // feline and domestic animal are single-child links and disappear; carnivore (two children) stays.
        XCTAssertEqual(g.nodes.map(\.id), ["animal", "dog", "carnivore", "cat"])
        XCTAssertEqual(g.nodes.map(\.kind), [.root, .label, .augmented, .label])
        let dog = g.index(of: "dog")!, cat = g.index(of: "cat")!, carnivore = g.index(of: "carnivore")!
        XCTAssertEqual(Set(g.parents[dog]), [g.root, carnivore], "dog keeps both hypernym routes")
        XCTAssertEqual(g.parents[cat], [carnivore])
        XCTAssertEqual(g.nodes[dog].datasets, ["pets"])
        let truth = try PredictionPaths(graph: g).groundTruth(label: "dog", dataset: "pets")
        XCTAssertEqual(truth.paths.count, 2)
        XCTAssertEqual(truth.isDeterministic, [false, false], "animal's children carnivore and dog compete by default")
        // The written graph parses back to the same structure.
        XCTAssertEqual(try LabelGraph(parsing: g.text).children, g.children)
    }

    func testUnknownClassIsATypedError() {
        let error = labelGraphError { _ = try Self.fixture().labelGraph(classes: ["dog", "unicorn"], dataset: "pets") }
        XCTAssertTrue(error?.description.contains("'unicorn'") ?? false, "\(String(describing: error))")
    }

    func testRealDatabaseDogAndCatShareCarnivore() throws {
        guard FileManager.default.fileExists(atPath: WordNet.debianDirectory + "/data.noun") else {
            print("skipped: no WordNet at \(WordNet.debianDirectory) (apt-get install wordnet-base)")
            throw XCTSkip("no WordNet database at \(WordNet.debianDirectory); apt-get install wordnet-base")
        }
        let g = try WordNet().labelGraph(classes: ["dog", "cat", "sandal", "sneaker"], dataset: "demo")
        let carnivore = try XCTUnwrap(g.index(of: "carnivore"))
        XCTAssertTrue(g.isAncestor(carnivore, of: g.index(of: "dog")!))
        XCTAssertTrue(g.isAncestor(carnivore, of: g.index(of: "cat")!))
        XCTAssertFalse(g.isAncestor(carnivore, of: g.index(of: "sandal")!))
        for v in g.nodes.indices where g.nodes[v].kind == .augmented && v != g.root {
            XCTAssertFalse(g.parents[v].count == 1 && g.children[v].count == 1, "\(g.nodes[v].id) should have been compressed")
        }
    }
}
