/// The outcome of `PRAGMA integrity_check` or `PRAGMA quick_check`.
public struct IntegrityReport: Sendable, Equatable {
    /// SQLite's findings; empty when the ledger is healthy.
    public let problems: [String]

    /// `true` when SQLite found nothing wrong.
    public var isOK: Bool { problems.isEmpty }
}

extension IntegrityReport {
    /// Runs the check on `connection`. `quick` skips the index-versus-table comparison, which
    /// makes it much faster on large ledgers while still reading every page.
    package static func check(_ connection: Connection, quick: Bool) throws(LedgerError) -> IntegrityReport {
        let rows = try connection.run(quick ? "PRAGMA quick_check" : "PRAGMA integrity_check")
        var messages: [String] = []
        for row in rows {
            let message: String = try row[0]
            messages.append(message)
        }
        return IntegrityReport(problems: messages == ["ok"] ? [] : messages)
    }
}
