import CSQLite
import Foundation

/// One SQLite connection and its statement cache.
///
/// `@unchecked Sendable` because the C handle has no Swift-visible synchronisation of its own:
/// it is opened with `SQLITE_OPEN_NOMUTEX` (SQLite's "multi-thread" mode, valid because the
/// library is compiled thread-safe, which `open` checks), and the ledger guarantees that at most
/// one thread uses a connection at a time. The writer connection is only touched while holding
/// `WriterSlot`'s lock; a reader connection is either idle in the `ReaderPool` or checked out by
/// exactly one caller.
package final class Connection: @unchecked Sendable {
    package enum Mode {
        /// Read-write, creating the file if missing: the daemon's single writer.
        case writer
        /// `SQLITE_OPEN_READONLY`, never creates the file: readers and operator tools.
        case reader
        /// Read-write on an existing file, for checkpoints only (`Checkpointer`): it never
        /// writes a transaction, so it does not compete with the writer.
        case checkpointer
    }

    /// The ledger file this connection is on, as reported in errors.
    package let path: String
    package let mode: Mode
    private var handle: OpaquePointer?
    private var cache: [String: Statement] = [:]

    /// Ad-hoc SQL beyond this many distinct strings is prepared per use instead of cached, so a
    /// caller building SQL dynamically cannot grow the cache without bound.
    private static let cacheLimit = 256

    private init(path: String, mode: Mode, handle: OpaquePointer) {
        self.path = path
        self.mode = mode
        self.handle = handle
    }

    deinit {
        close()
    }

    /// Opens a connection. Nothing is read from the file yet: SQLite opens lazily, so callers run
    /// a first statement to find out whether the file is a database at all.
    package static func open(path: String, mode: Mode, busyTimeout: Duration) throws(LedgerError) -> Connection {
        guard sqlite3_threadsafe() != 0 else {
            throw .cannotOpen(
                path: path, reason: "the system libsqlite3 was built without thread safety (SQLITE_THREADSAFE=0)")
        }
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        switch mode {
        case .writer: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .checkpointer: flags |= SQLITE_OPEN_READWRITE
        case .reader: flags |= SQLITE_OPEN_READONLY
        }
        var db: OpaquePointer?
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let error = openError(code: code, db: db, path: path, mode: mode)
            sqlite3_close_v2(db)
            throw error
        }
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, Int32(clamping: busyTimeout.milliseconds))
        return Connection(path: path, mode: mode, handle: db)
    }

    private static func openError(code: Int32, db: OpaquePointer?, path: String, mode: Mode) -> LedgerError {
        guard code & 0xFF == SQLITE_CANTOPEN else {
            return SQLiteResultCode.error(code: code, db: db, path: path)
        }
        // SQLite's own message ("unable to open database file") hides the cause; the errno does not.
        let errno = db.map { sqlite3_system_errno($0) } ?? 0
        let reason =
            errno != 0 ? FileSystem.describe(errno: errno) : "SQLite could not open the file (SQLite code \(code))"
        return mode == .writer ? .cannotCreate(path: path, reason: reason) : .cannotOpen(path: path, reason: reason)
    }

    /// The error for a failed call, with SQLite's message.
    package func error(_ code: Int32) -> LedgerError {
        SQLiteResultCode.error(code: code, db: handle, path: path)
    }

    private func liveHandle() throws(LedgerError) -> OpaquePointer {
        guard let handle else { throw .closed(path: path) }
        return handle
    }

    // MARK: Running SQL

    /// Runs one statement and returns its rows (none for statements that return none).
    package func run(_ sql: String, _ arguments: SQLArguments = []) throws(LedgerError) -> [Row] {
        let (statement, cached) = try prepare(sql)
        defer {
            if cached { statement.reset() } else { statement.finalize() }
        }
        try statement.bind(arguments, connection: self)
        var rows: [Row] = []
        var layout: ColumnLayout?
        while true {
            let code = sqlite3_step(statement.handle)
            switch code {
            case SQLITE_DONE:
                return rows
            case SQLITE_ROW:
                let columns = layout ?? statement.columnLayout()
                layout = columns
                let count = Int32(columns.names.count)
                rows.append(Row(layout: columns, values: (0..<count).map { statement.value(at: $0) }))
            default:
                throw error(code)
            }
        }
    }

    /// Runs a script of zero or more statements without arguments (migrations, pragmas).
    package func runScript(_ sql: String) throws(LedgerError) {
        let db = try liveHandle()
        let code = sqlite3_exec(db, sql, nil, nil, nil)
        if code != SQLITE_OK { throw error(code) }
    }

    /// Rolls back the open transaction, if any. Used on failure paths, so it reports nothing:
    /// the caller is already throwing the error that matters.
    package func rollbackIfInTransaction() {
        guard let handle, sqlite3_get_autocommit(handle) == 0 else { return }
        sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
    }

    package var isInTransaction: Bool { handle.map { sqlite3_get_autocommit($0) == 0 } ?? false }

    package var lastInsertRowID: Int64 { handle.map { sqlite3_last_insert_rowid($0) } ?? 0 }

    package var changes: Int { handle.map { Int(sqlite3_changes64($0)) } ?? 0 }

    private func prepare(_ sql: String) throws(LedgerError) -> (Statement, cached: Bool) {
        if let statement = cache[sql] { return (statement, true) }
        let db = try liveHandle()
        let cacheable = cache.count < Self.cacheLimit
        let flags = cacheable ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        var statement: OpaquePointer?
        var trailing = false
        let code = sql.withCString { text in
            var tail: UnsafePointer<CChar>?
            let code = sqlite3_prepare_v3(db, text, -1, flags, &statement, &tail)
            if code == SQLITE_OK, let tail, tail.pointee != 0 {
                // Whatever follows must prepare to nothing (whitespace, comments, semicolons).
                var next: OpaquePointer?
                sqlite3_prepare_v2(db, tail, -1, &next, nil)
                trailing = next != nil
                sqlite3_finalize(next)
            }
            return code
        }
        guard code == SQLITE_OK else { throw error(code) }
        guard let statement else { throw .misuse("empty SQL statement") }
        guard !trailing else {
            sqlite3_finalize(statement)
            throw .misuse("more than one SQL statement in a single call; use a script for that: \(sql)")
        }
        let prepared = Statement(handle: statement, sql: sql)
        if cacheable { cache[sql] = prepared }
        return (prepared, cacheable)
    }

    // MARK: Closing

    /// Finalizes cached statements and closes the handle. A writer first runs a passive
    /// checkpoint (which never waits for readers); when it is the last connection, closing also
    /// checkpoints fully and removes the -wal and -shm files.
    package func close() {
        guard let handle else { return }
        for statement in cache.values { statement.finalize() }
        cache.removeAll()
        if mode == .writer {
            sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        }
        sqlite3_close_v2(handle)
        self.handle = nil
    }

    /// Lets the backup code reach the C handle without it leaving the target's SQLite layer.
    package func withHandle<T>(_ body: (OpaquePointer) throws(LedgerError) -> T) throws(LedgerError) -> T {
        try body(liveHandle())
    }
}

extension Duration {
    package var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        return overflow ? .max : whole + attoseconds / 1_000_000_000_000_000
    }
}
