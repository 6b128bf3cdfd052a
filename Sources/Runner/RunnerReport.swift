import Core
import Foundation
import Stages
import Storage

/// The report of one `tributary run`: `out/report.md` and the same content as `out/report.html`.
///
/// Contents: the title; when, how many ranks, BLAS threads, the config file and its SHA-256; a table of the
/// stages (type, what this run did with it: ran / resumed / skipped, its seconds, the main output's content
/// hash); then one section per stage with its parameters and the tables and figures its driver produced
/// (kept in the manifest, so a skipped stage still has its section). Figure paths are relative to `out`.
public struct RunnerReport {
    public let config: RunnerConfig
    public let manifest: RunnerManifest
    public let runs: [Runner.StageRun]
    public let ranks: Int
    public let seconds: Double
    public let toolVersion: String

    public var markdown: String {
        let env = ProcessInfo.processInfo.environment
        let configHash = FileManager.default.contents(atPath: config.path).map { SHA256.hash([UInt8]($0)).hex } ?? "unreadable"
        var md = "# \(config.title)\n\n" + (config.notes.isEmpty ? "" : config.notes + "\n\n")
        md += "- written: \(RunnerManifest.now()) by `tributary run \(config.path)`\(toolVersion.isEmpty ? "" : " (tributary \(toolVersion))")\n"
        md += "- ranks: **\(ranks)**; OpenBLAS threads per rank: \(env["OPENBLAS_NUM_THREADS"] ?? "default")\n"
        md += "- config SHA-256: `\(configHash)`; output folder: `\(config.out)`\n"
        let provenance = Provenance.current.lines
        if !provenance.isEmpty {  // the build, machine and job: what differs when two machines disagree
            md += "- provenance: " + provenance.map { "\(RunnerStageType.markdownCell($0))" }.joined(separator: "; ") + "\n"
        }
        let staged = runs.map(\.seconds).reduce(0, +)
        md += "- wall time of this run: \(fixed(seconds, 1)) s (stages \(fixed(staged, 1)) s; dataset snapshots, content "
            + "hashes and checks \(fixed(max(0, seconds - staged), 1)) s)\n\n"
        md += "## Stages\n\n| # | stage | type | this run | seconds | result | main output (content SHA-256) |\n"
        md += "| ---: | --- | --- | --- | ---: | --- | --- |\n"
        for (i, stage) in config.stages.enumerated() {
            let run = runs.first { $0.name == stage.name }
            let record = manifest.stages[stage.name]
            let main = stage.type.outputs[0]
            let seconds = run?.action == .skipped ? "(\(fixed(record?.seconds ?? 0, 1)) earlier)" : fixed(run?.seconds ?? 0, 1)
            md += "| \(i + 1) | \(stage.name) | \(stage.type.name) | \(run?.action.rawValue ?? "–") | \(seconds) | "
                + "\(RunnerStageType.markdownCell(record?.summary ?? "")) | `\(main)` \(String((record?.outputs[main] ?? "").prefix(12))) |\n"
        }
        md += "\n"
        for stage in config.stages {
            guard let record = manifest.stages[stage.name] else { continue }
            md += "## \(stage.name) (\(stage.type.name))\n\n"
            if let d = stage.dataset, let dataset = config.datasets[d] {
                let p = dataset.parameters.keys.sorted().map { "\($0)=\(dataset.parameters[$0]!.canonical)" }
                md += "Dataset `\(d)`: \(dataset.kind)\(p.isEmpty ? "" : " (" + p.joined(separator: ", ") + ")").\n\n"
            }
            if !stage.inputs.isEmpty {
                md += "Inputs: " + stage.inputs.keys.sorted().map { "\($0) ← `\(stage.inputs[$0]!)`" }.joined(separator: ", ") + ".\n\n"
            }
            if !record.parameters.isEmpty {
                md += "Parameters: " + record.parameters.split(separator: "\n").map { "`\($0)`" }.joined(separator: ", ") + ".\n\n"
            }
            var section = record.report
            if let home = config.external[stage.name] {  // a repetition's shared stage: its figures are in OUT/shared
                let prefix = (home as NSString).deletingLastPathComponent == (config.out as NSString).deletingLastPathComponent
                    ? "../" + (home as NSString).lastPathComponent + "/" : home + "/"
                section = section.replacingOccurrences(of: "](\(stage.name)/", with: "](\(prefix)\(stage.name)/")
                md += "Shared: run once in `\(home)`.\n\n"
            }
            md += section + "\n\n"
        }
        return md
    }

