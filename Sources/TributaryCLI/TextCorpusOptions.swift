import ArgumentParser
import Datasets
import Stages

/// The corpus options of `train-text`, `embed`, `train-infused` and `experiment baselines`.
struct TextCorpusOptions: ParsableArguments {
    @Option(help: "Corpus: bbc, bbcsport, 20news, debian (apt-cache dumpavail) or csv (columns text,label).")
    var corpus: TextCorpusSource.Kind = .bbc

    @Option(help: ArgumentHelp(
        "The .tar.gz archive, unpacked folder, CSV file or saved dumpavail output.",
        discussion: "Default: ../shared/data/<corpus>/… (or $TRIBUTARY_SHARED_DATA); debian runs apt-cache dumpavail."))
    var data: String?

    /// nil: not given (section); only `--corpus debian` reads it.
    @Option(help: ArgumentHelp("Debian labels: section (single-label) or tags (debtags; train-text uses the first tag); "
        + "--corpus debian only (default: section)."))
    var debianLabels: DebianPackages.Labels?

    @Option(help: "Documents without a letter or digit: drop (counted and reported) or fail.")
    var emptyTexts: EmptyTextPolicy = .drop

    func validate() throws {
        _ = try source()
    }

    func source() throws -> TextCorpusSource {
        if corpus == .csv && data == nil { throw ValidationError("--corpus csv needs --data FILE.csv") }
        if let debianLabels, corpus != .debian {
            throw ValidationError("--debian-labels \(debianLabels.rawValue) applies only to --corpus debian; remove it "
                + "(--corpus \(corpus.rawValue) has its own labels)")
        }
        return TextCorpusSource(kind: corpus, path: data, debianLabels: debianLabels ?? .section, emptyTexts: emptyTexts)
    }
}

extension TextCorpusSource.Kind: ExpressibleByArgument {}
extension DebianPackages.Labels: ExpressibleByArgument {}
extension EmptyTextPolicy: ExpressibleByArgument {}
