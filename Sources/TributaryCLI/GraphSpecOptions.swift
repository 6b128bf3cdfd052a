import ArgumentParser
import LabelGraphs
import LabelGraphJoining
import Stages

// The choices of `StageSpec.trainPaths` as command-line values (`--method ffn`, `--pooling sum`,
// `--nondeterministic marginal`): parsed and listed by ArgumentParser from the same raw values as the spec's choices.
extension PathMethod: ExpressibleByArgument {}
extension PathTrainingOptions.Pooling: ExpressibleByArgument {}
extension PathTrainingOptions.Nondeterministic: ExpressibleByArgument {}
