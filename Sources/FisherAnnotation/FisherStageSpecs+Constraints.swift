import Stages

/// The cross-parameter rules of the Fisher-vector and annotation stages (`FisherStageSpecs`): a value that is fine
/// on its own but contradicts another is refused in either front door, naming the key and the fix.
extension StageSpec {
    /// PCA cannot raise the dimension: a `pca_dims` above a descriptor's dimension is refused (it used to be clamped
    /// silently, so the FV dimension was not the one asked for).
    static let pcaDimsFitDescriptors: Constraint = { p in
        let d = p.int("pca_dims")
        guard let kind = DescriptorKind.allCases.filter({ d > $0.dimension }).min(by: { $0.dimension < $1.dimension }) else { return nil }
        let dims = DescriptorKind.allCases.map { "\($0.rawValue.uppercased()) \($0.dimension)" }.joined(separator: ", ")
        return p.inconsistent("pca_dims", "exceeds the \(kind.rawValue.uppercased()) descriptors' dimension \(kind.dimension) "
            + "(\(dims)); PCA cannot add dimensions: use at most \(DescriptorKind.allCases.map(\.dimension).min()!)")
    }

    /// The selection parameters act under `select_on validation` only, and it needs a grid for a trained run: one
    /// accepted and ignored is refused.
    static let selectionParametersNeedValidation: Constraint = { p in
        let runs = Set(p.strings("runs").compactMap(AnnotationRun.init(rawValue:)))
        let svm = !runs.isDisjoint(with: [.svmLateVisual, .svmEarlyVisual, .svmLateMixed, .svmEarlyMixed])
        guard p.string("select_on") == "validation" else {
            let changed = [("svm_costs", !p.isNull("svm_costs")), ("slr_costs", !p.isNull("slr_costs")),
                           ("validation_fraction", p.double("validation_fraction") != annotateTrain.default("validation_fraction", as: Double.self)),
                           ("validation_seed", p.int("validation_seed") != annotateTrain.default("validation_seed", as: Int.self))]
            guard let key = changed.first(where: \.1)?.0 else { return nil }
            return p.inconsistent(key, "applies to select_on validation only: add select_on validation (--select-on validation) or remove it")
        }
        if !p.isNull("svm_costs") && !svm { return p.inconsistent("svm_costs", "no SVM run is trained: add one to runs or remove it") }
        if !p.isNull("slr_costs") && !runs.contains(.slrLateVisual) {
            return p.inconsistent("slr_costs", "slr-late-visual is not trained: add it to runs or remove it")
        }
        guard p.isNull("svm_costs") && p.isNull("slr_costs") else { return nil }
        return p.inconsistent("select_on", "validation needs candidates: give svm_costs and/or slr_costs (e.g. [0.1, 1, 10])")
    }
}
