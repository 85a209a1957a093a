import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX file operations the ledger needs, with errors that carry the OS's reason.
enum FileSystem {
    enum Kind { case missing, directory, file, other }

    /// `path` made absolute against the working directory, so errors name an unambiguous file.
    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    static func parent(of path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().path
    }

    static func kind(of path: String) -> Kind {
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
    static func createDirectories(_ directory: String, for ledgerPath: String) throws(LedgerError) {
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
            if mkdir(directory, 0o755) != 0 {
                let code = errno
                // Someone else may have created it in the meantime; that is fine.
                if code == EEXIST, kind(of: directory) == .directory { return }
                throw .cannotCreate(path: ledgerPath, reason: "cannot create directory \(directory): \(describe(errno: code))")
            }
        }
    }

    /// Makes a rename or file creation in `directory` durable.
    static func syncDirectory(_ directory: String) {
        let descriptor = open(directory, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    static func describe(errno code: Int32) -> String {
        String(cString: strerror(code))
    }
}
