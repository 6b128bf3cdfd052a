import Foundation

/// Folder-per-class text corpora, read from the `.tar.gz` archive directly or from an unpacked folder:
///
///     archive (BBC)        bbc/<class>/NNN.txt                       bbc/README.TXT is ignored
///     archive (BBC Sport)  bbcsport/<class>/NNN.txt
///     archive (20NG)       20news-bydate-train/<group>/<number>      subset "train"
///                          20news-bydate-test/<group>/<number>       subset "test"
///     folder               <path>/<class>/<file>                     e.g. the unpacked `bbc/`
///     folder (split)       <path>/<x>-train/<class>/<file>, <path>/<x>-test/<class>/<file>
///
/// In an archive, documents are the regular files exactly three levels deep (`<top>/<class>/<file>`); a top
/// folder whose name ends in `-train` or `-test` gives its documents that subset. A folder is read the same
/// way with `<path>` as the single top, unless it holds `*-train`/`*-test` subfolders. Names starting with `.`
/// are ignored. Documents are sorted by id (the path), so the order is the same on every machine and rank.
/// Bodies are decoded as UTF-8, or Latin-1 when not valid UTF-8 (`TextCorpus.decodeDocument`, counted in
/// `latin1Documents`); a NUL byte in a body, or an archive path that is not UTF-8, is an error.
extension TextCorpus {
    public static func classFolders(path: String, emptyTexts policy: EmptyTextPolicy = .drop) throws(CorpusError)
        -> TextCorpus {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw .missingArchive(path: path)
        }
        var latin1 = 0
        var documents = isFolder.boolValue ? try readFolder(path, latin1: &latin1) : try readArchive(path, latin1: &latin1)
        documents.sort { $0.id < $1.id }
        var corpus = try TextCorpus(source: path, documents: documents, emptyTexts: policy)
        corpus.latin1Documents = latin1
        // A class whose every document was empty is as unusable as an empty folder.
        let before = Set(documents.compactMap(\.labels.first)), after = Set(corpus.classNames)
        if let lost = before.subtracting(after).sorted().first { throw .emptyClass(path: path, className: lost) }
        return corpus
    }

    /// The subset named by a top folder (`20news-bydate-train` → "train"), or nil.
    static func subset(ofTop top: String) -> String? {
        if top.hasSuffix("-train") { return "train" }
        if top.hasSuffix("-test") { return "test" }
        return nil
    }

    /// The documents of a `.tar` / `.tar.gz`, read member by member (`TarReader`): only the document being
    /// decoded is in memory, and a member larger than the memory budget is refused before it is read.
    private static func readArchive(_ path: String, latin1: inout Int) throws(CorpusError) -> [TextDocument] {
        var documents: [TextDocument] = []
        var count = 0
        do {
            let reader = try TarReader(contentsOfFile: path)
            while let entry = try reader.next() {
                count += 1
                let parts = entry.path.split(separator: "/").map(String.init)
                guard parts.count == 3, !parts.contains(where: { $0.hasPrefix(".") }) else { continue }
                let bytes = try reader.contents(of: entry)
                let body = try decodeDocument(bytes[...], file: path + ":" + entry.path)
                if body.latin1 { latin1 += 1 }
                documents.append(TextDocument(id: entry.path, text: body.text, labels: [parts[1]], subset: subset(ofTop: parts[0])))
            }
        } catch let error as CorpusError {
            throw error
        } catch {
            throw .unreadable(path: path, reason: "\(error)")
        }
        guard !documents.isEmpty else {
            throw .badLayout(path: path, reason: "no file at depth <top>/<class>/<file> among \(count) entries")
        }
        return documents
    }

    private static func readFolder(_ path: String, latin1: inout Int) throws(CorpusError) -> [TextDocument] {
        let root = URL(fileURLWithPath: path).standardizedFileURL
        let subfolders = try visibleNames(root.path).filter { isDirectory(root.appendingPathComponent($0).path) }
        let splitTops = subfolders.filter { subset(ofTop: $0) != nil }
        let tops: [(url: URL, id: String, subset: String?)] = splitTops.isEmpty
            ? [(root, root.lastPathComponent, nil)]
            : splitTops.map { (root.appendingPathComponent($0), $0, subset(ofTop: $0)) }
        var documents: [TextDocument] = []
        for top in tops {
            let classes = try visibleNames(top.url.path).filter { isDirectory(top.url.appendingPathComponent($0).path) }
            for className in classes {
                let folder = top.url.appendingPathComponent(className)
                let files = try visibleNames(folder.path).filter { !isDirectory(folder.appendingPathComponent($0).path) }
                guard !files.isEmpty else { throw .emptyClass(path: folder.path, className: className) }
                for file in files {
                    let url = folder.appendingPathComponent(file)
                    guard let data = FileManager.default.contents(atPath: url.path) else {
                        throw .unreadable(path: url.path, reason: "open failed (missing target, or no permission)")
                    }
                    let body = try decodeDocument(data, file: url.path)
                    if body.latin1 { latin1 += 1 }
                    documents.append(TextDocument(id: "\(top.id)/\(className)/\(file)", text: body.text,
                                                  labels: [className], subset: top.subset))
                }
            }
        }
        guard !documents.isEmpty else { throw .badLayout(path: path, reason: "no class subfolders with files") }
        return documents
    }

    /// The sorted names in `path` that do not start with `.`.
    private static func visibleNames(_ path: String) throws(CorpusError) -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") }.sorted()
        } catch {
            throw .unreadable(path: path, reason: "cannot list the folder")
        }
    }

    private static func isDirectory(_ path: String) -> Bool {
        var flag: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
    }
}
