import Foundation
import Testing

@testable import Ledger

@Suite struct BackupTests {
    /// Each transaction adds one item and bumps a counter, so a consistent snapshot always has
    /// as many items as the counter says.
    private static let schema =
        TestSchema.v1 + [
            Migration(
                version: 2, name: "counter",
                sql: """
                    CREATE TABLE counter (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
                    INSERT INTO counter VALUES (1, 0);
                    """)
        ]

    @Test func backupWhileTheWriterKeepsWritingIsAConsistentSnapshot() async throws {
        try await withTemporaryDirectory { dir in
            let ledger = try Ledger.open(
                at: dir.file("live.sqlite"), configuration: LedgerConfiguration(durability: .normal),
                migrations: Self.schema)
            defer { ledger.close() }
            let total = 3000
            let startBackupAfter = 200
            let (started, signal) = AsyncStream<Void>.makeStream()

            let writer = Task.detached {
                for n in 1...total {
                    try ledger.transaction { db in
                        try db.execute("INSERT INTO items (name) VALUES (?)", ["item-\(n)"])
                        try db.execute("UPDATE counter SET n = n + 1")
                    }
                    if n == startBackupAfter { signal.yield() }
                }
                signal.finish()
            }
            for await _ in started { break }
            let copy = dir.file("backups/copy.sqlite")
            try ledger.backup(to: copy)
            try await writer.value

            let restored = try LedgerReader.open(at: copy, migrations: Self.schema)
            defer { restored.close() }
            #expect(try restored.integrityCheck().isOK)
            let items = try restored.count("items")
            let counter: Int64? = try restored.read { db in try db.scalar("SELECT n FROM counter") }
            #expect(items == counter)
            #expect(items >= Int64(startBackupAfter) && items <= Int64(total))
            #expect(try ledger.reader.count("items") == Int64(total))
            #expect(FileSystem.kind(of: copy + ".partial") == .missing)
        }
    }

    @Test func anOperatorToolCanBackUpAndNeverOverwrites() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("live.sqlite")
            let ledger = try Ledger.open(at: path, migrations: TestSchema.v1)
            defer { ledger.close() }
            try ledger.transaction { db in try db.execute("INSERT INTO items (name) VALUES ('a')") }

            let tool = try LedgerReader.open(at: path, migrations: TestSchema.v1)
            defer { tool.close() }
            let copy = FileSystem.absolute(dir.file("copy.sqlite"))
            try tool.backup(to: copy)
            #expect(throws: LedgerError.backupTargetExists(path: copy)) { try tool.backup(to: copy) }

            let restored = try LedgerReader.open(at: copy, migrations: TestSchema.v1)
            defer { restored.close() }
            #expect(try restored.count("items") == 1)
            #expect(try restored.integrityCheck(quick: true).isOK)
        }
    }
}
