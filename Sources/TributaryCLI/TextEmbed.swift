import Stages
import ArgumentParser
import Distributed
import InstanceInfusion

/// `tributary embed`: a `train-text` model's context vectors c for every document of a corpus, written to HDF5
/// (`embeddings` N×M Float32, `labels` Int32, `ids` and `classes` strings; header stage `embed`). The documents
/// are sharded over the ranks and gathered to rank 0, which writes the file; the file does not depend on the
/// rank count. This is the source memory that instance infusion retrieves from.
struct TextEmbed: ParsableCommand, SpecCommand {
    static let spec = StageSpec.embed
    static let plumbing = ["corpus", "data", "debian_labels", "empty_texts", "model", "out"]
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Write each document's context vector c (from a train-text model) to HDF5.",
        discussion: "The same parameters as an `embed` stage of a pipeline config (data/pipelines/README.md).")

    @OptionGroup var corpus: TextCorpusOptions

    @Option(help: "The model written by train-text --out.")
    var model: String

    @Option(help: ArgumentHelp(spec.help("subset"))) var subset: String?
    @Option(help: ArgumentHelp(spec.help("classes"))) var classes = spec.default("classes", as: String.self)

    @Option(help: "Where rank 0 writes the embeddings (HDF5).")
    var out: String

    @OptionGroup var job: JobOptions

    func run() throws {
        let source = try corpus.source()
        let p = try parameters()
        job.run { comm in
            _ = try TextEmbeddingStage(p, modelPath: model, source: source, outputPath: out).run(communicator: comm)
        }
    }
}
