// swift-tools-version:6.0
// Tributary: learning from more than one dataset at once, from a laptop to a cluster over MPI.
//
// Dependencies point one way:
//   C shims → Core → {LinearAlgebra, Distributed, Storage, Datasets} → algorithm modules → Training → Stages
//   → method modules (FisherAnnotation, InstanceInfusion, LabelGraphJoining) → Runner → TributaryCLI.
// Bench (the `tributary bench` workloads) imports only what it measures; only the CLI imports it.
// Each C library has exactly one Swift owner module. Algorithm modules import neither MPI nor HDF5; no method
// module imports another; the Runner knows only the stage contract (`Stages`): the CLI hands it the registry.
import PackageDescription

let package = Package(
    name: "Tributary",
    products: [
        .executable(name: "tributary", targets: ["TributaryCLI"]),
        .library(name: "Core", targets: ["Core"]),
        .library(name: "LinearAlgebra", targets: ["LinearAlgebra"]),
        .library(name: "Distributed", targets: ["Distributed"]),
        .library(name: "Storage", targets: ["Storage"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Features", targets: ["Features"]),
        .library(name: "Encoding", targets: ["Encoding"]),
        .library(name: "NeuralNets", targets: ["NeuralNets"]),
        .library(name: "Classifiers", targets: ["Classifiers"]),
        .library(name: "Retrieval", targets: ["Retrieval"]),
        .library(name: "LabelGraphs", targets: ["LabelGraphs"]),
        .library(name: "Infusion", targets: ["Infusion"]),
        .library(name: "Training", targets: ["Training"]),
        .library(name: "Stages", targets: ["Stages"]),
        .library(name: "FisherAnnotation", targets: ["FisherAnnotation"]),
        .library(name: "InstanceInfusion", targets: ["InstanceInfusion"]),
        .library(name: "LabelGraphJoining", targets: ["LabelGraphJoining"]),
        .library(name: "Runner", targets: ["Runner"]),
        .library(name: "Bench", targets: ["Bench"]),
        .library(name: "Statistics", targets: ["Statistics"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: - C shims (module.modulemap + shim.h only; no stable Swift API)
        .systemLibrary(name: "CMPI", pkgConfig: "ompi",
                       providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas lapacke",
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CStartup"),  // glibc start-up tuning (mallopt, stream buffering): libc, nothing to link
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CImageCodecs", pkgConfig: "libpng libturbojpeg",
                       providers: [.apt(["libpng-dev", "libturbojpeg0-dev"])]),
        // The one C shim with code: hand-written kernels built for baseline x86-64, AVX2+FMA and AVX-512 in one
        // binary (`__attribute__((target))`), chosen at start-up by LinearAlgebra's `KernelISA`.
        .target(name: "CKernels", publicHeadersPath: "."),

        // MARK: - Core modules
        .target(name: "Core"),
        .target(name: "LinearAlgebra", dependencies: ["Core", "COpenBLAS", "CKernels"]),
        .target(name: "Distributed", dependencies: ["Core", "CMPI", "CStartup"]),
        .target(name: "Storage", dependencies: ["Core", "CHDF5"]),
        .target(name: "Datasets", dependencies: ["Core", "CImageCodecs", "CZlib"]),

        // MARK: - Algorithm modules (pure: no MPI, no HDF5; distributed fitting goes through `Communicator`)
        .target(name: "Features", dependencies: ["Core", "LinearAlgebra", "Datasets"]),
        .target(name: "Encoding", dependencies: ["Core", "LinearAlgebra"]),
        .target(name: "NeuralNets", dependencies: ["Core", "LinearAlgebra"]),
        .target(name: "Classifiers", dependencies: ["Core", "LinearAlgebra"]),
        .target(name: "Retrieval", dependencies: ["Core", "LinearAlgebra"]),
        .target(name: "LabelGraphs", dependencies: ["Core", "LinearAlgebra", "NeuralNets"]),
        .target(name: "Infusion", dependencies: ["Core", "LinearAlgebra", "NeuralNets", "Retrieval"]),
        // Statistics: what makes a result reviewable (mean ± std, t intervals, paired t and Wilcoxon tests)
        .target(name: "Statistics", dependencies: ["Core"]),

        // MARK: - Training: the data-parallel trainer (broadcast → forward/backward → fused all-reduce → step),
        // its checkpoints and the fault-injection switch of the resume tests
        .target(name: "Training", dependencies: ["Core", "LinearAlgebra", "NeuralNets", "Storage"]),

        // MARK: - Stages: the stage contract of the runner and what several methods share (data sources, the
        // image manifest, sharded outputs, report helpers)
        .target(name: "Stages", dependencies: ["Core", "LinearAlgebra", "Storage", "Datasets", "Features"]),

        // MARK: - Methods: one module per method (its stage drivers, file formats and runner stage types);
        // none imports another
        .target(
            name: "FisherAnnotation",
            dependencies: [
                "Core", "LinearAlgebra", "Storage", "Datasets", "Features", "Encoding", "Classifiers", "Training", "Stages",
            ]),
        .target(
            name: "InstanceInfusion",
            dependencies: [
                "Core", "LinearAlgebra", "Distributed", "Storage", "Datasets", "NeuralNets", "Classifiers", "Retrieval",
                "Infusion", "Training", "Stages", "Statistics",
            ]),
        .target(
            name: "LabelGraphJoining",
            dependencies: [
                "Core", "LinearAlgebra", "Distributed", "Storage", "Datasets", "NeuralNets", "LabelGraphs", "Training",
                "Stages",
            ]),

        // MARK: - Runner: `tributary run` (config, content-hash keys, manifest, resume, report); knows only `Stages`
        .target(name: "Runner", dependencies: ["Core", "LinearAlgebra", "Distributed", "Storage", "Datasets", "Stages", "Statistics"]),
        // The registry of every method's stage types, handed to the Runner by its callers (the CLI, the tests).
        .target(name: "StageRegistry", dependencies: ["Stages", "FisherAnnotation", "InstanceInfusion", "LabelGraphJoining"]),

        // MARK: - Benchmarks: every workload of `tributary bench` and its synthetic data (docs/benchmarks.md)
        .target(
            name: "Bench",
            dependencies: [
                "Core", "LinearAlgebra", "Distributed", "Storage", "Features", "Encoding", "NeuralNets", "Classifiers",
                "Retrieval",
            ]),

        // MARK: - Executable
        .executableTarget(
            name: "TributaryCLI",
            dependencies: [
                "Core", "LinearAlgebra", "Distributed", "Storage", "Datasets", "Features", "Encoding", "NeuralNets",
                "Classifiers", "Retrieval", "LabelGraphs", "Infusion", "Training", "Stages", "FisherAnnotation",
                "InstanceInfusion", "LabelGraphJoining", "Runner", "StageRegistry", "Bench", "Statistics",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // MARK: - Test support and tests
        .target(name: "TestSupport", dependencies: ["Core", "LinearAlgebra"]),
        .testTarget(name: "CoreTests", dependencies: ["Core", "TestSupport"]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["Core", "LinearAlgebra", "TestSupport"]),
        .testTarget(name: "DistributedTests", dependencies: ["Core", "Distributed", "LinearAlgebra", "TestSupport"]),
        .testTarget(name: "StorageTests", dependencies: ["Core", "Storage", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Core", "Datasets", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "FeaturesTests", dependencies: ["Core", "Features", "Datasets", "TestSupport", "Bench"]),
        .testTarget(name: "EncodingTests", dependencies: ["Core", "Encoding", "TestSupport", "Bench"]),
        .testTarget(name: "NeuralNetsTests", dependencies: ["Core", "NeuralNets", "TestSupport"]),
        .testTarget(name: "ClassifiersTests", dependencies: ["Core", "Classifiers", "TestSupport"]),
        .testTarget(name: "RetrievalTests", dependencies: ["Core", "Retrieval", "TestSupport", "Bench"]),
        .testTarget(name: "LabelGraphsTests", dependencies: ["Core", "LabelGraphs", "NeuralNets", "TestSupport"]),
        .testTarget(name: "InfusionTests", dependencies: ["Core", "Infusion", "NeuralNets", "Retrieval", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Core", "LinearAlgebra", "NeuralNets", "Training", "TestSupport"]),
        .testTarget(name: "StagesTests", dependencies: ["Stages", "TestSupport"]),
        .testTarget(
            name: "FisherAnnotationTests",
            dependencies: ["Core", "LinearAlgebra", "Storage", "Classifiers", "Encoding", "Stages", "FisherAnnotation", "TestSupport"]),
        .testTarget(
            name: "InstanceInfusionTests",
            dependencies: ["Core", "LinearAlgebra", "Storage", "Training", "Stages", "InstanceInfusion", "TestSupport"]),
        .testTarget(
            name: "LabelGraphJoiningTests",
            dependencies: ["Core", "LinearAlgebra", "Storage", "Datasets", "NeuralNets", "LabelGraphs", "Training", "Stages",
                           "LabelGraphJoining", "TestSupport"]),
        .testTarget(
            name: "RunnerTests",
            dependencies: ["Core", "LinearAlgebra", "Storage", "Stages", "FisherAnnotation", "InstanceInfusion",
                           "LabelGraphJoining", "Runner", "StageRegistry", "Statistics", "TestSupport"]),
        .testTarget(name: "StatisticsTests", dependencies: ["Core", "Statistics"]),
        .testTarget(name: "BenchTests", dependencies: ["Bench", "Core", "LinearAlgebra", "Storage", "Classifiers", "NeuralNets", "TestSupport"]),
        .testTarget(
            name: "TributaryCLITests",
            dependencies: ["Core", "TestSupport", "Storage", "LinearAlgebra", "Stages", "FisherAnnotation", "InstanceInfusion",
                           "LabelGraphJoining", "Runner", "StageRegistry", "Training"]),
    ],
    swiftLanguageModes: [.v6]
)
