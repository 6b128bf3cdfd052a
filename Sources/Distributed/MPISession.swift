import CMPI
import Core

/// The lifetime of MPI in this process: `MPI_Init_thread(MPI_THREAD_FUNNELED)` on creation, `MPI_Finalize` on
/// `finalize()` (or, as a fallback, in `deinit`).
///
/// Thread level: FUNNELED. Only the thread that created the session (the main thread) calls MPI; other threads
/// (OpenBLAS workers, Swift concurrency) may run, but never issue collectives. MPI can be initialised once per
/// process, so a second session after `finalize()` throws instead of crashing inside MPI.
///
/// The world communicator's error handler is set to `MPI_ERRORS_RETURN`, so a failing call returns a code that
/// `MPICommunicator` turns into `CommunicatorError.transport` with MPI's own error text, instead of MPI killing
/// the process with its default handler.
///
/// Usually created by `World.run`, which also finalizes it; code that owns a session by hand calls
/// `finalize()` after the last collective (the communicator keeps the session alive, not the reverse).
public final class MPISession {
    /// The thread level MPI granted (≥ FUNNELED on every Open MPI build we know; recorded for logs).
    public let providedThreadLevel: Int32
    private var finalized = false

    /// Initialises MPI. Throws if MPI was already initialised by someone else or already finalized.
    public init() throws {
        var initialized: Int32 = 0
        var done: Int32 = 0
        MPI_Initialized(&initialized)
        MPI_Finalized(&done)
        guard initialized == 0, done == 0 else {
            throw CommunicatorError.transport(
                operation: "MPI_Init_thread",
                message: "MPI was already \(done != 0 ? "finalized" : "initialized") in this process; "
                    + "create one MPISession per process (World.run does this for you)")
        }
        var provided: Int32 = 0
        let code = MPI_Init_thread(nil, nil, tributary_mpi_thread_funneled(), &provided)
        guard code == tributary_mpi_success() else {
            throw CommunicatorError.transport(operation: "MPI_Init_thread", message: mpiErrorString(code))
        }
        providedThreadLevel = provided
        // Distributed: errors come back as codes (→ CommunicatorError.transport) instead of killing the job.
        let handlerCode = MPI_Comm_set_errhandler(tributary_mpi_comm_world(), tributary_mpi_errors_return())
        guard handlerCode == tributary_mpi_success() else {
            throw CommunicatorError.transport(operation: "MPI_Comm_set_errhandler", message: mpiErrorString(handlerCode))
        }
    }

    /// The world communicator of this session.
    public func worldCommunicator() throws -> MPICommunicator {
        guard !finalized else {
            throw CommunicatorError.transport(
                operation: "worldCommunicator", message: "the MPI session was already finalized")
        }
        return try MPICommunicator(session: self)
    }

    /// Calls `MPI_Finalize` once. Every rank must call it (collective); afterwards no MPI call is allowed.
    public func finalize() {
        guard !finalized else { return }
        finalized = true
        MPI_Finalize()
    }

    var isFinalized: Bool { finalized }

    deinit {
        finalize()
    }
}

/// MPI's text for an error code (`MPI_Error_string`), or the bare code if MPI cannot describe it.
func mpiErrorString(_ code: Int32) -> String {
    let capacity = Int(tributary_mpi_max_error_string())
    var text = [CChar](repeating: 0, count: capacity + 1)
    var length: Int32 = 0
    let status = text.withUnsafeMutableBufferPointer { MPI_Error_string(code, $0.baseAddress, &length) }
    guard status == tributary_mpi_success(), length > 0 else { return "MPI error code \(code)" }
    let bytes = text[0 ..< Int(length)].map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self) + " (code \(code))"
}

extension MPISession {
    /// The MPI library's version line (`MPI_Get_library_version`'s first line), e.g. "Open MPI v4.1.4, …".
    public static var libraryVersion: String {
        var buffer = [CChar](repeating: 0, count: Int(MPI_MAX_LIBRARY_VERSION_STRING) + 1)
        var length: Int32 = 0
        guard MPI_Get_library_version(&buffer, &length) == MPI_SUCCESS else { return "unknown" }
        let text = String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "\n").first.map(String.init) ?? text
    }
}
