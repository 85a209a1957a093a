import Contracts
import Relay
import Synchronization
import Testing

@testable import RelayRuntime

/// `SystemClock` with an injected wall clock: a forward jump must be noticed within one re-check
/// interval, not when a long sleep ends.
@Suite struct SystemClockTests {
    /// A wall clock the test sets, and a record of every pause the sleeper asked for.
    final class FakeWall: Sendable {
        private let state = Mutex<(now: Timestamp, pauses: [Duration])>((t0, []))
        var now: Timestamp { state.withLock { $0.now } }
        var pauses: [Duration] { state.withLock { $0.pauses } }
        func jump(by duration: Duration) { state.withLock { $0.now = $0.now.adding(duration) } }
        /// A pause that takes no real time: the wall clock moves by the paused duration.
        func pause(_ duration: Duration) {
            state.withLock {
                $0.pauses.append(duration)
                $0.now = $0.now.adding(duration)
            }
        }
    }

    @Test func aForwardJumpIsNoticedWithinOneRecheckInterval() async throws {
        let wall = FakeWall()
        let clock = SystemClock(
            recheckInterval: .seconds(1), wallTime: { wall.now },
            pause: { duration in
                wall.pause(duration)
                // During the third pause the wall clock is stepped forward by two hours.
                if wall.pauses.count == 3 { wall.jump(by: .seconds(7200)) }
            })
        let deadline = t0.adding(.seconds(3600))
        try await clock.sleep(until: deadline)
        // Woken after the pause in which the jump happened, not an hour of pauses later.
        #expect(wall.pauses == [.seconds(1), .seconds(1), .seconds(1)])
        #expect(wall.now >= deadline)
    }

    @Test func noSinglePauseIsLongerThanTheIntervalAndTheLastOneEndsAtTheDeadline() async throws {
        let wall = FakeWall()
        let clock = SystemClock(recheckInterval: .milliseconds(400), wallTime: { wall.now }, pause: { wall.pause($0) })
        try await clock.sleep(until: t0.adding(.milliseconds(1000)))
        #expect(wall.pauses == [.milliseconds(400), .milliseconds(400), .milliseconds(200)])
        #expect(wall.now == t0.adding(.milliseconds(1000)))
        // A deadline already passed returns at once.
        try await clock.sleep(until: t0)
        #expect(wall.pauses.count == 3)
    }

    @Test func withRealPausesAJumpWakesTheSleeperLongBeforeItsDeadline() async throws {
        let wall = FakeWall()
        let reads = Atomic(0)
        // The wall clock is stepped a day forward at its second reading, i.e. while the sleeper
        // is already in its first real pause.
        let clock = SystemClock(
            recheckInterval: .milliseconds(20),
            wallTime: {
                if reads.add(1, ordering: .relaxed).newValue == 2 { wall.jump(by: .seconds(90_000)) }
                return wall.now
            })
        let woke = await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await clock.sleep(until: t0.adding(.seconds(86_400)))) != nil }
            // Only a bound on a broken clock (which would sleep a day), not a wait for a deadline;
            // generous, because a loaded test machine can delay any wake-up by seconds.
            group.addTask {
                try? await Task.sleep(for: .seconds(120))
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        #expect(woke, "the sleeper should wake at its first re-check after the jump, not a day later")
    }

    @Test func cancellationEndsTheSleep() async throws {
        let clock = SystemClock(recheckInterval: .milliseconds(20), wallTime: { t0 })
        let sleeper = Task { try await clock.sleep(until: t0.adding(.seconds(3600))) }
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
    }
}
