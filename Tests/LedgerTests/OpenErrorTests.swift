import Foundation
import Testing

@testable import Ledger

@Suite struct OpenErrorTests {
    @Test func aTextFileIsNotADatabase() async throws {
        try await withTemporaryDirectory { dir in
            let path = FileSystem.absolute(dir.file("notes.txt"))
            let text = "these are not the ledgers you are looking for\n"
            try text.write(toFile: path, atomically: false, encoding: .utf8)

            let error = #expect(throws: LedgerError.self) { try Ledger.open(at: path) }
            #expect(error == .notADatabase(path: path))
            #expect(error?.description.contains("\(path) is not a database") == true)
            #expect(throws: LedgerError.notADatabase(path: path)) { try LedgerReader.open(at: path) }
            // Left untouched, and not locked afterwards.
            #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
            #expect(throws: LedgerError.notADatabase(path: path)) { try Ledger.open(at: path) }
        }
    }

    @Test func aDirectoryWhereTheFileShouldBeCannotBeCreated() async throws {
        try await withTemporaryDirectory { dir in
            let path = FileSystem.absolute(dir.file("ledger.sqlite"))
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            let error = #expect(throws: LedgerError.self) { try Ledger.open(at: path) }
            guard case .cannotCreate(let errorPath, let reason) = error else {
                Issue.record("expected cannotCreate, got \(String(describing: error))")
                return
            }
            #expect(errorPath == path && reason.contains("directory"))
            #expect(error?.description.hasPrefix("Cannot create the ledger at \(path): ") == true)
            #expect(FileSystem.kind(of: path + ".lock") == .missing)
        }
    }

    @Test func aPathUnderAFileCannotBeCreated() async throws {
        try await withTemporaryDirectory { dir in
            let file = FileSystem.absolute(dir.file("plain-file"))
            try "x".write(toFile: file, atomically: false, encoding: .utf8)
            let path = file + "/data/ledger.sqlite"
            let error = #expect(throws: LedgerError.self) { try Ledger.open(at: path) }
            #expect(error == .cannotCreate(path: path, reason: "\(file) exists and is not a directory"))
        }
    }

    @Test func theOSReasonIsReportedWhenSQLiteCannotCreateTheFile() async throws {
        try await withTemporaryDirectory { dir in
            // A dangling symlink whose target's directory is missing: mkdir -p of the ledger's own
            // directory succeeds, but SQLite's open fails inside the kernel.
            let path = FileSystem.absolute(dir.file("link.sqlite"))
            try FileManager.default.createSymbolicLink(
                atPath: path, withDestinationPath: dir.file("missing/target.sqlite"))
            let error = #expect(throws: LedgerError.self) { try Ledger.open(at: path) }
            guard case .cannotCreate(let errorPath, let reason) = error else {
                Issue.record("expected cannotCreate, got \(String(describing: error))")
                return
            }
            #expect(errorPath == path)
            #expect(reason == "No such file or directory")
        }
    }

    @Test func missingDirectoriesAreCreated() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("a/b/c/ledger.sqlite")
            let ledger = try Ledger.open(at: path)
            defer { ledger.close() }
            #expect(FileSystem.kind(of: path) == .file)
            #expect(ledger.path == FileSystem.absolute(path))
        }
    }

    @Test func readOnlyOpenOfAMissingFileSaysSoAndCreatesNothing() async throws {
        try await withTemporaryDirectory { dir in
            let path = FileSystem.absolute(dir.file("nowhere/ledger.sqlite"))
            let error = #expect(throws: LedgerError.self) { try LedgerReader.open(at: path) }
            #expect(error == .noLedger(path: path))
            #expect(error?.description.hasPrefix("No ledger at \(path)") == true)
            #expect(FileSystem.kind(of: FileSystem.parent(of: path)) == .missing)
        }
    }

    @Test func readOnlyOpenOfAnOutdatedLedgerAsksForTheDaemon() async throws {
        try await withTemporaryDirectory { dir in
            let path = FileSystem.absolute(dir.file("l.sqlite"))
            try Ledger.open(at: path, migrations: TestSchema.v1).close()
            let error = #expect(throws: LedgerError.self) { try LedgerReader.open(at: path, migrations: TestSchema.v2) }
            #expect(error == .schemaOutdated(path: path, fileVersion: 1, expectedVersion: 2))
        }
    }

    @Test func readOnlyOpenWorksAfterTheDaemonHasClosed() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("l.sqlite")
            try Ledger.open(at: path).close()
            #expect(FileSystem.kind(of: path + "-wal") == .missing)
            let reader = try LedgerReader.open(at: path)
            defer { reader.close() }
            #expect(try reader.schemaVersion() == LedgerSchema.currentVersion)
            #expect(try reader.integrityCheck().isOK)
            #expect(try reader.integrityCheck(quick: true).isOK)
        }
    }

    @Test func theDefaultPathIsTheDocumentedOne() {
        #expect(Ledger.defaultPath == "./data/freeze-relay.sqlite")
    }
}
