import Foundation
import Testing
@testable import FreezeRelay
@testable import Ledger

@Suite("freeze-relay purge")
struct PurgeCommandTests {
    let fixture: FixtureLedger

    init() throws { fixture = try FixtureLedger() }

    func purge(_ arguments: [String]) throws -> PurgeCommand {
        try PurgeCommand.parse(["--database", fixture.path, "--now", reportNowText] + arguments)
    }

    func count(_ table: String) throws -> Int {
        let reader = try fixture.reader()
        defer { reader.close() }
        return try reader.read { db in try db.scalar("SELECT count(*) FROM \(table)") ?? -1 }
    }

    func caseIDs() throws -> [String] {
        let reader = try fixture.reader()
        defer { reader.close() }
        return try reader.cases(filter: CaseFilter(limit: 1000, now: reportNow)).map(\.caseID)
    }

    @Test("--dry-run lists the old closed cases and writes nothing")
    func dryRun() throws {
        let before = try (count("requests"), count("audit"), count("escalations"), count("outbox"))
        let output = try purge(["--closed-before", "30d", "--dry-run"]).output()
        #expect(output.hasPrefix("dry run: 2 case(s) closed before 2026-01-31T11:00:00Z would be purged (2 request(s)); nothing was written"))
        #expect(firstColumn(output) == [Cases.oldCancelled, Cases.oldRejected])
        let rejected = try #require(row(output, Cases.oldRejected)).split(separator: " ").map(String.init)
        #expect(rejected.prefix(4) == [Cases.oldRejected, "1", "2026-01-21T09:10:00Z", "1"])
        let after = try (count("requests"), count("audit"), count("escalations"), count("outbox"))
        #expect(before == after)
        #expect(try caseIDs() == Cases.all)
    }

    @Test("the dry run lists exactly what the purge then removes")
    func dryRunMatchesPurge() throws {
        for cutoff in ["2d", "12h", "2026-03-02T09:20:00Z", "2026-03-02T10:30:00Z"] {
            let fixture = try FixtureLedger()
            let dry = try PurgeCommand.parse(["--database", fixture.path, "--now", reportNowText, "--closed-before", cutoff, "--dry-run"]).output()
            let real = try PurgeCommand.parse(["--database", fixture.path, "--now", reportNowText, "--closed-before", cutoff]).output()
            let purged = real.split(separator: "\n").first { $0.hasPrefix("cases: ") }.map { $0.dropFirst(7).components(separatedBy: ", ") } ?? []
            #expect(firstColumn(dry) == purged, "cutoff \(cutoff)")
        }
    }

    @Test("purges only the old closed cases and leaves an audit note")
    func purgeOldClosed() throws {
        let output = try purge(["--closed-before", "2026-01-31T00:00:00Z", "--note", "retention rule R-7"]).output()
        #expect(output.hasPrefix("purged 2 case(s) closed before 2026-01-31T00:00:00Z: 2 request(s), "))
        #expect(output.hasSuffix("cases: \(Cases.oldCancelled), \(Cases.oldRejected)"))
        #expect(try caseIDs() == Cases.all.filter { $0 != Cases.oldCancelled && $0 != Cases.oldRejected })
        let reader = try fixture.reader()
        defer { reader.close() }
        #expect(try reader.caseDetail(Cases.oldRejected) == nil)
        #expect(try reader.caseDetail(Cases.oldOpen) != nil) // old, but still open
        #expect(try reader.caseDetail(Cases.recentClosed) != nil) // closed, but recently
        let notes: [String] = try reader.read { db in
            try db.query("SELECT detail FROM audit WHERE cause = 'purge' AND case_id IS NULL AND request_id IS NULL") { row in try row["detail"] as String }
        }
        #expect(notes.count == 1)
        #expect(notes.first?.hasPrefix("purged 2 case(s) with 2 request(s), all closed before 2026-01-31T00:00:00Z") == true)
        #expect(notes.first?.contains("note: retention rule R-7 (freeze-relay purge run by ") == true)
        #expect(output.contains("recorded as audit entry #"))
    }

    @Test("while another writer holds the ledger it exits 4 and says to stop the daemon")
    func busy() async throws {
        let daemon = try Ledger.open(at: fixture.path)
        defer { daemon.close() }
        let command = try purge(["--closed-before", "30d"])
        #expect(await exitStatus(command) == 4)
        let refused = await failure { try command.output() }
        #expect(refused?.message.contains("stop the daemon first") == true)
        #expect(refused?.message.contains("(pid \(getpid()))") == true)
        // The dry run needs no lock.
        #expect(try purge(["--closed-before", "30d", "--dry-run"]).output().hasPrefix("dry run: 2 case(s)"))
    }

    @Test("bad dates exit 2; no ledger exits 3 and creates none")
    func errors() async throws {
        #expect(await exitStatus(try purge(["--closed-before", "last year"])) == 2)
        #expect(await exitStatus(try purge(["--closed-before", "2026-04-01T00:00:00Z"])) == 2) // after --now
        let missing = fixture.file("none.sqlite")
        #expect(await exitStatus(try PurgeCommand.parse(["--database", missing, "--closed-before", "30d"])) == 3)
        #expect(!FileManager.default.fileExists(atPath: missing))
    }
}
