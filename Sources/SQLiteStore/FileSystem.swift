import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The few POSIX file operations the ledger needs, with errors that carry the OS's reason.
///
/// The ledger holds names and account numbers, so everything it creates is the owner's alone:
/// files 0600 (the ledger, its `-wal` and `-shm`, which SQLite creates with the ledger's own
/// mode, the lock file, backups) and directories 0700, whatever the process's umask. Existing
/// files are tightened (group and other bits removed), never loosened; directories that
/// already exist are left as the operator made them.
package enum FileSystem {
    package enum Kind { case missing, directory, file, other }

    /// Owner read-write: every file the ledger creates.
    package static let ownerOnlyFileMode: mode_t = 0o600
    /// Owner only: every directory the ledger creates.
    package static let ownerOnlyDirectoryMode: mode_t = 0o700

    /// `path` made absolute against the working directory, so errors name an unambiguous file.
    package static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    package static func parent(of path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().path
    }

    package static func kind(of path: String) -> Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        default: return .other
        }
    }

    /// Creates `directory` and any missing parents (like `mkdir -p`). On failure, throws
    /// `.cannotCreate` for `ledgerPath`, naming the directory and the OS's reason.
    package static func createDirectories(_ directory: String, for ledgerPath: String) throws(LedgerError) {
        switch kind(of: directory) {
        case .directory:
            return
        case .file, .other:
            throw .cannotCreate(path: ledgerPath, reason: "\(directory) exists and is not a directory")
        case .missing:
            let parentDirectory = parent(of: directory)
            if parentDirectory != directory {
                try createDirectories(parentDirectory, for: ledgerPath)
            }
            if mkdir(directory, ownerOnlyDirectoryMode) != 0 {
                let code = errno
                // Someone else may have created it in the meantime; that is fine.
                if code == EEXIST, kind(of: directory) == .directory { return }
                throw .cannotCreate(
                    path: ledgerPath, reason: "cannot create directory \(directory): \(describe(errno: code))")
            }
            // mkdir applies the umask, which may have taken the owner's own bits away.
            chmod(directory, ownerOnlyDirectoryMode)
        }
    }

    /// Opens `path` read-write, creating it owner-only (0600 whatever the umask) when missing and
    /// tightening it when it exists. Returns the descriptor, or -1 with `errno` set.
    package static func openOwnerOnly(_ path: String) -> Int32 {
        let created = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, ownerOnlyFileMode)
        if created >= 0 {
            // open applies the umask, which may have taken the owner's own bits away.
            fchmod(created, ownerOnlyFileMode)
            return created
        }
        guard errno == EEXIST else { return -1 }
        let existing = open(path, O_RDWR | O_CLOEXEC)
        if existing >= 0 { restrictToOwner(descriptor: existing) }
        return existing
    }

    /// Creates `path` as an empty owner-only file unless something is already there, so that
    /// SQLite, which would create it 0644 and give its `-wal` and `-shm` the same mode, finds it
    /// ready. Throws `.cannotCreate` for `ledgerPath` with the OS's reason.
    package static func createOwnerOnlyFile(_ path: String, for ledgerPath: String) throws(LedgerError) {
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, ownerOnlyFileMode)
        guard descriptor >= 0 else {
            let code = errno
            // Created meanwhile by someone else: tightened once it is known to be a ledger.
            if code == EEXIST { return }
            throw .cannotCreate(path: ledgerPath, reason: describe(errno: code))
        }
        fchmod(descriptor, ownerOnlyFileMode)
        close(descriptor)
    }

    /// Removes the group and other permission bits of `path`, if it exists. Best effort: a file
    /// that the process may write but does not own keeps its mode (chmod needs ownership), and
    /// the ledger still opens.
    package static func restrictToOwner(_ path: String) {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & 0o077 != 0 else { return }
        chmod(path, info.st_mode & 0o7777 & ~0o077)
    }

    private static func restrictToOwner(descriptor: Int32) {
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & 0o077 != 0 else { return }
        fchmod(descriptor, info.st_mode & 0o7777 & ~0o077)
    }

    /// Makes a rename or file creation in `directory` durable.
    package static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    package static func describe(errno code: Int32) -> String {
        String(cString: strerror(code))
    }
}
