import Foundation
import Testing

@testable import Ledger

@Suite struct StatementTests {
    private func withItems(_ body: (Ledger) async throws -> Void) async throws {
        try await withTemporaryDirectory { dir in
            let ledger = try Ledger.open(at: dir.file("l.sqlite"), migrations: TestSchema.v2)
            defer { ledger.close() }
            try await body(ledger)
        }
    }

    @Test func aTransactionRollsBackWhenItsBodyThrows() async throws {
        try await withItems { ledger in
            #expect(throws: Boom()) {
                try ledger.transaction { db in
                    try db.execute("INSERT INTO items (name) VALUES ('doomed')")
                    throw Boom()
                }
            }
            #expect(try ledger.count("items") == 0)
            // The writer is usable again.
            try ledger.transaction { db in try db.execute("INSERT INTO items (name) VALUES ('fine')") }
            #expect(try ledger.reader.count("items") == 1)
        }
    }

    @Test func aUniqueViolationIsATypedConstraintError() async throws {
        try await withItems { ledger in
            try ledger.transaction { db in try db.execute("INSERT INTO items (name) VALUES (?)", ["dup"]) }
            let error = #expect(throws: LedgerError.self) {
                try ledger.transaction { db in
                    try db.execute("INSERT INTO items (name) VALUES (?)", ["other"])
                    try db.execute("INSERT INTO items (name) VALUES (?)", ["dup"])
                }
            }
            guard case .constraint(let kind, let path, let code, let message) = error else {
                Issue.record("expected a constraint error, got \(String(describing: error))")
                return
            }
            #expect(kind == .unique && path == ledger.path && code == 2067)
            #expect(message.contains("UNIQUE constraint failed: items.name"))
            #expect(error?.sqliteCode == 2067)
            #expect(try ledger.count("items") == 1)  // "other" was rolled back with it
        }
    }

    @Test func otherConstraintKindsAreTyped() async throws {
        try await withItems { ledger in
            try ledger.transaction { db in
                try db.executeScript(
                    """
                    CREATE TABLE parent (id INTEGER PRIMARY KEY);
                    CREATE TABLE child (parent INTEGER REFERENCES parent(id), n INTEGER CHECK (n > 0));
                    INSERT INTO parent VALUES (1);
                    """)
            }
            func kind(_ sql: String) -> LedgerError.ConstraintKind? {
                do {
                    try ledger.transaction { db in try db.execute(sql) }
                } catch let LedgerError.constraint(kind, _, _, _) {
                    return kind
                } catch {
                    Issue.record("unexpected error \(error)")
                }
                return nil
            }
            #expect(kind("INSERT INTO items (name) VALUES (NULL)") == .notNull)
            #expect(kind("INSERT INTO parent VALUES (1)") == .primaryKey)
            #expect(kind("INSERT INTO child VALUES (2, 1)") == .foreignKey)
            #expect(kind("INSERT INTO child VALUES (1, 0)") == .check)
        }
    }

    @Test func everyTypeRoundTrips() async throws {
        try await withItems { ledger in
            let date = Date(timeIntervalSince1970: 1_700_000_000.123)
            let bytes = Data([0, 1, 2, 0, 255])
            let text = "null\u{0}inside, ünïcödé, 🧊"
            try ledger.transaction { db in
                try db.executeScript(
                    "CREATE TABLE v (i, big, small, d, inf, s, empty_s, nul_s, b, empty_b, u8, yes, no, at, missing, raw);"
                )
                try db.execute(
                    "INSERT INTO v VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        42, Int64.max, Int64.min, 3.25, -Double.infinity, "plain", "", text, bytes, Data(),
                        [UInt8]([7, 0, 9]),
                        true, false, date, nil as String?, SQLValue.real(0.5),
                    ]
                )
            }
            try ledger.read { db in
                let row = try #require(try db.queryFirst("SELECT * FROM v"))
                #expect(try row["i"] as Int == 42)
                #expect(try row["big"] as Int64 == .max)
                #expect(try row["small"] as Int64 == .min)
                #expect(try row["d"] as Double == 3.25)
                #expect(try row["inf"] as Double == -.infinity)
                #expect(try row["s"] as String == "plain")
                #expect(try row["empty_s"] as String == "")
                #expect(try row["nul_s"] as String == text)
                #expect(try row["b"] as Data == bytes)
                #expect(try row["empty_b"] as Data == Data())
                #expect(try row["u8"] as [UInt8] == [7, 0, 9])
                #expect(try row["yes"] as Bool == true)
                #expect(try row["no"] as Bool == false)
                #expect(try row["at"] as Date == date)
                #expect(try row["at"] as Int64 == 1_700_000_000_123)
                #expect(try row["missing"] as String? == nil)
                #expect(try row["s"] as String? == "plain")
                #expect(try row["raw"] as SQLValue == .real(0.5))
                #expect(try row[7] as String == text)

                // Empty values keep their storage class: no silent NULLs.
                let classes = try #require(
                    try db.queryFirst("SELECT typeof(empty_s), typeof(empty_b), typeof(missing), length(nul_s) FROM v"))
                #expect(classes.values == [.text("text"), .text("blob"), .text("null"), .integer(4)])
            }
        }
    }

    @Test func readingTheWrongTypeOrColumnIsAnError() async throws {
        try await withItems { ledger in
            try ledger.transaction { db in try db.execute("INSERT INTO items (name) VALUES ('x')") }
            try ledger.read { db in
                let row = try #require(try db.queryFirst("SELECT id, name, note FROM items"))
                #expect(throws: LedgerError.typeMismatch(column: "name", expected: "Int64", found: "TEXT")) {
                    try row["name"] as Int64
                }
                #expect(throws: LedgerError.typeMismatch(column: "note", expected: "String", found: "NULL")) {
                    try row[2] as String
                }
                #expect(throws: LedgerError.noSuchColumn("nope")) { try row["nope"] as String }
                #expect(throws: LedgerError.noSuchColumn("#3")) { try row[3] as String }
                #expect(row.columnNames == ["id", "name", "note"])
            }
        }
    }

    @Test func insertIDsChangesAndQueryHelpers() async throws {
        try await withItems { ledger in
            let ids: [Int64] = try ledger.transaction { db in
                try ["a", "b", "c"].map { name in
                    try db.execute("INSERT INTO items (name) VALUES (?)", [name])
                    #expect(db.changes == 1)
                    return db.lastInsertRowID
                }
            }
            #expect(ids == [1, 2, 3])
            let updated = try ledger.transaction { db in
                try db.execute("UPDATE items SET note = ? WHERE id >= ?", ["n", 2])
                return db.changes
            }
            #expect(updated == 2)
            try ledger.read { db in
                // The mapping closure may query again: the outer statement has already finished.
                let pairs = try db.query("SELECT id, name FROM items ORDER BY id") { row in
                    let name: String = try row["name"]
                    let again: String? = try db.scalar("SELECT name FROM items WHERE id = ?", [try row["id"] as Int64])
                    return name + (again ?? "?")
                }
                #expect(pairs == ["aa", "bb", "cc"])
                #expect(try db.query("SELECT * FROM items WHERE id > 99").isEmpty)
                #expect(try db.queryFirst("SELECT * FROM items WHERE id > 99") == nil)
                #expect(try db.scalar("SELECT name FROM items WHERE id > 99", as: String.self) == nil)
            }
        }
    }

    @Test func misuseIsReportedNotCrashed() async throws {
        try await withItems { ledger in
            try ledger.transaction { db in
                #expect(throws: LedgerError.self) { try db.execute("INSERT INTO items (name) VALUES (?)") }
                #expect(throws: LedgerError.self) { try db.execute("INSERT INTO items (name) VALUES (?)", ["a", "b"]) }
                let error = #expect(throws: LedgerError.self) { try db.execute("SELECT 1; SELECT 2") }
                guard case .misuse = error else {
                    Issue.record("expected misuse, got \(String(describing: error))")
                    return
                }
                // Trailing comments and semicolons are not a second statement.
                try db.execute("SELECT 1; -- done\n")
                let syntax = #expect(throws: LedgerError.self) { try db.execute("SELEKT 1") }
                #expect(syntax?.sqliteCode == 1)
            }
            let nested = #expect(throws: LedgerError.self) {
                try ledger.transaction { _ in try ledger.transaction { _ in } }
            }
            guard case .misuse = nested else {
                Issue.record("expected misuse, got \(String(describing: nested))")
                return
            }
            try ledger.transaction { _ in }  // and no deadlock or leftover state
        }
    }

    @Test func aBusyDatabaseIsATypedError() async throws {
        try await withItems { ledger in
            // A second writing connection that bypasses the lock file (as an external tool could).
            let intruder = try Connection.open(path: ledger.path, mode: .writer, busyTimeout: .milliseconds(50))
            defer { intruder.close() }
            try ledger.transaction { db in
                try db.execute("INSERT INTO items (name) VALUES ('held')")
                let error = #expect(throws: LedgerError.self) { try intruder.runScript("BEGIN IMMEDIATE") }
                guard case .busy(let path, let code, _) = error else {
                    Issue.record("expected busy, got \(String(describing: error))")
                    return
                }
                #expect(path == ledger.path && code & 0xFF == 5)
            }
        }
    }

    @Test func aFullDiskIsATypedError() async throws {
        try await withItems { ledger in
            let error = #expect(throws: LedgerError.self) {
                try ledger.transaction { db in
                    // The page limit makes SQLite report exactly what a full disk reports.
                    let pages: Int64 = try db.scalar("PRAGMA page_count") ?? 0
                    try db.execute("PRAGMA max_page_count = \(pages + 2)")
                    try db.execute("INSERT INTO items (name) VALUES (?)", [String(repeating: "x", count: 100_000)])
                }
            }
            guard case .diskFull(let path, let code, let message) = error else {
                Issue.record("expected diskFull, got \(String(describing: error))")
                return
            }
            #expect(path == ledger.path && code == 13 && message.contains("full"))
        }
    }

    @Test func writingThroughAReaderIsARefusedWrite() async throws {
        try await withItems { ledger in
            let error = #expect(throws: LedgerError.self) {
                try ledger.read { db in try db.execute("INSERT INTO items (name) VALUES ('no')") }
            }
            guard case .readOnly(let path, let code, _) = error else {
                Issue.record("expected readOnly, got \(String(describing: error))")
                return
            }
            #expect(path == ledger.path && code & 0xFF == 8)
        }
    }

    @Test func concurrentWritersAreSerialised() async throws {
        try await withItems { ledger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<4 {
                    group.addTask {
                        for n in 0..<25 {
                            try ledger.transaction { db in
                                try db.execute("INSERT INTO items (name) VALUES (?)", ["\(task)-\(n)"])
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try ledger.reader.count("items") == 100)
        }
    }
}
