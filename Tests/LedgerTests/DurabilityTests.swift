import Testing

@testable import Ledger

@Suite struct DurabilityTests {
    /// Reads a pragma on the writer connection, where the durability settings live.
    private func pragma(_ name: String, on ledger: Ledger) throws -> SQLValue? {
        try ledger.transaction { db in try db.scalar("PRAGMA \(name)") }
    }

    @Test func fullIsTheDefault() async throws {
        try await withTemporaryDirectory { dir in
            let ledger = try Ledger.open(at: dir.file("l.sqlite"))
            defer { ledger.close() }
            #expect(ledger.durability == .full)
            #expect(try pragma("synchronous", on: ledger) == .integer(2))
        }
    }

    @Test func normalWhenAskedFor() async throws {
        try await withTemporaryDirectory { dir in
            let ledger = try Ledger.open(
                at: dir.file("l.sqlite"), configuration: LedgerConfiguration(durability: .normal))
            defer { ledger.close() }
            #expect(ledger.durability == .normal)
            #expect(try pragma("synchronous", on: ledger) == .integer(1))
        }
    }

    @Test func theLedgerIsInWALModeWithForeignKeysEnforced() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("l.sqlite")
            let ledger = try Ledger.open(at: path)
            #expect(try pragma("journal_mode", on: ledger) == .text("wal"))
            #expect(try pragma("foreign_keys", on: ledger) == .integer(1))
            let readerMode: String? = try ledger.read { db in try db.scalar("PRAGMA journal_mode") }
            #expect(readerMode == "wal")
            ledger.close()
            // WAL is recorded in the file itself, so it holds for later read-only opens too.
            let tool = try LedgerReader.open(at: path)
            defer { tool.close() }
            let toolMode: String? = try tool.read { db in try db.scalar("PRAGMA journal_mode") }
            #expect(toolMode == "wal")
        }
    }
}
