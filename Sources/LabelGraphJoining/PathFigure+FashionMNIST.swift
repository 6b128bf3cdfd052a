import Datasets

extension PathFigure {
    /// The Figure 4 analog for Fashion-MNIST ids (`test/000123`): one row per node of `nodes` (`perRow` images of
    /// the samples whose path passes through it), blue = deterministic path. Returns the PNG bytes and the rows.
    /// The images are read from the idx files in `directory`; an id that is not `train/N` or `test/N` is an
    /// `.invalidOption(name: "--grid-png", …)` error.
    public static func fashionMNISTGrid(_ report: PathDecodeStage.Report, nodes: [String], perRow: Int,
                                        directory: String) throws -> (png: [UInt8], rows: [Row]) {
        var splits: [String: FashionMNIST] = [:]
        let rows = PathFigure.rows(report.predictions, nodes: nodes, perRow: perRow)
        let figure = try PathFigure.render(rows, perRow: perRow) { prediction in
            let parts = prediction.id.split(separator: "/")
            guard parts.count == 2, let split = FashionMNIST.Split(rawValue: String(parts[0])), let n = Int(parts[1]) else {
                throw PathTrainingError.invalidOption(
                    name: "--grid-png", reason: "sample id '\(prediction.id)' is not a Fashion-MNIST id (train/N or test/N)")
            }
            if splits[split.rawValue] == nil { splits[split.rawValue] = try FashionMNIST.load(split: split, directory: directory) }
            let data = splits[split.rawValue]!
            return PathFigure.Gray(width: data.columns, height: data.rows, intensities: data.image(at: n))
        }
        return (try PathFigure.png(width: figure.width, height: figure.height, rgb: figure.rgb), rows)
    }
}
