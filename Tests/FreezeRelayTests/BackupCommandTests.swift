import Foundation
import Ledger
import Testing

@testable import FreezeRelay

@Suite("freeze-relay backup")
struct BackupCommandTests {
    let fixture: FixtureLedger

    init() throws { fixture = try FixtureLedger() }

    @Test("the copy reads the same as the original, and the daemon could open it")
    func copy() async throws {
        let target = fixture.file("backups/copy.sqlite")
        let output = try BackupCommand.parse(["--database", fixture.path, "--to", target]).output()
        let size = try #require(try FileManager.default.attributesOfItem(atPath: target)[.size] as? Int)
        #expect(output == "backup of \(fixture.path) written to \(target) (\(size) bytes)")

        let filter = CaseFilter(limit: 1000, now: reportNow)
        let original = try fixture.reader()
        defer { original.close() }
        let copy = try LedgerReader.open(at: target)
        let copied = try copy.cases(filter: filter)
        #expect(copied.count == 9)
        #expect(copied == (try original.cases(filter: filter)))
        #expect(try copy.caseDetail(Cases.chain) == (try original.caseDetail(Cases.chain)))
        copy.close()
        // What a restore needs: the daemon's writer open works on the copy.
        let ledger = try Ledger.open(at: target)
        ledger.close()
    }

    @Test("works while a writer holds the ledger")
    func whileWriting() throws {
        let writer = try Ledger.open(at: fixture.path)
        defer { writer.close() }
        let output = try BackupCommand.parse(["--database", fixture.path, "--to", fixture.file("online.sqlite")])
            .output()
        #expect(output.contains("written to"))
    }

    @Test("refuses to overwrite (exit 1); no ledger exits 3")
    func refusals() async throws {
        let target = fixture.file("copy.sqlite")
        try Data("precious".utf8).write(to: URL(fileURLWithPath: target))
        let command = try BackupCommand.parse(["--database", fixture.path, "--to", target])
        #expect(await exitStatus(command) == 1)
        let refused = await failure { try command.output() }
        #expect(refused?.message.contains("a file already exists there") == true)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious")
        #expect(
            await exitStatus(
                try BackupCommand.parse(["--database", fixture.file("none.sqlite"), "--to", fixture.file("x.sqlite")]))
                == 3)
    }
}
