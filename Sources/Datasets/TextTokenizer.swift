/// Splits raw text into lowercase alphanumeric tokens, optionally after stripping the parts of a Usenet post
/// that identify its newsgroup rather than its topic.
///
/// Rules:
/// - a token is a maximal run of alphanumeric Unicode scalars (ASCII letters and digits, or any scalar that is
///   alphabetic or has a numeric value); everything else separates tokens, so `don't` → `don`, `t` and
///   `e-mail` → `e`, `mail`;
/// - tokens are lowercased (ASCII by a bit flip, the rest by `Character.lowercased()`);
/// - tokens longer than `maximumTokenLength` are dropped (uuencoded blobs and base64 in newsgroup posts).
///
/// Newsgroup stripping (`stripNewsgroupArtifacts`, the same three removals as scikit-learn's
/// `remove=('headers', 'footers', 'quotes')`, stated here so they are reproducible):
/// 1. headers: everything up to the first blank line;
/// 2. quotes: lines whose first non-blank character is `>` or `|`, and attribution lines (`In article …`,
///    or ending in `writes:` / `wrote:`);
/// 3. signature: everything from the last line that is exactly `--` or `-- ` (the Usenet signature
///    delimiter), when it is not the first line of the body.
///
/// ```swift
/// let tokenizer = TextTokenizer()
/// tokenizer.tokens("Hello, World! 42x")   // ["hello", "world", "42x"]
/// ```
public struct TextTokenizer: Sendable, Equatable {
    /// Remove headers, quoted lines and signatures (20 Newsgroups).
    public var stripNewsgroupArtifacts: Bool
    /// Longer tokens are dropped.
    public var maximumTokenLength: Int

    public init(stripNewsgroupArtifacts: Bool = false, maximumTokenLength: Int = 40) {
        self.stripNewsgroupArtifacts = stripNewsgroupArtifacts
        self.maximumTokenLength = maximumTokenLength
    }

    /// The tokens of `text`, in order.
    public func tokens(_ text: String) -> [String] {
        let body = stripNewsgroupArtifacts ? Self.stripNewsgroup(text) : text
        var tokens: [String] = []
        var current = String.UnicodeScalarView()
        var length = 0
        func flush() {
            if length > 0 && length <= maximumTokenLength { tokens.append(String(current)) }
            current.removeAll(keepingCapacity: true)
            length = 0
        }
        for scalar in body.unicodeScalars {
            let v = scalar.value
            if v < 0x80 {
                if (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) {
                    current.append(scalar)
                    length += 1
                } else if v >= 0x41 && v <= 0x5A {
                    current.append(Unicode.Scalar(v | 0x20)!)
                    length += 1
                } else {
                    flush()
                }
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                current.append(contentsOf: Character(scalar).lowercased().unicodeScalars)
                length += 1
            } else {
                flush()
            }
        }
        flush()
        return tokens
    }

    /// True when `text` has at least one alphanumeric scalar (so `tokens` can return something).
    public static func hasAlphanumeric(_ text: String) -> Bool {
        text.unicodeScalars.contains { s in
            s.value < 0x80
                ? (s.value >= 0x30 && s.value <= 0x39) || ((s.value | 0x20) >= 0x61 && (s.value | 0x20) <= 0x7A)
                : s.properties.isAlphabetic || s.properties.numericType != nil
        }
    }

    /// `text` without its header block, quoted lines, attribution lines and signature (rules 1–3 above).
    public static func stripNewsgroup(_ text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.last == "\r" ? line.dropLast() : line
        }
        // 1. Headers end at the first blank line.
        if let blank = lines.firstIndex(where: { $0.allSatisfy { $0 == " " || $0 == "\t" } }) {
            lines.removeSubrange(0 ... blank)
        }
        // 3. Signature: from the last "--" / "-- " line, unless that is the first line.
        if let delimiter = lines.lastIndex(where: { $0 == "--" || $0 == "-- " }), delimiter > 0 {
            lines.removeSubrange(delimiter...)
        }
        // 2. Quotes and attributions.
        lines.removeAll { line in
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            return trimmed.hasPrefix(">") || trimmed.hasPrefix("|") || trimmed.hasPrefix("In article")
                || trimmed.hasSuffix("writes:") || trimmed.hasSuffix("wrote:")
        }
        return lines.joined(separator: "\n")
    }
}
