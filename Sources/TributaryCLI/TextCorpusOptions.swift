import ArgumentParser
import Datasets
import Stages

/// The corpus options `train-text` and `embed` share.
struct TextCorpusOptions: ParsableArguments {
    @Option(help: "Corpus: bbc, bbcsport, 20news, debian (apt-cache dumpavail) or csv (columns text,label).")
    var corpus: String = "bbc"

    @Option(help: ArgumentHelp(
        "The .tar.gz archive, unpacked folder, CSV file or saved dumpavail output.",
        discussion: "Default: ../shared/data/<corpus>/… (or $TRIBUTARY_SHARED_DATA); debian runs apt-cache dumpavail."))
    var data: String?

    @Option(help: "Debian labels: section (single-label) or tags (debtags; train-text uses the first tag).")
    var debianLabels: String = "section"

    @Option(help: "Documents without a letter or digit: drop (counted and reported) or fail.")
    var emptyTexts: String = "drop"

    func validate() throws {
        _ = try source()
    }

    func source() throws -> TextCorpusSource {
        guard let kind = TextCorpusSource.Kind(rawValue: corpus) else {
            throw ValidationError("--corpus must be one of \(TextCorpusSource.Kind.allCases.map(\.rawValue).joined(separator: ", ")), got '\(corpus)'")
        }
        guard let labels = DebianPackages.Labels(rawValue: debianLabels) else {
            throw ValidationError("--debian-labels must be section or tags, got '\(debianLabels)'")
        }
        guard let policy = EmptyTextPolicy(rawValue: emptyTexts) else {
            throw ValidationError("--empty-texts must be drop or fail, got '\(emptyTexts)'")
        }
        if kind == .csv && data == nil { throw ValidationError("--corpus csv needs --data FILE.csv") }
        return TextCorpusSource(kind: kind, path: data, debianLabels: labels, emptyTexts: policy)
    }
}
