import Contracts
import Foundation
import Ledger
import Relay
import RelayTestSupport
import Testing

@testable import FreezeRelay
@testable import RelayRuntime

/// `freeze-relay held`, `release` and `refuse` on a stopped daemon's ledger (the running
/// daemon's side, the spool and SIGUSR2, is in `HeldRequestTests` and `HeldDaemonProcessTests`).
@Suite("freeze-relay held, release, refuse")
struct HeldCommandsTests {
    let fixture: FixtureLedger
    static let heldA = id(501), heldB = id(502), heldOther = id(503)

    /// The fixture plus three held requests: two for one mule account (CASE-HELD-A, -B), one
    /// from another agency.
    init() throws {
        fixture = try FixtureLedger()
        let ledger = try Ledger.open(at: fixture.path, configuration: LedgerConfiguration(durability: .normal))
        defer { ledger.close() }
        var policy = fixturePolicy
        policy.quotas = IntakeQuotas(account: .init(openRequests: 1))
        let engine = RelayEngine(policy: policy)
        let agency = QuotaIssuer(registeredID: nil, agency: "Almaty City Police")
        for (n, (requestID, caseID)) in [
            (Self.heldA, "CASE-HELD-A"), (Self.heldB, "CASE-HELD-B"), (Self.heldOther, "CASE-HELD-C"),
        ].enumerated() {
            var request = FixtureStory.request(
                requestID, caseID, bank: alphaCode, account: 77, at: at(minutes: 40 + Int64(n)))
            if requestID == Self.heldOther { request.issuer = Issuer(agency: "Shymkent Police", officerID: "SH-1") }
            try ledger.write { tx in
                let cause = Cause.record(topic: "freeze.requests", partition: 1, offset: Int64(n), eventID: request.id)
                let effects = engine.receive(
                    request, fingerprint: ContentFingerprint(request), context: .init(record: nil),
                    case: try tx.caseContext(caseID), quota: QuotaUsage(issuer: agency, accountOpen: 1),
                    cause: cause, now: request.createdAt)
                #expect(effects.outcome == .held)
                try tx.apply(
                    effects,
                    outbox: try OutboxEncoding.messages(
                        for: effects, refusedRecord: nil, policy: policy, cause: cause, now: request.createdAt),
                    at: request.createdAt)
            }
        }
    }

    func configuration() throws -> String {
        let yaml =
            "ledger:\n  durability: normal\nauthenticity:\n  policy: \"off\"\nbanks:\n"
            + [("alpha", alphaCode), ("beta", betaCode), ("gamma", gammaCode)].map { id, code in
                "  - id: \(id)\n    name: \(id.capitalized) Bank\n    iban_bank_codes: [KZ\(code)]\n    escalation_contact:\n      email: fraud@\(id).example\n"
            }.joined()
        let path = fixture.file("relay.yaml")
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `$USER` is not set everywhere the tests run, so the operator is named where it matters.
    func arguments(_ extra: [String]) throws -> [String] {
        ["--config", try configuration(), "--database", fixture.path, "--now", reportNowText] + extra
    }

    func state(_ request: UUID) throws -> RequestState? {
        let reader = try fixture.reader()
        defer { reader.close() }
        return try reader.caseDetail(try #require(caseOf(request)))?.requests.first { $0.requestID == request }?.state
    }

    func caseOf(_ request: UUID) -> String? {
        [Self.heldA: "CASE-HELD-A", Self.heldB: "CASE-HELD-B", Self.heldOther: "CASE-HELD-C"][request]
    }

    @Test("held lists the held requests, oldest first, with agency and why, and no account numbers")
    func listsHeld() throws {
        let output = try HeldCommand.parse(["--database", fixture.path]).output()
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("REQUEST") == true)
        #expect(
            lines.dropFirst(2).prefix(3).map { String($0.prefix(36)) }
                == [Self.heldA, Self.heldB, Self.heldOther].map(CanonicalUUID.string))
        #expect(output.contains("Shymkent Police") && output.contains("account_open_requests"))
        #expect(output.hasSuffix("3 held request(s)"))
        #expect(!output.contains(kzIBAN(bank: alphaCode, account: 77).electronicFormat))
    }

