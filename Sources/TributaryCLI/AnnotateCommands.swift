import Stages
import ArgumentParser
import Distributed
import FisherAnnotation
import Foundation
import LinearAlgebra

/// `tributary annotate …`: image annotation with the Fisher vectors of `tributary fisher` (Mensink et al. 2010
/// §3–4): manifest → (fisher) → train → predict → eval, then `tributary report`.
struct Annotate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotate",
        abstract: "Annotate images: SVM early/late fusion, SLR, TagProp over Fisher vectors and tags.",
        discussion: """
            emoji-tags end to end (files in /tmp/emoji):
              tributary annotate manifest --dataset emoji-tags --data ../shared/data/emoji-tags --out /tmp/emoji
              tributary fisher --dataset folder --data /tmp/emoji --labels-csv /tmp/emoji/images.csv --out /tmp/emoji/fisher
              tributary annotate train --fv /tmp/emoji/fisher/fv.h5 --out /tmp/emoji --min-tag-count 10
              tributary annotate predict --out /tmp/emoji && tributary annotate eval --out /tmp/emoji
              tributary report --out /tmp/emoji
            """,
        subcommands: [AnnotateManifest.self, AnnotateTrain.self, AnnotatePredict.self, AnnotateEval.self])
}

/// `tributary annotate manifest`: OUT/images.csv (and, for emoji-tags, the images unpacked under OUT).
struct AnnotateManifest: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Write OUT/images.csv (path, labels, split, concepts, tags) for emoji-tags, MIRFlickr-25k or a single-label labels CSV.")

    /// The annotation sources of `--dataset`.
    enum Dataset: String, CaseIterable, ExpressibleByArgument {
        case emojiTags = "emoji-tags", mirflickr, classCSV = "class-csv"
    }

    @Option(help: "emoji-tags (../shared/data/emoji-tags), mirflickr (a MIRFlickr-25k folder) or class-csv (a single-label labels CSV such as Flowers17's labels.csv).")
    var dataset = Dataset.emojiTags

    @Option(help: "emoji-tags/mirflickr: the dataset folder; class-csv: the labels CSV.")
    var data: String

    // Each dataset's own options are optional, so that one given for another dataset is refused, not ignored.
    @Option(help: "emoji-tags: both (default), noto, emojione, or cross (train on Noto, test on EmojiOne).")
    var rendering: EmojiTagsDataset.Rendering?

    @Flag(name: .customLong("relevant-only"), help: "mirflickr: use the annotations/*_r1.txt relevant sets where present.")
    var relevantOnly = false

    @Option(name: .customLong("train-fraction"), help: "mirflickr: fraction of the images drawn (seeded) for training (default 0.32).")
    var trainFraction: Double?

    @Option(name: .customLong("train-per-class"), help: "class-csv without a split column: training images per class (seeded), the rest test (default 40).")
    var trainPerClass: Int?

    @Option(help: "Seed of the mirflickr / class-csv split (default 0).")
    var seed: UInt64?

    func validate() throws {
        var given: [(String, Set<Dataset>)] = []
        if rendering != nil { given.append(("--rendering", [.emojiTags])) }
        if relevantOnly { given.append(("--relevant-only", [.mirflickr])) }
        if trainFraction != nil { given.append(("--train-fraction", [.mirflickr])) }
        if trainPerClass != nil { given.append(("--train-per-class", [.classCSV])) }
        if seed != nil { given.append(("--seed", [.mirflickr, .classCSV])) }
        for (flag, datasets) in given where !datasets.contains(dataset) {
            let names = Dataset.allCases.filter(datasets.contains).map(\.rawValue).joined(separator: " or ")
            throw ValidationError("\(flag) applies to --dataset \(names), not \(dataset.rawValue); remove it")
        }
        if let trainFraction, !(trainFraction > 0 && trainFraction < 1) {
            throw ValidationError("--train-fraction must be in (0, 1), got \(trainFraction)")
        }
        if let trainPerClass, trainPerClass < 1 { throw ValidationError("--train-per-class must be at least 1, got \(trainPerClass)") }
    }

    @OptionGroup var folder: AnnotateFolderOptions

    @OptionGroup var job: JobOptions

    func run() throws {
        let source: AnnotationSource
        switch dataset {
        case .mirflickr: source = .mirflickr(directory: data, relevantOnly: relevantOnly, trainFraction: trainFraction ?? 0.32, seed: seed ?? 0)
        case .classCSV: source = .classLabels(csv: data, trainPerClass: trainPerClass ?? 40, seed: seed ?? 0)
        case .emojiTags: source = .emojiTags(directory: data, rendering: rendering ?? .both)
        }
        job.run { comm in
            let table = try source.load()
            guard comm.isRoot else { return }  // Distributed: rank 0 writes
            let path = AnnotateFiles.annotations(folder.out)
            try table.write(to: path)
            let train = table.items.filter { $0.split == "train" }.count
            comm.log0("annotate manifest: \(table.items.count) images (\(train) train, \(table.items.count - train) test), "
                + "\(table.conceptNames.count) concepts → \(path)")
            switch dataset {
            case .emojiTags:
                let n = try EmojiTagsDataset.extractImages(archive: data + "/emoji-tags.tar", to: folder.out)
                comm.log0("annotate manifest: unpacked \(n) images under \(folder.out); next:\n  tributary fisher --dataset folder "
                    + "--data \(folder.out) --labels-csv \(path) --out \(folder.out)/fisher")
            case .mirflickr:
                comm.log0("next: tributary fisher --dataset folder --data \(data) --labels-csv \(path) --out \(folder.out)/fisher")
            case .classCSV:
                comm.log0("next: tributary fisher --dataset folder|tar --data <images or archive> … --out \(folder.out)/fisher "
                    + "(the ids must equal the paths of \(path))")
            }
        }
    }
}

