import Testing

@testable import Ledger

@Suite struct ReaderTests {
    @Test func readersSeeCommittedDataOnly() async throws {
        try await withTemporaryDirectory { dir in
            let ledger = try Ledger.open(at: dir.file("l.sqlite"), migrations: TestSchema.v1)
            defer { ledger.close() }
            try ledger.transaction { db in
                try db.execute("INSERT INTO items (name) VALUES ('pending')")
                #expect(try db.scalar("SELECT count(*) FROM items") == 1 as Int64)
                #expect(try ledger.reader.count("items") == 0)
            }
            #expect(try ledger.reader.count("items") == 1)
        }
    }

    @Test func aReadSeesOneSnapshotThroughout() async throws {
        try await withTemporaryDirectory { dir in
            let ledger = try Ledger.open(at: dir.file("l.sqlite"), migrations: TestSchema.v1)
            defer { ledger.close() }
            let (before, after): (Int64?, Int64?) = try ledger.read { db in
                let before: Int64? = try db.scalar("SELECT count(*) FROM items")
                try ledger.transaction { w in try w.execute("INSERT INTO items (name) VALUES ('meanwhile')") }
                let after: Int64? = try db.scalar("SELECT count(*) FROM items")
                return (before, after)
            }
            #expect(before == 0 && after == 0)
            #expect(try ledger.reader.count("items") == 1)
        }
    }

    @Test func manyConcurrentReadsSucceed() async throws {
        try await withTemporaryDirectory { dir in
            let ledger = try Ledger.open(
                at: dir.file("l.sqlite"), configuration: LedgerConfiguration(maxIdleReaders: 1),
                migrations: TestSchema.v1)
            defer { ledger.close() }
            try ledger.transaction { db in try db.execute("INSERT INTO items (name) VALUES ('x')") }
            let counts = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<8 { group.addTask { try ledger.reader.count("items") } }
                return try await group.reduce(into: [Int64]()) { $0.append($1) }
            }
            #expect(counts == Array(repeating: 1, count: 8))
        }
    }

    @Test func aClosedReaderSaysSo() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("l.sqlite")
            try Ledger.open(at: path).close()
            let reader = try LedgerReader.open(at: path)
            reader.close()
            #expect(throws: LedgerError.closed(path: reader.path)) { try reader.schemaVersion() }
        }
    }
}
