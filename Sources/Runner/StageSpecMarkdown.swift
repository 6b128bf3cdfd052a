import Stages

/// The parameter tables of `data/pipelines/README.md`, rendered from the stage specs so the documentation cannot
/// drift from the code (a test compares the README's generated section with this text).
public enum StageSpecMarkdown {
    /// Markers around the generated section in the README.
    public static let begin = "<!-- stage parameters: generated from the StageSpecs; regenerate with TRIBUTARY_WRITE_DOCS=1 swift test --filter StageSpecDocsTests -->"
    public static let end = "<!-- end of generated stage parameters -->"

    /// One `####` section per stage type: what it reads and writes, then its parameters
    /// (key | type | default | allowed | meaning).
    public static func document(_ registry: [RunnerStageType]) -> String {
        var md = ""
        for type in registry {
            md += "#### `\(type.name)`\n\n\(type.summary).\n\n"
            var facts: [String] = []
            if let dataset = type.dataset { facts.append("dataset: \(dataset.rawValue)") }
            if !type.inputs.isEmpty {
                facts.append("inputs: " + type.inputs.keys.sorted().map { "`\($0)` ← \(type.inputs[$0]!.joined(separator: " or "))\(type.optionalInputs.contains($0) ? " (optional)" : "")" }
                    .joined(separator: ", "))
            }
            facts.append("writes: " + type.outputs.map { "`\($0)`" }.joined(separator: ", "))
            if type.rankDependent { facts.append("depends on the rank count") }
            md += facts.joined(separator: "; ") + ".\n\n"
            guard !type.spec.parameters.isEmpty else { md += "No parameters.\n\n"; continue }
            md += "| key | type | default | allowed | meaning |\n| --- | --- | --- | --- | --- |\n"
            for p in type.spec.parameters {
                let shared = type.sharedKeys.contains(p.key) ? "" : " (config only)"
                let defaultText = p.defaultValue == .null ? (p.dataDefault.map { "— (\($0))" } ?? "—") : "`\(p.defaultValue.canonical)`"
                var meaning = p.help + shared
                if let unit = p.unit { meaning += "; \(unit)" }
                if let reference = p.reference { meaning += "; \(reference)" }
                md += "| `\(p.key)` | \(kindName(p.kind)) | \(cell(defaultText)) | \(cell(p.allowedText ?? (p.kind == .int ? "≥ 0" : "any"))) | \(cell(meaning)) |\n"
            }
            md += "\n"
        }
        return md
    }

    static func kindName(_ kind: ParameterSpec.Kind) -> String {
        switch kind {
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .bool: "boolean"
        case .strings: "list of strings"
        case .doubles: "list of numbers"
        case .file: "file path"
        }
    }

    static func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
}
