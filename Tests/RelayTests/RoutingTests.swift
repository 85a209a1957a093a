import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

@Suite("Routing")
struct RoutingTests {
    @Test(
        "KZ IBANs go to the bank that owns their bank code",
        arguments: [
            ("601", "alpha"), ("602", "beta"), ("603", "gamma"), ("604", "delta"), ("605", "epsilon"),
        ])
    func routesByBankCode(code: String, bank: String) {
        let world = RelayWorld()
        let effects = world.receive(Fixture.request(iban: Fixture.iban(code, 123_456)))
        #expect(effects.outcome == .routed)
        let record = world.record(Fixture.uuid(1))
        #expect(record?.state == .routed)
        #expect(record?.bankID == Fixture.bank(bank))
        #expect(record?.routedAt == Fixture.t0)
        let routed = effects.routedRequests
        #expect(routed.count == 1)
        #expect(routed.first?.bankID == Fixture.bank(bank))
        #expect(routed.first?.requestID == Fixture.uuid(1))
        #expect(routed.first?.account.iban == Fixture.iban(code, 123_456))
        #expect(effects.statuses.map(\.status) == [.routed])
        #expect(effects.statuses.first?.bankID == Fixture.bank(bank))
        #expect(effects.escalations.isEmpty)
        #expect(Set(effects.schedule.map(\.kind)) == [.acknowledge, .freeze])
    }

    @Test("the routed request carries the whole police request and the deadlines")
    func routedRequestContent() throws {
        let world = RelayWorld()
        let request = Fixture.request(priority: .normal)
        let effects = world.receive(request)
        let routed = try #require(effects.routedRequests.first)
        #expect(routed.caseID == request.caseID)
        #expect(routed.priority == .normal)
        #expect(routed.issuer == request.issuer)
        #expect(routed.issuedAt == request.issuedAt)
        #expect(routed.legalBasis == request.legalBasis)
        #expect(routed.account == request.account)
        #expect(routed.amount == request.amount)
        #expect(routed.fraudTransaction == request.fraudTransaction)
        #expect(routed.requestedHoldHours == request.requestedHoldHours)
        #expect(routed.chain == nil)
        #expect(routed.acknowledgeBy == Fixture.t0.plus(minutes: 15))
        #expect(routed.freezeBy == Fixture.t0.plus(hours: 2))
        #expect(routed.createdAt == Fixture.t0)
    }

