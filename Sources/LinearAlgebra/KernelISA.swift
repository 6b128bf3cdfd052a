import CKernels
#if canImport(Glibc)
import Glibc
#endif

/// Which build of the hand-written wide kernels (`WideKernels`, C in `CKernels`) this process runs: the binary is
/// built for baseline x86-64 and carries each kernel three times, chosen once at start-up.
///
/// | level | instructions | lanes per op (Float) | CPUID bits required |
/// | --- | --- | --- | --- |
/// | `baseline` | SSE2 (every x86-64) | 4 | — |
/// | `avx2` | AVX2 + FMA | 8 | avx2, fma (and the OS saves YMM) |
/// | `avx512` | AVX-512 F/VL/DQ/BW | 16 | avx512f, vl, dq, bw, avx2, fma (and the OS saves ZMM) |
///
/// `active` is the widest level this CPU supports, unless `TRIBUTARY_ISA` (`baseline`, `avx2` or `avx512`) names
/// another: tests and benchmarks use it to compare the paths. An unknown value, or a level this CPU lacks, is an
/// error (`KernelISAError`); the CLI checks it before anything runs (`fromEnvironment`).
///
/// The levels give bit-identical results (the kernels use no FMA contraction and work column by column, see
/// kernels.c), so the choice changes speed only: not a trained model, a Fisher vector or a checked-in number.
public enum KernelISA: String, CaseIterable, Sendable, CustomStringConvertible {
    case baseline, avx2, avx512

    /// The environment variable that overrides the CPUID choice.
    public static let environmentVariable = "TRIBUTARY_ISA"

    /// The level's code in `CKernels` (`TK_ISA_*`).
    var code: Int32 {
        switch self {
        case .baseline: Int32(TK_ISA_BASELINE)
        case .avx2: Int32(TK_ISA_AVX2)
        case .avx512: Int32(TK_ISA_AVX512)
        }
    }

    public var description: String { rawValue }

    /// True when this CPU (and OS) can run the level's kernels.
    public var isSupported: Bool { tk_cpu_supports(code) != 0 }

    /// The levels this CPU supports, narrowest first (always starts with `baseline`).
    public static var supported: [KernelISA] { allCases.filter(\.isSupported) }

    /// The level named by `value` (the `TRIBUTARY_ISA` setting), or the widest supported one when `value` is nil
    /// or empty.
    public static func resolve(_ value: String?) throws(KernelISAError) -> KernelISA {
        guard let value, !value.isEmpty else { return supported.last! }
        guard let isa = KernelISA(rawValue: value.lowercased()) else { throw .unknown(value) }
        guard isa.isSupported else { throw .unsupported(isa, supported: supported) }
        return isa
    }

    /// The level `TRIBUTARY_ISA` asks for (`resolve`), read from this process's environment.
    public static func fromEnvironment() throws(KernelISAError) -> KernelISA {
        try resolve(getenv(environmentVariable).map { String(cString: $0) })
    }

    /// The level every kernel call uses, found once (`fromEnvironment`); a bad `TRIBUTARY_ISA` stops the process
    /// with the error's message (the CLI reports it earlier, as a usage error).
    public static let active: KernelISA = {
        do { return try fromEnvironment() } catch { preconditionFailure("\(error)") }
    }()

    /// One line for headers and provenance: `avx512 (supported: baseline, avx2, avx512)`; never stops the process
    /// (the CLI's usage message prints it while it reports a bad `TRIBUTARY_ISA`).
    public static var summary: String {
        let chosen = (try? fromEnvironment())?.rawValue ?? "none (\(environmentVariable) is invalid)"
        return "\(chosen) (supported: \(supported.map(\.rawValue).joined(separator: ", ")))"
    }
}

/// A `TRIBUTARY_ISA` value that cannot be honoured.
public enum KernelISAError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknown(String)
    case unsupported(KernelISA, supported: [KernelISA])

    public var description: String {
        switch self {
        case .unknown(let value):
            "\(KernelISA.environmentVariable)=\(value) is not a kernel level: set it to one of "
                + "\(KernelISA.allCases.map(\.rawValue).joined(separator: ", ")), or unset it to use the widest this CPU supports"
        case .unsupported(let isa, let supported):
            "\(KernelISA.environmentVariable)=\(isa) asks for kernels this CPU cannot run: set it to one of "
                + "\(supported.map(\.rawValue).joined(separator: ", ")), or unset it to use the widest this CPU supports"
        }
    }
}
