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
public struct SystemClock: RelayClock {
    public init() {}

    public func now() -> Timestamp { Timestamp(Date()) }

    public func sleep(until deadline: Timestamp) async throws {
        let seconds = deadline.date.timeIntervalSinceNow
        guard seconds > 0 else { return }
        try await Task.sleep(for: .milliseconds(Int64(min(seconds, 86_400) * 1000) + 1))
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
