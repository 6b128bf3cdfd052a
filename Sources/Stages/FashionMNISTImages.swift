import Core
import Datasets
import Features
import LinearAlgebra

/// Fashion-MNIST as an `ImageCollection`: gray 28×28 images (R = G = B = v/255), labels 0 … 9, ids
/// `train/000123` / `test/000123`. The idx files are read once (47 MB for `train`), pixels converted per image.
public struct FashionMNISTImages: ImageCollection {
    public let data: FashionMNIST
    public let split: String

    /// Reads split `train` or `test` from `directory` (see `FashionMNIST` for the files and their errors).
    public init(directory: String, split: String) throws {
        guard let which = FashionMNIST.Split(rawValue: split) else {
            throw PipelineError.invalidParameter(name: "--split", value: split,
                                                 rule: "Fashion-MNIST has the splits train and test")
        }
        self.data = try FashionMNIST.load(split: which, directory: directory)
        self.split = split
    }

    public var count: Int { data.count }
    public var classNames: [String] { FashionMNIST.classNames }

    public func image(at index: Int) throws -> ImagePlanes {
        try ImagePlanes(width: data.columns, height: data.rows, gray: data.image(at: index))
    }

    public func label(at index: Int) -> Int { Int(data.labels[index]) }

    public func id(at index: Int) -> String {
        split + "/" + zeroPadded(String(index), width: 6)
    }
}

/// Seeded random colour images for tests and demos: smooth blobs plus noise, so both descriptor kinds see
/// gradients and colour. Image n depends only on (seed, n), never on which rank decodes it.
public struct SyntheticImages: ImageCollection {
    public let count: Int
    public let width: Int
    public let height: Int
    public let seed: UInt64

    public init(count: Int, width: Int, height: Int, seed: UInt64) {
        self.count = count
        self.width = width
        self.height = height
        self.seed = seed
    }

    public var classNames: [String] { ["a", "b", "c"] }
    public func label(at index: Int) -> Int { index % 3 }

    public func id(at index: Int) -> String {
        "synthetic/" + zeroPadded(String(index), width: 6)
    }

    public func image(at index: Int) throws -> ImagePlanes {
        var rng = SeededRandom(seed: seed, stream: UInt64(index))
        var rgb = [Float](repeating: 0, count: width * height * 3)
        for c in 0 ..< 3 {
            let cx = Float(rng.uniform(0, Double(width))), cy = Float(rng.uniform(0, Double(height)))
            let radius = Float(rng.uniform(2, Double(max(width, height)) / 2))
            let level = Float(rng.uniform(0.2, 0.8))
            for y in 0 ..< height {
                for x in 0 ..< width {
                    let dx = Float(x) - cx, dy = Float(y) - cy
                    let inside: Float = dx * dx + dy * dy < radius * radius ? level : 1 - level
                    let noisy = inside + 0.05 * Float(rng.normal())
                    rgb[(y * width + x) * 3 + c] = min(1, max(0, noisy))
                }
            }
        }
        return try ImagePlanes(width: width, height: height, rgb: rgb)
    }
}
