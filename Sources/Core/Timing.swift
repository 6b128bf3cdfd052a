extension Duration {
    /// The duration in seconds, as a Double (the one `Duration` → seconds conversion of the toolkit: timings in
    /// logs, reports and benchmarks).
    ///
    ///     seconds = components.seconds + components.attoseconds · 10⁻¹⁸
    @inlinable
    public var inSeconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}

/// Wall-clock seconds of `body` (`ContinuousClock`).
@inlinable
public func measureSeconds(_ body: () throws -> Void) rethrows -> Double {
    try ContinuousClock().measure(body).inSeconds
}