    @Test(
        "per-bank SLA overrides change the deadlines, only where set",
        arguments: [
            // beta: urgent ack 10m (freeze stays 30m); normal ack 20m, freeze 4h. alpha has none.
            ("602", Priority.urgent, Int64(10), Int64(30)),
            ("602", Priority.normal, Int64(20), Int64(240)),
            ("601", Priority.urgent, Int64(5), Int64(30)),
            ("601", Priority.normal, Int64(15), Int64(120)),
        ])
    func slaOverrides(code: String, priority: Priority, ackMinutes: Int64, freezeMinutes: Int64) throws {
        let world = RelayWorld()
        let now = Fixture.t0.plus(seconds: 17)
        let effects = world.receive(Fixture.request(iban: Fixture.iban(code, 1), priority: priority), at: now)
        let record = try #require(world.record(Fixture.uuid(1)))
        #expect(record.acknowledgeBy == now.plus(minutes: ackMinutes))
        #expect(record.freezeBy == now.plus(minutes: freezeMinutes))
        let routed = try #require(effects.routedRequests.first)
        #expect(routed.acknowledgeBy == now.plus(minutes: ackMinutes))
        #expect(routed.freezeBy == now.plus(minutes: freezeMinutes))
        let ack = try #require(effects.schedule.first { $0.kind == .acknowledge })
        #expect(ack.level == 1 && ack.deadline == now.plus(minutes: ackMinutes) && ack.dueAt == ack.deadline)
        let freeze = try #require(effects.schedule.first { $0.kind == .freeze })
        #expect(
            freeze.level == 1 && freeze.deadline == now.plus(minutes: freezeMinutes) && freeze.dueAt == freeze.deadline)
    }

    @Test("a disabled bank makes the request unroutable, with the reason; it is kept")
    func disabledBank() throws {
        let world = RelayWorld()
        let effects = world.receive(Fixture.request(iban: Fixture.offlineAccount(5)))
        #expect(effects.outcome == .unroutable)
        let record = try #require(world.record(Fixture.uuid(1)))
        #expect(record.state == .unroutable)
        #expect(record.bankID == nil)
        #expect(record.reason?.contains("offline") == true)
        #expect(record.reason?.contains("disabled") == true)
        #expect(effects.routedRequests.isEmpty)
        #expect(effects.schedule.isEmpty)
        let status = try #require(effects.statuses(.unroutable).first)
        #expect(status.detail.contains("disabled"))
        #expect(status.bankID == nil)
        let escalation = try #require(effects.escalationEvents.first)
        #expect(escalation.kind == .unroutable)
        #expect(escalation.bankID == nil)
        #expect(escalation.contact == nil)
        #expect(escalation.caseID == Fixture.caseID)
        #expect(escalation.detail.contains("disabled"))
        #expect(effects.escalations.map(\.kind) == [.unroutable])
        #expect(effects.refusal == nil)
    }

    @Test("an unknown bank code makes the request unroutable, naming the code")
    func unknownBankCode() throws {
        let world = RelayWorld()
        let effects = world.receive(Fixture.request(iban: Fixture.unknownAccount(5)))
        #expect(effects.outcome == .unroutable)
        let record = try #require(world.record(Fixture.uuid(1)))
        #expect(record.state == .unroutable)
        #expect(record.reason?.contains("KZ999") == true)
        #expect(effects.statuses(.unroutable).first?.detail.contains("KZ999") == true)
        #expect(effects.escalationEvents.map(\.kind) == [.unroutable])
        #expect(world.openEscalations(of: Fixture.uuid(1)).map(\.kind) == [.unroutable])
    }

    @Test("an IBAN of a country without a bank code the relay knows is unroutable")
    func foreignCountry() throws {
        let world = RelayWorld()
        let german = try IBAN("DE89370400440532013000")
        let effects = world.receive(Fixture.request(iban: german))
        #expect(effects.outcome == .unroutable)
        #expect(world.record(Fixture.uuid(1))?.reason?.contains("DE37040044") == true)
    }

    @Test("retry-unroutable routes the kept request once the table covers it, and closes the escalation")
    func retryUnroutable() throws {
        let stale = RelayWorld()
        stale.receive(Fixture.request(iban: Fixture.offlineAccount(5)))
        let still = stale.retryUnroutable(Fixture.uuid(1), at: Fixture.t0.plus(minutes: 5))
        #expect(still.outcome == .stillUnroutable && still.isEmpty)

        // The routing table is fixed (the offline bank is enabled again) and the command is run.
        var banks = Fixture.profiles
        banks[banks.firstIndex { $0.id == Fixture.offline }!].enabled = true
        let fixedEngine = Fixture.engine(banks: banks)
        let context = stale.context(Fixture.uuid(1))
        let later = Fixture.t0.plus(hours: 1)
        let effects = fixedEngine.retryUnroutable(
            context, case: stale.caseContext(Fixture.caseID),
            cause: .command("retry-unroutable", nonce: "1"), now: later)
        checkContracts(effects, policy: fixedEngine.policy)
        #expect(effects.outcome == .routed)
        let record = try #require(effects.record(Fixture.uuid(1)))
        #expect(record.state == .routed && record.bankID == Fixture.offline && record.reason == nil)
        #expect(record.acknowledgeBy == later.plus(minutes: 5))
        #expect(effects.routedRequests.first?.bankID == Fixture.offline)
        #expect(effects.resolved.map(\.resolution) == [.closed])
        #expect(
            effects.resolvedEvents.first?.escalationID
                == EscalationRecord.id(requestID: Fixture.uuid(1), kind: .unroutable))
        #expect(effects.audit.first?.oldState == .unroutable && effects.audit.first?.newState == .routed)

        // Not unroutable: nothing to retry.
        let routed = fixedEngine.retryUnroutable(
            .init(record: record), case: CaseContext(caseID: Fixture.caseID),
            cause: .command("retry-unroutable", nonce: "2"), now: later)
        #expect(routed.outcome == .notUnroutable && routed.isEmpty)
    }

    @Test("topic overrides: requests go to the bank's own topic")
    func requestsTopicOverride() {
        let world = RelayWorld()
        let effects = world.receive(Fixture.request(iban: Fixture.gammaAccount(1)))
        #expect(
            effects.events.first { if case .routedRequest = $0.event { true } else { false } }?.topic
                == "gamma.freeze.inbound")
        let standard = world.receive(Fixture.request(Fixture.uuid(2), iban: Fixture.deltaAccount(1)))
        #expect(
            standard.events.first { if case .routedRequest = $0.event { true } else { false } }?.topic
                == "freeze.bank.delta.requests")
    }

    @Test("fixed topic overrides are used for status and escalations")
    func fixedTopicOverrides() throws {
        let topics = try TopicNames(
            prefix: "kz-freeze", overrides: [.status: "police.status", .escalations: "ops.escalations"])
        let engine = RelayEngine(policy: Fixture.policy(topics: topics))
        let routed = engine.receive(
            Fixture.request(), fingerprint: ContentFingerprint(Fixture.request()), context: .init(record: nil),
            case: CaseContext(caseID: Fixture.caseID), cause: .command("t", nonce: "1"), now: Fixture.t0)
        checkContracts(routed, policy: engine.policy)
        #expect(Set(routed.events.map(\.topic)) == ["police.status", "kz-freeze.bank.alpha.requests"])
        let unroutable = engine.receive(
            Fixture.request(iban: Fixture.unknownAccount(1)),
            fingerprint: ContentFingerprint(Fixture.request(iban: Fixture.unknownAccount(1))),
            context: .init(record: nil), case: CaseContext(caseID: Fixture.caseID), cause: .command("t", nonce: "2"),
            now: Fixture.t0)
        checkContracts(unroutable, policy: engine.policy)
        #expect(Set(unroutable.events.map(\.topic)) == ["police.status", "ops.escalations"])
    }

    @Test("bank(forResponsesTopic:) reads the bank from the topic, honouring overrides, for configured banks only")
    func bankForResponsesTopic() {
        let policy = Fixture.policy()
        #expect(policy.bank(forResponsesTopic: "freeze.bank.alpha.responses") == Fixture.alpha)
        #expect(policy.bank(forResponsesTopic: "freeze.bank.delta.responses") == Fixture.delta)
        #expect(policy.bank(forResponsesTopic: "gamma.freeze.outbound") == Fixture.gamma)
        // Gamma's answers moved to its own topic; the standard one is not gamma's.
        #expect(policy.bank(forResponsesTopic: "freeze.bank.gamma.responses") == nil)
        // A well-formed topic of a bank not in the table names no bank: the relay does not read it.
        #expect(policy.bank(forResponsesTopic: "freeze.bank.stranger.responses") == nil)
        #expect(policy.bank(forResponsesTopic: "freeze.bank.alpha.requests") == nil)
        #expect(policy.bank(forResponsesTopic: "freeze.status") == nil)
        #expect(policy.bank(forResponsesTopic: "other.bank.alpha.responses") == nil)
        #expect(policy.bank(forResponsesTopic: "freeze.bank.Alpha.responses") == nil)
        #expect(policy.bank(forResponsesTopic: "freeze.bank..responses") == nil)
        #expect(policy.requestsTopic(of: Fixture.gamma) == "gamma.freeze.inbound")
        #expect(policy.requestsTopic(of: Fixture.alpha) == "freeze.bank.alpha.requests")
    }

    @Test("the routing table: enabled, disabled, unknown; BIC as the second key for transfers")
    func routingTableLookups() throws {
        let table = try RoutingTable(banks: Fixture.profiles)
        #expect(table.route(Fixture.alphaAccount(1)) == .bank(Fixture.profiles[0]))
        guard case .disabled(let profile) = table.route(Fixture.offlineAccount(1)) else {
            Issue.record("offline bank should be disabled")
            return
        }
        #expect(profile.id == Fixture.offline)
        #expect(table.route(Fixture.unknownAccount(1)) == .unknown(bankCode: "KZ999"))
        let byBIC = IBANDestination(iban: Fixture.unknownAccount(1), bic: try BIC("EPSNKZKAXXX"))
        guard case .bank(let epsilon) = table.route(byBIC) else {
            Issue.record("a BIC of a participating bank should route")
            return
        }
        #expect(epsilon.id == Fixture.epsilon)
        // The IBAN wins over the BIC.
        #expect(
            table.route(IBANDestination(iban: Fixture.alphaAccount(1), bic: try BIC("EPSNKZKA")))
                == .bank(Fixture.profiles[0]))
        #expect(throws: RoutingDirectoryError.self) {
            _ = try RoutingTable(banks: [
                Fixture.profiles[0], BankProfile(id: Fixture.beta, name: "B", ibanBankCodes: ["KZ601"]),
            ])
        }
    }
}
