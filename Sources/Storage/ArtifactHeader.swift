/// The header every Tributary artifact carries: root attributes that say what wrote the file.
///
/// | root attribute | type | meaning |
/// | --- | --- | --- |
/// | `format` | String | always `"tributary"` (the magic number) |
/// | `version` | Int | version of the stage's file layout; bumped when the layout changes |
/// | `stage` | String | the `tributary` subcommand that wrote the file (`"encode"`, `"fit-gmm"` …) |
/// | `provenance.*` | see `Provenance` | the build, machine and job that wrote the file (not parameters) |
/// | any other | see `HDF5AttributeValue` | the hyper-parameters that made the file (`components = 256` …) |
///
/// Readers call `check(_:stage:version:)` before touching the data, and a mismatch is a
/// `StorageError.wrongFormat` / `.wrongVersion` / `.wrongStage` whose message names the file and the
/// stage to re-run (llm.c's magic + version check).
///
/// ```swift
/// try ArtifactHeader(stage: "fit-gmm", version: 1, parameters: ["components": .int(256)]).write(to: file)
/// let header = try ArtifactHeader.check(file, stage: "fit-gmm", version: 1)
/// let k = header.parameters["components"]
/// ```
public struct ArtifactHeader: Sendable, Equatable {
    /// The value of the `format` attribute.
    public static let format = "tributary"
    /// The attribute names the header reserves; parameters may not use them.
    public static let reservedNames: Set<String> = ["format", "version", "stage"]
    /// Root attributes Storage itself writes that are not parameters: a part's content digest (`PartFiles`).
    public static let storageNames: Set<String> = [PartFiles.digestAttribute]

    public var stage: String
    public var version: Int
    /// Hyper-parameters, stored as root attributes under their own names.
    public var parameters: [String: HDF5AttributeValue]

    public init(stage: String, version: Int, parameters: [String: HDF5AttributeValue] = [:]) {
        precondition(Self.reservedNames.isDisjoint(with: parameters.keys),
                     "parameters may not be named format, version or stage")
        self.stage = stage
        self.version = version
        self.parameters = parameters
    }

    /// Writes the header as root attributes of `file` (parameters in sorted name order), then the job's
    /// `Provenance.current`.
    public func write(to file: HDF5File) throws {
        try file.setAttribute("format", Self.format)
        try file.setAttribute("version", version)
        try file.setAttribute("stage", stage)
        for name in parameters.keys.sorted() where !name.hasPrefix(Provenance.prefix) {
            try file.setAttribute(name, parameters[name]!)
        }
        let provenance = Provenance.current.attributes
        for name in provenance.keys.sorted() {
            try file.setAttribute(name, provenance[name]!)
        }
    }

    /// Reads the header of `file` without checking it; every other root attribute becomes a parameter.
    ///
    /// - Throws: `StorageError.wrongFormat` when `format` is absent or not `"tributary"` (`expectedStage`
    ///   is only used in that message).
    public static func read(from file: HDF5File, expectedStage: String = "the stage that writes it") throws -> ArtifactHeader {
        let format: String?
        do {
            format = try file.attribute("format", as: String.self)
        } catch StorageError.attributeMissing, StorageError.typeMismatch {
            format = nil
        }
        guard format == Self.format else {
            throw StorageError.wrongFormat(file: file.path, found: format, expectedStage: expectedStage)
        }
        let names = try file.attributeNames()
        guard names.contains("version"), names.contains("stage") else {
            throw StorageError.wrongFormat(file: file.path, found: format, expectedStage: expectedStage)
        }
        var parameters: [String: HDF5AttributeValue] = [:]
        for name in names where !reservedNames.contains(name) && !storageNames.contains(name)
            && !name.hasPrefix(Provenance.prefix) {
            parameters[name] = try file.attribute(name, as: HDF5AttributeValue.self)
        }
        return ArtifactHeader(stage: try file.attribute("stage", as: String.self),
                              version: try file.attribute("version", as: Int.self),
                              parameters: parameters)
    }

    /// Reads the header of `file` and checks it is the output of `stage` at layout `version`.
    ///
    /// The checks run in order format → stage → version, so the message names the most basic problem.
    @discardableResult
    public static func check(_ file: HDF5File, stage: String, version: Int) throws -> ArtifactHeader {
        let header = try read(from: file, expectedStage: stage)
        guard header.stage == stage else {
            throw StorageError.wrongStage(file: file.path, found: header.stage, expected: stage)
        }
        guard header.version == version else {
            throw StorageError.wrongVersion(file: file.path, stage: stage, found: header.version, expected: version)
        }
        return header
    }
}
