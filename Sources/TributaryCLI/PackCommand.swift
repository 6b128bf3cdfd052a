import ArgumentParser
import Distributed
import Storage

/// `tributary pack IN OUT`: a stitched master and its `.parts/` folder → one self-contained HDF5 file.
struct PackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Copy a master file and its .parts/ folder into one self-contained HDF5 file (real datasets).",
        discussion: """
            A sharded output (descriptors.h5, fv.h5, an index) is a master of virtual datasets over the part files in
            IN.parts/; the two must travel together. OUT holds the same root attributes, datasets and values with no
            part files, so it can be moved alone; every Tributary reader accepts it. Every part is checked against the
            master's manifest first. An index packs its vectors but not its forests: loading it rebuilds them (the same neighbours).
            """)

    @Argument(help: "The master file to pack (with its .parts/ folder beside it).")
    var input: String

    @Argument(help: "The self-contained file to write (atomically).")
    var output: String

    func validate() throws {
        guard input != output else { throw ValidationError("OUT must differ from IN, got \(input) twice") }
    }

    @OptionGroup var job: JobOptions

    func run() throws {
        job.run { comm in
            guard comm.isRoot else { return }  // Distributed: packing is one rank's file copy
            let datasets = try HDF5File.pack(input, to: output)
            print("packed \(input) (\(datasets.count) datasets) → \(output)")
        }
    }
}
