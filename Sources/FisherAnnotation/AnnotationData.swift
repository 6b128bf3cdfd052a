import Classifiers
import Encoding
import Features
import LinearAlgebra
import Stages
import Storage

/// The inputs of `tributary annotate`: the Fisher vectors of `fv.h5` joined by image id with the concepts,
/// tags and split of `images.csv`, split into training and test rows.
///
/// **Blocks.** The 6 visual feature blocks are `fv/<kind>/<layout>` for kind ∈ {orh, col} and layout ∈ {1x1, 2x2,
/// 1x3}, named `orh/1x1` …; the tag block `tags` is the L2-normalised binary tag vector over a `TagVocabulary`
/// (paper §4.1) built from the training and test items' tags (or given: `predict` reuses the training one).
///
/// **Concepts.** All concepts of the annotations — in the dataset's class order (`fv.h5` `class_names`), so that
/// models, scores and evaluations list them as the Fisher vectors' `labels` count them; others sorted — or
/// `concepts` when given (an unknown name is an error). A concept with no positive training item cannot be
/// learnt: it is *skipped* (listed in `skippedConcepts`, printed by `train`), not an error. `predict` passes the
/// trained list, and every one must still be present.
///
/// **Shapes.** `train[b]`: (N, D_b), `test[b]`: (Q, D_b); labels (N, K) and (Q, K); tags (N, V) and (Q, V).
public struct AnnotationData: Sendable {
    public static let tagsBlock = "tags"
    /// The visual block names, in a fixed order.
    public static let visualBlocks = DescriptorKind.allCases.flatMap { kind in
        EncodeStage.layouts.map { "\(kind.rawValue)/\($0)" }
    }

    public let fisherVectors: String
    public let annotations: String
    public let concepts: [String]
    public let skippedConcepts: [String]
    public let trainIDs: [String]
    public let testIDs: [String]
    public let trainLabels: LabelMatrix
    public let testLabels: LabelMatrix
    /// The 6 visual blocks then `tags`.
    public let train: [String: Matrix<Float>]
    public let test: [String: Matrix<Float>]
    public let vocabulary: TagVocabulary
    public let isSingleLabel: Bool

    /// Reads and joins the files. `concepts`: restrict to (or, from `predict`, require) these concepts.
    /// `visual: false` leaves the 6 visual blocks unread (`train`/`test` hold only `tags`): the row-sharded
    /// `annotate train` reads its rows of them itself (`FisherVectorRows`).
    public static func load(fisherVectors fv: String, annotations path: String, concepts requested: [String]? = nil,
                            vocabulary given: TagVocabulary? = nil, tagVocabulary scope: TagVocabulary.Scope = .train,
                            minimumTagCount: Int = 25,
                            maximumTags: Int = .max, visual: Bool = true) throws -> AnnotationData {
        let table = try AnnotationTable.read(path)
        let file = try openArtifact(fv, stage: EncodeStage.stage, version: EncodeStage.version,
                                    producer: "`tributary fisher` (or `tributary encode`)")
        defer { try? file.close() }
        let ids = try file.readStrings("ids")
        var row: [String: Int] = [:]  // lookup only, never iterated
        for (i, item) in table.items.enumerated() { row[item.path] = i }
        var trainRows: [Int] = [], testRows: [Int] = []
        for (i, id) in ids.enumerated() {
            guard let r = row[id] else { throw AnnotateError.missingItem(fisherVectors: fv, id: id, annotations: path) }
            if table.items[r].split == "train" { trainRows.append(i) } else { testRows.append(i) }
        }
        guard !trainRows.isEmpty else { throw AnnotateError.emptySplit(split: "train", fisherVectors: fv, annotations: path) }
        guard !testRows.isEmpty else { throw AnnotateError.emptySplit(split: "test", fisherVectors: fv, annotations: path) }
        let items = ids.map { table.items[row[$0]!] }
        let known = table.conceptNames(orderedLike: file.isDataset("class_names") ? try file.readStrings("class_names") : [])
        for name in requested ?? [] where !known.contains(name) {
            throw AnnotateError.unknownConcept(name: name, annotations: path, known: known)
        }
        let candidates = requested ?? known
        let positives = Set(trainRows.flatMap { items[$0].concepts })
        let concepts = requested != nil && given != nil ? candidates : candidates.filter { positives.contains($0) }
        guard !concepts.isEmpty else { throw AnnotateError.noConcepts(annotations: path) }
        func labels(_ rows: [Int]) -> LabelMatrix {
            LabelMatrix(rows.map { r in let c = Set(items[r].concepts); return concepts.map { c.contains($0) } })
        }
        var train: [String: Matrix<Float>] = [:], test: [String: Matrix<Float>] = [:]
        for name in visualBlocks where visual {
            let all = try FisherVectorReader(file: file, dataset: "fv/" + name).all()  // float32, float16 or PQ
            let (values, shape) = (all.values, [all.rows, all.columns])
            guard shape.count == 2, shape[0] == ids.count else {
                throw PipelineError.inconsistent(file: fv, what: "fv/\(name) has shape \(shape) for \(ids.count) ids",
                                                 rerun: "encode")
            }
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw AnnotateError.nonFinite(file: fv, dataset: "fv/" + name, row: bad / Swift.max(1, shape[1]))
            }
            train[name] = gather(all, trainRows)
            test[name] = gather(all, testRows)
        }
        let vocabulary = try given ?? TagVocabulary.build(train: trainRows.map { items[$0].tags },
                                                          test: testRows.map { items[$0].tags }, scope: scope,
                                                          minimumCount: minimumTagCount, maximumSize: maximumTags)
        train[tagsBlock] = vocabulary.encode(trainRows.map { items[$0].tags })
        test[tagsBlock] = vocabulary.encode(testRows.map { items[$0].tags })
        return AnnotationData(fisherVectors: fv, annotations: path, concepts: concepts,
                              skippedConcepts: candidates.filter { !concepts.contains($0) },
                              trainIDs: trainRows.map { ids[$0] }, testIDs: testRows.map { ids[$0] },
                              trainLabels: labels(trainRows), testLabels: labels(testRows), train: train, test: test,
                              vocabulary: vocabulary, isSingleLabel: items.allSatisfy { $0.concepts.count == 1 })
    }

    /// The blocks `names` of the training (or test) items concatenated column-wise: early fusion, and the
    /// summed-kernel similarity of TagProp.
    public func features(_ names: [String], test useTest: Bool = false) throws -> Matrix<Float> {
        let source = useTest ? test : train
        let blocks = names.map { source[$0]! }
        return blocks.count == 1 ? blocks[0] : try Fusion.concatenate(blocks)
    }

    /// Rows `rows` of `m`.
    static func gather(_ m: Matrix<Float>, _ rows: [Int]) -> Matrix<Float> {
        var values: [Float] = []
        values.reserveCapacity(rows.count * m.columns)
        for r in rows { values += m.values[(r * m.columns) ..< ((r + 1) * m.columns)] }
        return Matrix(rows: rows.count, columns: m.columns, values: values)
    }
}
