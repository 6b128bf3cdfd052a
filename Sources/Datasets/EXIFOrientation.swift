import Foundation

/// The EXIF Orientation tag of a JPEG: how the stored pixels must be turned to be seen upright.
///
/// Phones store the sensor's rows as they come and write the turn into EXIF (tag 0x0112 in IFD0) instead of
/// rotating the pixels; a decoder that ignores it hands a portrait photo to the descriptors lying on its side.
///
/// **The 8 values as transpose/flip compositions.** Stored image S is W × H; the upright image D is W' × H'
/// (W' = H, H' = W when transposed). First transpose (T(x, y) = S(y, x)) or not, then flip the result:
///
///     D(x', y') = T(flipX ? W' − 1 − x' : x',  flipY ? H' − 1 − y' : y')
///
/// | value | EXIF name | transpose | flipX | flipY | as a turn |
/// | --- | --- | --- | --- | --- | --- |
/// | 1 | top-left     | – | – | – | identity |
/// | 2 | top-right    | – | ✓ | – | mirror left–right |
/// | 3 | bottom-right | – | ✓ | ✓ | rotate 180° |
/// | 4 | bottom-left  | – | – | ✓ | mirror top–bottom |
/// | 5 | left-top     | ✓ | – | – | transpose (mirror on the main diagonal) |
/// | 6 | right-top    | ✓ | ✓ | – | rotate 90° clockwise |
/// | 7 | right-bottom | ✓ | ✓ | ✓ | transverse (mirror on the anti-diagonal) |
/// | 8 | left-bottom  | ✓ | – | ✓ | rotate 90° counter-clockwise |
///
/// The flips repeat with period 4: (v − 1) mod 4 = 0, 1, 2, 3 → none, X, X and Y, Y; v ≥ 5 transposes.
///
/// **Where the tag lives** (EXIF 2.3 § 4.5.4, TIFF 6.0 § 2):
///
///     FF D8 | FF E1 len₁₆ "Exif\0\0" | TIFF: "II" 2A 00 | "MM" 00 2A, IFD0 offset₃₂ | … | FF DA (scan)
///     IFD0 at that offset (from the TIFF start): count₁₆, then count × 12-byte entries
///     entry: tag₁₆ type₁₆ count₃₂ value[4]; Orientation = tag 0x0112, type SHORT (3), count 1, value₁₆ first
///
/// Multi-byte numbers are big-endian in the JPEG markers and in the TIFF's byte order ("II" little, "MM" big).
///
/// **Nothing in the file is trusted.** Every length, offset and count is checked against the bytes of its
/// segment before it is read (offsets are compared by subtraction, never by an addition that could overflow);
/// a segment running past the file, an IFD offset past the segment, an entry count that does not fit, a wrong
/// type or count, or a value outside 1…8 all mean `.identity` (value 1): the image is used as stored, as before
/// this reader existed. It never traps and never throws. The first "Exif" APP1 segment decides; the walk stops
/// at the first scan (SOS) or at anything that is not a marker.
public enum EXIFOrientation: Int, Sendable, CaseIterable {
    case identity = 1, mirrorX = 2, rotate180 = 3, mirrorY = 4
    case transpose = 5, rotate90Clockwise = 6, transverse = 7, rotate90CounterClockwise = 8

    /// Step 1 of the table above: swap rows and columns.
    public var transposes: Bool { rawValue >= 5 }
    /// Step 2: mirror the (transposed) image left–right.
    public var flipsX: Bool { (rawValue - 1) % 4 == 1 || (rawValue - 1) % 4 == 2 }
    /// Step 2: mirror the (transposed) image top–bottom.
    public var flipsY: Bool { (rawValue - 1) % 4 == 2 || (rawValue - 1) % 4 == 3 }

    /// The Orientation of the JPEG `jpeg` (SOI first), `.identity` when it has none or it cannot be trusted.
    public static func read(jpeg: some ContiguousBytes) -> EXIFOrientation {
        jpeg.withUnsafeBytes { read(jpegBytes: $0) }
    }

    static func read(jpegBytes jpeg: UnsafeRawBufferPointer) -> EXIFOrientation {
        let n = jpeg.count
        guard n >= 4, jpeg[0] == 0xFF, jpeg[1] == 0xD8 else { return .identity }
        var i = 2
        while n - i >= 4 {                                    // room for FF, marker, length₁₆
            guard jpeg[i] == 0xFF else { return .identity }   // not a marker: stop looking
            let marker = jpeg[i + 1]
            if marker == 0xFF { i += 1; continue }            // fill byte
            if marker == 0xDA || marker == 0xD9 { return .identity }  // scan data or end: no EXIF before it
            if marker == 0x01 || (0xD0 ... 0xD7).contains(marker) { i += 2; continue }  // no length
            let length = Int(jpeg[i + 2]) << 8 | Int(jpeg[i + 3])  // counts itself, not the marker
            guard length >= 2, length <= n - i - 2 else { return .identity }
            if marker == 0xE1 {
                let payload = UnsafeRawBufferPointer(rebasing: jpeg[(i + 4) ..< (i + 2 + length)])
                if let tiff = exifTIFF(payload) { return orientation(tiff: tiff) }
            }
            i += 2 + length
        }
        return .identity
    }

    /// The TIFF block of an APP1 payload that starts with "Exif\0\0", nil for other APP1s (XMP, …).
    private static func exifTIFF(_ payload: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        let magic: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0, 0]  // "Exif\0\0"
        guard payload.count >= magic.count, zip(payload, magic).allSatisfy({ $0 == $1 }) else { return nil }
        return UnsafeRawBufferPointer(rebasing: payload[magic.count...])
    }

    /// Orientation from IFD0 of `tiff`; every read below is inside `tiff` by the guard before it.
    private static func orientation(tiff: UnsafeRawBufferPointer) -> EXIFOrientation {
        let n = tiff.count
        guard n >= 8 else { return .identity }
        let little: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): little = true   // "II"
        case (0x4D, 0x4D): little = false  // "MM"
        default: return .identity
        }
        func u16(_ at: Int) -> Int {
            little ? Int(tiff[at]) | Int(tiff[at + 1]) << 8 : Int(tiff[at]) << 8 | Int(tiff[at + 1])
        }
        func u32(_ at: Int) -> Int { little ? u16(at) | u16(at + 2) << 16 : u16(at) << 16 | u16(at + 2) }
        guard u16(2) == 42 else { return .identity }
        let ifd = u32(4)                                      // 0 … 2³² − 1: fits Int on 64-bit
        guard ifd >= 8, ifd <= n - 2 else { return .identity }
        let count = u16(ifd)
        guard count <= (n - ifd - 2) / 12 else { return .identity }  // the entries must fit the segment
        for k in 0 ..< count {
            let entry = ifd + 2 + 12 * k
            guard u16(entry) == 0x0112 else { continue }
            guard u16(entry + 2) == 3, u32(entry + 4) == 1 else { return .identity }  // SHORT × 1
            return EXIFOrientation(rawValue: u16(entry + 8)) ?? .identity
        }
        return .identity
    }
}
