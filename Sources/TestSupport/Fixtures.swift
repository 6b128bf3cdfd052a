import Core
import Foundation
import LinearAlgebra

/// A seeded random N×D Float matrix with entries ~ N(0, 1).
public func randomMatrix(rows: Int, columns: Int, seed: UInt64) -> Matrix<Float> {
    var rng = SeededRandom(seed: seed)
    return Matrix(rows: rows, columns: columns, values: rng.normalFloats(rows * columns))
}

/// Two Gaussian blobs in D dimensions, centred at ±separation/2 along every axis; labels[i] = blob of row i.
public func blobs(rows n: Int, dimension d: Int, separation: Double, seed: UInt64) -> (Matrix<Double>, [Bool]) {
    var rng = SeededRandom(seed: seed)
    var x = Matrix<Double>(rows: n, columns: d)
    var labels = [Bool](repeating: false, count: n)
    for i in 0 ..< n {
        labels[i] = i % 2 == 0
        for j in 0 ..< d { x[i, j] = rng.normal() + (labels[i] ? 1 : -1) * separation / 2 }
    }
    return (x, labels)
}

/// A fresh empty temporary directory, removed by the caller with `removeTemporaryDirectory`.
public func makeTemporaryDirectory(_ prefix: String = "tributary-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The folder of shared datasets (`../shared/data` beside the checkout, or `$TRIBUTARY_SHARED_DATA`), or nil
/// with the reason when absent, so dataset tests can skip with a printed message instead of failing.
public func sharedDataDirectory(file: String = #filePath) -> (url: URL?, reason: String) {
    if let env = ProcessInfo.processInfo.environment["TRIBUTARY_SHARED_DATA"] {
        let url = URL(fileURLWithPath: env)
        return FileManager.default.fileExists(atPath: url.path) ? (url, "") : (nil, "TRIBUTARY_SHARED_DATA=\(env) does not exist")
    }
    var dir = URL(fileURLWithPath: file).deletingLastPathComponent()
    while dir.path != "/" {
        if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) {
            let shared = dir.deletingLastPathComponent().appendingPathComponent("shared/data")
            if FileManager.default.fileExists(atPath: shared.path) { return (shared, "") }
            return (nil, "\(shared.path) is absent (the shared datasets sit beside the checkout)")
        }
        dir = dir.deletingLastPathComponent()
    }
    return (nil, "could not locate the package root from \(file)")
}

/// The error text of `body`, or "no error" (for asserting on messages).
public func errorText(_ body: () throws -> Void) -> String {
    do {
        try body()
        return "no error"
    } catch {
        return "\(error)"
    }
}
