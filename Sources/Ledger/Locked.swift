import Foundation

/// A value guarded by a lock.
///
/// A lock-based wrapper rather than `Synchronization.Mutex` because the package also declares
/// macOS 14, where `Mutex` is unavailable. `@unchecked Sendable` is sound because `state` is
/// only reached inside `withLock`.
final class Locked<State>: @unchecked Sendable {
    private let lock = NSLock()
    private var state: State

    init(_ state: State) {
        self.state = state
    }

    func withLock<Result, Failure: Error>(_ body: (inout State) throws(Failure) -> Result) throws(Failure) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&state)
    }
}
