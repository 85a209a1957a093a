import CSQLite
import Foundation

/// A prepared statement. Owned by one `Connection`, which finalizes it; never leaves the target's
/// connection code, so its C handle cannot outlive the connection.
package final class Statement {
    package let handle: OpaquePointer
    package let sql: String
    private var layout: ColumnLayout?
    private var layoutCompilations: Int32 = 0

    package init(handle: OpaquePointer, sql: String) {
        self.handle = handle
        self.sql = sql
    }

    /// Binds all parameters; the argument count must match the `?` count exactly, because a
    /// missing argument would otherwise be bound as NULL without a word.
    package func bind(_ arguments: SQLArguments, connection: Connection) throws(LedgerError) {
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard expected == arguments.count else {
            throw .misuse("statement expects \(expected) argument(s) but got \(arguments.count): \(sql)")
        }
        for (offset, value) in arguments.enumerated() {
            let code = bind(value?.sqlValue ?? .null, at: Int32(offset + 1))
            if code != SQLITE_OK { throw connection.error(code) }
        }
    }

    private func bind(_ value: SQLValue, at index: Int32) -> Int32 {
        switch value {
        case .null:
            return sqlite3_bind_null(handle, index)
        case .integer(let number):
            return sqlite3_bind_int64(handle, index, number)
        case .real(let number):
            return sqlite3_bind_double(handle, index, number)
        case .text(let string):
            var string = string
            return string.withUTF8 { bytes in
                // A nil pointer would bind NULL, so an empty string needs a real (static) pointer.
                guard let base = bytes.baseAddress, bytes.count > 0 else {
                    return sqlite3_bind_text(handle, index, "", 0, nil)
                }
                return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { text in
                    sqlite3_bind_text64(
                        handle, index, text, UInt64(bytes.count), csqlite_transient(), UInt8(SQLITE_UTF8))
                }
            }
        case .blob(let data):
            // A nil pointer would bind NULL; an empty BLOB must stay an empty BLOB.
            guard !data.isEmpty else { return sqlite3_bind_zeroblob(handle, index, 0) }
            return data.withUnsafeBytes { bytes in
                sqlite3_bind_blob64(handle, index, bytes.baseAddress, UInt64(bytes.count), csqlite_transient())
            }
        }
    }

    /// The result's column names, built once per compilation of the statement: SQLite compiles
    /// it again when the schema changes (`SELECT *` may then have other columns).
    package func columnLayout() -> ColumnLayout {
        let compilations = sqlite3_stmt_status(handle, SQLITE_STMTSTATUS_REPREPARE, 0)
        if let layout, layoutCompilations == compilations { return layout }
        let count = sqlite3_column_count(handle)
        let built = ColumnLayout(
            names: (0..<count).map { column in
                sqlite3_column_name(handle, column).map { String(cString: $0) } ?? "#\(column)"
            })
        (layout, layoutCompilations) = (built, compilations)
        return built
    }

    /// Copies the current row's value in `column` out of SQLite.
    package func value(at column: Int32) -> SQLValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER:
            return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT:
            return .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT:
            // Pointer first, then length, as SQLite's documentation requires.
            guard let text = sqlite3_column_text(handle, column) else { return .text("") }
            let count = Int(sqlite3_column_bytes(handle, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            guard let bytes = sqlite3_column_blob(handle, column) else { return .blob(Data()) }
            let count = Int(sqlite3_column_bytes(handle, column))
            return .blob(Data(bytes: bytes, count: count))
        default:
            return .null
        }
    }

    /// Readies the statement for its next use and drops references to bound values.
    package func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    package func finalize() {
        sqlite3_finalize(handle)
    }
}
