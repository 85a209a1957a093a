import Foundation

/// Applies migrations and checks that a file is a ledger this binary can use.
///
/// The schema version lives in `PRAGMA user_version` (in the file header, so it is read without
/// touching any table and changes atomically with the migration's transaction). The history,
/// with times and the software that applied each step, lives in `schema_migrations`.
package enum Migrator {
    /// `PRAGMA application_id` of every ledger ("FRLY"), so the daemon never migrates some other
    /// program's SQLite file that happens to sit at the configured path.
    package static let applicationID: Int32 = 0x4652_4C59

    /// What the file header and schema say before any migration runs.
    package struct FileState {
        var userVersion: Int
        var applicationID: Int32
        var hasTables: Bool
    }

    /// Rejects lists that are not 1, 2, 3… in order: a duplicate or skipped version is almost
    /// certainly an editing mistake, and applying around it would fork the schema history.
    package static func validate(_ migrations: [Migration]) throws(LedgerError) {
        for (offset, migration) in migrations.enumerated() where migration.version != offset + 1 {
            throw .invalidMigrations(
                reason:
                    "versions must be 1, 2, 3… without gaps, but entry \(offset + 1) (\(migration.name)) has version \(migration.version)"
            )
        }
    }

    /// Reads the header fields. This is also the first real read of the file, where a file
    /// that is not a database fails with `.notADatabase`.
    package static func inspect(_ connection: Connection) throws(LedgerError) -> FileState {
        FileState(
            userVersion: try scalarInt(connection, "PRAGMA user_version"),
            applicationID: Int32(truncatingIfNeeded: try scalarInt(connection, "PRAGMA application_id")),
            hasTables: try scalarInt(connection, "SELECT count(*) FROM sqlite_schema") > 0
        )
    }

    /// Accepts a ledger, or a file that is still empty; rejects other programs' databases.
    package static func checkIdentity(_ state: FileState, path: String) throws(LedgerError) {
        if state.applicationID == applicationID { return }
        if state.applicationID != 0 {
            let hex = String(UInt32(bitPattern: state.applicationID), radix: 16)
            throw .notALedger(path: path, reason: "its application id is 0x\(hex), not freeze-relay's")
        }
        if state.userVersion != 0 || state.hasTables {
            throw .notALedger(path: path, reason: "it already contains tables but none of freeze-relay's markers")
        }
    }

    /// Applies the migrations newer than `state`, one transaction each. The caller has already
    /// checked `state` (identity, not too new). Returns the schema version afterwards.
    package static func migrate(
        _ connection: Connection, migrations: [Migration], from state: FileState, appliedBy: String
    )
        throws(LedgerError) -> Int
    {
        let known = migrations.last?.version ?? 0
        let environment = MigrationEnvironment(appliedBy: appliedBy, now: Date())
        for migration in migrations where migration.version > state.userVersion {
            try apply(migration, on: connection, environment: environment)
        }
        return max(state.userVersion, known)
    }

    private static func apply(_ migration: Migration, on connection: Connection, environment: MigrationEnvironment)
        throws(LedgerError)
    {
        do {
            try connection.runScript("BEGIN IMMEDIATE")
            // Re-read inside the write transaction: the version cannot move under us from here on.
            guard try scalarInt(connection, "PRAGMA user_version") < migration.version else {
                try connection.runScript("COMMIT")
                return
            }
            try connection.runScript(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    INTEGER PRIMARY KEY NOT NULL,
                    name       TEXT NOT NULL,
                    applied_at INTEGER NOT NULL,
                    applied_by TEXT NOT NULL
                ) STRICT;
                PRAGMA application_id = \(applicationID);
                """)
            switch migration.body {
            case .sql(let script):
                try connection.runScript(script)
            case .closure(let body):
                let database = Database(connection: connection)
                try body(database, environment)
            }
            guard connection.isInTransaction else {
                throw LedgerError.misuse(
                    "the migration ended the transaction itself; migrations must not contain BEGIN, COMMIT or ROLLBACK")
            }
            _ = try connection.run(
                "INSERT INTO schema_migrations (version, name, applied_at, applied_by) VALUES (?, ?, ?, ?)",
                [migration.version, migration.name, Date(), environment.appliedBy]
            )
            // PRAGMA takes no parameters; the version is an Int, so interpolation is safe.
            try connection.runScript("PRAGMA user_version = \(migration.version); COMMIT;")
        } catch {
            connection.rollbackIfInTransaction()
            let reason = (error as? LedgerError)?.description ?? String(describing: error)
            throw .migrationFailed(
                path: connection.path, version: migration.version, name: migration.name, reason: reason)
        }
    }

    /// Reads the migration history; empty for a ledger that has none yet.
    package static func appliedMigrations(_ connection: Connection) throws(LedgerError) -> [AppliedMigration] {
        let exists = try scalarInt(
            connection, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'")
        guard exists > 0 else { return [] }
        return try connection.run(
            "SELECT version, name, applied_at, applied_by FROM schema_migrations ORDER BY version"
        ).map { row throws(LedgerError) in
            AppliedMigration(version: try row[0], name: try row[1], appliedAt: try row[2], appliedBy: try row[3])
        }
    }

    package static func scalarInt(_ connection: Connection, _ sql: String) throws(LedgerError) -> Int {
        guard let row = try connection.run(sql).first else { return 0 }
        return try row[0]
    }
}
