import Core

/// Bad input to `train-paths` / `decode`. Each message names the file and the fix.
public enum PathTrainingError: Error, Equatable, CustomStringConvertible {
    case badSpec(text: String, reason: String)
    case missingFile(path: String, fix: String)
    /// The file is there but cannot be used: a directory, unreadable, or not UTF-8 text (`problem` says which).
    case unreadableFile(path: String, problem: FileProblem)
    case badFeatures(path: String, reason: String)
    case unknownLabel(csv: String, line: Int, label: String, dataset: String, graph: String, reason: String)
    case countMismatch(csv: String, labels: Int, features: String, rows: Int)
    case badModel(path: String, reason: String)
    case invalidOption(name: String, reason: String)
    /// End-to-end training: a per-sample gradient entry or loss too large (or not finite) for the fixed-point sum.
    case fixedPointOverflow(sample: Int, value: Double)
    /// End-to-end training: a joined features file's document id is not in the text corpus.
    case missingDocument(id: String, features: String, corpus: String)

    public var description: String {
        switch self {
        case let .badSpec(text, reason):
            return "--join '\(text)': \(reason). Example: --join dataset=fashion-mnist,features=out/fv.h5,labels=labels.csv,rows=0-1000"
        case let .missingFile(path, fix):
            return "\(path) does not exist or cannot be read; \(fix)"
        case let .unreadableFile(path, problem):
            return "\(path) \(problem)"
        case let .badFeatures(path, reason):
            return "\(path): \(reason)"
        case let .unknownLabel(csv, line, label, dataset, graph, reason):
            return "\(csv):\(line): label '\(label)' of dataset '\(dataset)' is not usable with the graph \(graph): \(reason)"
        case let .countMismatch(csv, labels, features, rows):
            return "\(csv) has \(labels) label rows but \(features) has \(rows) selected feature rows. Fix: one CSV line per "
                + "feature row (or a `row` column with rows inside the selection), or set rows=A-B in --join"
        case let .badModel(path, reason):
            return "\(path): \(reason)"
        case let .invalidOption(name, reason):
            return "\(name): \(reason)"
        case let .fixedPointOverflow(sample, value):
            return "sample \(sample): a gradient entry or loss of \(value) does not fit the exact fixed-point sum (|x| < 2^22, "
                + "finite) of --text-encoder training. Fix: lower --learning-rate (the run is diverging)"
        case let .missingDocument(id, features, corpus):
            return "\(features) names document '\(id)', which \(corpus) does not have. Fix: pass the --text-corpus / --text-data "
                + "that `tributary embed` read to write \(features)"
        }
    }
}
