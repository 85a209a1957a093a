import Contracts
import Foundation
import Relay
import RelayKafka
import Testing

@testable import FreezeRelay
@testable import Ledger
@testable import RelayRuntime

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
        #expect(
            output.hasPrefix(
                "dry run: 2 case(s) closed before 2026-01-31T11:00:00Z would be purged (2 request(s)); nothing was written"
            ))
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
            let dry = try PurgeCommand.parse([
                "--database", fixture.path, "--now", reportNowText, "--closed-before", cutoff, "--dry-run",
            ]).output()
            let real = try PurgeCommand.parse([
                "--database", fixture.path, "--now", reportNowText, "--closed-before", cutoff,
            ]).output()
            let purged =
                real.split(separator: "\n").first { $0.hasPrefix("cases: ") }.map {
                    $0.dropFirst(7).components(separatedBy: ", ")
                } ?? []
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
        #expect(try reader.caseDetail(Cases.oldOpen) != nil)  // old, but still open
        #expect(try reader.caseDetail(Cases.recentClosed) != nil)  // closed, but recently
        let notes: [String] = try reader.read { db in
            try db.query("SELECT detail FROM audit WHERE cause = 'purge' AND case_id IS NULL AND request_id IS NULL") {
                row in try row["detail"] as String
            }
        }
        #expect(notes.count == 1)
        #expect(
            notes.first?.hasPrefix("purged 2 case(s) with 2 request(s), all closed before 2026-01-31T00:00:00Z") == true
        )
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
        #expect(await exitStatus(try purge(["--closed-before", "2026-04-01T00:00:00Z"])) == 2)  // after --now
        let missing = fixture.file("none.sqlite")
        #expect(await exitStatus(try PurgeCommand.parse(["--database", missing, "--closed-before", "30d"])) == 3)
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    // MARK: Dead letters

    /// Adds dead letters to the fixture, built as the daemon builds them: 45 days old and sent
    /// (2 invalid_json, 1 too_large), 45 days old and never sent (invalid_json), 5 days old and
    /// sent (invalid_json). Returns their event ids in that order.
    @discardableResult
    static func addDeadLetters(to fixture: FixtureLedger) throws -> [UUID] {
        let ledger = try Ledger.open(at: fixture.path, configuration: LedgerConfiguration(durability: .normal))
        defer { ledger.close() }
        let letters: [(days: Int64, code: DeadLetterCode, sent: Bool)] = [
            (-45, .invalidJSON, true), (-45, .invalidJSON, true), (-45, .tooLarge, true), (-45, .invalidJSON, false),
            (-5, .invalidJSON, true),
        ]
        var ids: [UUID] = []
        for (offset, letter) in letters.enumerated() {
            let now = at(minutes: 0, days: letter.days)
            let record = KafkaMessage(
                topic: "freeze.requests", partition: 0, offset: Int64(1000 + offset), key: Array("k\(offset)".utf8),
                value: Array("{ not json, Holder Name KZ00 \(offset)".utf8))
            let outgoing = OutboxEncoding.deadLetter(
                record, refusal: Refusal(code: letter.code, path: nil, message: "refused"), policy: fixturePolicy,
                cause: .record(topic: record.topic, partition: 0, offset: record.offset, eventID: nil), now: now)
            let message = try OutboxEncoding.encode(outgoing)
            try ledger.write { tx in try tx.apply(Effects(), outbox: [message], at: now) }
            let sequence = try #require(
                try ledger.pendingOutbox(limit: 1000).first { $0.message.eventID == message.eventID }?.sequence)
            if letter.sent { try ledger.markSent([(sequence, 0, sequence)], at: now) }
            ids.append(message.eventID)
        }
        return ids
    }

    func deadLetterIDs() throws -> [UUID] {
        let reader = try fixture.reader()
        defer { reader.close() }
        return try reader.read { db in
            try db.query("SELECT event_id FROM outbox WHERE event_type = 'dead_letter' ORDER BY seq") { row in
                UUID(uuidString: try row["event_id"])!
            }
        }
    }

    @Test("sent dead letters older than their retention (30 days by default) go; unsent and recent ones stay")
    func deadLettersPastRetention() throws {
        let ids = try Self.addDeadLetters(to: fixture)
        let output = try purge(["--closed-before", "30d", "--note", "OPS-9"]).output()
        #expect(try deadLetterIDs() == [ids[3], ids[4]])
        #expect(output.contains("3 sent dead letter(s) created before 2026-01-31T11:00:00Z"), "\(output)")
        let table = try #require(
            output.split(separator: "\n").drop { !$0.hasPrefix("DEAD LETTER REASON") }.map(String.init) as [String]?)
        #expect(table.contains { $0.hasPrefix("invalid_json") && $0.hasSuffix(" 2") }, "\(output)")
        #expect(table.contains { $0.hasPrefix("too_large") && $0.hasSuffix(" 1") }, "\(output)")
        let reader = try fixture.reader()
        defer { reader.close() }
        let note: String? = try reader.read { db in try db.scalar("SELECT detail FROM audit WHERE cause = 'purge'") }
        #expect(
            note?.contains("3 sent dead letter(s) created before 2026-01-31T11:00:00Z (invalid_json 2, too_large 1)")
                == true, "\(note ?? "")")
    }

    @Test(
        "the dead-letter retention comes from ledger.dead_letter_retention; the dry run shows the same and writes nothing"
    )
    func deadLetterRetentionIsConfigured() throws {
        let ids = try Self.addDeadLetters(to: fixture)
        let config = fixture.file("relay.yaml")
        try "ledger:\n  dead_letter_retention: 4d\n".write(toFile: config, atomically: true, encoding: .utf8)
        let dry = try purge(["--config", config, "--closed-before", "30d", "--dry-run", "--format", "json"]).output()
        let document = try jsonObject(dry)
        let deadLetters = try #require(document["dead_letters"] as? [String: Any])
        #expect(deadLetters["created_before"] as? String == "2026-02-26T11:00:00Z")
        #expect(deadLetters["by_reason"] as? [String: Int] == ["invalid_json": 3, "too_large": 1])
        #expect(deadLetters["count"] as? Int == 4)
        #expect(document["dry_run"] as? Bool == true)
        #expect(try deadLetterIDs() == ids)

        let real = try jsonObject(
            try purge(["--config", config, "--closed-before", "30d", "--format", "json"]).output())
        #expect(
            (real["dead_letters"] as? [String: Any])?["by_reason"] as? [String: Int] == [
                "invalid_json": 3, "too_large": 1,
            ])
        #expect(real["dry_run"] as? Bool == false)
        #expect((real["cases"] as? [String]) == [Cases.oldCancelled, Cases.oldRejected])
        #expect(real["audit_entry"] as? Int != nil)
        #expect(try deadLetterIDs() == [ids[3]])
    }
}
