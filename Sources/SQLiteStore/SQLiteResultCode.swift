import CSQLite

/// Turns SQLite result codes into `LedgerError`s.
///
/// Connections are opened with extended result codes enabled, so `code` is usually an extended
/// code; its low byte is the primary code that picks the error case.
package enum SQLiteResultCode {
    // Extended constraint codes are defined in sqlite3.h as `(SQLITE_CONSTRAINT | (n<<8))`;
    // spelled out here so they do not depend on how the importer handles those macros.
    package static let constraintCheck: Int32 = 19 | (1 << 8)
    package static let constraintForeignKey: Int32 = 19 | (3 << 8)
    package static let constraintNotNull: Int32 = 19 | (5 << 8)
    package static let constraintPrimaryKey: Int32 = 19 | (6 << 8)
    package static let constraintUnique: Int32 = 19 | (8 << 8)

    package static func error(code: Int32, message: String, path: String) -> LedgerError {
        switch code & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED:
            return .busy(path: path, code: code, message: message)
        case SQLITE_FULL:
            return .diskFull(path: path, code: code, message: message)
        case SQLITE_IOERR:
            return .ioError(path: path, code: code, message: message)
        case SQLITE_READONLY, SQLITE_PERM:
            return .readOnly(path: path, code: code, message: message)
        case SQLITE_CORRUPT:
            return .corrupt(path: path, code: code, message: message)
        case SQLITE_NOTADB:
            return .notADatabase(path: path)
        case SQLITE_CONSTRAINT:
            return .constraint(constraintKind(code), path: path, code: code, message: message)
        case SQLITE_CANTOPEN:
            return .cannotOpen(path: path, reason: "\(message) (SQLite code \(code))")
        default:
            return .sqlite(path: path, code: code, message: message)
        }
    }

    /// The error for `code` on connection `db`, with SQLite's message for the most recent failure.
    package static func error(code: Int32, db: OpaquePointer?, path: String) -> LedgerError {
        let message: String
        if let db, let text = sqlite3_errmsg(db) {
            message = String(cString: text)
        } else {
            message = String(cString: sqlite3_errstr(code))
        }
        return error(code: code, message: message, path: path)
    }

    private static func constraintKind(_ code: Int32) -> LedgerError.ConstraintKind {
        switch code {
        case constraintUnique: return .unique
        case constraintPrimaryKey: return .primaryKey
        case constraintForeignKey: return .foreignKey
        case constraintNotNull: return .notNull
        case constraintCheck: return .check
        default: return .other
        }
    }
}
