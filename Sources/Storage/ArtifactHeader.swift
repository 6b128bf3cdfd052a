import Core
import Foundation
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

// MARK: - Paths in headers

extension ArtifactHeader {
    /// The value to store for an input `path` in the header of `file`: rewritten relative to `file`'s folder —
    /// where a reader of `file` resolves it (`resolvedPath`) — so that a run folder can be moved or read from any
    /// working directory (both are first made absolute against the working directory); absolute when the two
    /// have nothing in common but `/`. Never relative to the working directory.
    ///
    ///     storedPath("out/a/pca.h5", in: "out/a/gmm.h5") == "pca.h5"
    ///     storedPath("data/x.csv", in: "out/a/m.h5") == "../../data/x.csv"
    public static func storedPath(_ path: String, in file: String) -> HDF5AttributeValue {
        .string(relativePath(path, in: file))
    }

    /// `storedPath` for several paths.
    public static func storedPaths(_ paths: [String], in file: String) -> HDF5AttributeValue {
        .strings(paths.map { relativePath($0, in: file) })
    }

    /// The path a header of `file` names: relative values are from `file`'s folder.
    public static func resolvedPath(_ stored: String, in file: String) -> String {
        if stored.isEmpty || stored.hasPrefix("/") { return stored }
        let folder = components(file).dropLast()
        return join(Array(folder) + components(stored), absolute: file.hasPrefix("/"))
    }

    static func relativePath(_ path: String, in file: String) -> String {
        guard !path.isEmpty else { return path }
        let (target, from) = (absolute(path), absolute(file))
        let t = components(target), folder = Array(components(from).dropLast())
        var common = 0
        while common < folder.count, common < t.count - 1, folder[common] == t[common] { common += 1 }
        if common == 0 { return target }  // nothing in common but the root (/usr/share/… from /work/…): absolute
        let up = [String](repeating: "..", count: folder.count - common)
        return (up + t[common...]).joined(separator: "/")
    }

    /// `path` made absolute against the working directory.
    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? join(components(path), absolute: true)
            : join(components(FileManager.default.currentDirectoryPath) + components(path), absolute: true)
    }

    /// The path's parts with `.` and `a/..` removed (`..` kept at the front): `lexicalComponents`.
    static func components(_ path: String) -> [String] { lexicalComponents(path) }

    static func join(_ parts: [String], absolute: Bool) -> String {
        let joined = components(parts.joined(separator: "/")).joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }
}
