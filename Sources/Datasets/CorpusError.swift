import Core

/// Why a text corpus (or a vocabulary) could not be read. Every case names the file or archive and says what to
/// fix; `description` is the message a stage prints before it stops. Lines are 1-based.
public enum CorpusError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The archive, folder or file passed as the corpus does not exist.
    case missingArchive(path: String)
    /// A file exists but could not be read (permissions, a dangling link, a corrupt archive …).
    case unreadable(path: String, reason: String)
    /// The archive or folder has no `<top>/<class>/<file>` (or `<class>/<file>`) documents.
    case badLayout(path: String, reason: String)
    /// A class folder holds no documents (or none with text, after empty texts were dropped).
    case emptyClass(path: String, className: String)
    /// A document has no alphanumeric character, under `EmptyTextPolicy.fail`.
    case emptyText(path: String)
    /// Every document is empty (whatever the policy: there is nothing to train on).
    case noDocuments(path: String, dropped: Int)
    /// A document's label is not one of the known classes (e.g. the classes of the model being applied).
    case unknownLabel(path: String, label: String, known: [String])
    /// A CSV or `apt-cache dumpavail` record is malformed.
    case malformed(path: String, line: Int, reason: String)
    /// The CSV header has no column called `column`.
    case missingColumn(path: String, column: String, header: [String])
    /// A command (`apt-cache dumpavail`) could not be run or failed.
    case commandFailed(command: String, reason: String)
    /// A saved vocabulary is not a valid token list.
    case badVocabulary(path: String, reason: String)
    /// A CSV corpus, a Debian dump or an archive entry name is not valid UTF-8, or holds a NUL byte (`StrictText`).
    case invalidText(TextDecodingError)

    public var description: String {
        switch self {
        case .missingArchive(let path):
            return "\(path): corpus not found; pass --data with the .tar.gz archive or its unpacked folder "
                + "(the shared datasets are in ../shared/data, see its README.md)"
        case .unreadable(let path, let reason):
            return "\(path): cannot read (\(reason)); check the file and its permissions, or remove it"
        case .badLayout(let path, let reason):
            return "\(path): not a folder-per-class corpus (\(reason)); expected <top>/<class>/<file> in an "
                + "archive, or <class>/<file> in a folder"
        case .emptyClass(let path, let className):
            return "\(path): class `\(className)` has no documents with text; add documents or remove the class folder"
        case .emptyText(let path):
            return "\(path): empty text (no letter or digit); remove the file, or drop empty texts "
                + "(--empty-texts drop)"
        case .noDocuments(let path, let dropped):
            return "\(path): no documents with text (\(dropped) empty ones dropped); check that this is the right corpus"
        case .unknownLabel(let path, let label, let known):
            let list = known.prefix(10).joined(separator: ", ") + (known.count > 10 ? ", …" : "")
            return "\(path): label `\(label)` is not one of the model's \(known.count) classes (\(list)); "
                + "apply the model to a corpus with the same classes, or retrain on this one"
        case .malformed(let path, let line, let reason):
            return "\(path):\(line): \(reason); fix or remove that record"
        case .missingColumn(let path, let column, let header):
            return "\(path):1: no column `\(column)` in the header (found: \(header.joined(separator: ", "))); "
                + "rename the column, or pass the right column name"
        case .commandFailed(let command, let reason):
            return "`\(command)` failed (\(reason)); run it by hand to see why, or save its output to a file "
                + "and pass that file with --data"
        case .invalidText(let error):
            return error.description
        case .badVocabulary(let path, let reason):
            return "\(path): not a valid vocabulary (\(reason)); re-run train-text to write the model again"
        }
    }
}
