import Core
import Datasets
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LinearAlgebra
import Stages

/// Turning config datasets into stage inputs, and their content hashes (part of every stage key that reads them).
///
/// - **Image datasets** are read where they live; the hash covers the selection parameters and the bytes of the
///   files read (Fashion-MNIST: the idx files of the split; `folder`: every file under the folder and the
///   `labels_csv` file; `tar`: the archive; `synthetic`: the parameters only), never the paths they were named by
///   (`parameterText`).
/// - **Text datasets** are *materialised* by rank 0 into `out/datasets/<name>.csv` (columns `text,label`, plus
///   `subset` when the corpus has a predefined split): the corpus is loaded, classes with fewer than
///   `min_class_size` documents are dropped, and `limit` documents are kept, drawn by
///   `SeededRandom(seed: seed).permutation` and kept in corpus order. The snapshot's bytes are the hash, so a
///   changed `apt-cache dumpavail` reruns the text stages, and every rank trains on the same file. Beside it,
///   `NAME.csv.source` holds the hash of the parameters and the source's bytes (the file, or the dumpavail
///   output): while that is unchanged the snapshot is reused without parsing the corpus again.
enum RunnerDatasets {
    static func snapshotPath(_ dataset: RunnerDataset, out: String) -> String { out + "/datasets/" + dataset.name + ".csv" }

    /// The resolved dataset (every rank; text snapshots must exist: see `materialise`).
    static func resolve(_ d: RunnerDataset, out: String) -> ResolvedDataset {
        let selection = ImageSelection(limit: d.int("limit"), subsetSeed: d.int("subset_seed").map { UInt64($0) })
        switch d.kind {
        case "fashion-mnist":
            return .images(.fashionMNIST(directory: d.string("data") ?? ImageSource.fashionMNISTDirectory,
                                         split: d.string("split") ?? "train"), selection)
        case "folder":
            return .images(.folder(root: d.string("data") ?? ".", labelsCSV: d.string("labels_csv"), split: d.string("split"),
                                   allowOutsidePaths: d.bool("allow_outside_paths") ?? false), selection)
        case "tar":
            return .images(.tar(archive: d.string("data") ?? "", labelsEntry: d.string("labels_csv") ?? "labels.csv",
                                split: d.string("split")), selection)
        case "synthetic":
            return .images(.synthetic(count: d.int("count") ?? 32, width: d.int("width") ?? 32, height: d.int("height") ?? 32,
                                      seed: UInt64(d.int("seed") ?? 0)), ImageSelection())
        default:
            return .text(TextCorpusSource(kind: .csv, path: snapshotPath(d, out: out)))
        }
    }

