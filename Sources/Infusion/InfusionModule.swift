import LinearAlgebra
/// Placeholder until the module's first algorithm lands.
enum InfusionModule {}
