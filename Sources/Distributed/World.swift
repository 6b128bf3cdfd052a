import CStartup
import Core
#if canImport(Glibc)
import Glibc
#endif

/// How a Tributary process joins its job: the one entry point the CLI uses to get a `Communicator`.
///
/// The choice is made from the environment, once, at start-up:
///
/// | launched by | detected by (any present)                      | communicator                    |
/// |-------------|------------------------------------------------|---------------------------------|
/// | `mpirun`    | `OMPI_COMM_WORLD_SIZE` (Open MPI's launcher)   | `MPICommunicator` (MPI_Init … MPI_Finalize) |
/// | `srun --mpi=pmix`, other PMI launchers | `PMIX_RANK`, `PMI_RANK` | `MPICommunicator`            |
/// | a shell     | none of them                                   | `SingleProcessCommunicator`     |
///
/// Why not always initialise MPI? A plain `tributary …` then needs no MPI runtime at start-up (Open MPI's
/// singleton init spawns an `orted` and can fail in containers), and a run without `mpirun` is *defined* to be a
/// world of one rank (DESIGN.md), which `SingleProcessCommunicator` is, with identical results.
///
/// Failure: if `body` throws on any rank, that rank calls `abort`, which prints `[rank r] <error>` to standard
/// error and ends the whole job (`MPI_Abort`, exit code 1), so the other ranks never hang in a collective. If
/// MPI itself cannot start, the process prints `[rank r] …` and exits 1 (mpirun then stops the other ranks).
///
/// ```swift
/// World.run { comm in
///     comm.log0("ranks: \(comm.size)")
///     try stage.run(communicator: comm)
/// }
/// ```
public enum World {
    /// Environment variables whose presence means "started by an MPI launcher".
    public static let launcherVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"]

    /// True when any of `launcherVariables` is set in `environment` (default: this process's environment).
    public static func isLaunchedByMPI(environment: (String) -> String? = World.environmentValue) -> Bool {
        launcherVariables.contains { environment($0) != nil }
    }

    /// Environment variables of batch schedulers whose jobs write to log files (`srun`, `sbatch`).
    public static let schedulerVariables = ["SLURM_JOB_ID"]

    /// `requested` made concrete for this process (`ProgressMode.resolved`): `auto` is `plain` under an MPI
    /// launcher or a scheduler job, or when standard output is not a terminal, else `bar`. The launcher is asked
    /// first because Open MPI hands its ranks a pseudo-terminal even when `mpirun`'s output is a file.
    public static func progressMode(_ requested: ProgressMode, environment: (String) -> String? = World.environmentValue,
                                    terminal: Bool = isatty(STDOUT_FILENO) != 0) -> ProgressMode {
        let launched = isLaunchedByMPI(environment: environment) || schedulerVariables.contains { environment($0) != nil }
        return requested.resolved(launched: launched, terminal: terminal)
    }

    /// Makes standard output line-buffered and standard error unbuffered, whatever they are connected to. glibc
    /// buffers a file or pipe in 4 KiB blocks, so a job redirected to a log (`> run.log`, `srun`) showed nothing
    /// until it exited; call this first thing in `main`, before anything is printed.
    public static func lineBufferStandardStreams() {
        tributary_line_buffer_standard_streams()
    }

    /// Runs `body` with the job's communicator (see the table above), finalizes MPI afterwards, and returns
    /// `body`'s result. Never returns if `body` throws: `beforeExit` runs (the CLI passes Storage's
    /// `HDF5Library.closeEverything`, so that no HDF5 file is left to libhdf5's exit-time clean-up), then the
    /// job is aborted with `[rank r] <error>`. Under MPI every collective waits under `watchdog`
    /// (`StallWatchdog`): a collective that makes no progress for its timeout runs `beforeExit` and aborts the job.
    public static func run<R>(beforeExit: @escaping () -> Void = {},
                              watchdog: StallWatchdog = StallWatchdog(timeout: StallWatchdog.defaultTimeout),
                              _ body: (any Communicator) throws -> R) -> R {
        keepFreedMemoryInTheHeap()
        guard isLaunchedByMPI() else {
            let single = SingleProcessCommunicator()
            return single.runOrAbort(beforeAbort: beforeExit) { try body(single) }
        }
        let session: MPISession
        let communicator: MPICommunicator
        do {
            session = try MPISession()
            communicator = try session.worldCommunicator()
        } catch {
            let rank = environmentValue("OMPI_COMM_WORLD_RANK") ?? environmentValue("PMIX_RANK")
                ?? environmentValue("PMI_RANK") ?? "?"
            FileHandleOutput.standardError.write("[rank \(rank)] cannot start MPI: \(error)\n")
            exit(1)
        }
        communicator.watchdog = watchdog
        communicator.beforeAbort = beforeExit
        let result = communicator.runOrAbort(beforeAbort: beforeExit) { try body(communicator) }
        session.finalize()  // Distributed: collective; every rank that got here calls it
        return result
    }

    /// Trainers and encoders free and allocate the same large scratch blocks every step. glibc's defaults hand
    /// blocks above 128 KiB to `mmap` and trim freed heap above 128 KiB back to the OS, so the next step
    /// page-faults the memory back in: the W8 GRU benchmark took ~1.0 M faults per run and ran 15–20 % slower
    /// than with the thresholds raised (measured; docs/benchmarks.md). Raising both once, at start-up, keeps
    /// freed blocks below 64 MiB in the heap and trims only above 256 MiB of free heap. Results are unchanged.
    static func keepFreedMemoryInTheHeap() {
        _ = mallopt(M_MMAP_THRESHOLD, 64 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 256 << 20)
    }

    /// `getenv(name)` as a Swift string.
    public static func environmentValue(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}
