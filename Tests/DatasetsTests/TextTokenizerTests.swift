import Datasets
import XCTest

final class TextTokenizerTests: XCTestCase {
    // Tokens are lowercase maximal alphanumeric runs; punctuation separates; over-long tokens are dropped.
    func testTokenRules() {
        let tokenizer = TextTokenizer(maximumTokenLength: 8)
        XCTAssertEqual(tokenizer.tokens("Hello, World! 42x don't e-mail"), ["hello", "world", "42x", "don", "t", "e", "mail"])
        XCTAssertEqual(tokenizer.tokens("Café £5 ÉTÉ"), ["café", "5", "été"])
        XCTAssertEqual(tokenizer.tokens("short aaaaaaaaaaaaaaaaaaaa end"), ["short", "end"])
        XCTAssertEqual(tokenizer.tokens("  \n\t!!! "), [])
        XCTAssertFalse(TextTokenizer.hasAlphanumeric(" -- !? "))
        XCTAssertTrue(TextTokenizer.hasAlphanumeric("£5"))
    }

    // Newsgroup stripping removes the header block, quoted and attribution lines, and the signature.
    func testNewsgroupStripping() {
        let post = """
            From: someone@example.com
            Subject: Re: engines

            In article <1@x> bob@y.com writes:
            > quoted text
             | more quoted
            Real body line.
            Another line.
            --
            Bob, signature
            """
        let tokens = TextTokenizer(stripNewsgroupArtifacts: true).tokens(post)
        XCTAssertEqual(tokens, ["real", "body", "line", "another", "line"])
        XCTAssertTrue(TextTokenizer().tokens(post).contains("subject"), "without stripping the headers stay")
    }
}

final class VocabularyTests: XCTestCase {
    // Specials first; then by count descending, ties by token; min count and max size (specials included).
    func testOrderMinCountAndMaxSize() {
        let docs = [["b", "a", "c", "a"], ["b", "d", "a"], ["c"]]
        let full = Vocabulary.build(documents: docs)
        XCTAssertEqual(full.tokens, ["<pad>", "<unk>", "a", "b", "c", "d"])
        XCTAssertEqual(Vocabulary.build(documents: docs, minimumCount: 2).tokens, ["<pad>", "<unk>", "a", "b", "c"])
        XCTAssertEqual(Vocabulary.build(documents: docs, maximumSize: 4).tokens, ["<pad>", "<unk>", "a", "b"])
        XCTAssertEqual(full.encode(["a", "zzz", "d"]), [2, 1, 5])
        XCTAssertEqual(full.encode(["a", "b", "c"], maxLength: 2), [2, 3])
        XCTAssertEqual(Vocabulary.padded([2, 3], to: 4), [2, 3, 0, 0])
        XCTAssertEqual(Vocabulary.padded([2, 3, 4], to: 2), [2, 3])
    }

    // A saved token list round-trips; a list without the specials or with repeats is rejected with the file name.
    func testRestore() throws {
        let v = Vocabulary.build(documents: [["x", "y"]])
        XCTAssertEqual(try Vocabulary(tokens: v.tokens), v)
        XCTAssertThrowsError(try Vocabulary(tokens: ["x"], source: "m.h5")) { error in
            XCTAssertTrue("\(error)".contains("m.h5"))
        }
        XCTAssertThrowsError(try Vocabulary(tokens: ["<pad>", "<unk>", "a", "a"]))
    }
}

final class NGramVectorizerTests: XCTestCase {
    // Uni+bigram terms by document frequency; tf-idf with smoothed idf, L2-normalised.
    func testTermsAndTfidf() {
        let docs = [["a", "b", "a"], ["a", "c"]]
        let vectorizer = NGramVectorizer.fit(documents: docs)
        XCTAssertEqual(vectorizer.terms, ["a", "a b", "a c", "b", "b a", "c"])
        let counts = vectorizer.counts(["a", "b", "a", "zz"])
        XCTAssertEqual(counts.indices, [0, 1, 3, 4])
        XCTAssertEqual(counts.values, [2, 1, 1, 1])
        let x = vectorizer.tfidf(["a", "b", "a"])
        // idf(a) = ln(3/3) + 1 = 1, idf(b) = idf(a b) = idf(b a) = ln(3/2) + 1.
        let ib = Float(log(1.5) + 1)
        let norm = (4 + 3 * ib * ib).squareRoot()
        XCTAssertEqual(x[0], 2 / norm, accuracy: 1e-6)
        XCTAssertEqual(x[3], ib / norm, accuracy: 1e-6)
        XCTAssertEqual(x[5], 0)
        XCTAssertEqual(vectorizer.tfidf(["zz"]), SparseVector())
        XCTAssertEqual(NGramVectorizer.fit(documents: docs, maximumN: 1, minimumDocumentFrequency: 2).terms, ["a"])
    }
}
