/// The handle that ledger code inside this target uses to run SQL, handed to the closures of
/// `Ledger.transaction`, `LedgerReader.read` and closure migrations.
///
/// It is `~Copyable` and passed `borrowing`, so the compiler rejects any attempt to keep it
/// beyond the closure (and therefore beyond the lock or checkout that makes its use safe).
package struct Database: ~Copyable {
    package let connection: Connection
    /// The user's memory beside the writer, in write transactions; nil on readers and in migrations.
    package let memory: (any WriterMemory)?

    package init(connection: Connection, memory: (any WriterMemory)? = nil) {
        self.connection = connection
        self.memory = memory
    }

    /// Runs one statement, ignoring any rows. `arguments` bind the `?` parameters in order.
    package func execute(_ sql: String, _ arguments: SQLArguments = []) throws(LedgerError) {
        _ = try connection.run(sql, arguments)
    }

    /// Runs several `;`-separated statements without arguments (schema scripts).
    package func executeScript(_ sql: String) throws(LedgerError) {
        try connection.runScript(sql)
    }

    /// Runs one statement and returns all of its rows.
    package func query(_ sql: String, _ arguments: SQLArguments = []) throws(LedgerError) -> [Row] {
        try connection.run(sql, arguments)
    }

    /// Runs one statement and maps each row. The statement is already finished when `transform`
    /// runs, so `transform` may itself run queries on this handle.
    package func query<Value>(_ sql: String, _ arguments: SQLArguments = [], map transform: (Row) throws -> Value)
        throws
        -> [Value]
    {
        try connection.run(sql, arguments).map(transform)
    }

    /// The first row, or `nil` when there is none.
    package func queryFirst(_ sql: String, _ arguments: SQLArguments = []) throws(LedgerError) -> Row? {
        try connection.run(sql, arguments).first
    }

    /// The first column of the first row, or `nil` when there is no row.
    package func scalar<Value: SQLValueConvertible>(
        _ sql: String, _ arguments: SQLArguments = [], as type: Value.Type = Value.self
    ) throws(LedgerError) -> Value? {
        guard let row = try queryFirst(sql, arguments) else { return nil }
        return try row[0] as Value
    }

    /// The rowid of the most recent successful INSERT on this connection.
    package var lastInsertRowID: Int64 { connection.lastInsertRowID }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE on this connection.
    package var changes: Int { connection.changes }
}

@available(*, unavailable, message: "a Database handle must stay on the thread that holds its connection")
extension Database: Sendable {}
