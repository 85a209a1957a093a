/// Which table or index each page of the ledger file belongs to, from SQLite's `dbstat` table.
/// For diagnostics: attributing the pages a commit wrote to the WAL to the B-trees that dirtied
/// them (see `freeze-relay-bench --only ledger --wal-pages`). Nil when the system SQLite was built
/// without `dbstat`.
extension LedgerReader {
    public func pageOwners() throws -> [Int: String]? {
        try read { db in
            do {
                var owners: [Int: String] = [:]
                for row in try db.query("SELECT name, pageno FROM dbstat") {
                    owners[try row["pageno"] as Int] = try row["name"] as String
                }
                return owners
            } catch LedgerError.sqlite(_, _, let message) where message.contains("no such table") {
                return nil
            }
        }
    }
}
