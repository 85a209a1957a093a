import Foundation

/// Every failure the ledger reports. Each case names the ledger file it concerns, and its
/// `description` is a sentence an operator can act on without reading the source.
///
/// Cases that come from SQLite carry SQLite's *extended* result code and message as well, so a
/// log line is enough to look the failure up in SQLite's documentation.
public enum LedgerError: Error, Equatable, Sendable {
    /// Another freeze-relay daemon (or another `Ledger` in this process) holds the ledger's writer
    /// lock. `pid` is the holder's process id as written into the lock file, if it could be read.
    case inUse(path: String, pid: Int32?)
    /// The ledger file, its directory or its lock file cannot be created; `reason` is the
    /// operating system's explanation.
    case cannotCreate(path: String, reason: String)
    /// The ledger file exists (or should) but cannot be opened; `reason` says why.
    case cannotOpen(path: String, reason: String)
    /// A read-only open found no file at `path`. Read-only opens never create a ledger.
    case noLedger(path: String)
    /// The file exists but is not an SQLite database at all (for example a text file).
    case notADatabase(path: String)
    /// The file is an SQLite database, but one written by some other program.
    case notALedger(path: String, reason: String)
    /// The file was written by a newer freeze-relay whose schema this binary does not know.
    case schemaTooNew(path: String, fileVersion: Int, knownVersion: Int)
    /// A read-only open found a schema older than this binary expects; only the daemon migrates.
    case schemaOutdated(path: String, fileVersion: Int, expectedVersion: Int)
    /// Applying migration `version` failed; the ledger was left at the previous version.
    case migrationFailed(path: String, version: Int, name: String, reason: String)
    /// The migration list handed to `Ledger.open` is malformed (a programming error).
    case invalidMigrations(reason: String)
    /// Another connection held a lock for longer than the busy timeout (SQLITE_BUSY / SQLITE_LOCKED).
    case busy(path: String, code: Int32, message: String)
    /// The disk (or the ledger's page limit) is full (SQLITE_FULL).
    case diskFull(path: String, code: Int32, message: String)
    /// The operating system reported an I/O error (SQLITE_IOERR and its extended codes).
    case ioError(path: String, code: Int32, message: String)
    /// A write was refused: read-only file, directory or filesystem, or a read-only connection
    /// (SQLITE_READONLY, SQLITE_PERM).
    case readOnly(path: String, code: Int32, message: String)
    /// SQLite detected corruption (SQLITE_CORRUPT).
    case corrupt(path: String, code: Int32, message: String)
    /// A constraint was violated (SQLITE_CONSTRAINT). The relay relies on `.unique` for dedupe.
    case constraint(ConstraintKind, path: String, code: Int32, message: String)
    /// Any other SQLite failure.
    case sqlite(path: String, code: Int32, message: String)
    /// A column held a value that cannot be read as the requested Swift type.
    case typeMismatch(column: String, expected: String, found: String)
    /// A row has no column of that name or index.
    case noSuchColumn(String)
    /// The ledger (or reader) was used after `close()`.
    case closed(path: String)
    /// The ledger API was used in a way it does not support (a programming error).
    case misuse(String)
    /// `backup(to:)` refuses to overwrite an existing file.
    case backupTargetExists(path: String)
    /// A stored value does not parse as what its column holds (a bug or a hand-edited ledger).
    case corruptValue(column: String, value: String)

    /// Which constraint a `.constraint` error violated, from SQLite's extended result code.
    public enum ConstraintKind: String, Sendable {
        case unique
        case primaryKey = "primary key"
        case foreignKey = "foreign key"
        case notNull = "not null"
        case check
        case other
    }

    /// SQLite's extended result code, for the cases that come straight from SQLite.
    public var sqliteCode: Int32? {
        switch self {
        case .busy(_, let code, _), .diskFull(_, let code, _), .ioError(_, let code, _),
            .readOnly(_, let code, _), .corrupt(_, let code, _), .constraint(_, _, let code, _),
            .sqlite(_, let code, _):
            return code
        default:
            return nil
        }
    }
}

