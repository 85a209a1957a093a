import CSQLite
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Online backup with SQLite's backup API.
package enum Backup {
    /// Copies the database behind `source` (a reader connection) to a new file at `target`.
    ///
    /// The copy is made in a single `sqlite3_backup_step(-1)`, which reads the whole database
    /// within one read transaction: the copy is one consistent snapshot, and in WAL mode the
    /// writer keeps committing meanwhile. (Copying in smaller steps would restart whenever the
    /// writer commits, and could never finish under steady load.) It is written to
    /// `<target>.partial` and renamed into place when complete, so `target` never names a
    /// half-written file. Both are owner-only (0600), and so are the directories it creates
    /// (0700), whatever the umask.
    package static func copy(from source: Connection, to target: String) throws(LedgerError) {
        let target = FileSystem.absolute(target)
        guard FileSystem.kind(of: target) == .missing else { throw .backupTargetExists(path: target) }
        let directory = FileSystem.parent(of: target)
        try FileSystem.createDirectories(directory, for: target)
        let partial = target + ".partial"
        unlink(partial)  // left over from an interrupted earlier backup, if any
        // Created owner-only before SQLite opens it: SQLite would create it 0644, and the backup
        // is the whole ledger, personal data included. The rename keeps the mode.
        try FileSystem.createOwnerOnlyFile(partial, for: target)

        var destination: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        let openCode = sqlite3_open_v2(partial, &destination, flags, nil)
        guard openCode == SQLITE_OK, let destination else {
            let errno = destination.map { sqlite3_system_errno($0) } ?? 0
            sqlite3_close_v2(destination)
            let reason = errno != 0 ? FileSystem.describe(errno: errno) : String(cString: sqlite3_errstr(openCode))
            throw .cannotCreate(path: target, reason: reason)
        }
        do throws(LedgerError) {
            try source.withHandle { sourceHandle throws(LedgerError) in
                guard let backup = sqlite3_backup_init(destination, "main", sourceHandle, "main") else {
                    throw SQLiteResultCode.error(
                        code: sqlite3_extended_errcode(destination), db: destination, path: target)
                }
                let stepCode = sqlite3_backup_step(backup, -1)
                let finishCode = sqlite3_backup_finish(backup)
                if stepCode != SQLITE_DONE {
                    // Failures while reading the source (BUSY, IOERR) are reported on the source connection.
                    let sourceFailed = [SQLITE_BUSY, SQLITE_LOCKED].contains(stepCode & 0xFF)
                    throw sourceFailed
                        ? source.error(stepCode)
                        : SQLiteResultCode.error(code: stepCode, db: destination, path: target)
                }
                if finishCode != SQLITE_OK {
                    throw SQLiteResultCode.error(code: finishCode, db: destination, path: target)
                }
            }
        } catch {
            sqlite3_close_v2(destination)
            unlink(partial)
            throw error
        }
        let closeCode = sqlite3_close_v2(destination)
        guard closeCode == SQLITE_OK else {
            unlink(partial)
            throw SQLiteResultCode.error(
                code: closeCode, message: String(cString: sqlite3_errstr(closeCode)), path: target)
        }
        guard rename(partial, target) == 0 else {
            let reason = FileSystem.describe(errno: errno)
            unlink(partial)
            throw .cannotCreate(path: target, reason: "cannot move the finished copy into place: \(reason)")
        }
        FileSystem.syncDirectory(directory)
    }
}
