import Testing

@testable import Ledger

@Suite struct ErrorMessageTests {
    static let path = "/var/lib/freeze-relay/ledger.sqlite"

    static let fileErrors: [LedgerError] = [
        .inUse(path: path, pid: 4242),
        .inUse(path: path, pid: nil),
        .cannotCreate(path: path, reason: "Permission denied"),
        .cannotOpen(path: path, reason: "Permission denied"),
        .noLedger(path: path),
        .notADatabase(path: path),
        .notALedger(path: path, reason: "its application id is 0x1, not freeze-relay's"),
        .schemaTooNew(path: path, fileVersion: 7, knownVersion: 5),
        .schemaOutdated(path: path, fileVersion: 4, expectedVersion: 5),
        .migrationFailed(path: path, version: 5, name: "add outbox", reason: "no such table: x"),
        .busy(path: path, code: 5, message: "database is locked"),
        .diskFull(path: path, code: 13, message: "database or disk is full"),
        .ioError(path: path, code: 778, message: "disk I/O error"),
        .readOnly(path: path, code: 8, message: "attempt to write a readonly database"),
        .corrupt(path: path, code: 11, message: "database disk image is malformed"),
        .constraint(.unique, path: path, code: 2067, message: "UNIQUE constraint failed: requests.id"),
        .sqlite(path: path, code: 1, message: "near \"SELEKT\": syntax error"),
        .closed(path: path),
        .backupTargetExists(path: path),
    ]

    @Test(arguments: fileErrors)
    func everyFileErrorNamesThePath(_ error: LedgerError) {
        #expect(error.description.contains(Self.path))
        #expect(error.localizedDescription == error.description)
    }

    @Test func sqliteErrorsCarryTheExtendedCode() {
        let error = LedgerError.ioError(path: Self.path, code: 778, message: "disk I/O error")
        #expect(error.sqliteCode == 778)
        #expect(error.description.contains("SQLite code 778"))
        #expect(LedgerError.noLedger(path: Self.path).sqliteCode == nil)
    }

    @Test func versionMessagesNameBothVersions() {
        let tooNew = LedgerError.schemaTooNew(path: Self.path, fileVersion: 7, knownVersion: 5).description
        #expect(tooNew.contains("schema version 7") && tooNew.contains("up to 5"))
        let outdated = LedgerError.schemaOutdated(path: Self.path, fileVersion: 4, expectedVersion: 5).description
        #expect(outdated.contains("schema version 4") && outdated.contains("expects version 5"))
    }
}
