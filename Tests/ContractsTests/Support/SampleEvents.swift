import Contracts
import Foundation

/// Events built in Swift (not read from files), covering every type and every status/kind, for
/// round-trip and schema checks of what the Swift side produces.
enum SampleEvents {
    static func id(_ name: String) -> UUID { UUIDv5.make(namespace: UUIDv5.urlNamespace, name: "sample:\(name)") }
    static func time(_ text: String) -> Timestamp { try! Timestamp(parsing: text) }
    static func kzt(_ value: String) -> Money { try! Money(value: value, currency: "KZT") }

    static let kaspi = try! BankID("kaspi")
    static let jusan = try! BankID("jusan")
    static let kaspiIBAN = try! IBAN("KZ84722C000012345678")
    static let jusanIBAN = try! IBAN("KZ69998P000987654321")
    static let issuer = Issuer(agency: "Almaty City Police Department", unit: "Cybercrime Unit", officerID: "ALM-04512")

    static let request = FreezeRequest(
        id: id("fr-event"), createdAt: time("2024-05-14T09:12:03.5Z"), requestID: id("fr"),
        caseID: "ERDR-247500031000123",
        issuedAt: time("2024-05-14T09:11:40Z"), priority: .urgent, issuer: issuer,
        legalBasis: "Resolution No. 247500031000123/1 (Art. 161 CPC RK)",
        account: TargetAccount(iban: kaspiIBAN, holderName: "Ержан Сапаров", nationalID: "900101300123"),
        amount: kzt("1250000"),
        fraudTransaction: FraudTransaction(
            occurredAt: time("2024-05-14T07:45:12Z"), reference: "HB-1", description: "call \"bank security\"\n/ slash"),
        requestedHoldHours: 72)

    static let transfers: [OnwardTransfer] = [
        OnwardTransfer(
            destination: .iban(
                IBANDestination(iban: jusanIBAN, bic: try! BIC("TSESKZKAXXX"), bankName: "Jusan", holderName: "D. A.")),
            amount: kzt("600000.10"), occurredAt: time("2024-05-14T08:01:55.123456Z"), reference: "KSP-1"),
        OnwardTransfer(
            destination: .cryptoWallet(
                CryptoWalletDestination(network: "TRON", address: "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE")),
            amount: kzt("0.0001"), occurredAt: time("2024-05-14T08:10:31Z"), reference: "KSP-2"),
        OnwardTransfer(
            destination: .cashWithdrawal(CashWithdrawalDestination()), amount: kzt("100000"),
            occurredAt: time("2024-05-14T08:30:00Z"), reference: "KSP-3"),
        OnwardTransfer(
            destination: .card(CardDestination(maskedPAN: "************1234", network: "visa")), amount: kzt("5"),
            occurredAt: time("2024-05-14T08:31:12.000000001Z"), reference: "KSP-4"),
    ]

    static func response(_ status: BankResponseStatus) -> BankResponse {
        BankResponse(
            id: id("br-\(status.rawValue)"), createdAt: time("2024-05-14T09:20:00Z"),
            responseID: "R-\(status.rawValue)", requestID: id("fr"),
            status: status,
            frozenAmount: status.holdsFunds ? kzt("200000.00") : nil,
            reason: status == .rejected ? "Decision could not be verified." : nil,
            respondedAt: time("2024-05-14T09:19:58Z"),
            holdUntil: status.holdsFunds ? time("2024-05-17T09:19:58Z") : nil,
            onwardTransfers: status == .fundsMoved || status == .partiallyFrozen ? transfers : [])
    }

    static func status(_ state: StatusKind) -> RequestStatus {
        RequestStatus(
            id: id("rs-\(state.rawValue)"), createdAt: time("2024-05-14T09:20:00.120Z"), requestID: id("fr"),
            caseID: "ERDR-247500031000123",
            bankID: state == .unroutable ? nil : kaspi, status: state, detail: "State is now \(state.rawValue).",
            causedBy: id("cause-\(state.rawValue)"),
            frozenAmount: state == .frozen || state == .partiallyFrozen ? kzt("200000") : nil,
            chain: state == .chainLimitReached ? ChainPosition(parentRequestID: id("parent"), hop: 64) : nil,
            children: state == .fundsMoved
                ? [
                    ChildRequest(
                        requestID: DeterministicIDs.childRequestID(parent: id("fr"), transferReference: "KSP-1"),
                        bankID: jusan, iban: jusanIBAN, amount: kzt("600000.10")),
                    ChildRequest(
                        requestID: id("child-2"), bankID: nil, iban: try! IBAN("DE89370400440532013000"),
                        amount: kzt("1")),
                ] : [],
            exits: state == .chainExit || state == .fundsMoved
                ? [ChainExit(reportedBy: kaspi, transfer: transfers[1])] : [],
            caseTotals: CaseTotals(
                stolen: kzt("1250000"), frozen: kzt("0"), moving: kzt("600000.10"), exited: kzt("0.0001")),
            escalation: state == .escalated
                ? EscalationSummary(escalationID: id("esc"), kind: .ackOverdue, level: 3) : nil)
    }

    static func escalation(_ kind: EscalationKind) -> Escalation {
        Escalation(
            id: id("e-\(kind.rawValue)"), createdAt: time("2024-05-14T09:27:05Z"),
            escalationID: id("esc-\(kind.rawValue)"), kind: kind, level: 1,
            bankID: [.unroutable, .unauthenticatedOrder, .quotaExceeded].contains(kind) ? nil : kaspi,
            requestID: id("fr"),
            caseID: kind == .foreignResponse ? nil : "ERDR-247500031000123",
            deadline: [.ackOverdue, .freezeOverdue, .holdExpiring].contains(kind)
                ? time("2024-05-14T09:27:04.020Z") : nil,
            overdueSeconds: kind == .ackOverdue || kind == .freezeOverdue ? 0 : nil,
            raisedAt: time("2024-05-14T09:27:05Z"),
            contact: kind == .ackOverdue
                ? Contact(name: "Duty desk", email: "desk@bank.example", phone: "+7 727 244 55 55") : nil,
            detail: "Escalated: \(kind.rawValue).",
            exit: kind == .chainExit ? ChainExit(reportedBy: kaspi, transfer: transfers[2]) : nil)
    }

    static var all: [Event] {
        var events: [Event] = [
            .freezeRequest(request),
            .freezeRequest(
                FreezeRequest(
                    id: id("fr2-event"), createdAt: time("2024-06-02T16:00:00Z"), requestID: id("fr2"), caseID: "K",
                    issuedAt: time("2024-06-02T15:58:31Z"), priority: .normal,
                    issuer: Issuer(agency: "A", officerID: "1"),
                    legalBasis: "x", account: TargetAccount(iban: jusanIBAN),
                    amount: try! Money(value: "999999999999999999.9999", currency: "USD"),
                    fraudTransaction: FraudTransaction(occurredAt: time("0001-01-01T00:00:00Z"), reference: "r"),
                    chain: ChainPosition(parentRequestID: id("fr"), hop: 1))),
            .freezeCancel(
                FreezeCancel(
                    id: id("c"), createdAt: time("2024-05-15T08:00:00Z"), requestID: id("fr"),
                    reason: "Recovered.\r\nDone.", issuedAt: time("2024-05-15T07:59:10Z"), issuer: issuer)),
            .routedRequest(
                RoutedRequest(
                    routing: request, id: DeterministicIDs.eventID(cause: request.id, kind: "routed_request"),
                    createdAt: time("2024-05-14T09:12:04.020Z"),
                    bankID: kaspi, acknowledgeBy: time("2024-05-14T09:27:04.020Z"),
                    freezeBy: time("2024-05-14T10:12:04.020Z"))),
            .routedCancel(
                RoutedCancel(
                    id: id("rc"), createdAt: time("2024-05-15T08:00:00.431Z"), requestID: id("fr"),
                    caseID: "ERDR-247500031000123", bankID: kaspi,
                    reason: "Recovered.", issuedAt: time("2024-05-15T07:59:10Z"), issuer: issuer)),
            .escalationResolved(
                EscalationResolved(
                    id: id("er"), createdAt: time("2024-05-14T09:45:00Z"), escalationID: id("esc"),
                    resolution: .superseded,
                    resolvedAt: time("2024-05-14T09:44:58Z"), requestID: id("fr"), caseID: "ERDR-247500031000123",
                    bankID: kaspi, detail: "Level 2 raised.")),
            .escalationResolved(
                EscalationResolved(
                    id: id("er2"), createdAt: time("2024-05-14T09:45:00Z"), escalationID: id("esc2"),
                    resolution: .cancelled,
                    resolvedAt: time("2024-05-14T09:44:58Z"), requestID: id("fr"))),
            .deadLetter(
                DeadLetter(
                    id: id("dl"), createdAt: time("2024-05-14T11:00:00.001Z"),
                    source: .init(topic: "freeze.requests", partition: 2_147_483_647, offset: Int64.max),
                    key: Array("k".utf8), value: [0xFF, 0x00, 0x7B, 0x22],
                    headers: [.init(name: "h", value: []), .init(name: "", value: nil)],
                    reason: .init(
                        ContractError(code: .invalidJSON, path: nil, reason: "invalid JSON at byte 0: invalid UTF-8")),
                    deadLetteredAt: time("2024-05-14T11:00:00.001Z"))),
            .deadLetter(
                DeadLetter(
                    id: id("dl2"), createdAt: time("2024-05-14T11:00:00Z"),
                    source: .init(topic: "freeze.bank.kaspi.responses", partition: 0, offset: 0),
                    key: nil, value: nil,
                    reason: .init(code: .foreignResponse, path: "request_id", message: "not routed to kaspi"),
                    deadLetteredAt: time("2024-05-14T11:00:00Z"))),
            .intakeNotice(
                IntakeNotice(
                    id: id("in"), createdAt: time("2024-06-03T02:14:07.512Z"), kind: .partitionHalted,
                    topic: "freeze.requests", partition: 2,
                    code: .logEndsBeforePosition, ledgerPosition: 60, offset: Int64.max, logStart: 0, logEnd: 3,
                    detail: "stopped\nreading")),
            .intakeNotice(
                IntakeNotice(
                    id: id("in2"), createdAt: time("2024-06-03T02:41:55Z"), kind: .partitionRebased,
                    topic: "freeze.requests", partition: 0,
                    ledgerPosition: 60, newPosition: IntakeNotice.fromBeginning, epoch: 1, note: "re-created",
                    detail: "re-based")),
            .linkedAccount(
                LinkedAccount(
                    id: id("la"), createdAt: time("2024-05-15T11:02:07.400Z"), requestID: id("r"),
                    caseID: "ERDR-2", bankID: kaspi,
                    linkedCases: [
                        LinkedCase(caseID: "ERDR-1 \"quoted\"", requestID: id("r1")),
                        LinkedCase(caseID: "ERDR-0", requestID: id("r0")),
                    ],
                    linkedCaseCount: 7, detail: "named in\t7 other cases")),
            .requestStatus(
                RequestStatus(
                    id: id("sl"), createdAt: time("2024-05-15T11:02:07Z"), requestID: id("r"), caseID: "ERDR-2",
                    status: .held, detail: "held", linkedCases: [LinkedCase(caseID: "ERDR-1", requestID: id("r1"))])),
        ]
        events += BankResponseStatus.allCases.map { .bankResponse(response($0)) }
        events += StatusKind.allCases.map { .requestStatus(status($0)) }
        events += EscalationKind.allCases.map { .escalation(escalation($0)) }
        return events
    }
}
