/// The column names of one query result, shared by all of its rows.
final class ColumnLayout: Sendable {
    let names: [String]
    private let indexByName: [String: Int]

    init(names: [String]) {
        self.names = names
        // The first column of a name wins, as in SQLite's own name lookup.
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil {
            index[name] = position
        }
        self.indexByName = index
    }

    func index(of name: String) -> Int? { indexByName[name] }
}

/// One result row, fully copied out of SQLite, so it stays valid after the statement moves on.
///
/// Read columns by position or name, typed by the context:
/// `let id: Int64 = try row[0]`, `let note: String? = try row["note"]`.
struct Row: Sendable {
    let layout: ColumnLayout
    /// The raw values, in column order.
    let values: [SQLValue]

    var columnNames: [String] { layout.names }

    subscript<Value: SQLValueConvertible>(index: Int) -> Value {
        get throws(LedgerError) {
            guard values.indices.contains(index) else { throw .noSuchColumn("#\(index)") }
            return try decode(values[index], column: layout.names[index])
        }
    }

    subscript<Value: SQLValueConvertible>(name: String) -> Value {
        get throws(LedgerError) {
            guard let index = layout.index(of: name) else { throw .noSuchColumn(name) }
            return try decode(values[index], column: name)
        }
    }

    private func decode<Value: SQLValueConvertible>(_ value: SQLValue, column: String) throws(LedgerError) -> Value {
        guard let decoded = Value(sqlValue: value) else {
            throw .typeMismatch(column: column, expected: "\(Value.self)", found: value.storageClass)
        }
        return decoded
    }
}
