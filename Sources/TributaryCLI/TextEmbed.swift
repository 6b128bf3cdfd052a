import ArgumentParser
import Distributed
import InstanceInfusion

/// `tributary embed`: a `train-text` model's context vectors c for every document of a corpus, written to HDF5
/// (`embeddings` N×M Float32, `labels` Int32, `ids` and `classes` strings; header stage `embed`). The documents
/// are sharded over the ranks and gathered to rank 0, which writes the file; the file does not depend on the
/// rank count. This is the source memory that instance infusion retrieves from.
struct TextEmbed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Write each document's context vector c (from a train-text model) to HDF5.")

    @OptionGroup var corpus: TextCorpusOptions

    @Option(help: "The model written by train-text --out.")
    var model: String

    @Option(help: "Only the documents of this predefined subset (train or test; 20news bydate, CSV `subset`).")
    var subset: String?

    @Option(help: "Where rank 0 writes the embeddings (HDF5).")
    var out: String

    func run() throws {
        let source = try corpus.source()
        World.run { comm in
            _ = try TextEmbeddingStage(modelPath: model, source: source, subset: subset, outputPath: out)
                .run(communicator: comm)
        }
    }
}
