import Contracts
import Foundation
import Testing

@testable import FreezeRelay

/// The pure state behind `watch`.
@Suite("EscalationBoard")
struct EscalationBoardTests {
    static func escalation(
        _ escalationID: UUID, _ kind: EscalationKind = .ackOverdue, level: Int = 1,
        raisedAt: Timestamp = at(minutes: 10),
        deadline: Timestamp? = at(minutes: 5)
    ) -> Event {
        .escalation(
            Escalation(
                id: UUID(), createdAt: raisedAt, escalationID: escalationID, kind: kind, level: level,
                bankID: kind == .unroutable ? nil : beta, requestID: id(2), caseID: Cases.late, deadline: deadline,
                overdueSeconds: deadline.map { Int($0.seconds(until: raisedAt)) }, raisedAt: raisedAt, detail: "test"))
    }

    static func resolved(_ escalationID: UUID, at time: Timestamp = at(minutes: 30)) -> Event {
        .escalationResolved(
            EscalationResolved(
                id: UUID(), createdAt: time, escalationID: escalationID, resolution: .answered,
                resolvedAt: time, requestID: id(2), caseID: Cases.late, bankID: beta))
    }

    @Test("linked-account notices are listed newest first, once each, at most ten; they open no row")
    func linkedAccounts() {
        var board = EscalationBoard()
        func notice(_ n: Int) -> LinkedAccount {
            LinkedAccount(
                id: id(600 + n), createdAt: at(minutes: Int64(n)), requestID: id(700 + n), caseID: "CASE-N\(n)",
                linkedCases: [LinkedCase(caseID: "CASE-OLD", requestID: id(800))], linkedCaseCount: n == 11 ? 3 : 1,
                detail: "linked")
        }
        for n in 0..<12 { board.apply(.linkedAccount(notice(n))) }
        board.apply(.linkedAccount(notice(11)))  // a re-delivery
        #expect(board.rows.isEmpty)
        #expect(board.recentLinks.map(\.caseID) == (2..<12).reversed().map { "CASE-N\($0)" })
        let table = board.table(now: at(minutes: 20))
        #expect(table.contains("(no open escalation)"))
        #expect(
            table.contains(
                "case CASE-N11 request \(ReportText.short(id(711))) names an account 3 other case(s) named: CASE-OLD, …"
            ))
        #expect(!table.contains("CASE-N1 "))
    }

    @Test("an escalation raises a row")
    func raise() {
        var board = EscalationBoard()
        let rows = board.apply(Self.escalation(id(100)))
        #expect(rows.count == 1)
        #expect(rows.first?.escalationID == id(100))
        #expect(rows.first?.level == 1)
        #expect(rows.first?.bankID == beta)
    }

    @Test("a re-raise at a higher level keeps one row, at the new level; a stale lower level changes nothing")
    func reRaise() {
        var board = EscalationBoard()
        board.apply(Self.escalation(id(100), level: 1))
        let rows = board.apply(Self.escalation(id(100), level: 2, raisedAt: at(minutes: 20)))
        #expect(rows.count == 1)
        #expect(rows.first?.level == 2)
        #expect(rows.first?.raisedAt == at(minutes: 20))
        #expect(board.apply(Self.escalation(id(100), level: 1)).first?.level == 2)
    }

    @Test("a resolution removes its row; other rows stay")
    func resolve() {
        var board = EscalationBoard()
        board.apply(Self.escalation(id(100)))
        board.apply(Self.escalation(id(101), .freezeOverdue))
        let rows = board.apply(Self.resolved(id(100)))
        #expect(rows.map(\.escalationID) == [id(101)])
    }

    @Test("a resolution of an escalation the board never saw is ignored")
    func unknownResolution() {
        var board = EscalationBoard()
        board.apply(Self.escalation(id(100)))
        #expect(board.apply(Self.resolved(id(999))).map(\.escalationID) == [id(100)])
        #expect(EscalationBoard().rows.isEmpty)
    }

    @Test("a late re-delivery after the resolution does not bring the row back; a new raise does")
    func redelivery() {
        var board = EscalationBoard()
        board.apply(Self.escalation(id(100), level: 1, raisedAt: at(minutes: 10)))
        board.apply(Self.resolved(id(100), at: at(minutes: 30)))
        #expect(board.apply(Self.escalation(id(100), level: 1, raisedAt: at(minutes: 10))).isEmpty)
        #expect(board.apply(Self.escalation(id(100), .ackOverdue, level: 1, raisedAt: at(minutes: 40))).count == 1)
    }

    @Test("other events change nothing")
    func otherEvents() {
        var board = EscalationBoard()
        let status = Event.requestStatus(
            RequestStatus(
                id: UUID(), createdAt: t0, requestID: id(2), caseID: Cases.late, status: .routed,
                detail: "routed", causedBy: UUID()))
        #expect(board.apply(status).isEmpty)
    }

    @Test("the table: oldest deadline first, overdue measured from the deadline, or from the raise without one")
    func table() {
        var board = EscalationBoard()
        board.apply(
            Self.escalation(id(101), .freezeOverdue, level: 2, raisedAt: at(minutes: 50), deadline: at(minutes: 35)))
        board.apply(
            Self.escalation(id(100), .ackOverdue, level: 2, raisedAt: at(minutes: 25), deadline: at(minutes: 10)))
        board.apply(Self.escalation(id(102), .unroutable, raisedAt: at(minutes: 30), deadline: nil))
        board.apply(Self.escalation(id(103), .holdExpiring, raisedAt: at(minutes: 60), deadline: at(minutes: 180)))
        let table = board.table(now: reportNow)
        let lines = table.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(lines[0] == ["ESCALATION", "KIND", "LEVEL", "BANK", "CASE", "REQUEST", "DEADLINE", "OVERDUE"])
        #expect(lines.count == 6)
        #expect(
            lines[2] == [
                "00000000", "ack_overdue", "2", "beta", Cases.late, "00000000", "2026-03-02T09:10:00Z", "1h50m",
            ])
        #expect(lines[3] == ["00000000", "unroutable", "1", "-", Cases.late, "00000000", "-", "open", "1h30m"])
        #expect(lines[4].suffix(2) == ["2026-03-02T09:35:00Z", "1h25m"])
        #expect(lines[5].suffix(4) == ["2026-03-02T12:00:00Z", "due", "in", "1h00m"])
        #expect(EscalationBoard().table(now: reportNow).hasSuffix("(no open escalation)"))
    }

    static func notice(_ kind: IntakeNotice.Kind, partition: Int, at time: Timestamp) -> Event {
        .intakeNotice(
            IntakeNotice(
                id: UUID(), createdAt: time, kind: kind, topic: "freeze.requests", partition: partition,
                code: kind == .partitionHalted ? .recordMismatch : nil, ledgerPosition: 60,
                newPosition: kind == .partitionRebased ? 0 : nil, epoch: kind == .partitionRebased ? 1 : nil,
                note: kind == .partitionRebased ? "n" : nil, detail: "d"))
    }

    @Test("a halted partition is shown until it is re-based; a stale re-base does not hide a later halt")
    func haltedPartitions() {
        var board = EscalationBoard()
        board.apply(Self.notice(.partitionHalted, partition: 2, at: at(minutes: 10)))
        board.apply(Self.notice(.partitionHalted, partition: 0, at: at(minutes: 11)))
        #expect(board.haltedPartitions.map(\.partition) == [0, 2])
        #expect(
            board.table(now: at(minutes: 20)).contains(
                "INTAKE HALTED on freeze.requests[2] (record_mismatch) since 2026-03-02T09:10:00Z"))
        board.apply(Self.notice(.partitionRebased, partition: 2, at: at(minutes: 15)))
        #expect(board.haltedPartitions.map(\.partition) == [0])
        board.apply(Self.notice(.partitionRebased, partition: 0, at: at(minutes: 5)))
        #expect(board.haltedPartitions.map(\.partition) == [0])
        #expect(board.rows.isEmpty)
    }
}
