import NeuralNets
import Storage
import Training

/// The model file `train-infused` writes (`--out infused.h5`).
///
/// | object | type | content |
/// | --- | --- | --- |
/// | root attributes | header | stage `train-infused`, version 1; `model` (the target train-text file: vocabulary, classes, sizes), `indexes` (source index masters, in source order), `neighbours` k, `penalty_scale` λ, `refresh_every`, `exclude_self`, `retrieval` (lsh or exact), `split`, `train_fraction`, `ordered_block` (documents per block of the ordered batch sums), training options, `encoder_parameter_count` P, `source_count` S, test and baseline metrics |
/// | `parameters` | Float32 (P + ((1+S)·M + 1)·C) | the target model's layout (P values) followed by W1 ((1+S)·M, C) and b1 (C) |
/// | `parameter_names`, `parameter_offsets`, `parameter_shapes` | strings, Int64 (T), Int64 (T, 2) | the named tensors of `parameters` (`HDF5File.writeTensorNames`) |
/// | `history/mean_loss`, `history/mean_penalty`, `history/test_accuracy`, `history/test_macro_f1` | Float64 (E) | per-epoch curves (`mean_penalty`: the λ‖z_s − z_t‖² part of `mean_loss`) |
/// | `split/train_ids`, `split/test_ids` | strings | the documents trained on and tested on (the train-text split, after `train_fraction`; ids as in `embed`'s file) |
/// | `split/validation_ids` | strings | after `select_on validation`: the training documents held out to choose the learning rate / epochs (the model is retrained on all `train_ids`); candidates, scores and choice in the `selection.*` attributes |
public struct InfusedModelFile {
    public static let stage = "train-infused"
    public static let version = 1

    public var parameters: [Float]
    public var encoderParameterCount: Int
    public var sourceCount: Int
    public var attributes: [String: HDF5AttributeValue]
    public var history: [String: [Double]]
    /// The document ids of the training and test split (nil in a file written before they were stored).
    public var split: (train: [String], test: [String])?
    /// After `select_on validation`: the training documents held out to choose the hyper-parameters (a subset of
    /// the split's train ids; the final model is retrained on all of them, these included). Empty otherwise.
    public var validationIDs: [String] = []

    public init(parameters: [Float], encoderParameterCount: Int, sourceCount: Int,
                attributes: [String: HDF5AttributeValue] = [:], history: [String: [Double]] = [:],
                split: (train: [String], test: [String])? = nil) {
        self.split = split
        self.parameters = parameters
        self.encoderParameterCount = encoderParameterCount
        self.sourceCount = sourceCount
        self.attributes = attributes
        self.history = history
    }

    /// Writes the file atomically (rank 0 only); `layout` names the tensors of `parameters`. `midway` runs after
    /// `parameters` and its names are written, before the history and the rename (the `write` fault-injection
    /// point: a kill there must leave no model file).
    public func write(to path: String, layout: ParameterLayout, midway: () -> Void = {}) throws {
        var header = attributes
        header["encoder_parameter_count"] = .int(encoderParameterCount)
        header["source_count"] = .int(sourceCount)
        header["parameter_count"] = .int(parameters.count)
        try ArtifactFile.create(path, header: ArtifactHeader(stage: Self.stage, version: Self.version, parameters: header)) { file in
            try file.write(parameters, shape: [parameters.count], to: "parameters")
            try file.writeTensorNames(layout, parameterCount: parameters.count)
            midway()
            try file.write(series: history.filter { !$0.value.isEmpty }, under: "history")
            if let split {
                try file.writeStrings(split.train, to: "split/train_ids")
                try file.writeStrings(split.test, to: "split/test_ids")
            }
            if !validationIDs.isEmpty { try file.writeStrings(validationIDs, to: "split/validation_ids") }
        }
    }

    /// Reads a file back (header checked, parameter count matched).
    public static func read(path: String) throws -> InfusedModelFile {
        try ArtifactFile.read(path, stage: stage, version: version) { artifact in
            let parameters: [Float] = try artifact.file.read("parameters", shape: [try artifact.int("parameter_count")])
            var model = InfusedModelFile(parameters: parameters, encoderParameterCount: try artifact.int("encoder_parameter_count"),
                                    sourceCount: try artifact.int("source_count"), attributes: artifact.header.parameters,
                                    history: try artifact.series(under: "history"),
                                    split: artifact.file.isDataset("split/train_ids")
                                        ? (try artifact.file.readStrings("split/train_ids"), try artifact.file.readStrings("split/test_ids")) : nil)
            if artifact.file.isDataset("split/validation_ids") {
                model.validationIDs = try artifact.file.readStrings("split/validation_ids")
            }
            return model
        }
    }
}