    /// Rank 0: writes the text snapshot if needed (not when `write` is false: `status` writes nothing), and
    /// returns the dataset's content hash.
    static func materialise(_ d: RunnerDataset, out: String, write: Bool = true) throws -> String {
        var h = SHA256()
        h.update("dataset \(d.kind)\n" + parameterText(d))
        switch d.kind {
        case "fashion-mnist":
            let folder = d.string("data") ?? ImageSource.fashionMNISTDirectory
            let prefix = (d.string("split") ?? "train") == "test" ? "t10k-" : "train-"
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasPrefix(prefix) }.sorted()
            guard !files.isEmpty else {
                throw RunnerError.datasetMissing(dataset: d.name, path: folder,
                                                 fix: "install the dataset-fashion-mnist package, or set \"data\" to the folder of the idx files")
            }
            for f in files {
                h.update("\n" + f + "\n")
                try RunnerDigest.feed(file: folder + "/" + f, into: &h)
            }
        case "folder", "tar":
            let path = d.string("data") ?? ""
            guard FileManager.default.fileExists(atPath: path) else {
                throw RunnerError.datasetMissing(dataset: d.name, path: path, fix: "set \"data\" to an existing \(d.kind == "tar" ? "archive" : "image folder")")
            }
            h.update(try RunnerDigest.of(path))
            if d.kind == "folder", let labels = d.string("labels_csv") {  // may lie outside the folder
                h.update("\nlabels_csv \((try? RunnerDigest.of(labels)) ?? "missing")")
            }
        case "synthetic":
            break
        default:
            // The snapshot is rebuilt only when its source changed: `.source` beside it holds the source's hash.
            let (fingerprint, dump) = try sourceFingerprint(d)
            let path = snapshotPath(d, out: out)
            let recorded = FileManager.default.contents(atPath: path + ".source").map { String(decoding: $0, as: UTF8.self) }
            let bytes: [UInt8]
            if recorded == fingerprint, let cached = FileManager.default.contents(atPath: path) {
                bytes = [UInt8](cached)
            } else {
                bytes = Array(try snapshot(d, dump: dump).utf8)
                if write {  // the snapshot first: a crash in between leaves a stale `.source`, so a rebuild
                    try RunnerFiles.writeAtomically(bytes, to: path)
                    try RunnerFiles.writeAtomically(fingerprint, to: path + ".source")
                }
            }
            h.update(bytes)
        }
        return h.finalize().hex
    }

    /// The dataset's parameters as hashed: `key=value` lines in key order, without the file-valued keys
    /// (`RunnerDataset.keys` kind `.file`). Those enter the hash by their content alone (as a stage's file
    /// parameters do in `Runner.key`), so the same files named by a relative or an absolute path, or from another
    /// working directory, give the same hash, and other bytes under the same path a different one.
    static func parameterText(_ d: RunnerDataset) -> String {
        let files = RunnerDataset.keys[d.kind] ?? [:]
        return d.parameters.keys.sorted().filter { files[$0] != .file }
            .map { "\($0)=\(d.parameters[$0]!.canonical)" }.joined(separator: "\n")
    }

    /// The hash of a text dataset's parameters and source bytes (the archive, CSV or dump file; for `debian`
    /// without `data`, the output of `apt-cache dumpavail`, returned too so that it is parsed from the same bytes).
    static func sourceFingerprint(_ d: RunnerDataset) throws -> (String, Data?) {
        var h = SHA256()
        h.update("source \(d.kind)\n" + parameterText(d))
        if d.kind == "debian" && d.string("data") == nil {
            let dump = try aptCacheDump(dataset: d.name)
            dump.withUnsafeBytes { h.update($0.bindMemory(to: UInt8.self)) }
            return (h.finalize().hex, dump)
        }
        let source = TextCorpusSource(kind: TextCorpusSource.Kind(rawValue: d.kind) ?? .csv, path: d.string("data"))
        guard let path = try? source.resolvedPath(), FileManager.default.fileExists(atPath: path) else {
            throw RunnerError.datasetMissing(dataset: d.name, path: d.string("data") ?? "the \(d.kind) archive under ../shared/data",
                                             fix: "set \"data\" to the corpus file, or TRIBUTARY_SHARED_DATA to the shared data folder")
        }
        h.update(try RunnerDigest.of(path))
        return (h.finalize().hex, nil)
    }

    /// The output of `apt-cache dumpavail`.
    static func aptCacheDump(dataset: String) throws -> Data {
        let executable = "/usr/bin/apt-cache"
        let data: Data, status: Int32
        do {
            (data, status) = try DebianPackages.dumpAvail(executable: executable)
        } catch {
            throw RunnerError.datasetMissing(dataset: dataset, path: executable,
                                             fix: "run on Debian (apt), or set \"data\" to a saved `apt-cache dumpavail` output")
        }
        guard status == 0, !data.isEmpty else {
            throw RunnerError.badDataset(dataset: dataset, reason: "`apt-cache dumpavail` failed (exit status \(status)); "
                + "run `apt-get update`, or set \"data\" to a saved dump")
        }
        return data
    }

    /// The snapshot CSV of a text dataset (`dump`: the `apt-cache dumpavail` output already read, if any).
    static func snapshot(_ d: RunnerDataset, dump: Data? = nil) throws -> String {
        guard let kind = TextCorpusSource.Kind(rawValue: d.kind) else { preconditionFailure("checked by RunnerDataset.parse") }
        let labels = DebianPackages.Labels(rawValue: d.string("labels") ?? "section")
        guard let labels else {
            throw RunnerError.badDataset(dataset: d.name, reason: "labels = \(d.string("labels") ?? "") is not section or tags")
        }
        let corpus: TextCorpus
        do {
            if let dump {
                let packages = try DebianPackages.parse(DebianPackages.decode(dump, source: "apt-cache dumpavail"),
                                                    source: "apt-cache dumpavail")
                corpus = try TextCorpus.debian(packages, labels: labels, source: "apt-cache dumpavail")
            } else {
                corpus = try TextCorpusSource(kind: kind, path: d.string("data"), debianLabels: labels).load()
            }
        } catch {
            throw RunnerError.badDataset(dataset: d.name, reason: "\(error)")
        }
        var counts: [String: Int] = [:]
        for doc in corpus.documents { counts[doc.labels[0], default: 0] += 1 }
        let minimum = d.int("min_class_size") ?? 1
        var keep = corpus.documents.indices.filter { counts[corpus.documents[$0].labels[0]]! >= minimum }
        if let limit = d.int("limit"), limit < keep.count {
            var rng = SeededRandom(seed: UInt64(d.int("seed") ?? 0))
            keep = rng.permutation(keep.count).prefix(limit).map { keep[$0] }.sorted()
        }
        guard !keep.isEmpty else {
            throw RunnerError.badDataset(dataset: d.name, reason: "\(corpus.source): no document is left (every class has fewer than min_class_size = \(minimum) documents); lower min_class_size")
        }
        let withSubset = keep.allSatisfy { corpus.documents[$0].subset != nil }
        var text = CSVTable.line(withSubset ? ["text", "label", "subset"] : ["text", "label"])
        for i in keep {
            let doc = corpus.documents[i]
            text += CSVTable.line([doc.text, doc.labels.joined(separator: ";")] + (withSubset ? [doc.subset!] : []))
        }
        return text
    }
}

