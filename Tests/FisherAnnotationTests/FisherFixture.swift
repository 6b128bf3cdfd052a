import Core
import FisherAnnotation
import Foundation
import LinearAlgebra
import Stages
import Storage
import TestSupport
import XCTest

/// Shared set-up of the Fisher-stage tests: a tiny synthetic image set and a quick pipeline over it.
enum FisherFixture {
    /// 10 seeded 48×40 colour images; the synthetic default grid (P = 16, step 8, S = 2) gives
    /// 5·4 + 3·2 = 26 descriptors per image (scale 1 is 34×28).
    static let source = ImageSource.synthetic(count: 10, width: 48, height: 40, seed: 3)
    static let descriptorsPerImage = 26

    /// A quick pipeline: d = 16, M = 4, 5 EM iterations.
    static func pipeline(_ directory: URL, source: ImageSource = source) -> FisherPipeline {
        FisherPipeline(source: source, directory: directory.path, pcaDimensions: 16, components: 4, sampleSize: 2_000,
                       maxIterations: 5, batchSize: 3, seed: 7)
    }

    static func floats(_ path: String, _ name: String) throws -> (values: [Float], shape: [Int]) {
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        return try file.read(name, as: Float.self)
    }

    static func ints(_ path: String, _ name: String) throws -> [Int64] {
        let file = try HDF5File.open(path: path)
        defer { try? file.close() }
        return try file.read(name, as: Int64.self).values
    }

    /// The error text of `body`, or "no error".
    static func message(_ body: () throws -> Void) -> String { errorText(body) }
}
