/// Deterministic byte mutations for fuzzing: mutant i of a run is a pure function of (seed, format, i).
///
/// For mutant i, a generator `SeededRandom(seed: seed, stream: hash(format) ⊕ i)` picks a seed input s from the
/// format's seeds, then applies k ∈ {1, …, 4} of these operations to a copy of s (n = current length):
///
/// | operation | effect |
/// | --- | --- |
/// | bit flips | flip 1–8 bits at uniform positions |
/// | byte set | set 1–4 bytes to a uniform byte or one of 0x00, 0x01, 0x7F, 0x80, 0xFF |
/// | interesting integer | write v ∈ {0, 1, −1, 2⁷−1, 2⁸−1, 2¹⁵−1, 2¹⁶−1, 2³¹−1, 2³¹, 2³²−1, 2⁶³−1, 2⁶³} as 2, 4 or 8 bytes, little- or big-endian, at a uniform offset (what length and size fields hold) |
/// | truncation | keep a uniform prefix of length 0 … n−1 |
/// | splice | replace the tail after a uniform cut with the tail of another seed (or this one) from another cut |
/// | duplicate | copy a block of up to 64 bytes over another place, or insert it (grows the input) |
///
/// Replaying mutant i (`mutant(index:)`) therefore needs only the seeds, the format name, `seed` and i: a crash
/// found after 80,000 mutants is reproduced without the 79,999 before it.
public struct Mutator: Sendable {
    public let seeds: [[UInt8]]
    public let format: String
    public let seed: UInt64

    public init(seeds: [[UInt8]], format: String, seed: UInt64) {
        precondition(!seeds.isEmpty, "Mutator needs at least one seed input for \(format)")
        self.seeds = seeds
        self.format = format
        self.seed = seed
    }

    static let interesting: [UInt64] = [
        0, 1, UInt64.max, 0x7F, 0xFF, 0x7FFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF,
        0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000,
    ]

    /// FNV-1a of the format name: each format gets its own streams for the same seed.
    var formatStream: UInt64 {
        format.utf8.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }

    /// Mutant number `index`.
    public func mutant(index: Int) -> [UInt8] {
        var random = SeededRandom(seed: seed, stream: formatStream ^ UInt64(index))
        var bytes = seeds[random.bounded(seeds.count)]
        for _ in 0 ..< 1 + random.bounded(4) {
            apply(random.bounded(6), to: &bytes, &random)
        }
        return bytes
    }

    private func apply(_ operation: Int, to bytes: inout [UInt8], _ random: inout SeededRandom) {
        if bytes.isEmpty {
            bytes = [UInt8(truncatingIfNeeded: random.next())]
            return
        }
        let n = bytes.count
        switch operation {
        case 0:
            for _ in 0 ..< 1 + random.bounded(8) {
                let bit = random.bounded(n * 8)
                bytes[bit / 8] ^= 1 << UInt8(bit % 8)
            }
        case 1:
            let special: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF]
            for _ in 0 ..< 1 + random.bounded(4) {
                let value = random.bounded(2) == 0 ? UInt8(truncatingIfNeeded: random.next()) : special[random.bounded(special.count)]
                bytes[random.bounded(n)] = value
            }
        case 2:
            let width = [2, 4, 8][random.bounded(3)]
            let value = Self.interesting[random.bounded(Self.interesting.count)]
            let bigEndian = random.bounded(2) == 1
            let offset = random.bounded(n)
            for k in 0 ..< width where offset + k < n {
                let shift = UInt64(8 * (bigEndian ? width - 1 - k : k))
                bytes[offset + k] = UInt8(truncatingIfNeeded: value >> shift)
            }
        case 3:
            bytes.removeLast(n - random.bounded(n))
        case 4:
            let other = seeds[random.bounded(seeds.count)]
            let cut = random.bounded(n), from = random.bounded(max(1, other.count))
            bytes = Array(bytes[..<cut]) + Array(other[min(from, other.count)...])
        default:
            let length = 1 + random.bounded(min(64, n))
            let from = random.bounded(n - length + 1), to = random.bounded(n)
            let block = Array(bytes[from ..< from + length])
            if random.bounded(2) == 0 {
                bytes.insert(contentsOf: block, at: to)
            } else {
                for k in 0 ..< length where to + k < n { bytes[to + k] = block[k] }
            }
        }
    }
}
