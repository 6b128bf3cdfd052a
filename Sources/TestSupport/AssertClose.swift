import LinearAlgebra
import XCTest

/// `check_tensor` in Swift: compares two arrays element-wise with |a − b| ≤ atol + rtol·|b|, and on failure
/// reports the shape, the max difference and the first mismatches, so a failing test says *where* it failed.
public func assertClose<S: BinaryFloatingPoint>(
    _ actual: [S], _ expected: [S], rtol: S = 1e-5, atol: S = 1e-6, label: String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    guard actual.count == expected.count else {
        XCTFail("\(label): \(actual.count) values, expected \(expected.count)", file: file, line: line)
        return
    }
    var maxDiff: S = 0
    var mismatches: [String] = []
    for i in actual.indices {
        let diff = abs(actual[i] - expected[i])
        if !(diff <= atol + rtol * abs(expected[i])) {  // also catches NaN
            if mismatches.count < 5 { mismatches.append("[\(i)] \(actual[i]) vs \(expected[i])") }
        }
        if diff > maxDiff || diff.isNaN { maxDiff = diff }
    }
    if !mismatches.isEmpty {
        XCTFail("\(label): not close (rtol \(rtol), atol \(atol)), maxdiff = \(maxDiff); first: "
                + mismatches.joined(separator: ", "), file: file, line: line)
    }
}

/// `assertClose` for matrices: checks the shape first.
public func assertClose<S: BLASScalar>(
    _ actual: Matrix<S>, _ expected: Matrix<S>, rtol: S = 1e-5, atol: S = 1e-6, label: String = "",
    file: StaticString = #filePath, line: UInt = #line
) {
    guard actual.rows == expected.rows && actual.columns == expected.columns else {
        XCTFail("\(label): shape \(actual.rows)×\(actual.columns), expected \(expected.rows)×\(expected.columns)",
                file: file, line: line)
        return
    }
    assertClose(actual.values, expected.values, rtol: rtol, atol: atol, label: label, file: file, line: line)
}

/// The bit patterns of Floats, for bit-identity assertions.
public func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }
