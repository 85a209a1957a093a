import Contracts
import Foundation
import Logging
import Relay
import RelayKafka
import RelayTestSupport

@testable import RelayRuntime

let quietLogger: Logger = {
    var logger = Logger(label: "relay-runtime-tests")
    logger.logLevel = .critical
    return logger
}()

let alphaCode = "125"
let betaCode = "601"
let gammaCode = "722"
let outsiderCode = "999"

func bank(_ id: String, code: String, enabled: Bool = true) -> BankProfile {
    BankProfile(
        id: try! BankID(id), name: "\(id.capitalized) Bank", ibanBankCodes: ["KZ\(code)"], enabled: enabled,
        escalationContact: Contact(name: "\(id) fraud desk", email: "fraud@\(id).example"))
}

func testPolicy(banks: [BankProfile]? = nil) -> RelayPolicy {
    let table = try! RoutingTable(
        banks: banks ?? [bank("alpha", code: alphaCode), bank("beta", code: betaCode), bank("gamma", code: gammaCode)])
    return RelayPolicy(routing: table, sla: .standard, chain: ChainLimits(), topics: try! TopicNames())
}

let t0 = try! Timestamp(parsing: "2026-03-02T09:00:00Z")

func freezeRequest(
    _ id: UUID = UUID(), caseID: String = "CASE-\(Int.random(in: 1000...9999))", iban: IBAN,
    amount: String = "250000.00",
    priority: Priority = .urgent, at time: Timestamp = t0
) -> FreezeRequest {
    FreezeRequest(
        id: UUID(), createdAt: time, requestID: id, caseID: caseID, issuedAt: time, priority: priority,
        issuer: Issuer(agency: "Almaty City Police", unit: "Cybercrime", officerID: "OF-1001"),
        legalBasis: "Decision 12-345 of the investigator, art. 190 CC",
        account: TargetAccount(iban: iban, holderName: "Test Holder"),
        amount: try! Money(value: amount, currency: "KZT"),
        fraudTransaction: FraudTransaction(
            occurredAt: time.adding(.seconds(-3600)), reference: "TX-\(id.uuidString.prefix(8))"))
}

func answer(
    _ request: UUID, _ status: BankResponseStatus, responseID: String = UUID().uuidString, frozen: String? = nil,
    holdUntil: Timestamp? = nil, reason: String? = nil, transfers: [OnwardTransfer] = [], at time: Timestamp = t0
) -> BankResponse {
    BankResponse(
        id: UUID(), createdAt: time, responseID: responseID, requestID: request, status: status,
        frozenAmount: frozen.map { try! Money(value: $0, currency: "KZT") }, reason: reason, respondedAt: time,
        holdUntil: holdUntil, onwardTransfers: transfers)
}

func cancel(_ request: UUID, caseID: String? = nil, at time: Timestamp = t0) -> FreezeCancel {
    FreezeCancel(
        id: UUID(), createdAt: time, requestID: request, reason: "victim recovered the money", issuedAt: time,
        issuer: Issuer(agency: "Almaty City Police", officerID: "OF-1001"), caseID: caseID)
}

/// An outgoing record for a police or bank event, keyed by request id as the contracts require.
func record(_ event: some ContractEvent, topic: String, key: String? = nil) -> OutgoingMessage {
    let bytes = try! EventEncoder.encode(event)
    let requestKey = key ?? event.asEvent.requestID.map(CanonicalUUID.string)
    return OutgoingMessage(
        topic: topic, key: requestKey.map { Array($0.utf8) }, value: bytes,
        headers: MessageHeaders.headers(for: event).map { KafkaHeader(name: $0.name, value: $0.value) })
}
