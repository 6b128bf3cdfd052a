
/// Number formatting for log lines and report tables, without Foundation's locale-dependent formatting (the
/// same text on every machine, so reports can be compared byte for byte).

/// `x` with `digits` decimals (no Foundation formatting).
public func fixed(_ x: Double, _ digits: Int) -> String {
    guard x.isFinite else { return "\(x)" }
    var scale = 1.0
    for _ in 0 ..< digits { scale *= 10 }
    let r = (abs(x) * scale).rounded()
    let whole = Int(r / scale), fraction = Int(r) - whole * Int(scale)
    let f = String(fraction)
    return (x < 0 && r > 0 ? "-" : "") + "\(whole)" + (digits > 0 ? "." + String(repeating: "0", count: digits - f.count) + f : "")
}

/// `digits` (the decimal or hex text of a non-negative number) left-padded with zeros to `width` characters;
/// longer text is kept whole. For ids such as `train/000123`.
public func zeroPadded(_ digits: String, width: Int) -> String {
    String(repeating: "0", count: Swift.max(0, width - digits.count)) + digits
}

/// A Double with 6 significant digits, for log lines.
public func format(_ x: Double) -> String {
    guard x.isFinite, x != 0 else { return "\(x)" }
    let magnitude = Swift.max(0, 5 - Int((Swift.abs(x)).log10Floor))
    var scale = 1.0
    for _ in 0 ..< Swift.min(magnitude, 12) { scale *= 10 }
    return "\((x * scale).rounded() / scale)"
}

extension Double {
    /// ⌊log10 |x|⌋ for x ≠ 0.
    public var log10Floor: Int {
        var v = Swift.abs(self), e = 0
        while v >= 10 { v /= 10; e += 1 }
        while v < 1 { v *= 10; e -= 1 }
        return e
    }
}
