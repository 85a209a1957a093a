import Contracts
import Foundation
import Relay
import RelayTestSupport
import Testing

/// Fixed values shared by the relay tests: banks, accounts, times, topics.
enum Fixture {
    // MARK: Time

    /// 2026-03-02T09:00:00Z, a Monday morning.
    static let t0 = Timestamp(secondsSinceEpoch: 1_772_442_000)

    static func minutes(_ n: Int64) -> Duration { .seconds(n * 60) }
    static func hours(_ n: Int64) -> Duration { .seconds(n * 3600) }

    // MARK: Banks

    static let alpha = bank("alpha")
    static let beta = bank("beta")
    static let gamma = bank("gamma")
    static let delta = bank("delta")
    static let epsilon = bank("epsilon")
    static let offline = bank("offline")
    /// A bank id that is not in the routing table at all.
    static let stranger = bank("stranger")

    static let alphaContact = Contact(name: "Alpha fraud desk", email: "fraud@alpha.example", phone: "+7 727 000 0001")

    /// alpha KZ601, beta KZ602 (slower urgent SLA), gamma KZ603 (own topics), delta KZ604,
    /// epsilon KZ605 (also by BIC EPSNKZKA), offline KZ609 (disabled). KZ999 belongs to nobody.
    static let profiles: [BankProfile] = [
        BankProfile(
            id: alpha, name: "Alpha Bank", ibanBankCodes: ["KZ601"], bics: ["ALFAKZKA"], escalationContact: alphaContact
        ),
        BankProfile(
            id: beta, name: "Beta Bank", ibanBankCodes: ["KZ602"],
            slaOverrides: [
                .urgent: ResponseTimeOverrides(acknowledge: .seconds(10 * 60)),
                .normal: ResponseTimeOverrides(acknowledge: .seconds(20 * 60), freeze: .seconds(4 * 3600)),
            ]),
        BankProfile(
            id: gamma, name: "Gamma Bank", ibanBankCodes: ["KZ603"],
            requestsTopic: "gamma.freeze.inbound", responsesTopic: "gamma.freeze.outbound"),
        BankProfile(id: delta, name: "Delta Bank", ibanBankCodes: ["KZ604"]),
        BankProfile(id: epsilon, name: "Epsilon Bank", ibanBankCodes: ["KZ605"], bics: ["EPSNKZKA"]),
        BankProfile(id: offline, name: "Offline Bank", ibanBankCodes: ["KZ609"], enabled: false),
    ]

    static let topics = try! TopicNames()

    static func policy(
        sla: SLAPolicy = .standard, chain: ChainLimits = ChainLimits(), banks: [BankProfile] = profiles,
        topics: TopicNames = topics, quotas: IntakeQuotas = .unlimited, accountLinks: AccountLinkPolicy = .off
    ) -> RelayPolicy {
        RelayPolicy(
            routing: try! RoutingTable(banks: banks), sla: sla, chain: chain, topics: topics, quotas: quotas,
            accountLinks: accountLinks)
    }

    static func engine(
        sla: SLAPolicy = .standard, chain: ChainLimits = ChainLimits(), banks: [BankProfile] = profiles,
        quotas: IntakeQuotas = .unlimited, accountLinks: AccountLinkPolicy = .off
    ) -> RelayEngine {
        RelayEngine(policy: policy(sla: sla, chain: chain, banks: banks, quotas: quotas, accountLinks: accountLinks))
    }

    static func bank(_ id: String) -> BankID { try! BankID(id) }

    // MARK: Accounts

    /// A valid Kazakh IBAN at bank code `code` (3 digits), with check digits computed.
    static func iban(_ code: String, _ account: Int) -> IBAN { TestValues.kazakhIBAN(bankCode: code, account: account) }

    static func withCheckDigits(country: String, bban: String) -> String {
        TestValues.withCheckDigits(country: country, bban: bban)
    }

    static func alphaAccount(_ n: Int) -> IBAN { iban("601", n) }
    static func betaAccount(_ n: Int) -> IBAN { iban("602", n) }
    static func gammaAccount(_ n: Int) -> IBAN { iban("603", n) }
    static func deltaAccount(_ n: Int) -> IBAN { iban("604", n) }
    static func epsilonAccount(_ n: Int) -> IBAN { iban("605", n) }
    static func offlineAccount(_ n: Int) -> IBAN { iban("609", n) }
    static func unknownAccount(_ n: Int) -> IBAN { iban("999", n) }

    // MARK: Ids and money

    /// A readable, distinct UUID per number.
    static func uuid(_ n: Int) -> UUID { TestValues.uuid(n) }

    static func kzt(_ value: String) -> Money { TestValues.kzt(value) }

    static let issuer = Issuer(agency: "Ministry of Internal Affairs", unit: "Cybercrime", officerID: "MVD-0417")
    static let caseID = "KUI-2026-000417"
    static let operatorDecision = OperatorDecision(
        operatorID: "ops-duty-7", reason: "confirmed with the issuing unit by phone")
    /// The holder names the fixture's events carry, which no audit line may repeat.
    static let holderNames = ["Ivan Petrov", "Mule Holder"]

    /// What the relay world assumes where a test leaves it out: this fixture's case, alpha, t0.
    static let worldDefaults = RelayWorld.Defaults(
        caseID: caseID, bank: alpha, operatorDecision: operatorDecision, time: t0, personalNames: holderNames)

    // MARK: Events