    @Test("offline release routes the request, audits who and why; its events wait in the outbox")
    func releaseOffline() async throws {
        let output = try await ReleaseCommand.parse(
            try arguments([
                CanonicalUUID.string(Self.heldA), "--operator", "ops-3", "--reason", "unit confirmed by phone",
            ])
        ).output()
        #expect(output.contains("the daemon is not running: applied directly"))
        #expect(try #require(row(output, CanonicalUUID.string(Self.heldA))).contains("released"))
        #expect(output.contains("1 of 1 request(s) released"))
        #expect(try state(Self.heldA) == .routed)
        #expect(try state(Self.heldB) == .held)
        let ledger = try Ledger.open(at: fixture.path)
        defer { ledger.close() }
        let pending = try ledger.pendingOutbox(limit: 10_000).map(\.message)
        #expect(
            pending.contains {
                $0.eventType == "routed_request" && $0.topic == "freeze.bank.alpha.requests"
                    && $0.key == Array(CanonicalUUID.string(Self.heldA).utf8)
            })
        #expect(pending.contains { $0.eventType == "escalation_resolved" })
        let detail = try #require(try ledger.caseDetail("CASE-HELD-A"))
        let audit = detail.audit.map(\.entry.detail)
        #expect(audit.contains { $0.contains("ops-3") && $0.contains("unit confirmed by phone") })
    }

    @Test("refuse --all --agency refuses only that agency's held requests")
    func refuseByAgency() async throws {
        let output = try await RefuseCommand.parse(
            try arguments([
                "--all", "--agency", "Shymkent Police", "--operator", "ops-3", "--reason", "not sent by the unit",
            ])
        ).output()
        #expect(output.contains("1 of 1 request(s) refused"))
        #expect(try state(Self.heldOther) == .refused)
        #expect(try state(Self.heldA) == .held && state(Self.heldB) == .held)
        // Nothing held from that agency any more: nothing matches, nothing changes.
        let again = try await RefuseCommand.parse(
            try arguments(["--all", "--agency", "Shymkent Police", "--operator", "ops-3", "--reason", "again"])
        ).output()
        #expect(again.contains("no held requests matched"))
    }

    @Test("a request that is not held, or unknown, is reported and exits 1; the others are still decided")
    func notHeld() async throws {
        let command = try ReleaseCommand.parse(
            try arguments([
                CanonicalUUID.string(Requests.frozen), CanonicalUUID.string(id(999)),
                CanonicalUUID.string(Self.heldB), "--operator", "ops-3", "--reason", "checked",
            ]))
        #expect(await exitStatus(command) == 1)
        #expect(try state(Self.heldB) == .routed)
    }

    @Test(
        "usage mistakes exit 2 before anything is written",
        arguments: [
            ["--reason", "x"],
            [CanonicalUUID.string(id(501)), "--all", "--reason", "x"],
            [CanonicalUUID.string(id(501))],
            [CanonicalUUID.string(id(501)), "--reason", "   "],
            ["not-a-uuid", "--reason", "x"],
            [CanonicalUUID.string(id(501)), "--agency", "X", "--reason", "x"],
        ])
    func usage(extra: [String]) async throws {
        #expect(await exitStatus(try ReleaseCommand.parse(try arguments(extra))) == 2)
        #expect(try state(Self.heldA) == .held)
    }
}

@Suite("freeze-relay close-escalation")
struct CloseEscalationCommandTests {
    let fixture: FixtureLedger

    init() throws { fixture = try FixtureLedger() }

    func arguments(_ extra: [String]) -> [String] {
        ["--database", fixture.path, "--now", reportNowText, "--operator", "ops-5"] + extra
    }

    /// The chain case's open chain_exit escalation (the crypto wallet): only operators close it.
    func chainExit() throws -> UUID {
        let reader = try fixture.reader()
        defer { reader.close() }
        let detail = try #require(try reader.caseDetail(Cases.chain))
        return try #require(detail.escalations.first { $0.record.kind == .chainExit && $0.resolvedAt == nil }).record
            .escalationID
    }

    @Test(
        "offline: the escalation is closed, audited with who and why, and its escalation_resolved waits in the outbox")
    func closesOffline() async throws {
        let id = try chainExit()
        let output = try await CloseEscalationCommand.parse(
            arguments([CanonicalUUID.string(id), "--reason", "exchange contacted, wallet frozen"])
        ).output()
        #expect(output.contains("1 of 1 escalation(s) closed"))
        #expect(try #require(row(output, CanonicalUUID.string(id))).contains("closed"))
        let ledger = try Ledger.open(at: fixture.path)
        defer { ledger.close() }
        let detail = try #require(try ledger.caseDetail(Cases.chain))
        #expect(detail.escalations.first { $0.record.escalationID == id }?.resolution == .closed)
        #expect(
            detail.audit.contains {
                $0.entry.detail.contains("ops-5") && $0.entry.detail.contains("exchange contacted")
            })
        let pending = try ledger.pendingOutbox(limit: 10_000).map(\.message)
        #expect(
            pending.contains { message in
                guard message.eventType == "escalation_resolved",
                    case .escalationResolved(let event)? = try? EventDecoder.decodeEvent(message.payload)
                else { return false }
                return event.escalationID == id && event.resolution == .closed
            })
    }

    @Test("closing again, or an unknown id, exits 1 and changes nothing")
    func notOpen() async throws {
        let exit = try chainExit()
        _ = try await CloseEscalationCommand.parse(arguments([CanonicalUUID.string(exit), "--reason", "explained"]))
            .output()
        #expect(
            await exitStatus(
                try CloseEscalationCommand.parse(arguments([CanonicalUUID.string(exit), "--reason", "again"]))) == 1)
        #expect(
            await exitStatus(
                try CloseEscalationCommand.parse(arguments([CanonicalUUID.string(id(12345)), "--reason", "x"]))) == 1)
        #expect(await exitStatus(try CloseEscalationCommand.parse(arguments(["--reason", "x"]))) == 2)
        #expect(await exitStatus(try CloseEscalationCommand.parse(arguments([CanonicalUUID.string(exit)]))) == 2)
    }
}