extension LedgerError: CustomStringConvertible, LocalizedError {
    public var description: String {
        switch self {
        case .inUse(let path, let pid):
            let holder = pid.map { "another freeze-relay process (pid \($0))" } ?? "another freeze-relay process"
            return "The ledger \(path) is in use by \(holder). Only one daemon may write a ledger; "
                + "stop the other one or use a different ledger path. (Lock file: \(path).lock)"
        case .cannotCreate(let path, let reason):
            return "Cannot create the ledger at \(path): \(reason)."
        case .cannotOpen(let path, let reason):
            return "Cannot open the ledger at \(path): \(reason)."
        case .noLedger(let path):
            return
                "No ledger at \(path): the file does not exist. Check the path, or start the daemon once to create it."
        case .notADatabase(let path):
            return
                "\(path) is not a database: the file exists but is not an SQLite file, so it cannot be a freeze-relay ledger. "
                + "Check the path; the file was left untouched."
        case .notALedger(let path, let reason):
            return
                "\(path) is an SQLite database but not a freeze-relay ledger (\(reason)). Check the path; the file was left untouched."
        case .schemaTooNew(let path, let fileVersion, let knownVersion):
            return "The ledger \(path) has schema version \(fileVersion), but this freeze-relay knows schema versions "
                + "only up to \(knownVersion): it was written by a newer freeze-relay. Refusing to open it; "
                + "run the newer freeze-relay, or restore a backup taken before the upgrade."
        case .schemaOutdated(let path, let fileVersion, let expectedVersion):
            return
                "The ledger \(path) has schema version \(fileVersion), but this freeze-relay expects version \(expectedVersion). "
                + "Read-only tools do not migrate; start the freeze-relay daemon once to upgrade the ledger, then retry."
        case .migrationFailed(let path, let version, let name, let reason):
            return "Migrating the ledger \(path) to schema version \(version) (\(name)) failed: \(reason). "
                + "The migration was rolled back; the ledger is unchanged at the previous version."
        case .invalidMigrations(let reason):
            return "Invalid ledger migration list: \(reason)."
        case .busy(let path, let code, let message):
            return
                "The ledger \(path) stayed locked by another connection for longer than the busy timeout: \(message) (SQLite code \(code))."
        case .diskFull(let path, let code, let message):
            return
                "The ledger \(path) cannot grow: the disk is full (or the page limit was reached): \(message) (SQLite code \(code))."
        case .ioError(let path, let code, let message):
            return
                "I/O error on the ledger \(path): \(message) (SQLite code \(code)). Check the disk and the kernel log."
        case .readOnly(let path, let code, let message):
            return
                "The ledger \(path) cannot be written (read-only file, directory or filesystem, or a read-only connection): "
                + "\(message) (SQLite code \(code))."
        case .corrupt(let path, let code, let message):
            return
                "The ledger \(path) is corrupt: \(message) (SQLite code \(code)). Stop the daemon and restore from a backup."
        case .constraint(let kind, let path, let code, let message):
            return "A \(kind.rawValue) constraint was violated in the ledger \(path): \(message) (SQLite code \(code))."
        case .sqlite(let path, let code, let message):
            return "SQLite error on the ledger \(path): \(message) (SQLite code \(code))."
        case .typeMismatch(let column, let expected, let found):
            return "Ledger column \(column) holds \(found), which cannot be read as \(expected)."
        case .noSuchColumn(let column):
            return "The ledger query result has no column \(column)."
        case .closed(let path):
            return "The ledger \(path) has been closed."
        case .misuse(let message):
            return "Ledger API misuse: \(message)."
        case .backupTargetExists(let path):
            return "Not writing a ledger backup to \(path): a file already exists there. Choose a new file name."
        case .corruptValue(let column, let value):
            return
                "The ledger column \(column) holds \"\(value.prefix(80))\", which is not a valid value for it; was the ledger edited by hand?"
        }
    }

    public var errorDescription: String? { description }
}
