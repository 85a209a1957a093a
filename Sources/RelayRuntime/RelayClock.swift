import Contracts
import Foundation
import Synchronization

/// The daemon's only source of time. Production uses `SystemClock`; tests of deadlines use
/// `ManualClock`, so nothing waits on real time.
public protocol RelayClock: Sendable {
    /// The current instant.
    func now() -> Timestamp
    /// Returns at `deadline` (or at once if it has passed); throws `CancellationError` when the
    /// calling task is cancelled first.
    func sleep(until deadline: Timestamp) async throws
}

/// Wall-clock time.
///
/// Sleeping re-reads the wall clock at least every `recheckInterval` (one second unless told
/// otherwise) instead of sleeping the whole way: the process sleeps on a monotonic clock, so
/// a forward jump of the wall clock (NTP stepping it, a suspended VM resuming) would otherwise
/// be noticed only when the whole sleep ends, up to a day late for an idle relay.
public struct SystemClock: RelayClock {
    /// The longest single sleep before the wall clock is read again.
    public let recheckInterval: Duration
    private let wallTime: @Sendable () -> Timestamp
    private let pause: @Sendable (Duration) async throws -> Void

    /// The real clock, re-checked every second.
    public init() {
        self.init(recheckInterval: .seconds(1))
    }

    /// A system clock with its parts replaced, for tests: `wallTime` reads the time and
    /// `pause` waits (`Task.sleep` by default).
    public init(
        recheckInterval: Duration,
        wallTime: @escaping @Sendable () -> Timestamp = { Timestamp(Date()) },
        pause: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.recheckInterval = max(recheckInterval, .milliseconds(1))
        self.wallTime = wallTime
        self.pause = pause
    }

    public func now() -> Timestamp { wallTime() }

    public func sleep(until deadline: Timestamp) async throws {
        while true {
            let remaining = wallTime().duration(until: deadline)
            guard remaining > .zero else { return }
            try await pause(min(remaining, recheckInterval))
        }
    }
}

/// A clock that moves only when told to. Sleepers wake when `advance` or `set` passes their
/// deadline.
public final class ManualClock: RelayClock {
    private struct Sleeper {
        let deadline: Timestamp
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Timestamp
        var sleepers: [UUID: Sleeper] = [:]
    }

    private let state: Mutex<State>

    public init(_ start: Timestamp) {
        state = Mutex(State(now: start))
    }

    public func now() -> Timestamp { state.withLock { $0.now } }

    /// Moves time forward and wakes every sleeper whose deadline has come.
    public func advance(by duration: Duration) {
        set(state.withLock { $0.now }.adding(duration))
    }

    /// Sets the time (never backwards) and wakes every sleeper whose deadline has come.
    public func set(_ time: Timestamp) {
        let due: [CheckedContinuation<Void, any Error>] = state.withLock { state in
            if time > state.now { state.now = time }
            let ready = state.sleepers.filter { $0.value.deadline <= state.now }
            for key in ready.keys { state.sleepers[key] = nil }
            return ready.values.map(\.continuation)
        }
        for continuation in due { continuation.resume() }
    }

    public func sleep(until deadline: Timestamp) async throws {
        let id = UUID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = state.withLock { state in
                    if deadline <= state.now || Task.isCancelled { return true }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }
}
