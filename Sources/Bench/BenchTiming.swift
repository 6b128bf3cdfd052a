import Core
import LinearAlgebra
#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock timing and summaries shared by the `bench` subcommands.
public enum BenchTiming {
    /// Seconds on a monotonic clock.
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    /// Seconds taken by `body`.
    public static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = now()
        try body()
        return now() - start
    }

    public static func median(_ values: [Double]) -> Double {
        let s = values.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// "median 12.3 (min 11.0, max 13.1)" with `digits` decimals.
    public static func summary(_ values: [Double], digits: Int = 2) -> String {
        "median \(format(median(values), digits)) (min \(format(values.min() ?? .nan, digits)), "
            + "max \(format(values.max() ?? .nan, digits)), n = \(values.count))"
    }

    public static func format(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return "\(x)" }
        var scale = 1.0
        for _ in 0 ..< digits { scale *= 10 }
        let rounded = (abs(x) * scale).rounded() / scale
        var text = "\(Int(rounded))"
        if digits > 0 {
            let fraction = Int(((rounded - rounded.rounded(.towardZero)) * scale).rounded())
            let padded = String(repeating: "0", count: max(0, digits - "\(fraction)".count)) + "\(fraction)"
            text += "." + padded
        }
        return (x < 0 ? "-" : "") + text
    }

    /// The environment's thread knobs and the kernels' ISA level (`KernelISA`), for the header every bench prints.
    public static func threadEnvironment() -> String {
        ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"].map { name in
            "\(name)=\(getenv(name).map { String(cString: $0) } ?? "unset")"
        }.joined(separator: " ") + "; kernels \(KernelISA.summary)"
    }

    /// A machine-readable line like the anchors' `RESULT {...}`, so scripts can compute ratios.
    public static func resultLine(name: String, metric: String, unit: String, values: [Double], params: [String: String]) -> String {
        let vals = values.map { "\($0)" }.joined(separator: ",")
        let ps = params.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",")
        return "RESULT {\"impl\":\"\(name)\",\"metric\":\"\(metric)\",\"unit\":\"\(unit)\",\"median\":\(median(values)),"
            + "\"values\":[\(vals)],\"params\":{\(ps)}}"
    }
}
