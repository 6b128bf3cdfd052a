import Core
import Datasets
import LabelGraphs
import NeuralNets
import Stages
import Training

/// `train-paths --text-encoder MODEL.h5`: label-aug with the bi-LSTM text encoder trained jointly
/// (`EndToEndPathModel`), one flat buffer θ_text ++ θ_dec in the shared `DataParallelTrainer` (one optimizer, one
/// checkpoint), each step's gradient summed exactly (`EndToEndPathModel.exactStep`: the same bits for any rank count)
/// in the trainer's collective steps (`DataParallelTrainer+CollectiveStep`), so every sample is used each epoch.
///
///     joined features file (a `tributary embed` file of the same model): its `ids` name the documents and its
///         rows fit the standardisation (μ, s), exactly as in frozen mode
///     text corpus (`text_corpus`, `text_data`): document id → text → token ids (the model's vocabulary, L_max)
///     step s: for each sample of the rank's slice, the loss of one sample through encoder and decoder
///
/// The features file's rows are not read during training (the encoder recomputes c), only for (μ, s).
extension PathTrainingStage {
    /// The token ids of every sample: the document its features file's `ids` entry names, looked up in the corpus
    /// of `encoder` and tokenised with its vocabulary.
    static func sequences(samples: PathSamples, specs: [PathDataSpec], encoder: PathTextEncoder) throws -> [[Int]] {
        try MemoryBudget.current.reserve(bytes: MemoryBudget.product([samples.count, encoder.maxLength, MemoryLayout<Int>.stride]),
                                         for: encoder.corpus.path ?? encoder.corpus.kind.rawValue,
                                         purpose: "train-paths --text-encoder: \(samples.count) token sequences", fix: "raise --memory")
        let corpus = try encoder.corpus.load()
        var index: [String: Int] = [:]
        for (k, document) in corpus.documents.enumerated() where index[document.id] == nil { index[document.id] = k }
        return try samples.ids.indices.map { i in
            guard let k = index[samples.ids[i]] else {
                throw PathTrainingError.missingDocument(id: samples.ids[i], features: specs[samples.specIndex[i]].features, corpus: corpus.source)
            }
            return encoder.tokens(corpus.documents[k].text)
        }
    }

    /// Label-aug through the text encoder (see the extension's comment). Returns the trainer's result; `state`
    /// carries b and the step counter (checkpointed as in frozen mode).
    func trainEndToEnd(_ encoder: PathTextEncoder, model: PathModelFile, samples: PathSamples, truths: [GroundTruth],
                       state: LabelAugState, trainer: DataParallelTrainer,
                       log: (EpochSummary, Parameters<Float>) throws -> Void, progress: ProgressReporter) throws -> DataParallelTrainer.Result {
        let cfg = configuration, comm = trainer.communicator
        guard model.featureSize == encoder.configuration.contextSize else {
            throw PathTrainingError.invalidOption(name: "--text-encoder", reason: "the joined features have F = \(model.featureSize) "
                + "columns but the text model's context size is M = \(encoder.configuration.contextSize); join the `tributary embed` output of that model")
        }
        guard let joint = try model.endToEnd() else { preconditionFailure("trainEndToEnd: the model has no text encoder") }
        let inputs = EndToEndPathModel.StepInputs(sequences: try Self.sequences(samples: samples, specs: cfg.specs, encoder: encoder),
                                                  truths: truths, options: cfg.pathOptions, seed: cfg.seed)
        comm.log0("train-paths: end-to-end, text encoder θ_text \(joint.decoderOffset) + decoder θ_dec \(joint.layout.count - joint.decoderOffset) parameters, "
            + "exact (fixed-point) gradient sums")
        // Every rank joins every step's exact sum (a collective step), one with no sample of a short last batch
        // included: every sample is used each epoch, whatever the rank count.
        return try trainer.train(initial: joint.makeParameters(text: encoder.parameters, seed: cfg.seed), sampleCount: samples.count,
                                 resume: cfg.resume, collectiveStep: { _, local, _, parameters in
            state.step += 1
            return comm.runOrAbort {
                try joint.exactStep(local, step: state.step, inputs: inputs, baseline: &state.baseline, parameters: &parameters,
                                    communicator: comm)
            }
        }, onEpoch: log, onBatch: progress.tick)
    }
}