    /// Writes `report.md` and `report.html` into `out`.
    public func write() throws {
        let md = markdown
        try RunnerFiles.writeAtomically(md, to: config.out + "/report.md")
        try RunnerFiles.writeAtomically(Self.html(md, title: config.title), to: config.out + "/report.html")
    }

    // MARK: - Markdown → HTML (the subset the report uses)

    /// Headings, lists, tables, images, paragraphs, `code` and **bold**.
    public static func html(_ markdown: String, title: String) -> String {
        var body = "", paragraph: [String] = [], table: [[String]] = [], list: [String] = []
        func flush() {
            if !paragraph.isEmpty { body += "<p>" + paragraph.map(inline).joined(separator: " ") + "</p>\n"; paragraph = [] }
            if !list.isEmpty { body += "<ul>\n" + list.map { "<li>" + inline($0) + "</li>\n" }.joined() + "</ul>\n"; list = [] }
            if !table.isEmpty {
                body += "<table>\n"
                for (r, cells) in table.enumerated() where r != 1 {
                    let tag = r == 0 ? "th" : "td"
                    body += "<tr>" + cells.map { "<\(tag)>" + inline($0) + "</\(tag)>" }.joined() + "</tr>\n"
                }
                body += "</table>\n"
                table = []
            }
        }
        for raw in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { flush(); continue }
            if line.hasPrefix("|") {
                if !paragraph.isEmpty || !list.isEmpty { let t = table; table = []; flush(); table = t }
                table.append(cells(line))
            } else if line.hasPrefix("#") {
                flush()
                let level = min(6, line.prefix { $0 == "#" }.count)
                body += "<h\(level)>" + inline(String(line.dropFirst(level)).trimmingCharacters(in: .whitespaces)) + "</h\(level)>\n"
            } else if line.hasPrefix("- ") {
                if !paragraph.isEmpty || !table.isEmpty { let l = list; list = []; flush(); list = l }
                list.append(String(line.dropFirst(2)))
            } else {
                if !table.isEmpty || !list.isEmpty { flush() }
                paragraph.append(line)
            }
        }
        flush()
        return """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>\(escape(title))</title>
            <style>body{font-family:sans-serif;max-width:70em;margin:2em auto}table{border-collapse:collapse}\
            td,th{border:1px solid #bbb;padding:2px 8px;text-align:left}img{max-width:100%}code{background:#eee}</style>
            </head><body>
            \(body)</body></html>

            """
    }

    /// The cells of a Markdown table row (`\|` is a literal bar).
    static func cells(_ line: String) -> [String] {
        var cells: [String] = [], current = "", escaped = false
        for ch in line.dropFirst() {
            if escaped { current.append(ch); escaped = false }
            else if ch == "\\" { escaped = true }
            else if ch == "|" { cells.append(current.trimmingCharacters(in: .whitespaces)); current = "" }
            else { current.append(ch) }
        }
        if !current.trimmingCharacters(in: .whitespaces).isEmpty { cells.append(current.trimmingCharacters(in: .whitespaces)) }
        return cells
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// `![alt](src)`, `` `code` ``, `**bold**` after escaping.
    static func inline(_ text: String) -> String {
        var out = "", rest = Substring(escape(text))
        while let open = rest.firstIndex(where: { $0 == "`" || $0 == "*" || $0 == "!" }) {
            out += rest[..<open]
            let after = rest[open...]
            if after.hasPrefix("`"), let close = after.dropFirst().firstIndex(of: "`") {
                out += "<code>" + after[after.index(after: open) ..< close] + "</code>"
                rest = after[after.index(after: close)...]
            } else if after.hasPrefix("**"), let close = after.dropFirst(2).range(of: "**") {
                out += "<b>" + after[after.index(open, offsetBy: 2) ..< close.lowerBound] + "</b>"
                rest = after[close.upperBound...]
            } else if after.hasPrefix("!["), let mid = after.range(of: "]("), let close = after[mid.upperBound...].firstIndex(of: ")") {
                out += "<img alt=\"\(after[after.index(open, offsetBy: 2) ..< mid.lowerBound])\" src=\"\(after[mid.upperBound ..< close])\">"
                rest = after[after.index(after: close)...]
            } else {
                out.append(after.first!)
                rest = after.dropFirst()
            }
        }
        return out + rest
    }
}
