import CSQLite
import Foundation

/// Copies committed pages from the WAL back into the ledger file on its own thread and
/// connection, so that the writer does not do it inside COMMIT.
///
/// The writer wakes it after each commit; it runs a PASSIVE checkpoint (which never waits for
/// the writer or readers and never blocks them), at most once per `interval` (250 ms: at 1,000
/// requests/s, a checkpoint every 50 ms cost 6 % of the process's CPU in its fsyncs), so a
/// stream of small commits does not turn into a stream of fsyncs. Once it has caught up, the writer's next
/// transaction starts the WAL over from the beginning.
///
/// Under continuous writing the writer may never find the WAL fully copied when it starts a
/// transaction, so the WAL would never start over. The writer therefore keeps SQLite's own
/// automatic checkpoint as a bound (`LedgerConfiguration.walCheckpointPages`): past it, the
/// writer checkpoints the rest itself after a commit (little, because this thread copied the
/// bulk), and the WAL starts over at its next transaction. Either way `journal_size_limit` then
/// trims the file.
///
/// Synchronisation: `condition` guards `wanted` and `stopping`; the connection is used only by
/// the thread (and closed by it when it stops), hence `@unchecked Sendable`.
package final class Checkpointer: @unchecked Sendable {
    private let connection: Connection
    private let interval: Duration
    private let condition = NSCondition()
    private var wanted = false
    private var stopping = false
    private var stopped = false
    private var completed = 0

    /// Opens the checkpointer's own connection and starts its thread.
    package static func start(path: String, configuration: LedgerConfiguration, interval: Duration = .milliseconds(250))
        throws(LedgerError) -> Checkpointer
    {
        let connection = try Connection.open(path: path, mode: .checkpointer, busyTimeout: configuration.busyTimeout)
        // A checkpoint syncs the WAL before copying and the ledger file after, per `synchronous`.
        try connection.runScript("PRAGMA synchronous = \(configuration.durability == .full ? "FULL" : "NORMAL")")
        let checkpointer = Checkpointer(connection: connection, interval: interval)
        let thread = Thread { checkpointer.run() }
        thread.name = "ledger-checkpoint"
        thread.start()
        return checkpointer
    }

    private init(connection: Connection, interval: Duration) {
        self.connection = connection
        self.interval = interval
    }

    /// Asks for a checkpoint soon (the writer calls it after each commit). Never blocks on I/O.
    package func requestCheckpoint() {
        condition.lock()
        wanted = true
        condition.signal()
        condition.unlock()
    }

    /// Checkpoints run so far (for tests).
    package var checkpointsRun: Int {
        condition.lock()
        defer { condition.unlock() }
        return completed
    }

    /// Stops the thread after any checkpoint in progress, and closes its connection. Returns once
    /// the connection is closed, so the writer can then be the last connection to close.
    package func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !stopped { condition.wait() }
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while !wanted && !stopping { condition.wait() }
            if stopping {
                stopped = true
                condition.broadcast()
                condition.unlock()
                connection.close()
                return
            }
            wanted = false
            condition.unlock()
            let began = ContinuousClock.now
            checkpoint()
            // Spacing: commits that arrive meanwhile are covered by the next checkpoint.
            condition.lock()
            completed += 1
            let until = Date(timeIntervalSinceNow: Double((began + interval - ContinuousClock.now).milliseconds) / 1000)
            while !stopping, Date() < until { _ = condition.wait(until: until) }
            condition.unlock()
        }
    }

    /// A PASSIVE checkpoint. Failures are not fatal: the WAL keeps the data, and the writer's
    /// own bound takes over; SQLITE_BUSY only means another checkpoint is running.
    private func checkpoint() {
        _ = try? connection.withHandle { handle throws(LedgerError) in
            sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        }
    }
}
