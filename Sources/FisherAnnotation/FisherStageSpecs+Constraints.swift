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

    /// The selection parameters act under `select_on validation` only and it needs a grid (the shared rule,
    /// `selectionNeedsValidation`); a grid needs a run it applies to: one accepted and ignored is refused.
    static let selectionParametersNeedValidation: Constraint = { p in
        if let error = shared(p) { return error }
        guard p.string("select_on") == "validation" else { return nil }
        let runs = Set(p.strings("runs").compactMap(AnnotationRun.init(rawValue:)))
        let svm = !runs.isDisjoint(with: [.svmLateVisual, .svmEarlyVisual, .svmLateMixed, .svmEarlyMixed])
        if !p.isNull("svm_costs") && !svm { return p.inconsistent("svm_costs", "no SVM run is trained: add one to runs or remove it") }
        if !p.isNull("slr_costs") && !runs.contains(.slrLateVisual) {
            return p.inconsistent("slr_costs", "slr-late-visual is not trained: add it to runs or remove it")
        }
        return nil
    }
    private static let shared = selectionNeedsValidation(candidates: ["svm_costs", "slr_costs"], example: "[0.1, 1, 10]")
}
