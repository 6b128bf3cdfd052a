import LinearAlgebra
/// Placeholder until the first stage driver lands.
enum PipelineModule {}
