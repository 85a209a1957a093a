import Synchronization

/// An `rd_kafka_t *` that may cross threads.
///
/// `@unchecked Sendable` because librdkafka documents its client handle as thread-safe for the
/// calls this layer makes from several threads (produce, poll, flush, metadata, offsets store,
/// position); Swift cannot know that about a C pointer. This is the one place where a raw handle
/// is declared sendable; the types that own handles destroy them exactly once.
struct NativeHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// A `Mutex` in a class, so that a thread's closure can share it without capturing its owner.
package final class LockedState<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    package init(_ value: Value) { mutex = Mutex(value) }
    package func withLock<R>(_ body: (inout sending Value) throws -> sending R) rethrows -> sending R {
        try mutex.withLock(body)
    }
}
