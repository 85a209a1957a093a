import Contracts
import Foundation
import Ledger
import Relay
import RelayTestSupport

@testable import RelayConsole

/// A ledger held in memory: what the console would read, fixed by each test.
struct FixedLedger: ConsoleLedger {
    var escalations: [EscalationRecord] = []
    var cases: [String: CaseDetail] = [:]
    var banks: [BankStatistics] = []
    var letters: [DeadLetterEntry] = []
    var links: [String: [CaseAccountLink]] = [:]

    func openEscalations(limit: Int) throws -> [EscalationRecord] { Array(escalations.prefix(limit)) }
    func caseDetail(_ caseID: String) throws -> CaseDetail? { cases[caseID] }
    func bankStatistics(now: Timestamp) throws -> [BankStatistics] { banks }
    func deadLetters(limit: Int) throws -> [DeadLetterEntry] { Array(letters.prefix(limit)) }
    func accountLinks(ofCase caseID: String) throws -> [CaseAccountLink] { links[caseID] ?? [] }
    func caseID(ofRequest requestID: UUID) throws -> String? {
        cases.values.first { $0.requests.contains { $0.requestID == requestID } }?.caseID
    }
}

let t0 = try! Timestamp(parsing: "2026-03-02T09:00:00Z")
let fixtureNow = t0.adding(seconds: 3600)
let alpha = try! BankID("alpha")
let beta = try! BankID("beta")
func uuid(_ n: Int) -> UUID { TestValues.uuid(n) }

/// Test IBANs that pass the check digits; their last four characters are what screens show.
let rootIBAN = try! IBAN("KZ69998P000987654321")
let childIBAN = try! IBAN("DE89370400440532013000")

/// A request record as the ledger would hold it.
func record(
    _ requestID: UUID, caseID: String, iban: IBAN, bank: BankID, state: RequestState, amount: String = "900000.00",
    parent: UUID? = nil, hop: Int = 0, frozen: String? = nil
) -> RequestRecord {
    let request = FreezeRequest(
        id: uuid(9000 + hop), createdAt: t0, requestID: requestID, caseID: caseID, issuedAt: t0, priority: .urgent,
        issuer: Issuer(agency: "Almaty City Police", unit: "Cybercrime", officerID: "OF-1"),
        legalBasis: "Decision 1", account: TargetAccount(iban: iban, holderName: "Dauren Akhmetov"),
        amount: kzt(amount),
        fraudTransaction: FraudTransaction(occurredAt: t0, reference: "TX-1"),
        chain: parent.map { ChainPosition(parentRequestID: $0, hop: hop) })
    return RequestRecord(
        request: request, fingerprint: ContentFingerprint(request), state: state, bankID: bank,
        receivedAt: t0.adding(seconds: Int64(hop) * 60), routedAt: t0.adding(seconds: Int64(hop) * 60),
        frozenAt: frozen == nil ? nil : t0.adding(seconds: Int64(hop) * 60 + 240),
        acknowledgeBy: t0.adding(seconds: 300), freezeBy: t0.adding(seconds: 1800),
        frozenAmount: frozen.map(kzt))
}

/// A case whose money went from alpha to beta (frozen there) and out to a crypto wallet.
func chainCase(_ caseID: String) -> CaseDetail {
    let root = record(uuid(1), caseID: caseID, iban: rootIBAN, bank: alpha, state: .fundsMoved)
    let child = record(
        uuid(2), caseID: caseID, iban: childIBAN, bank: beta, state: .frozen, amount: "400000.00", parent: uuid(1),
        hop: 1, frozen: "400000.00")
    let toChild = ChainEdge(
        caseID: caseID, fromRequestID: uuid(1), reportedBy: alpha,
        transfer: OnwardTransfer(
            destination: .iban(IBANDestination(iban: childIBAN)), amount: kzt("400000.00"), occurredAt: t0,
            reference: "T1"),
        outcome: .child(uuid(2)), recordedAt: t0)
    let toWallet = ChainEdge(
        caseID: caseID, fromRequestID: uuid(1), reportedBy: alpha,
        transfer: OnwardTransfer(
            destination: .cryptoWallet(CryptoWalletDestination(network: "TRON", address: "TXwallet1")),
            amount: kzt("300000.00"), occurredAt: t0, reference: "T2"),
        outcome: .exit(.cryptoWallet), recordedAt: t0)
    return CaseDetail(caseID: caseID, requests: [root, child], edges: [toChild, toWallet], escalations: [], audit: [])
}

func escalation(_ n: Int, caseID: String, bank: BankID = beta, level: Int = 1, detail: String = "no answer")
    -> EscalationRecord
{
    EscalationRecord(
        escalationID: uuid(100 + n), kind: .freezeOverdue, level: level, requestID: uuid(n), caseID: caseID,
        bankID: bank, raisedAt: t0.adding(seconds: Int64(n) * 60), levelRaisedAt: t0, deadline: t0, detail: detail)
}

/// A dead letter's payload as the relay writes it.
func deadLetterPayload(code: String, message: String, value: String?) -> [UInt8] {
    var object: [String: Any] = [
        "type": "dead_letter", "source": ["topic": "freeze.requests", "partition": 0, "offset": 42],
        "reason": ["code": code, "message": message], "dead_lettered_at": "2026-03-02T09:10:00Z",
    ]
    object["value_base64"] = value.map { Data($0.utf8).base64EncodedString() } ?? NSNull()
    return [UInt8](try! JSONSerialization.data(withJSONObject: object))
}
