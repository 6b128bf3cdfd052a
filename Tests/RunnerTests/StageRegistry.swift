import StageRegistry
import Stages

/// The registry the runner tests load configs with: every method's stage types, as `tributary run` builds it.
let allStageTypes: [RunnerStageType] = StageRegistry.all
