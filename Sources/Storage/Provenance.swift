/// Where a result came from: the build, the machine and the job that wrote an artifact, so that a figure can be
/// traced and a difference between two machines explained (another BLAS kernel, another commit, other ranks).
///
/// Every artifact header carries the fields of `Provenance.current` as root attributes `provenance.<name>`
/// (`ArtifactHeader.write`); they are not parameters (`ArtifactHeader.read` leaves them out) and never enter a
/// stage's key. The runner also puts them in `run-manifest.json` and the report.
///
/// | field | example | how it is found |
/// | --- | --- | --- |
/// | `tributary` | `0.1.0` | the binary's version |
/// | `commit` | `8918e4d…` | `git rev-parse HEAD` of the source tree the binary lies in (`unknown` outside one) |
/// | `dirty` | 0 / 1 | 1 when tracked files differ from that commit (`git status --porcelain -uno`) |
/// | `cpu` | `AMD EPYC 9R14` | `/proc/cpuinfo` model name of rank 0's host |
/// | `blas` | `OpenBLAS 0.3.21 … core SkylakeX, 1 thread(s)` | `openblas_get_config`, `openblas_get_corename` |
/// | `isa` | `avx512 (supported: baseline, avx2, avx512)` | the hand-written kernels' level (`KernelISA`, `TRIBUTARY_ISA`) |
/// | `hdf5`, `mpi` | `1.10.8`, `Open MPI v4.1.4` | the libraries' version calls |
/// | `os` | `Linux 6.1.0` | `uname` |
/// | `ranks` | 2 | the job's size |
/// | `hosts` | `node1 ×2` | every rank's host name, counted |
///
/// ```swift
/// try Provenance.$current.withValue(provenance) { try stage.run(communicator: comm) }  // what every command does
/// ```
public struct Provenance: Sendable, Equatable {
    /// The attribute-name prefix of the fields.
    public static let prefix = "provenance."

    /// The fields, by name (without the prefix).
    public var fields: [String: HDF5AttributeValue]

    public init(fields: [String: HDF5AttributeValue] = [:]) {
        self.fields = fields
    }

    /// The provenance of the current job: bound by the command line around every job (empty in unit tests).
    @TaskLocal public static var current = Provenance()

    /// The fields as root attributes (`provenance.commit` …).
    public var attributes: [String: HDF5AttributeValue] {
        Dictionary(uniqueKeysWithValues: fields.map { (Self.prefix + $0.key, $0.value) })
    }

    /// The provenance recorded in `file`'s root attributes (empty for a file written before it existed).
    public static func read(from file: HDF5File) throws -> Provenance {
        var fields: [String: HDF5AttributeValue] = [:]
        for name in try file.attributeNames() where name.hasPrefix(prefix) {
            fields[String(name.dropFirst(prefix.count))] = try file.attribute(name, as: HDF5AttributeValue.self)
        }
        return Provenance(fields: fields)
    }

    /// One `name: value` line per field, in name order (report and `--version`).
    public var lines: [String] {
        fields.keys.sorted().map { name in
            let value: String
            switch fields[name]! {
            case let .string(s): value = s
            case let .int(i): value = String(i)
            case let .double(d): value = String(d)
            case let .strings(s): value = s.joined(separator: ", ")
            default: value = "\(fields[name]!)"
            }
            return "\(name): \(value)"
        }
    }
}
