import Foundation
import Testing

@testable import Ledger

@Suite struct MigrationTests {
    @Test func migratesAnEmptyFileToTheLastVersion() async throws {
        try await withTemporaryDirectory { dir in
            let ledger = try Ledger.open(at: dir.file("l.sqlite"), migrations: TestSchema.v3)
            defer { ledger.close() }
            #expect(ledger.schemaVersion == 3)
            #expect(try ledger.reader.schemaVersion() == 3)
            let applied = try ledger.appliedMigrations()
            #expect(applied.map(\.version) == [1, 2, 3])
            #expect(applied.map(\.name) == ["create items", "add note", "seed first item"])
            #expect(applied.allSatisfy { $0.appliedBy == "freeze-relay" })
            let note: String? = try ledger.read { db in try db.scalar("SELECT note FROM items WHERE name = 'first'") }
            #expect(note == "seeded")
        }
    }

    @Test func reopeningAppliesNothingAgain() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("l.sqlite")
            let first = try Ledger.open(at: path, migrations: TestSchema.v3)
            let appliedBefore = try first.appliedMigrations()
            first.close()

            let second = try Ledger.open(at: path, migrations: TestSchema.v3)
            defer { second.close() }
            #expect(second.schemaVersion == 3)
            // The seeding migration inserts a row with a UNIQUE name: running it twice would fail,
            // and the recorded history (including application times) must be unchanged.
            #expect(try second.count("items") == 1)
            #expect(try second.appliedMigrations() == appliedBefore)
        }
    }

    @Test func upgradesAnOlderLedger() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("l.sqlite")
            let old = try Ledger.open(at: path, migrations: TestSchema.v1)
            #expect(old.schemaVersion == 1)
            try old.transaction { db in try db.execute("INSERT INTO items (name) VALUES ('kept')") }
            let v1Record = try old.appliedMigrations()
            old.close()

            let upgraded = try Ledger.open(at: path, migrations: TestSchema.v3)
            defer { upgraded.close() }
            #expect(upgraded.schemaVersion == 3)
            let applied = try upgraded.appliedMigrations()
            #expect(applied.map(\.version) == [1, 2, 3])
            #expect(applied.first == v1Record.first)
            let names: [String] = try upgraded.read { db in
                try db.query("SELECT name FROM items ORDER BY id") { row in try row["name"] as String }
            }
            #expect(names == ["kept", "first"])
        }
    }

    @Test func refusesASchemaNewerThanThisBinaryKnows() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("l.sqlite")
            try Ledger.open(at: path, migrations: TestSchema.v3).close()
            let absolute = FileSystem.absolute(path)

            let error = #expect(throws: LedgerError.self) { try Ledger.open(at: path, migrations: TestSchema.v2) }
            #expect(error == .schemaTooNew(path: absolute, fileVersion: 3, knownVersion: 2))
            let message = error?.description ?? ""
            #expect(message.contains(absolute) && message.contains("schema version 3") && message.contains("up to 2"))

            #expect(throws: LedgerError.schemaTooNew(path: absolute, fileVersion: 3, knownVersion: 2)) {
                try LedgerReader.open(at: path, migrations: TestSchema.v2)
            }
            // The refused opens changed nothing.
            let reader = try LedgerReader.open(at: path, migrations: TestSchema.v3)
            defer { reader.close() }
            #expect(try reader.schemaVersion() == 3)
        }
    }

    @Test func aFailingMigrationRollsBackAndNamesItsVersion() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("l.sqlite")
            let broken = Migration(
                version: 2, name: "broken",
                sql: """
                    CREATE TABLE half_done (x INTEGER);
                    INSERT INTO no_such_table VALUES (1);
                    """)
            let error = #expect(throws: LedgerError.self) {
                try Ledger.open(at: path, migrations: [TestSchema.createItems, broken])
            }
            guard case .migrationFailed(_, let version, let name, let reason) = error else {
                Issue.record("expected migrationFailed, got \(String(describing: error))")
                return
            }
            #expect(version == 2 && name == "broken" && reason.contains("no_such_table"))

            // Version 1 committed on its own; nothing of version 2 remains.
            let ledger = try Ledger.open(at: path, migrations: TestSchema.v1)
            defer { ledger.close() }
            #expect(ledger.schemaVersion == 1)
            let halfDone: Int64? = try ledger.read { db in
                try db.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'half_done'")
            }
            #expect(halfDone == 0)
        }
    }

    @Test func aMigrationThatEndsTheTransactionItselfIsReported() async throws {
        try await withTemporaryDirectory { dir in
            let rogue = Migration(version: 2, name: "commits itself", sql: "CREATE TABLE t (x); COMMIT;")
            let error = #expect(throws: LedgerError.self) {
                try Ledger.open(at: dir.file("l.sqlite"), migrations: [TestSchema.createItems, rogue])
            }
            guard case .migrationFailed(_, 2, _, let reason) = error else {
                Issue.record("expected migrationFailed for version 2, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("must not contain BEGIN, COMMIT or ROLLBACK"))
        }
    }

    @Test func rejectsMalformedMigrationLists() async throws {
        try await withTemporaryDirectory { dir in
            let gap = [TestSchema.createItems, Migration(version: 3, name: "skips 2", sql: "SELECT 1;")]
            let error = #expect(throws: LedgerError.self) { try Ledger.open(at: dir.file("l.sqlite"), migrations: gap) }
            guard case .invalidMigrations = error else {
                Issue.record("expected invalidMigrations, got \(String(describing: error))")
                return
            }
            // Validation happens before anything touches the disk.
            #expect(FileSystem.kind(of: dir.file("l.sqlite")) == .missing)
        }
    }

    @Test func theRelaySchemaRecordsWhoCreatedTheLedger() async throws {
        try await withTemporaryDirectory { dir in
            let before = Date()
            let ledger = try Ledger.open(
                at: dir.file("l.sqlite"),
                configuration: LedgerConfiguration(softwareVersion: "freeze-relay 9.9.9")
            )
            defer { ledger.close() }
            #expect(ledger.schemaVersion == LedgerSchema.currentVersion)
            let (createdAt, createdBy): (Date, String) = try ledger.read { db in
                let at: Date? = try db.scalar("SELECT value FROM ledger_meta WHERE key = 'created_at'")
                let by: String? = try db.scalar("SELECT value FROM ledger_meta WHERE key = 'created_by'")
                return (try #require(at), try #require(by))
            }
            #expect(createdBy == "freeze-relay 9.9.9")
            #expect(abs(createdAt.timeIntervalSince(before)) < 60)
            #expect(try ledger.appliedMigrations().first?.appliedBy == "freeze-relay 9.9.9")
        }
    }

    @Test func refusesToMigrateAnotherProgramsDatabase() async throws {
        try await withTemporaryDirectory { dir in
            let path = FileSystem.absolute(dir.file("other.sqlite"))
            let other = try Connection.open(path: path, mode: .writer, busyTimeout: .zero)
            try other.runScript("CREATE TABLE customers (id INTEGER PRIMARY KEY);")
            other.close()
            let sizeBefore = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int

            let error = #expect(throws: LedgerError.self) { try Ledger.open(at: path) }
            guard case .notALedger(path, _) = error else {
                Issue.record("expected notALedger, got \(String(describing: error))")
                return
            }
            // Looked, did not touch: still in its original journal mode and size.
            let check = try Connection.open(path: path, mode: .reader, busyTimeout: .zero)
            defer { check.close() }
            let mode: String? = try check.run("PRAGMA journal_mode").first?[0]
            #expect(mode == "delete")
            #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == sizeBefore)
        }
    }
}
