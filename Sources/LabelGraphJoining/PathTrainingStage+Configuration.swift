import Core
import LabelGraphs
import Stages
import Training

/// What a `train-paths` run is given (`Configuration`) and what it returns (`Report`).
extension PathTrainingStage {
    public struct Configuration: Sendable {
        public var graphPath: String
        public var specs: [PathDataSpec]
        /// The fine dataset whose labels FFN / Pseudo labels predict and `decode` evaluates.
        public var target: String
        public var method: PathMethod
        public var featureSets: [String]?
        /// M: the encoder MLP's hidden size (all methods), E and H of the decoder.
        public var encoderHidden = 256
        public var embeddingSize = 32
        public var hiddenSize = 128
        public var pathOptions = PathTrainingOptions(teacherForcingRate: 1)
        public var baselineMomentum = 0.9
        public var training: TrainingOptions
        public var seed: UInt64 = 0
        public var outputPath: String?
        /// FFN only: one sigmoid per target label trained on each sample's label SET (binary cross-entropy)
        /// instead of a softmax on its first label — the multi-label FFN baseline (`--multi-label`). Label-aug
        /// and Label Set use a sample's label set whatever this says (`PredictionPaths.groundTruth(labels:)`).
        public var multiLabel = false
        /// Continue from `training.checkpointDirectory`'s checkpoint (same settings and rank count required).
        public var resume = false
        /// Label-aug only: train this text encoder jointly with the decoder (`EndToEndPathModel`); nil = the joined
        /// features are fixed inputs (a frozen encoder).
        public var textEncoder: PathTextEncoder?
        /// Choose the learning rate / epochs on validation samples of the target dataset first (`select_on
        /// validation`, `PathTrainingStage+Selection`); nil = as given.
        public var selection: Selection?
        /// Part name → image ids, recorded in `model.h5` as `split/<part>_ids` (the runner's train / test rows);
        /// empty (the command line): the rows it trains on, `trainingParts`.
        public var split: [String: [String]] = [:]

        public init(graphPath: String, specs: [PathDataSpec], target: String, method: PathMethod, training: TrainingOptions) {
            self.graphPath = graphPath
            self.specs = specs
            self.target = target
            self.method = method
            self.training = training
        }
    }

    public struct Report {
        /// The loss curve (for pseudo-labels: of the second run).
        public var history: [EpochSummary]
        public var parameterHash: UInt64
        public var sampleCount: Int
        /// Pseudo labels: coarse samples kept / relabelled.
        public var pseudoKept: Int?
        public var model: PathModelFile
        /// What `select_on validation` chose, and from what (nil without selection).
        public var selection: Selection.Outcome?
    }
}
