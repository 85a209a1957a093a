import Foundation
import Testing

@testable import Ledger

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The ledger holds names and account numbers: every file it or its backups consist of must be
/// readable by the owner only, whatever the process's umask.
@Suite(.serialized) struct FilePermissionTests {
    /// Permission bits of `path` (`st_mode & 0o7777`), or nil when it does not exist.
    private static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    private static func octal(_ mode: mode_t?) -> String { mode.map { "0" + String($0, radix: 8) } ?? "missing" }

    /// Runs `body` with the process umask set to `mask`, restoring the previous one afterwards.
    /// The umask is process-wide; this suite is serialized, and other suites only create files
    /// whose modes they do not check.
    private static func withUmask<T>(_ mask: mode_t, _ body: () throws -> T) rethrows -> T {
        let previous = umask(mask)
        defer { umask(previous) }
        return try body()
    }

    @Test(arguments: [mode_t(0), mode_t(0o022)])
    func everyFileAndDirectoryTheLedgerCreatesIsOwnerOnly(mask: mode_t) async throws {
        try await withTemporaryDirectory { dir in
            let created = dir.file("state")
            let path = created + "/ledger/l.sqlite"
            let backup = dir.file("backups") + "/daily/b.sqlite"
            try Self.withUmask(mask) {
                let ledger = try Ledger.open(at: path)
                defer { ledger.close() }
                try ledger.transaction { db in try db.execute("INSERT INTO ledger_meta (key, value) VALUES ('k', 1)") }
                // While the writer is open the WAL and its index exist next to the file.
                let files = [path, path + "-wal", path + "-shm", path + ".lock"]
                for file in files {
                    #expect(
                        Self.mode(file) == 0o600,
                        "\(file): \(Self.octal(Self.mode(file))) under umask \(Self.octal(mask))")
                }
                for directory in [created, created + "/ledger"] {
                    #expect(
                        Self.mode(directory) == 0o700,
                        "\(directory): \(Self.octal(Self.mode(directory))) under umask \(Self.octal(mask))")
                }
                try ledger.backup(to: backup)
                #expect(
                    Self.mode(backup) == 0o600,
                    "backup: \(Self.octal(Self.mode(backup))) under umask \(Self.octal(mask))")
                #expect(Self.mode(backup + ".partial") == nil)
                for directory in [dir.file("backups"), dir.file("backups") + "/daily"] {
                    #expect(
                        Self.mode(directory) == 0o700,
                        "\(directory): \(Self.octal(Self.mode(directory))) under umask \(Self.octal(mask))")
                }
            }
        }
    }

    @Test func anExistingWorldReadableLedgerIsTightenedOnOpenAndNeverLoosened() async throws {
        try await withTemporaryDirectory { dir in
            let path = dir.file("l.sqlite")
            try Ledger.open(at: path).close()
            for file in [path, path + ".lock"] { chmod(file, 0o644) }
            // A WAL index left behind by an older binary, world-readable too.
            FileManager.default.createFile(atPath: path + "-shm", contents: nil, attributes: [.posixPermissions: 0o644])
            chmod(path + "-shm", 0o644)
            let ledger = try Ledger.open(at: path)
            for file in [path, path + ".lock", path + "-shm", path + "-wal"] {
                #expect(Self.mode(file) == 0o600, "\(file): \(Self.octal(Self.mode(file)))")
            }
            ledger.close()

            // Only group and other bits are removed: an owner execute bit stays, and the directory
            // the operator made is not the ledger's to change.
            chmod(path + ".lock", 0o700)
            let directoryMode = Self.mode(dir.path)
            try Ledger.open(at: path).close()
            #expect(Self.mode(path + ".lock") == 0o700)
            #expect(Self.mode(dir.path) == directoryMode)
        }
    }
}
