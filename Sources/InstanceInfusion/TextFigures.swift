import Foundation
import Stages
import Storage

/// The text classifiers' confusion matrix in the report: `ClassificationMetrics.confusion` of the held-out
/// documents (rows: true class, columns: the arg-max prediction) drawn by `ConfusionFigure`, with the class
/// names the model file stores (`classes` in `model.h5` / the infused model; indices when it has none).
public enum TextFigures {
    /// Writes `<directory>/<file>` (+ data files) from `metrics`; returns its report Markdown.
    public static func confusion(_ metrics: ClassificationMetrics, model: String, directory: String, file: String,
                                 relative: (String) -> String, title: String) throws -> String {
        var classes: [String] = []
        if let h5 = try? HDF5File.open(path: model) {
            classes = (try? h5.readStrings("classes")) ?? []
            try? h5.close()
        }
        return "\n" + (try ConfusionFigure.write(counts: metrics.confusion, classes: classes, png: directory + "/" + file,
                                                 link: relative(file), title: title))
    }
}
