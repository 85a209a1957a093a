import Dispatch

/// Runs blocking work — SQLite statements, the fsync of a commit — on a thread of its own, off
/// Swift's cooperative pool. That pool has one thread per core (two here): a task blocked in a
/// commit for a few hundred milliseconds there stalls every other task of the daemon (deadlines,
/// the publisher, HTTP) for as long. A lane is a serial queue, so work on one lane runs in order.
final class BlockingLane: Sendable {
    private let queue: DispatchQueue

    init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `work` on the lane and returns its result.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Runs `work`, which cannot fail, on the lane and returns its result.
    func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
