import Foundation

/// One SQLite value, exactly as stored: SQLite's five storage classes.
///
/// Internal to the Ledger target: code outside it never sees SQL or SQLite values.
@usableFromInline package enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)

    /// The storage class name SQLite uses, for error messages.
    @usableFromInline package var storageClass: String {
        switch self {
        case .null: "NULL"
        case .integer: "INTEGER"
        case .real: "REAL"
        case .text: "TEXT"
        case .blob: "BLOB"
        }
    }
}
