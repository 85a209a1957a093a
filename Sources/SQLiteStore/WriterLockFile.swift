import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The exclusive advisory lock that makes one daemon the ledger's only writer.
///
/// It is an `flock` on a side file `<ledger>.lock` holding the owner's pid, not SQLite's
/// `locking_mode=EXCLUSIVE`, which would also shut out read-only tools in WAL mode. `flock`
/// belongs to the open file description, so a second open in the same process conflicts too,
/// and the kernel drops it when the process dies, so a crashed daemon never leaves a stale lock.
/// The lock file is never deleted: unlinking it while another process waits on the old inode
/// would let two writers each believe they hold the lock.
package final class WriterLockFile {
    package let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        release()
    }

    /// Takes the lock for the ledger at `ledgerPath` without waiting.
    package static func acquire(for ledgerPath: String) throws(LedgerError) -> WriterLockFile {
        let lockPath = ledgerPath + ".lock"
        // Owner-only like the ledger; O_CLOEXEC: a child process must not inherit (and so keep
        // holding) the lock.
        let descriptor = FileSystem.openOwnerOnly(lockPath)
        guard descriptor >= 0 else {
            let reason = "cannot open its lock file \(lockPath): \(FileSystem.describe(errno: errno))"
            if FileSystem.kind(of: ledgerPath) == .missing {
                throw .cannotCreate(path: ledgerPath, reason: reason)
            }
            throw .cannotOpen(path: ledgerPath, reason: reason)
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            defer { close(descriptor) }
            if code == EWOULDBLOCK {
                throw .inUse(path: ledgerPath, pid: readPID(descriptor))
            }
            throw .cannotOpen(path: ledgerPath, reason: "cannot lock \(lockPath): \(FileSystem.describe(errno: code))")
        }
        // The pid is for the operator reading the error of the next daemon; the lock itself is
        // the flock, so a failure to write it is not fatal.
        let pid = Array("\(getpid())\n".utf8)
        if ftruncate(descriptor, 0) == 0 {
            _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        }
        return WriterLockFile(path: lockPath, descriptor: descriptor)
    }

    private static func readPID(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text)
    }

    /// Releases the lock. The pid stays in the file; it only matters while the lock is held.
    package func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }
}
