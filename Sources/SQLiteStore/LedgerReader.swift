/// Read-only access to a ledger: for operator tools that inspect the ledger while the daemon
/// runs, and (as `Ledger.reader`) for the daemon's own reads.
///
/// Readers use separate `SQLITE_OPEN_READONLY` connections and never take the daemon's writer
/// lock; in WAL mode they read a consistent snapshot while the writer keeps committing.
public final class LedgerReader: Sendable {
    /// The ledger file, as an absolute path.
    public let path: String
    package let pool: ReaderPool

    package init(pool: ReaderPool) {
        self.path = pool.path
        self.pool = pool
    }

    /// Opens an existing ledger read-only. Never creates a file: a missing one is `.noLedger`.
    ///
    /// The schema must be exactly the one `migrations` ends at: a newer one is `.schemaTooNew`,
    /// an older one `.schemaOutdated` (read-only tools cannot migrate; the daemon does).
    public static func open(
        at path: String,
        configuration: LedgerConfiguration = LedgerConfiguration(),
        migrations: [Migration]
    ) throws(LedgerError) -> LedgerReader {
        try Migrator.validate(migrations)
        let path = FileSystem.absolute(path)
        switch FileSystem.kind(of: path) {
        case .missing: throw .noLedger(path: path)
        case .directory: throw .cannotOpen(path: path, reason: "it is a directory")
        case .file, .other: break
        }
        let connection = try Connection.open(path: path, mode: .reader, busyTimeout: configuration.busyTimeout)
        do throws(LedgerError) {
            let state = try Migrator.inspect(connection)
            try Migrator.checkIdentity(state, path: path)
            let known = migrations.last?.version ?? 0
            if state.userVersion > known {
                throw .schemaTooNew(path: path, fileVersion: state.userVersion, knownVersion: known)
            }
            if state.userVersion < known {
                throw .schemaOutdated(path: path, fileVersion: state.userVersion, expectedVersion: known)
            }
        } catch {
            connection.close()
            throw error
        }
        return LedgerReader(pool: ReaderPool(path: path, configuration: configuration, idle: [connection]))
    }

    /// Runs `body` in a read transaction: every query in it sees the same snapshot.
    package func read<Result>(_ body: (borrowing Database) throws -> Result) throws -> Result {
        let connection = try pool.checkout()
        defer { pool.checkin(connection) }
        try connection.runScript("BEGIN")
        do {
            let database = Database(connection: connection)
            let result = try body(database)
            try connection.runScript("COMMIT")
            return result
        } catch {
            connection.rollbackIfInTransaction()
            throw error
        }
    }

    /// The schema version stored in the file (`PRAGMA user_version`).
    public func schemaVersion() throws(LedgerError) -> Int {
        try pool.withConnection { connection throws(LedgerError) in
            try Migrator.scalarInt(connection, "PRAGMA user_version")
        }
    }

    /// The migrations applied to this ledger, oldest first.
    public func appliedMigrations() throws(LedgerError) -> [AppliedMigration] {
        try pool.withConnection { connection throws(LedgerError) in
            try Migrator.appliedMigrations(connection)
        }
    }

    /// Runs `PRAGMA integrity_check` (or the faster `PRAGMA quick_check` when `quick`).
    public func integrityCheck(quick: Bool = false) throws(LedgerError) -> IntegrityReport {
        try pool.withConnection { connection throws(LedgerError) in
            try IntegrityReport.check(connection, quick: quick)
        }
    }

    /// Writes a consistent copy of the ledger to a new file at `path` (its directory is created
    /// if missing; an existing file is never overwritten). Safe while the daemon writes.
    public func backup(to path: String) throws(LedgerError) {
        try pool.withConnection { connection throws(LedgerError) in
            try Backup.copy(from: connection, to: path)
        }
    }

    /// Closes the reader's connections. Later calls fail with `.closed`.
    public func close() {
        pool.close()
    }
}
