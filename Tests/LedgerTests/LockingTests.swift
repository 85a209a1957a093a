import Foundation
import Testing

@testable import Ledger

@Suite struct LockingTests {
    @Test func aSecondWriterOnTheSameFileIsToldItIsInUse() async throws {
        try await withTemporaryDirectory { dir in
            let path = FileSystem.absolute(dir.file("l.sqlite"))
            let first = try Ledger.open(at: path)
            defer { first.close() }

            // flock belongs to the open file description, so this conflicts within one process.
            let error = #expect(throws: LedgerError.self) { try Ledger.open(at: path) }
            #expect(error == .inUse(path: path, pid: getpid()))
            #expect(
                error?.description.contains("\(path) is in use by another freeze-relay process (pid \(getpid()))")
                    == true)
            #expect(try String(contentsOfFile: path + ".lock", encoding: .utf8) == "\(getpid())\n")

            // The refused open must not have disturbed the first writer.
            try first.transaction { db in try db.execute("INSERT INTO ledger_meta (key, value) VALUES ('k', 1)") }
        }
    }

    @Test func anotherProcessHoldingTheLockIsNamedByItsPID() async throws {
        try await withTemporaryDirectory { dir in
            let path = FileSystem.absolute(dir.file("l.sqlite"))
            // util-linux flock(1) holds the lock as a real second process; its child writes its
            // pid into the lock file (as a daemon would), reports it, and waits on stdin.
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
            holder.arguments = [
                "--exclusive", "--nonblock", path + ".lock", "sh", "-c", "echo $$ > \"$0\"; echo $$; exec cat",
                path + ".lock",
            ]
            let input = Pipe()
            let output = Pipe()
            holder.standardInput = input
            holder.standardOutput = output
            try holder.run()
            defer {
                try? input.fileHandleForWriting.close()
                holder.waitUntilExit()
            }
            // The pid line arrives only once the lock is held: that is the synchronisation.
            var line = Data()
            while !line.contains(UInt8(ascii: "\n")) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                line.append(chunk)
            }
            let pid = try #require(
                Int32(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(pid != getpid())

            #expect(throws: LedgerError.inUse(path: path, pid: pid)) { try Ledger.open(at: path) }

            // The holder exits when its stdin closes, and the kernel drops its lock.
            try input.fileHandleForWriting.close()
            holder.waitUntilExit()
            let ledger = try Ledger.open(at: path)
            ledger.close()
        }
    }

    @Test func readersWorkWhileTheWriterHoldsTheLock() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("l.sqlite")
            let writer = try Ledger.open(at: path, migrations: TestSchema.v1)
            defer { writer.close() }
            try writer.transaction { db in try db.execute("INSERT INTO items (name) VALUES ('a')") }

            // An operator tool: a separate read-only open, no writer lock needed.
            let tool = try LedgerReader.open(at: path, migrations: TestSchema.v1)
            defer { tool.close() }
            #expect(try tool.count("items") == 1)

            try writer.transaction { db in try db.execute("INSERT INTO items (name) VALUES ('b')") }
            #expect(try tool.count("items") == 2)
            #expect(try writer.reader.count("items") == 2)
        }
    }

    @Test func aNewWriterOpensOnceTheFirstHasClosed() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("l.sqlite")
            let first = try Ledger.open(at: path)
            first.close()
            first.close()  // idempotent
            #expect(throws: LedgerError.closed(path: first.path)) {
                try first.transaction { _ in }
            }
            #expect(throws: LedgerError.closed(path: first.path)) { try first.integrityCheck() }

            let second = try Ledger.open(at: path)
            second.close()
        }
    }

    @Test func droppingALedgerWithoutClosingReleasesTheLock() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("l.sqlite")
            do {
                let forgotten = try Ledger.open(at: path)
                _ = forgotten.path
            }
            let next = try Ledger.open(at: path)
            next.close()
        }
    }

    @Test func closingRemovesTheWALAndKeepsTheLockFile() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("l.sqlite")
            let ledger = try Ledger.open(at: path)
            _ = try ledger.reader.schemaVersion()  // opens a reader connection too
            #expect(FileSystem.kind(of: path + "-wal") == .file)
            ledger.close()
            #expect(FileSystem.kind(of: path + "-wal") == .missing)
            #expect(FileSystem.kind(of: path + "-shm") == .missing)
            #expect(FileSystem.kind(of: path + ".lock") == .file)
        }
    }
}
