import Foundation

@testable import Ledger

/// A fresh directory for one test, removed when the test's body returns or throws.
struct TemporaryDirectory: Sendable {
    let path: String

    func file(_ name: String) -> String {
        (path as NSString).appendingPathComponent(name)
    }
}

func withTemporaryDirectory<Result>(_ body: (TemporaryDirectory) async throws -> Result) async throws -> Result {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(TemporaryDirectory(path: url.path))
}

/// Small schemas for tests that need their own migration history.
enum TestSchema {
    static let createItems = Migration(
        version: 1, name: "create items",
        sql: "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    )
    static let addNote = Migration(version: 2, name: "add note", sql: "ALTER TABLE items ADD COLUMN note TEXT;")
    static let seed = Migration(version: 3, name: "seed first item") { db, _ in
        try db.execute("INSERT INTO items (name, note) VALUES (?, ?)", ["first", "seeded"])
    }

    static let v1 = [createItems]
    static let v2 = [createItems, addNote]
    static let v3 = [createItems, addNote, seed]
}

/// Any error a test body throws on purpose.
struct Boom: Error, Equatable {}

extension Ledger {
    /// Counts rows through the writer connection (sees the writer's own uncommitted work).
    func count(_ table: String) throws -> Int64 {
        try transaction { db in try db.scalar("SELECT count(*) FROM \(table)") ?? -1 }
    }
}

extension LedgerReader {
    func count(_ table: String) throws -> Int64 {
        try read { db in try db.scalar("SELECT count(*) FROM \(table)") ?? -1 }
    }
}
