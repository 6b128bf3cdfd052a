import Core
import Stages
import Storage

/// The images a fitted model may see: the `train` rows of a manifest (an `images.csv`, `AnnotationTable`), matched
/// to an artifact's image ids. One rule for every fit that must not see test images: `encode`'s PQ codebooks
/// (`pq_training_manifest`), `fit-pca` and `fit-gmm` (`fit_manifest`).
///
/// Given ids x_0 … x_{I−1} (the `ids` of `descriptors.h5`, in file order) and the manifest's train paths T, the
/// selection is { n : x_n ∈ T }, sorted. Test, validation or absent rows are never selected; a manifest that
/// selects nothing is refused (its paths do not match the ids, so the fit would silently fall back to nothing).
enum TrainingImages {
    /// The sorted indices n with ids[n] a `train` row of `manifest`. `artifact` names the file the ids come from.
    static func indices(manifest: String, ids: [String], artifact: String) throws -> [Int] {
        let train = Set(try AnnotationTable.read(manifest).items.filter { $0.split == "train" }.map(\.path))
        let chosen = ids.indices.filter { train.contains(ids[$0]) }
        guard !chosen.isEmpty else {
            throw PipelineError.inconsistent(file: manifest, what: "none of its train rows is an image of \(artifact) "
                                             + "(paths must equal the ids, e.g. \(ids.first ?? "none"))", rerun: "annotate manifest")
        }
        return chosen
    }

    /// The sorted image indices of `descriptors` that a fit may sample: the manifest's train images, or every image
    /// when `manifest` is nil.
    static func indices(manifest: String?, descriptors: DescriptorsFile) throws -> [Int] {
        guard let manifest else { return Array(0 ..< descriptors.imageCount) }
        return try indices(manifest: manifest, ids: try descriptors.file.readStrings("ids"), artifact: descriptors.path)
    }

    /// What `fit-pca` / `fit-gmm` (`stage`) samples from: the images (nil: every image) and the header attributes
    /// that record it (`fit_manifest`, `fit_images`, `fit_scope`). Logs which images the fit saw.
    static func forFit(manifest: String?, descriptors: DescriptorsFile, stage: String, output: String,
                       log: (String) -> Void) throws -> (images: [Int]?, parameters: [String: HDF5AttributeValue]) {
        guard let manifest else {
            log("\(stage): fitted on descriptors of every image (\(descriptors.imageCount)), test images included: "
                + "give fit_manifest (--fit-manifest images.csv) to fit on the training images only")
            return (nil, ["fit_images": .int(descriptors.imageCount), "fit_scope": .string("all images")])
        }
        let images = try indices(manifest: manifest, descriptors: descriptors)
        log("\(stage): fitted on descriptors of the \(images.count) training images of \(manifest) "
            + "(\(descriptors.imageCount - images.count) other images never sampled)")
        return (images, ["fit_manifest": ArtifactHeader.storedPath(manifest, in: output), "fit_images": .int(images.count),
                         "fit_scope": .string("train rows of fit_manifest")])
    }
}
