import Core
import Foundation
import LinearAlgebra
import Stages

/// The MIRFlickr-25k layout (Huiskes & Lew 2008; ImageCLEF 2010 VCDT used its images and Flickr tags) as an
/// `AnnotationTable`, for users who have the dataset (it could not be obtained on the build machines).
///
/// | path (under `--data`) | content |
/// | --- | --- |
/// | `im<n>.jpg` | image n (1-based; any subset of 1 … 25000) |
/// | `tags/tags<n>.txt` or `meta/tags/tags<n>.txt` | image n's Flickr tags, one per line (missing file: no tags) |
/// | `annotations/<concept>.txt` (or `mirflickr25k_annotations_v080/`) | the numbers n of the images showing the concept, one per line |
/// | `annotations/<concept>_r1.txt` | the subset where the concept is *relevant* (salient) |
///
/// With `relevantOnly`, a concept with an `_r1` file takes its images from it (the stricter ground truth);
/// otherwise `_r1` files are ignored. `README.txt` is skipped. Numbers of images that are not present are
/// ignored (so a subset of the images can be used), blank lines too; any other line is an error naming the file
/// and line. Tags are trimmed; an image's tags keep their first occurrence order, without repeats.
///
/// **Split.** MIRFlickr-25k has no official train/test split: `trainFraction` of the images (rounded down) are
/// drawn for training by `SeededRandom(seed:)`, the rest test (ImageCLEF 2010 trained on 8,000 of 25,000 ≈ 0.32).
public enum MIRFlickrDataset {
    public static let annotationFolders = ["annotations", "mirflickr25k_annotations_v080"]
    public static let tagFolders = ["tags", "meta/tags"]

    public static func load(directory: String, relevantOnly: Bool = false, trainFraction: Double = 0.32,
                            seed: UInt64 = 0) throws -> AnnotationTable {
        let fm = FileManager.default
        let root = URL(fileURLWithPath: directory)
        let names = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
        let numbers = names.compactMap { imageNumber($0) }.sorted()
        guard !numbers.isEmpty else {
            throw PipelineError.noImages(source: "MIRFlickr folder \(directory) (no im<n>.jpg files)")
        }
        guard trainFraction > 0, trainFraction < 1 else {
            throw PipelineError.invalidParameter(name: "--train-fraction", value: "\(trainFraction)", rule: "must be in (0, 1)")
        }
        let position = Dictionary(uniqueKeysWithValues: numbers.enumerated().map { ($1, $0) })  // lookup only
        var concepts = [[String]](repeating: [], count: numbers.count)
        for (concept, file) in try conceptFiles(root, relevantOnly: relevantOnly) {
            let text = try StrictText.decode(fm.contents(atPath: file) ?? Data(), file: file)  // labels: strict
            for (line, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let field = raw.trimmingCharacters(in: .whitespacesAndNewlines)
                if field.isEmpty { continue }
                guard let n = Int(field) else {
                    throw PipelineError.invalidParameter(name: "\(file):\(line + 1)", value: field,
                                                         rule: "an annotation line must be an image number")
                }
                if let i = position[n], concepts[i].last != concept { concepts[i].append(concept) }
            }
        }
        var rng = SeededRandom(seed: seed)
        let train = Set(rng.sample(Int(Double(numbers.count) * trainFraction), from: numbers.count))
        let tagRoot = tagFolders.map { root.appendingPathComponent($0) }.first { fm.fileExists(atPath: $0.path) }
        let items = try numbers.enumerated().map { i, n in
            AnnotationTable.Item(path: "im\(n).jpg", concepts: concepts[i], tags: try tags(tagRoot, n),
                                 split: train.contains(i) ? "train" : "test")
        }
        return AnnotationTable(source: "MIRFlickr in \(directory)", items: items)
    }

    /// n for a file named `im<n>.jpg`.
    static func imageNumber(_ name: String) -> Int? {
        guard name.hasPrefix("im"), name.hasSuffix(".jpg") else { return nil }
        return Int(name.dropFirst(2).dropLast(4))
    }

    /// (concept, file) pairs sorted by concept name.
    static func conceptFiles(_ root: URL, relevantOnly: Bool) throws -> [(String, String)] {
        let fm = FileManager.default
        guard let folder = annotationFolders.map({ root.appendingPathComponent($0) }).first(where: { fm.fileExists(atPath: $0.path) }),
              let files = try? fm.contentsOfDirectory(atPath: folder.path) else {
            throw PipelineError.missingInput(path: root.appendingPathComponent("annotations").path,
                                             producer: "the MIRFlickr-25k annotation files (mirflickr25k_annotations_v080)")
        }
        let stems = Set(files.filter { $0.hasSuffix(".txt") && $0.lowercased() != "readme.txt" }.map { String($0.dropLast(4)) })
        return stems.filter { !$0.hasSuffix("_r1") }.sorted().map { concept in
            let strict = concept + "_r1"
            let stem = relevantOnly && stems.contains(strict) ? strict : concept
            return (concept, folder.appendingPathComponent(stem + ".txt").path)
        }
    }

    /// The tags of image `n` (`tags<n>.txt`, one per line), decoded strictly (`StrictText`: tags are labels).
    static func tags(_ folder: URL?, _ n: Int) throws -> [String] {
        let file = folder?.appendingPathComponent("tags\(n).txt").path
        guard let file, let data = FileManager.default.contents(atPath: file) else { return [] }
        var seen = Set<String>(), out: [String] = []
        for line in try StrictText.decode(data, file: file).split(whereSeparator: \.isNewline) {
            let tag = line.trimmingCharacters(in: .whitespaces)
            if !tag.isEmpty, seen.insert(tag).inserted { out.append(tag) }
        }
        return out
    }
}
