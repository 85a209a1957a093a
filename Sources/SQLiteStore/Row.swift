/// The column names of one query result, shared by all of its rows.
@usableFromInline package final class ColumnLayout: Sendable {
    @usableFromInline package let names: [String]
    @usableFromInline let indexByName: [String: Int]

    package init(names: [String]) {
        self.names = names
        // The first column of a name wins, as in SQLite's own name lookup.
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil {
            index[name] = position
        }
        self.indexByName = index
    }

    @inlinable package func index(of name: String) -> Int? { indexByName[name] }
}

/// One result row, fully copied out of SQLite, so it stays valid after the statement moves on.
///
/// Read columns by position or name, typed by the context:
/// `let id: Int64 = try row[0]`, `let note: String? = try row["note"]`. The typed reads are
/// `@inlinable` so that the relay's ledger, another module, gets them specialised.
@usableFromInline package struct Row: Sendable {
    @usableFromInline package let layout: ColumnLayout
    /// The raw values, in column order.
    @usableFromInline package let values: [SQLValue]

    package var columnNames: [String] { layout.names }

    @inlinable package subscript<Value: SQLValueConvertible>(index: Int) -> Value {
        get throws(LedgerError) {
            guard values.indices.contains(index) else { throw .noSuchColumn("#\(index)") }
            return try decode(values[index], column: layout.names[index])
        }
    }

    @inlinable package subscript<Value: SQLValueConvertible>(name: String) -> Value {
        get throws(LedgerError) {
            guard let index = layout.index(of: name) else { throw .noSuchColumn(name) }
            return try decode(values[index], column: name)
        }
    }

    @inlinable func decode<Value: SQLValueConvertible>(_ value: SQLValue, column: String) throws(LedgerError) -> Value {
        guard let decoded = Value(sqlValue: value) else {
            throw .typeMismatch(column: column, expected: "\(Value.self)", found: value.storageClass)
        }
        return decoded
    }
}
