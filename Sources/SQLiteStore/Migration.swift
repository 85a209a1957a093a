import Foundation

/// One step of the ledger's schema history. Versions run 1, 2, 3… without gaps; each migration
/// is applied in its own transaction, together with the record that it was applied.
public struct Migration: Sendable {
    package enum Body: Sendable {
        case sql(String)
        case closure(@Sendable (borrowing Database, MigrationEnvironment) throws -> Void)
    }

    /// The schema version the ledger has once this migration is applied.
    public let version: Int
    /// A short description, recorded in `schema_migrations` and shown in errors.
    public let name: String
    package let body: Body

    /// A migration given as an SQL script (one or more `;`-separated statements).
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.body = .sql(sql)
    }

    /// A migration given as code, for steps that need data transformations or arguments.
    package init(
        version: Int, name: String, apply: @escaping @Sendable (borrowing Database, MigrationEnvironment) throws -> Void
    ) {
        self.version = version
        self.name = name
        self.body = .closure(apply)
    }
}

/// What a migration may want to know about the run that applies it.
public struct MigrationEnvironment: Sendable {
    /// `LedgerConfiguration.softwareVersion` of the process applying the migration.
    public let appliedBy: String
    /// When the migration run started.
    public let now: Date
}

/// A migration recorded in the ledger's `schema_migrations` table.
public struct AppliedMigration: Sendable, Equatable {
    /// The schema version the migration brought the ledger to.
    public let version: Int
    /// The migration's name at the time it was applied.
    public let name: String
    /// When it was committed (millisecond precision).
    public let appliedAt: Date
    /// `LedgerConfiguration.softwareVersion` of the process that applied it.
    public let appliedBy: String
}