    static func request(
        _ requestID: UUID = uuid(1), caseID: String = caseID, iban: IBAN = alphaAccount(1),
        amount: Money = kzt("1000000"),
        priority: Priority = .urgent, issuedAt: Timestamp = t0, holder: String? = "Ivan Petrov", hold: Int? = 720,
        eventID: UUID? = nil
    ) -> FreezeRequest {
        FreezeRequest(
            id: eventID ?? DeterministicIDs.eventID(cause: requestID, kind: "test-police-event"), createdAt: issuedAt,
            requestID: requestID, caseID: caseID, issuedAt: issuedAt, priority: priority, issuer: issuer,
            legalBasis: "Art. 190 CC RK, decision 2026/417", account: TargetAccount(iban: iban, holderName: holder),
            amount: amount,
            fraudTransaction: FraudTransaction(
                occurredAt: issuedAt.subtracting(hours(2)), reference: "FRAUD-417", description: "phone scam"),
            requestedHoldHours: hold)
    }

    static func cancel(
        _ requestID: UUID = uuid(1), caseID: String? = caseID, at time: Timestamp = t0,
        reason: String = "victim recovered the money"
    ) -> FreezeCancel {
        FreezeCancel(
            id: DeterministicIDs.eventID(cause: requestID, kind: "test-cancel:\(time.secondsSinceEpoch)"),
            createdAt: time,
            requestID: requestID, reason: reason, issuedAt: time, issuer: issuer, caseID: caseID)
    }

    static func response(
        _ status: BankResponseStatus, for requestID: UUID = uuid(1), id responseID: String? = nil, frozen: Money? = nil,
        holdUntil: Timestamp? = nil, reason: String? = nil, transfers: [OnwardTransfer] = [], at time: Timestamp = t0
    ) -> BankResponse {
        let responseID = responseID ?? "resp-\(status.rawValue)-\(time.secondsSinceEpoch)"
        let reason = reason ?? (status == .rejected ? "no court order attached" : nil)
        return BankResponse(
            id: DeterministicIDs.eventID(cause: requestID, kind: "test-response:\(responseID)"), createdAt: time,
            responseID: responseID, requestID: requestID, status: status, frozenAmount: frozen, reason: reason,
            respondedAt: time, holdUntil: holdUntil, onwardTransfers: transfers)
    }

    static func toAccount(
        _ iban: IBAN, _ amount: Money, ref: String, at time: Timestamp = t0, bic: String? = nil,
        holder: String? = "Mule Holder"
    ) -> OnwardTransfer {
        OnwardTransfer(
            destination: .iban(
                IBANDestination(iban: iban, bic: bic.map { try! BIC($0) }, bankName: nil, holderName: holder)),
            amount: amount, occurredAt: time, reference: ref)
    }

    static func toWallet(
        _ amount: Money, ref: String, network: String = "TRON", address: String = "TXyz9Qw1mule0wallet0address0001",
        exchange: String? = "Binance", at time: Timestamp = t0
    ) -> OnwardTransfer {
        OnwardTransfer(
            destination: .cryptoWallet(CryptoWalletDestination(network: network, address: address, exchange: exchange)),
            amount: amount, occurredAt: time, reference: ref)
    }

    static func toCash(_ amount: Money, ref: String, location: String? = "ATM Almaty Abay 10", at time: Timestamp = t0)
        -> OnwardTransfer
    {
        OnwardTransfer(
            destination: .cashWithdrawal(CashWithdrawalDestination(location: location)), amount: amount,
            occurredAt: time, reference: ref)
    }

    static func toCard(_ amount: Money, ref: String, pan: String? = "440043******1234", at time: Timestamp = t0)
        -> OnwardTransfer
    {
        OnwardTransfer(
            destination: .card(CardDestination(maskedPAN: pan, network: "VISA")), amount: amount, occurredAt: time,
            reference: ref)
    }

    /// A record of `request` in `state`, as the ledger would hold it after the usual path there.
    static func record(
        _ state: RequestState, request: FreezeRequest = request(), bank: BankID? = alpha,
        frozen: Money? = nil, holdUntil: Timestamp? = nil
    ) -> RequestRecord {
        let routed = !state.awaitsRouting && state != .refused
        let holds = state == .frozen || state == .partiallyFrozen
        return RequestRecord(
            request: request, fingerprint: ContentFingerprint(request), state: state, bankID: routed ? bank : nil,
            receivedAt: t0, routedAt: routed ? t0 : nil, acknowledgeBy: routed ? t0.adding(minutes(5)) : nil,
            freezeBy: routed ? t0.adding(minutes(30)) : nil,
            frozenAmount: holds ? (frozen ?? request.amount) : nil, holdUntil: holds ? holdUntil : nil,
            reason: routed ? nil : "no bank")
    }
}

extension Timestamp {
    func plus(minutes n: Int64) -> Timestamp { adding(.seconds(n * 60)) }
    func plus(hours n: Int64) -> Timestamp { adding(.seconds(n * 3600)) }
    func plus(seconds n: Int64) -> Timestamp { adding(.seconds(n)) }
}

extension RelayWorld {
    /// A world with the fixture's engine (or `engine`) and the fixture's defaults.
    convenience init(_ engine: RelayEngine = Fixture.engine()) {
        self.init(engine, defaults: Fixture.worldDefaults)
    }
}

/// The shared contract checks, with the fixture's holder names as the personal data to look for.
func checkContracts(_ effects: Effects, policy: RelayPolicy, sourceLocation: SourceLocation = #_sourceLocation) {
    checkContracts(effects, policy: policy, personalNames: Fixture.holderNames, sourceLocation: sourceLocation)
}
