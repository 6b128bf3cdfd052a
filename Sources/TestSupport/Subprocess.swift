import Foundation

/// Runs `executable` with `arguments` (and `environment`, when given), waits, and returns its exit status and
/// its standard output and error together — for tests that check a command's text and exit code.
public func runProcess(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil
) throws -> (status: Int32, output: String) {
    let result = try runProcessReportingReason(executable, arguments, environment: environment)
    return (result.status, result.output)
}

/// `runProcess`, also saying how the process ended (`.exit` or `.uncaughtSignal`, whose number is then `status`).
public func runProcessReportingReason(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil
) throws -> (reason: Process.TerminationReason, status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationReason, process.terminationStatus, String(decoding: data, as: UTF8.self))
}
