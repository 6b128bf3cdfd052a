import ArgumentParser

@main
struct Tributary: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tributary",
        abstract: "Learning from more than one dataset at once, from a laptop to a cluster over MPI.",
        version: "0.1.0")
}