/// `tributary annotate train`: `StageSpec.annotateTrain`'s parameters, as in a runner `annotate` stage.
struct AnnotateTrain: ParsableCommand, SpecCommand {
    static let spec = StageSpec.annotateTrain
    static let plumbing = ["out", "fv", "annotations"]
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Train the runs' classifiers on the training images → OUT/models.h5 (concepts or, past the memory budget, rows split over ranks).")

    @OptionGroup var folder: AnnotateFolderOptions
    @OptionGroup var inputs: AnnotateInputOptions
    @OptionGroup var options: AnnotateTrainOptions

    func validate() throws {
        if inputs.fv == nil { throw ValidationError("annotate train needs --fv (the fv.h5 of `tributary fisher`)") }
        _ = try parameters()
    }

    @OptionGroup var job: JobOptions

    func run() throws {
        let config = AnnotateTrainConfig(try parameters(), fisherVectors: inputs.fv ?? "",
                                         annotations: inputs.annotations ?? AnnotateFiles.annotations(folder.out),
                                         output: AnnotateFiles.models(folder.out))
        job.run { comm in
            try AnnotateTrainStage(config: config).run(communicator: comm) { comm.log0($0) }
            comm.log0("annotate train: wrote \(config.output)")
        }
    }
}

/// `tributary annotate predict`: `StageSpec.annotatePredict`'s parameters, as in a runner `annotate` stage.
struct AnnotatePredict: ParsableCommand, SpecCommand {
    static let spec = StageSpec.annotatePredict
    static let plumbing = ["out", "fv", "annotations"]
    static let configuration = CommandConfiguration(
        commandName: "predict", abstract: "Score the test images with every trained run → OUT/scores.h5 (raw, confidence, decision).")

    @OptionGroup var folder: AnnotateFolderOptions
    @OptionGroup var inputs: AnnotateInputOptions

    @Option(help: ArgumentHelp(spec.help("late_fusion")))
    var lateFusion = spec.default("late_fusion", as: LateFusionScores.self)

    @OptionGroup var job: JobOptions

    func run() throws {
        let config = AnnotatePredictConfig(try parameters(), models: AnnotateFiles.models(folder.out),
                                           output: AnnotateFiles.scores(folder.out), fisherVectors: inputs.fv,
                                           annotations: inputs.annotations)
        job.run { comm in
            try AnnotatePredictStage(config: config).run(communicator: comm) { comm.log0($0) }
            comm.log0("annotate predict: wrote \(config.output)")
        }
    }
}

/// `tributary annotate eval`.
struct AnnotateEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Per-concept AP, EER, AUC; mAP, F-ex (and accuracy, macro-F1 for single-label) → OUT/eval.h5.")

    @OptionGroup var folder: AnnotateFolderOptions

    @OptionGroup var job: JobOptions

    func run() throws {
        job.run { comm in
            guard comm.isRoot else { return }  // Distributed: evaluation is cheap; rank 0 alone reads and writes
            let path = AnnotateFiles.scores(folder.out)
            let evaluation = AnnotationEvaluation.evaluate(try AnnotationScores.read(path), scoresFile: path)
            try evaluation.write(to: AnnotateFiles.evaluation(folder.out))
            comm.log0(AnnotationReport.markdown(evaluation))
            comm.log0("annotate eval: wrote \(AnnotateFiles.evaluation(folder.out))")
        }
    }
}

/// `tributary report`.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "A Table-2-style Markdown table of the annotation runs (OUT/report.md) and a per-concept AP plot (OUT/ap.png).")

    @OptionGroup var folder: AnnotateFolderOptions

    @OptionGroup var job: JobOptions

    func run() throws {
        job.run { comm in
            guard comm.isRoot else { return }  // Distributed: rank 0 prints and writes
            let evaluation = try AnnotationEvaluation.read(AnnotateFiles.evaluation(folder.out))
            let table = AnnotationReport.markdown(evaluation)
            try table.write(toFile: folder.out + "/report.md", atomically: true, encoding: .utf8)
            comm.log0(table)
            let note = try AnnotationReport.plot(evaluation, png: folder.out + "/ap.png")
            comm.log0("report: wrote \(folder.out)/report.md; \(note)")
        }
    }
}

extension EmojiTagsDataset.Rendering: ExpressibleByArgument {}
