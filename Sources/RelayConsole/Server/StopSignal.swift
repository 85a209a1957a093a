import Synchronization

/// Set once when the console is asked to stop: open event streams end at their next poll, so a
/// graceful shutdown does not wait for browsers to hang up.
final class StopSignal: Sendable {
    private let stopped = Mutex(false)

    var isSet: Bool { stopped.withLock { $0 } }

    func set() { stopped.withLock { $0 = true } }
}
