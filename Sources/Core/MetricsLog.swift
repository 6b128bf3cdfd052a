#if canImport(Glibc)
import Glibc
#endif

/// A value of a metrics record.
public enum MetricValue: Sendable, Equatable {
    case int(Int)
    case double(Double)
    case string(String)

    /// The JSON text (non-finite doubles as null).
    public var json: String {
        switch self {
        case let .int(v): return String(v)
        case let .double(v): return v.isFinite ? "\(v)" : "null"
        case let .string(s):
            var out = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                default:
                    if u.value < 0x20 {
                        let hex = String(u.value, radix: 16)
                        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        out.unicodeScalars.append(u)
                    }
                }
            }
            return out + "\""
        }
    }
}

/// A JSON-lines metrics file: one object per line, appended and flushed line by line, so `tail -f` follows it
/// and a killed run keeps every line written so far. A rerun appends (resumed epochs follow the first ones; each
/// record has its `time`).
public final class MetricsLog {
    let file: UnsafeMutablePointer<FILE>
    public let path: String

    /// Opens `path` for appending, creating its folder first (a command's `--out` folder may not exist yet);
    /// nil (and a warning naming the real condition) when it cannot be opened: metrics never stop a run.
    public init?(path: String) {
        let folder = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let problem = folder.isEmpty ? nil : FileProblem.makeFolder(folder)
        guard problem == nil, let file = fopen(path, "a") else {
            let reason = problem ?? FileProblem.from(errno: errno, path: path)
            FileHandleOutput.standardError.write("warning: metrics file \(path): \(reason); no metrics are written\n")
            return nil
        }
        self.file = file
        self.path = path
    }

    deinit { fclose(file) }

    /// `{"k": v, …}` in the given key order.
    public static func line(_ fields: [(String, MetricValue)]) -> String {
        "{" + fields.map { MetricValue.string($0.0).json + ": " + $0.1.json }.joined(separator: ", ") + "}"
    }

    public func append(_ fields: [(String, MetricValue)]) {
        fputs(Self.line(fields) + "\n", file)
        fflush(file)
    }
}
