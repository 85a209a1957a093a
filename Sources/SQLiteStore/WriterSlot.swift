import Foundation

/// The daemon's single writer connection and the lock file that makes it the only one.
///
/// `@unchecked Sendable` because its state is only touched while holding `lock`. The lock is
/// recursive so that a nested `transaction` on the same thread is reported as misuse instead of
/// deadlocking; other threads simply wait their turn.
package final class WriterSlot: @unchecked Sendable {
    package let path: String
    private let lock = NSRecursiveLock()
    private var connection: Connection?
    /// The user's memory beside the writer; like the connection, touched only under `lock`.
    private let memory: (any WriterMemory)?
    private var lockFile: WriterLockFile?
    private var isBusy = false
    private var closeRequested = false

    package init(path: String, connection: Connection, lockFile: WriterLockFile, memory: (any WriterMemory)?) {
        self.path = path
        self.connection = connection
        self.memory = memory
        self.lockFile = lockFile
    }

    /// Runs `body` with exclusive use of the writer connection and the memory beside it.
    package func withConnection<Result>(_ body: (Connection, (any WriterMemory)?) throws -> Result) throws -> Result {
        lock.lock()
        defer { lock.unlock() }
        guard let connection else { throw LedgerError.closed(path: path) }
        guard !isBusy else {
            throw LedgerError.misuse(
                "a ledger transaction was started inside another transaction on the same ledger; nest the work in the outer transaction instead"
            )
        }
        isBusy = true
        defer {
            isBusy = false
            if closeRequested { closeNow() }
        }
        return try body(connection, memory)
    }

    /// Closes the connection and releases the lock file. Called from inside a transaction, it
    /// takes effect when that transaction ends.
    package func close() {
        lock.lock()
        defer { lock.unlock() }
        if isBusy {
            closeRequested = true
        } else {
            closeNow()
        }
    }

    private func closeNow() {
        connection?.close()
        connection = nil
        // Released only after the connection is closed, so no other writer can start while
        // this one could still touch the file.
        lockFile?.release()
        lockFile = nil
    }
}
