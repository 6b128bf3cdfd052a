import Core
import Foundation

/// Debian package descriptions, the text corpus every Debian machine has: the output of `apt-cache dumpavail`
/// (deb822 stanzas separated by blank lines).
///
///     Package: 0ad
///     Description: Real-time strategy game of ancient warfare     ← synopsis
///      0 A.D. is a free, real-time strategy game …                ← continuation lines start with a space
///      .                                                          ← " ." is a blank line of the long text
///     Tag: game::strategy, interface::graphical, role::program,
///      uitoolkit::sdl                                             ← tags continue over lines too
///     Section: contrib/games
///
/// Per package: text = the synopsis, then the long description (each continuation line without its leading
/// space, ` .` as an empty line); `section` = the Section field's last `/` component (`contrib/games` →
/// `games`, so the archive area does not split a topic); `tags` = the comma-separated debtags, trimmed.
/// Only the first stanza of a package name is kept (dumpavail may list several versions). Stanzas without
/// `Package` are malformed; a package without `Description` has empty text (see `EmptyTextPolicy`).
/// The dump must be UTF-8 without NUL bytes (Debian Policy § 5.1 requires UTF-8 in control files; package names,
/// sections and tags are labels): anything else is `CorpusError.invalidText` naming the line and byte offset.
public struct DebianPackage: Sendable, Equatable {
    public var name: String
    public var section: String?
    public var text: String
    public var tags: [String]
}

public enum DebianPackages {
    /// Which labels a corpus built from packages carries.
    public enum Labels: String, Sendable, CaseIterable {
        /// Single-label: the section (`games`, `python`, …); packages without a section are left out.
        case section
        /// Multi-label: the debtags (`role::program`, `devel::lang:python`, …); untagged packages are left out.
        case tags
    }

    /// Parses dumpavail output; `source` names it in error messages.
    public static func parse(_ text: String, source: String) throws(CorpusError) -> [DebianPackage] {
        var packages: [DebianPackage] = []
        var seen = Set<String>()
        var fields: [(name: String, value: [String])] = []
        var stanzaLine = 1
        func endStanza() throws(CorpusError) {
            defer { fields.removeAll() }
            guard !fields.isEmpty else { return }
            guard let name = fields.first(where: { $0.name == "Package" })?.value.first, !name.isEmpty else {
                throw .malformed(path: source, line: stanzaLine, reason: "stanza without a Package field")
            }
            guard seen.insert(name).inserted else { return }
            let section = fields.first { $0.name == "Section" }?.value.first.flatMap {
                $0.split(separator: "/").last.map(String.init)
            }
            let description = fields.first { $0.name == "Description" }?.value ?? []
            let body = description.map { $0 == "." ? "" : $0 }.joined(separator: "\n")
            let tags = (fields.first { $0.name == "Tag" }?.value ?? []).joined(separator: " ")
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            packages.append(DebianPackage(name: name, section: section, text: body, tags: tags))
        }
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.last == "\r" ? rawLine.dropLast() : rawLine
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                try endStanza()
                stanzaLine = lineNumber + 1
            } else if line.first == " " || line.first == "\t" {
                guard !fields.isEmpty else {
                    throw .malformed(path: source, line: lineNumber, reason: "continuation line before any field")
                }
                fields[fields.count - 1].value.append(line.trimmingCharacters(in: .whitespaces))
            } else if let colon = line.firstIndex(of: ":") {
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                fields.append((String(line[..<colon]), value.isEmpty ? [] : [value]))
            } else {
                throw .malformed(path: source, line: lineNumber, reason: "`\(line.prefix(40))` is not `Field: value`")
            }
        }
        try endStanza()
        return packages
    }

    /// Reads dumpavail output saved in `path`.
    public static func read(path: String) throws(CorpusError) -> [DebianPackage] {
        guard FileManager.default.fileExists(atPath: path) else { throw .missingArchive(path: path) }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: "open failed")
        }
        return try parse(decode(data, source: path), source: path)
    }

    /// Runs `apt-cache dumpavail` and parses its output.
    public static func fromAptCache(executable: String = "/usr/bin/apt-cache") throws(CorpusError) -> [DebianPackage] {
        let command = "\(executable) dumpavail"
        let (data, status) = try dumpAvail(executable: executable)
        guard status == 0 else { throw .commandFailed(command: command, reason: "exit status \(status)") }
        return try parse(decode(data, source: command), source: command)
    }

    /// The dump's bytes as text, strictly (`StrictText`); `source` names it in the error.
    public static func decode(_ bytes: some Collection<UInt8>, source: String) throws(CorpusError) -> String {
        do { return try StrictText.decode(bytes, file: source) } catch { throw .invalidText(error) }
    }

    /// The raw output and exit status of `apt-cache dumpavail`; throws only when the command cannot start.
    public static func dumpAvail(executable: String = "/usr/bin/apt-cache") throws(CorpusError) -> (output: Data, status: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["dumpavail"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw .commandFailed(command: "\(executable) dumpavail", reason: "cannot start it: \(error.localizedDescription)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (data, process.terminationStatus)
    }
}

extension TextCorpus {
    /// A corpus of package descriptions with `labels` (section or debtags); ids are package names.
    public static func debian(_ packages: [DebianPackage], labels: DebianPackages.Labels, source: String,
                              emptyTexts policy: EmptyTextPolicy = .drop) throws(CorpusError) -> TextCorpus {
        let documents = packages.compactMap { package -> TextDocument? in
            let labelList = labels == .section ? package.section.map { [$0] } ?? [] : package.tags
            return labelList.isEmpty ? nil : TextDocument(id: package.name, text: package.text, labels: labelList)
        }
        return try TextCorpus(source: source, documents: documents, emptyTexts: policy)
    }
}
