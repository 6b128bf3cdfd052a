extension StageSpec {
    public static let fisher = StageSpec("fisher", summary: "dense ORH + COL descriptors → PCA → GMM → improved Fisher vectors (fv.h5)", [
            ParameterSpec("patch_size", .int, .null, "patch side P (default: the dataset's)"),
            ParameterSpec("step", .int, .null, "grid step (default: the dataset's)"),
            ParameterSpec("scales", .int, .null, "scales (default: the dataset's)"),
            ParameterSpec("pca_dims", .int, .int(64), range: 1 ... 1e9, "PCA output dimension d"),
            ParameterSpec("components", .int, .int(256), range: 1 ... 1e9, "Gaussian components M"),
            ParameterSpec("sample_size", .int, .int(100_000), range: 2 ... 1e12, "descriptors sampled for PCA and GMM"),
            ParameterSpec("iterations", .int, .int(50), "most EM iterations"),
            ParameterSpec("tolerance", .double, .double(1e-5), "EM relative-gain stop"),
            ParameterSpec("batch_size", .int, .int(64), range: 1 ... 1e9, "images per batch on a rank"),
            ParameterSpec("seed", .int, .int(0), "seed of the samples and of EM"),
            ParameterSpec("on_bad_image", .string, .string("fail"), choices: ["fail", "skip"], "what to do with an image that does not decode"),
    ])

    public static let split = StageSpec("split", summary: "stratified seeded train/test split of a single-label fv.h5 → images.csv for annotate", [
            ParameterSpec("test_fraction", .double, .double(0.25), range: 0.001 ... 0.999, "fraction of each class held out for testing"),
            ParameterSpec("seed", .int, .int(0), "seed of the per-class permutations"),
    ])

    public static let annotate = StageSpec("annotate", summary: "annotate train → predict → eval: SVM / SLR / TagProp runs, per-concept AP plot", [
            ParameterSpec("runs", .strings, .array([.string("svm-late-visual"), .string("svm-early-visual")]),
                                    choices: AnnotationRun.allCases.map(\.rawValue), "the runs of Table 2 to train"),
            ParameterSpec("cost", .double, .double(1), range: 1e-12 ... 1e12, "SVM cost C"),
            ParameterSpec("min_tag_count", .int, .int(25), range: 1 ... 1e12, "tag vocabulary minimum count"),
            ParameterSpec("neighbours", .int, .int(1000), range: 1 ... 1e9, "TagProp's K"),
            ParameterSpec("slr_cost", .double, .double(100), range: 1e-12 ... 1e12, "SLR data-term weight"),
            ParameterSpec("slr_iterations", .int, .int(300), range: 1 ... 1e12, "most FISTA iterations"),
            ParameterSpec("seed", .int, .int(1), "SVM coordinate-order seed"),
    ])
}
