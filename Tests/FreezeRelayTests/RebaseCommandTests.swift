import Contracts
import Foundation
import RelayKafka
import RelayRuntime
import Testing

@testable import FreezeRelay
@testable import Ledger

@Suite("freeze-relay rebase and partitions")
struct RebaseCommandTests {
    let fixture: FixtureLedger

    init() throws { fixture = try FixtureLedger() }

    func rebase(_ arguments: [String]) throws -> RebaseCommand {
        try RebaseCommand.parse(["--database", fixture.path, "--now", reportNowText] + arguments)
    }

    /// Halts partition 1 of the requests topic, the way the daemon does.
    func haltPartition() throws {
        let ledger = try Ledger.open(at: fixture.path)
        defer { ledger.close() }
        try ledger.write { tx in
            try tx.recordPosition(topic: "freeze.requests", partition: 1, nextOffset: 60, at: t0)
            try tx.recordHalt(
                PartitionHalt(
                    topic: "freeze.requests", partition: 1, haltedAt: t0, code: .logEndsBeforePosition,
                    detail: "freeze.requests[1] ends at offset 3", position: 60, logStart: 0, logEnd: 3))
        }
    }

    @Test(
        "with the daemon stopped it re-bases directly: position, epoch, halt lifted, security audit entry, notice queued"
    )
    func offline() async throws {
        try haltPartition()
        let before = try PartitionsCommand.parse(["--database", fixture.path]).output()
        #expect(
            try #require(row(before, "freeze.requests[1]")).contains(
                "HALTED log_ends_before_position since 2026-03-02T09:00:00Z"))
        #expect(before.contains("freeze.requests[1]: freeze.requests[1] ends at offset 3"))

        let output = try await rebase([
            "--topic", "freeze.requests", "--partition", "1", "--to-beginning", "--note", "topic re-created, CHG-7",
        ]).output()
        #expect(
            output.hasPrefix(
                "freeze.requests[1] re-based from 60 to its first retained record, id epoch 1; lifted the halt log_ends_before_position of 2026-03-02T09:00:00Z; recorded as audit entry #"
            ))
        #expect(output.contains("the daemon is not running"))

        let after = try PartitionsCommand.parse(["--database", fixture.path, "--format", "json"]).output()
        let rows = try #require(try jsonObject(after)["partitions"] as? [[String: Any]])
        let partition = try #require(rows.first { $0["partition"] as? String == "freeze.requests[1]" })
        #expect(partition["next_offset"] as? Int == -2 && partition["epoch"] as? Int == 1 && partition["halted"] == nil)

        let reader = try fixture.reader()
        defer { reader.close() }
        let audit: [String] = try reader.read { db in
            try db.query("SELECT detail FROM audit WHERE cause = 'rebase' AND security = 1") { row in
                try row["detail"] as String
            }
        }
        #expect(audit.count == 1 && audit[0].contains("note: topic re-created, CHG-7"))
        let notices: [Data] = try reader.read { db in
            try db.query("SELECT payload FROM outbox WHERE event_type = 'intake_notice' AND sent_at IS NULL") { row in
                try row["payload"] as Data
            }
        }
        guard case .intakeNotice(let notice)? = try notices.first.map({ try EventDecoder.decodeEvent([UInt8]($0)) })
        else {
            Issue.record("no intake notice queued")
            return
        }
        #expect(
            notice.kind == .partitionRebased && notice.partition == 1 && notice.epoch == 1
                && notice.ledgerPosition == 60)
    }

    @Test("bad values exit 2 with the reason, and change nothing")
    func usage() async throws {
        for arguments in [
            ["--topic", "freeze.requests", "--partition", "0", "--note", "x"],
            ["--topic", "freeze.requests", "--partition", "0", "--to-offset", "3", "--to-beginning", "--note", "x"],
            ["--topic", "freeze.requests", "--partition", "0", "--to-offset=-1", "--note", "x"],
            ["--topic", "freeze/requests", "--partition", "0", "--to-offset", "3", "--note", "x"],
            ["--topic", "freeze.requests", "--partition=-1", "--to-offset", "3", "--note", "x"],
            ["--topic", "freeze.requests", "--partition", "0", "--to-offset", "3", "--note", "  "],
        ] {
            #expect(await exitStatus(try rebase(arguments)) == 2, "\(arguments)")
        }
        let reader = try fixture.reader()
        defer { reader.close() }
        #expect(
            try reader.read { db in try db.scalar("SELECT count(*) FROM audit WHERE cause = 'rebase'", as: Int.self) }
                == 0)
    }

    @Test("while the daemon holds the ledger it leaves a request, waits for the daemon's answer and reports it")
    func throughDaemon() async throws {
        try haltPartition()
        let daemon = try Ledger.open(at: fixture.path)
        defer { daemon.close() }
        // The daemon's part, played here: carry out what is asked, the way the intake loop does.
        let serving = Task {
            while !Task.isCancelled {
                for request in try daemon.pendingRebaseRequests() {
                    _ = try PartitionRebase.apply(
                        topic: request.topic, partition: request.partition, to: request.target, note: request.note,
                        by: request.requestedBy, ledger: daemon, topics: try TopicNames(), at: reportNow)
                    try daemon.write { tx in
                        try tx.finishRebaseRequest(request.sequence, outcome: "done: epoch 1", at: reportNow)
                    }
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        defer { serving.cancel() }
        let output = try await rebase([
            "--topic", "freeze.requests", "--partition", "1", "--to-offset", "3", "--note", "skip the lost part",
            "--wait", "120s",
        ]).output()
        #expect(
            output.hasPrefix(
                "re-base request #1 carried out by the running daemon (done: epoch 1); freeze.requests[1] now continues at offset 3"
            ))
    }

    @Test("a daemon that does not answer in time: exit 1, the request stays queued")
    func daemonSilent() async throws {
        let daemon = try Ledger.open(at: fixture.path)
        defer { daemon.close() }
        let command = try rebase([
            "--topic", "freeze.requests", "--partition", "0", "--to-offset", "3", "--note", "n", "--wait", "1s",
        ])
        let refused = await failure { try await command.output() }
        #expect(refused?.exitCode == 1)
        #expect(refused?.message.contains("has not carried out re-base request #1 within 1s") == true)
        #expect(try daemon.pendingRebaseRequests().map(\.target) == [3])
    }
}
