import Distributed
import XCTest

/// The back-off and the timeout of `StallWatchdog`, with an injected clock, sleep and MPI_Test stand-in: no MPI.
final class StallWatchdogTests: XCTestCase {
    /// A fake clock that only `sleep` advances, recording each pause.
    final class FakeClock {
        var now = 100.0
        var pauses: [Double] = []
        func sleep(_ seconds: Double) {
            pauses.append(seconds)
            now += seconds
        }
    }

    /// A watchdog without the spin phase: the back-off alone.
    func backOffOnly(_ timeout: Double) -> StallWatchdog {
        var watchdog = StallWatchdog(timeout: timeout)
        watchdog.spinSeconds = 0
        return watchdog
    }

    /// The spin phase polls without sleeping, at most `spinPolls` times (a fake clock does not move), then backs off.
    func testSpinsFirstThenBacksOff() {
        let clock = FakeClock()
        var watchdog = StallWatchdog(timeout: 5)
        watchdog.spinPolls = 7
        var polls = 0
        let quick = watchdog.wait(now: { clock.now }, sleep: clock.sleep) { polls += 1; return polls == 7 }
        XCTAssertEqual(quick, .completed)
        XCTAssertEqual(clock.pauses, [], "completed while spinning: no sleep")
        polls = 0
        let slow = watchdog.wait(now: { clock.now }, sleep: clock.sleep) { polls += 1; return polls == 9 }
        XCTAssertEqual(slow, .completed)
        XCTAssertEqual(clock.pauses, [50e-6], "7 spinning polls, the 8th fails after the spin, one pause, the 9th succeeds")
    }

    func testCompletesOnTheFirstPollWithoutSleeping() {
        let clock = FakeClock()
        let outcome = backOffOnly(5).wait(now: { clock.now }, sleep: clock.sleep) { true }
        XCTAssertEqual(outcome, .completed)
        XCTAssertEqual(clock.pauses, [])
    }

    func testPausesDoubleFrom50MicrosecondsTo10Milliseconds() {
        let clock = FakeClock()
        var polls = 0
        let outcome = backOffOnly(5).wait(now: { clock.now }, sleep: clock.sleep) {
            polls += 1
            return polls == 12
        }
        XCTAssertEqual(outcome, .completed)
        let expected = [50e-6, 100e-6, 200e-6, 400e-6, 800e-6, 1.6e-3, 3.2e-3, 6.4e-3, 10e-3, 10e-3, 10e-3]
        XCTAssertEqual(clock.pauses.count, expected.count)
        for (got, want) in zip(clock.pauses, expected) { XCTAssertEqual(got, want, accuracy: 1e-12) }
    }

    func testStallsAfterTheTimeoutAndNotBefore() {
        let clock = FakeClock()
        let outcome = backOffOnly(2).wait(now: { clock.now }, sleep: clock.sleep) { false }
        guard case .stalled(let seconds) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertGreaterThanOrEqual(seconds, 2)
        XCTAssertLessThan(seconds, 2 + 10e-3 + 1e-9, "gives up at the first poll after the timeout")
        XCTAssertEqual(clock.pauses.max() ?? 0, 10e-3, accuracy: 1e-12)
        // A waiting rank polls about 100 times a second once backed off, not millions.
        XCTAssertLessThan(clock.pauses.count, 2 * 100 + 20)
    }

    func testTimeoutZeroWaitsForEver() {
        let clock = FakeClock()
        var polls = 0
        let outcome = backOffOnly(0).wait(now: { clock.now }, sleep: clock.sleep) {
            polls += 1
            return polls == 100_000  // ~1000 s of fake time: far beyond any timeout, still completes
        }
        XCTAssertEqual(outcome, .completed)
        XCTAssertFalse(StallWatchdog(timeout: 0).isEnabled)
    }

    func testMessageAndEnvironment() throws {
        XCTAssertEqual(
            StallWatchdog.message(rank: 1, seconds: 600.2, operation: "allReduce", activity: "stage fv (fisher)"),
            "[rank 1] no progress for 600 s in allReduce (stage fv (fisher)); a rank stalled or died: "
                + "check the other ranks' logs, or raise --stall-timeout")
        XCTAssertNil(try StallWatchdog.timeout(fromEnvironment: { _ in nil }))
        XCTAssertEqual(try StallWatchdog.timeout(fromEnvironment: { $0 == "TRIBUTARY_STALL_TIMEOUT" ? "30" : nil }), 30)
        XCTAssertThrowsError(try StallWatchdog.timeout(fromEnvironment: { _ in "ten" }))
        XCTAssertThrowsError(try StallWatchdog.timeout(fromEnvironment: { _ in "-1" }))
    }
}
