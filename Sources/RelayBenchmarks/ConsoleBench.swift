import Contracts
import Foundation
import Ledger
import Logging
import Relay
import RelayConsole
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// How long the web console takes to answer the case view of a long chain: a `hops`-hop case
/// (each hop moves money on to the next bank and some out to a crypto wallet; the last freezes),
/// served by the real console over loopback HTTP and fetched `rounds` times. The case is held
/// in memory, so this is rendering and HTTP; the ledger read (indexed by case) is not included.
enum ConsoleBench {
    struct Result {
        var milliseconds: [Double]
        var bytes: Int
    }

    static func run(hops: Int, rounds: Int, logger: Logger) async throws -> Result {
        let detail = chain(hops: hops)
        let token = ConsoleToken.random()
        let address = Mutex<String?>(nil)
        let service = ConsoleService(
            settings: ConsoleSettings(host: "127.0.0.1", port: 0, token: token),
            ledger: OneCase(detail: detail), logger: logger, onListening: { bound in address.withLock { $0 = bound } })
        let server = Task { try await service.run() }
        defer { server.cancel() }
        var bound: String?
        while bound == nil {
            try await Task.sleep(for: .milliseconds(20))
            bound = address.withLock { $0 }
        }
        var request = URLRequest(url: URL(string: "http://\(bound!)/case?id=\(detail.caseID)")!)
        request.setValue("Bearer \(token.revealed)", forHTTPHeaderField: "Authorization")
        var times: [Double] = []
        var bytes = 0
        for round in 0...rounds {
            let started = ContinuousClock.now
            let (data, response) = try await URLSession.shared.data(for: request)
            let elapsed = ContinuousClock.now - started
            guard (response as? HTTPURLResponse)?.statusCode == 200 else {
                throw BenchFailure("the console answered \(String(describing: response)) for the case view")
            }
            bytes = data.count
            // Round 0 warms the connection and the code paths up.
            if round > 0 { times.append(elapsed / .milliseconds(1)) }
        }
        return Result(milliseconds: times.sorted(), bytes: bytes)
    }

    /// A case of `hops` requests in a line, police's at hop 0.
    static func chain(hops: Int) -> CaseDetail {
        let caseID = "BENCH-CHAIN-\(hops)"
        let start = Timestamp(secondsSinceEpoch: 1_772_442_000)
        let amount = try! Money(value: "1000000.00", currency: "KZT")
        var requests: [RequestRecord] = []
        var edges: [ChainEdge] = []
        for hop in 0..<hops {
            let id = UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: "\(caseID)-\(hop)")
            let parent = hop == 0 ? nil : requests[hop - 1].requestID
            let code = Bench.codes[hop % Bench.codes.count]
            let iban = try! IBAN(countryCode: "KZ", bban: code + String(format: "%013d", hop))
            let time = start.adding(seconds: Int64(hop) * 90)
            let request = FreezeRequest(
                id: id, createdAt: time, requestID: id, caseID: caseID, issuedAt: time, priority: .urgent,
                issuer: Issuer(agency: "Bench Police", officerID: "B-1"), legalBasis: "Benchmark decision",
                account: TargetAccount(iban: iban, holderName: "Bench Holder"), amount: amount,
                fraudTransaction: FraudTransaction(occurredAt: time, reference: "TX-\(hop)"),
                chain: parent.map { ChainPosition(parentRequestID: $0, hop: hop) })
            let last = hop == hops - 1
            requests.append(
                RequestRecord(
                    request: request, fingerprint: ContentFingerprint(request), state: last ? .frozen : .fundsMoved,
                    bankID: try! BankID("bank\(hop % Bench.codes.count)"), receivedAt: time, routedAt: time,
                    acknowledgedAt: time.adding(seconds: 20), answeredAt: time.adding(seconds: 60),
                    frozenAt: last ? time.adding(seconds: 60) : nil, acknowledgeBy: time.adding(seconds: 300),
                    freezeBy: time.adding(seconds: 1800), frozenAmount: last ? amount : nil))
            if hop > 0 {
                edges.append(
                    edge(caseID, from: requests[hop - 1], to: .iban(IBANDestination(iban: iban)), outcome: .child(id)))
                edges.append(
                    edge(
                        caseID, from: requests[hop - 1],
                        to: .cryptoWallet(CryptoWalletDestination(network: "TRON", address: "TXbench\(hop)")),
                        outcome: .exit(.cryptoWallet)))
            }
        }
        return CaseDetail(caseID: caseID, requests: requests, edges: edges, escalations: [], audit: [])
    }

    private static func edge(
        _ caseID: String, from: RequestRecord, to destination: TransferDestination, outcome: EdgeOutcome
    ) -> ChainEdge {
        ChainEdge(
            caseID: caseID, fromRequestID: from.requestID, reportedBy: from.bankID!,
            transfer: OnwardTransfer(
                destination: destination, amount: try! Money(value: "1000.00", currency: "KZT"),
                occurredAt: from.receivedAt, reference: "T-\(from.hop)"),
            outcome: outcome, recordedAt: from.receivedAt)
    }

    /// The console's view of a ledger holding this one case.
    struct OneCase: ConsoleLedger {
        let detail: CaseDetail
        func openEscalations(limit: Int) throws -> [EscalationRecord] { [] }
        func caseDetail(_ caseID: String) throws -> CaseDetail? { caseID == detail.caseID ? detail : nil }
        func bankStatistics(now: Timestamp) throws -> [BankStatistics] { [] }
        func deadLetters(limit: Int) throws -> [DeadLetterEntry] { [] }
        func caseID(ofRequest requestID: UUID) throws -> String? { nil }
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
