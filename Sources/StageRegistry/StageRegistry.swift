import FisherAnnotation
import InstanceInfusion
import LabelGraphJoining
import Stages

/// Every stage type `tributary run` knows, in the order `--help` lists them: each method module's own list. The
/// runner is handed this registry and imports no method module; the command line and the tests read it here.
public enum StageRegistry {
    public static let all: [RunnerStageType] =
        FisherAnnotationStages.stageTypes + InstanceInfusionStages.stageTypes + LabelGraphJoiningStages.stageTypes

    /// The stage type called `name`.
    public static func named(_ name: String) -> RunnerStageType? { RunnerStageType.named(name, in: all) }
}
