import ArgumentParser
import Core
import Storage

/// `tributary check-hdf5 FILE` (hidden): the child of `HDF5Preflight`. Walks every object, attribute and string
/// of FILE (`HDF5File.walk`) under an address-space cap and exits 0 when libhdf5 survived it, whatever typed errors
/// it met; a crash, a hang (the parent's timeout) or the cap is how the parent learns the file is unsafe.
struct CheckHDF5: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-hdf5",
        abstract: "Read every part of an HDF5 file's metadata in this process (the child of the HDF5 preflight).",
        shouldDisplay: false)

    @Option(help: "Address-space cap of this process in bytes (setrlimit RLIMIT_AS).")
    var memoryCap: Int

    @Option(help: "Datasets up to this many bytes are read whole; larger ones their first and last row.")
    var readLimit: Int = HDF5Preflight.defaultReadLimit

    @Argument(help: "The HDF5 file to walk.")
    var file: String

    func validate() throws {
        guard memoryCap > 0, readLimit >= 0 else {
            throw ValidationError("--memory-cap must be > 0 and --read-limit ≥ 0 bytes, got \(memoryCap) and \(readLimit)")
        }
    }

    func run() throws {
        HDF5Preflight.disable()  // this process IS the check
        HDF5Library.prepareForExit()
        ChildProcess.capAddressSpace(bytes: memoryCap)
        let budget = MemoryBudget(bytes: max(1, memoryCap - HDF5Preflight.runtimeAllowance), origin: "check-hdf5 --memory-cap")
        let summary = MemoryBudget.$current.withValue(budget) { HDF5File.walk(path: file, readLimit: readLimit) }
        print("\(file): \(summary)")
        HDF5Library.closeEverything()
    }
}
