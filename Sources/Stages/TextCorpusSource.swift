import Datasets
import Foundation

/// Which text corpus a stage reads, where from, and the paper's per-dataset defaults.
///
/// | kind | default `--data` (under the shared data folder) | batch | epochs | split by default |
/// | --- | --- | --- | --- | --- |
/// | `bbc` | `bbc/bbc.tar.gz` | 32 | 20 | held-out 10 % (stratified, seeded) |
/// | `bbcsport` | `bbcsport/bbcsport.tar.gz` | 16 | 20 | held-out 10 % |
/// | `20news` | `20news/20news-bydate.tar.gz` | 256 | 30 | the bydate train/test folders |
/// | `debian` | `apt-cache dumpavail` (or a saved dump) | 256 | 10 | held-out 10 % |
/// | `csv` | (required) | 32 | 20 | the `subset` column if present, else held-out 10 % |
///
/// Batch sizes and epochs are Instance Infusion's Table 3 (Debian and CSV are not in the paper). The shared
/// data folder is `$TRIBUTARY_SHARED_DATA`, else `../shared/data` or `shared/data` from the working directory.
/// 20 Newsgroups is tokenized with headers, quotes and signatures stripped (`TextTokenizer`).
public struct TextCorpusSource: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case bbc, bbcsport
        case twentyNewsgroups = "20news"
        case debian, csv
    }

    public var kind: Kind
    /// The archive, folder or file; nil = the default for `kind`.
    public var path: String?
    /// Debian only: section (single-label) or debtags (multi-label; `train-text` uses the first tag).
    public var debianLabels: DebianPackages.Labels
    public var emptyTexts: EmptyTextPolicy

    public init(kind: Kind, path: String? = nil, debianLabels: DebianPackages.Labels = .section,
                emptyTexts: EmptyTextPolicy = .drop) {
        self.kind = kind
        self.path = path
        self.debianLabels = debianLabels
        self.emptyTexts = emptyTexts
    }

    /// Table 3's global batch size for this corpus.
    public var defaultBatchSize: Int {
        switch kind {
        case .bbc, .csv: return 32
        case .bbcsport: return 16
        case .twentyNewsgroups, .debian: return 256
        }
    }

    /// Table 3's epochs for this corpus.
    public var defaultEpochs: Int {
        switch kind {
        case .twentyNewsgroups: return 30
        case .debian: return 10
        default: return 20
        }
    }

    /// The tokenizer the corpus needs.
    public var tokenizer: TextTokenizer { TextTokenizer(stripNewsgroupArtifacts: kind == .twentyNewsgroups) }

    /// The archive under the shared data folder for the news corpora.
    var defaultRelativePath: String? {
        switch kind {
        case .bbc: return "bbc/bbc.tar.gz"
        case .bbcsport: return "bbcsport/bbcsport.tar.gz"
        case .twentyNewsgroups: return "20news/20news-bydate.tar.gz"
        case .debian, .csv: return nil
        }
    }

    /// The shared data folder: `$TRIBUTARY_SHARED_DATA`, `../shared/data` or `shared/data`, the first present.
    public static func sharedDataFolder() -> String? {
        var candidates: [String] = []
        if let env = ProcessInfo.processInfo.environment["TRIBUTARY_SHARED_DATA"] { candidates.append(env) }
        candidates += ["../shared/data", "shared/data"]
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// The path that will be read (nil for `debian` without a path: run `apt-cache dumpavail`).
    public func resolvedPath() throws(CorpusError) -> String? {
        if let path { return path }
        switch kind {
        case .debian: return nil
        case .csv: throw .missingArchive(path: "(no --data given for --corpus csv)")
        default:
            let relative = defaultRelativePath!
            guard let folder = Self.sharedDataFolder() else {
                throw .missingArchive(path: "../shared/data/\(relative) (set TRIBUTARY_SHARED_DATA or pass --data)")
            }
            return folder + "/" + relative
        }
    }

    /// Loads the corpus (every rank reads it; it is small next to training).
    public func load() throws(CorpusError) -> TextCorpus {
        let path = try resolvedPath()
        switch kind {
        case .bbc, .bbcsport, .twentyNewsgroups:
            return try TextCorpus.classFolders(path: path!, emptyTexts: emptyTexts)
        case .csv:
            return try TextCorpus.csv(path: path!, emptyTexts: emptyTexts)
        case .debian:
            let packages = try path == nil ? DebianPackages.fromAptCache() : DebianPackages.read(path: path!)
            return try TextCorpus.debian(packages, labels: debianLabels, source: path ?? "apt-cache dumpavail",
                                         emptyTexts: emptyTexts)
        }
    }
}
