import ArgumentParser
import Core
import Distributed
import LinearAlgebra
import Storage

/// The `tributary` executable: one subcommand per stage. Library modules never parse arguments; each
/// subcommand validates its flags, builds a config value and calls into the libraries.
@main
struct Tributary: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary",
        abstract: "Learning from more than one dataset at once, from a laptop to a cluster over MPI.",
        discussion: "Run under `mpirun -np N tributary …` (or launch/run.sh) to split the work over N ranks; "
            + "without mpirun, tributary is a world of one rank and produces identical results. "
            + "Rank 0 prints and writes.",
        version: TributaryVersion.string + "\nkernels: " + KernelISA.summary,  // line 2: `KernelISA`
        subcommands: [
            Selftest.self,
            Extract.self, FitPCA.self, FitGMM.self, Encode.self, Fisher.self,
            Annotate.self, Report.self,
            TextTrain.self, TextEmbed.self,
            IndexCommand.self, QueryCommand.self,
            RunPipeline.self, PipelineStatus.self, PipelinePlan.self, PackCommand.self,
            GraphCommand.self, TrainPaths.self, Decode.self,
            TrainInfused.self, Experiment.self, StatsCommand.self,
            Bench.self, CheckHDF5.self, Fuzz.self,
        ])

    /// Line-buffers standard output before anything is printed (`World.lineBufferStandardStreams`), turns the
    /// HDF5 preflight on (every HDF5 file this process did not write is first opened by a `check-hdf5` child;
    /// `TRIBUTARY_HDF5_PREFLIGHT=0` turns it off, `TRIBUTARY_HDF5_PREFLIGHT_TIMEOUT` sets its limit in seconds),
    /// then parses and runs the subcommand.
    static func main() {
        World.lineBufferStandardStreams()
        do {
            _ = try KernelISA.fromEnvironment()  // a bad TRIBUTARY_ISA is a usage error, before anything runs
        } catch {
            exit(withError: ValidationError("\(error)"))
        }
        if World.environmentValue("TRIBUTARY_HDF5_PREFLIGHT") != "0" {
            do {
                let timeout = try HDF5Preflight.timeout(fromEnvironment: World.environmentValue)
                HDF5Preflight.enable(HDF5Preflight(command: [ChildProcess.currentExecutable, "check-hdf5"], timeout: timeout))
            } catch {
                exit(withError: ValidationError("\(error)"))
            }
        }
        main(nil)
    }
}

/// The version printed by `tributary --version` and written into every artifact's header.
enum TributaryVersion {
    static let string = "0.1.0"
}
