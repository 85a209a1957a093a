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

/// How long the web console takes to answer the case view of a large case, served by the real
/// console over loopback HTTP and fetched `rounds` times. Two cases:
/// - `hops` requests in one line, each also sending money to a crypto wallet, held in memory:
///   the contracts cap a stored request's hop at 64, so a 200-hop case exists only here
///   (rendering and HTTP);
/// - a case of about as many requests as a ledger can hold them: a 50-hop line whose every hop
///   also moves money to three accounts that freeze it, written to a fresh ledger and read
///   through the console's read-only reader (the ledger read, rendering and HTTP together).
enum ConsoleBench {
    struct Result {
        var label: String
        var milliseconds: [Double]
        var bytes: Int
    }

    static func run(hops: Int, rounds: Int, logger: Logger) async throws -> [Result] {
        let long = chain(hops: hops, fanOut: 0)
        let inMemory = try await measure(
            long, ledger: InMemoryCase(detail: long), rounds: rounds, logger: logger,
            label: "\(hops) hops, in memory")

        let wide = chain(hops: 50, fanOut: 3)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-console-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("ledger.sqlite").path
        let ledger = try Ledger.open(at: path, configuration: LedgerConfiguration(durability: .normal))
        try ledger.write { transaction in
            var effects = Effects()
            effects.requests = wide.requests
            effects.edges = wide.edges
            try transaction.apply(effects, outbox: [], at: wide.requests[0].receivedAt)
        }
        ledger.close()
        let reader = try LedgerReader.open(at: path)
        defer { reader.close() }
        guard try reader.caseDetail(wide.caseID)?.requests.count == wide.requests.count else {
            throw BenchFailure("the ledger does not hold the case just written")
        }
        let stored = try await measure(
            wide, ledger: reader, rounds: rounds, logger: logger,
            label: "\(wide.requests.count) requests in 50 hops, from a ledger")
        return [inMemory, stored]
    }

    private static func measure(
        _ detail: CaseDetail, ledger: any ConsoleLedger, rounds: Int, logger: Logger, label: String
    ) async throws -> Result {
        let token = ConsoleToken.random()
        let address = Mutex<String?>(nil)
        let service = ConsoleService(
            settings: ConsoleSettings(host: "127.0.0.1", port: 0, token: token),
            ledger: ledger, logger: logger, onListening: { bound in address.withLock { $0 = bound } })
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
        return Result(label: label, milliseconds: times.sorted(), bytes: bytes)
    }

    /// A case whose requests form a line of `hops`, police's at hop 0; every hop but the last
    /// also sends money to a crypto wallet and to `fanOut` accounts that freeze it.
    static func chain(hops: Int, fanOut: Int) -> CaseDetail {
        let caseID = "BENCH-CASE-\(hops)-\(fanOut)"
        var requests: [RequestRecord] = []
        var edges: [ChainEdge] = []
        func add(_ name: String, hop: Int, parent: RequestRecord?, frozen: Bool) -> RequestRecord {
            let made = record(caseID, name, number: requests.count, hop: hop, parent: parent?.requestID, frozen: frozen)
            requests.append(made)
            if let parent {
                edges.append(
                    edge(
                        caseID, from: parent, to: .iban(IBANDestination(iban: made.iban)),
                        outcome: .child(made.requestID), reference: "T-\(edges.count)"))
            }
            return made
        }
        var previous: RequestRecord?
        for hop in 0..<hops {
            let current = add("\(hop)", hop: hop, parent: previous, frozen: hop == hops - 1)
            if hop < hops - 1 {
                edges.append(
                    edge(
                        caseID, from: current,
                        to: .cryptoWallet(CryptoWalletDestination(network: "TRON", address: "TXbench\(hop)")),
                        outcome: .exit(.cryptoWallet), reference: "T-\(edges.count)"))
                for branch in 0..<fanOut { _ = add("\(hop).\(branch)", hop: hop + 1, parent: current, frozen: true) }
            }
            previous = current
        }
        return CaseDetail(caseID: caseID, requests: requests, edges: edges, escalations: [], audit: [])
    }

    private static func record(
        _ caseID: String, _ name: String, number: Int, hop: Int, parent: UUID?, frozen: Bool
    ) -> RequestRecord {
        let start = Timestamp(secondsSinceEpoch: 1_772_442_000)
        let amount = try! Money(value: "1000000.00", currency: "KZT")
        let id = UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: "\(caseID)-\(name)")
        let code = Bench.codes[number % Bench.codes.count]
        let iban = try! IBAN(countryCode: "KZ", bban: code + String(format: "%013d", number))
        let time = start.adding(seconds: Int64(hop) * 90)
        let request = FreezeRequest(
            id: id, createdAt: time, requestID: id, caseID: caseID, issuedAt: time, priority: .urgent,
            issuer: Issuer(agency: "Bench Police", officerID: "B-1"), legalBasis: "Benchmark decision",
            account: TargetAccount(iban: iban, holderName: "Bench Holder"), amount: amount,
            fraudTransaction: FraudTransaction(occurredAt: time, reference: "TX-\(name)"),
            chain: parent.map { ChainPosition(parentRequestID: $0, hop: hop) })
        return RequestRecord(
            request: request, fingerprint: ContentFingerprint(request), state: frozen ? .frozen : .fundsMoved,
            bankID: try! BankID("bank\(number % Bench.codes.count)"), receivedAt: time, routedAt: time,
            acknowledgedAt: time.adding(seconds: 20), answeredAt: time.adding(seconds: 60),
            frozenAt: frozen ? time.adding(seconds: 60) : nil, acknowledgeBy: time.adding(seconds: 300),
            freezeBy: time.adding(seconds: 1800), frozenAmount: frozen ? amount : nil)
    }

    private static func edge(
        _ caseID: String, from: RequestRecord, to destination: TransferDestination, outcome: EdgeOutcome,
        reference: String
    ) -> ChainEdge {
        ChainEdge(
            caseID: caseID, fromRequestID: from.requestID, reportedBy: from.bankID!,
            transfer: OnwardTransfer(
                destination: destination, amount: try! Money(value: "1000.00", currency: "KZT"),
                occurredAt: from.receivedAt, reference: reference),
            outcome: outcome, recordedAt: from.receivedAt)
    }

    /// The console's view of a ledger holding one case in memory.
    struct InMemoryCase: ConsoleLedger {
        let detail: CaseDetail
        func openEscalations(limit: Int) throws -> [EscalationRecord] { [] }
        func caseDetail(_ caseID: String) throws -> CaseDetail? { caseID == detail.caseID ? detail : nil }
        func bankStatistics(now: Timestamp) throws -> [BankStatistics] { [] }
        func deadLetters(limit: Int) throws -> [DeadLetterEntry] { [] }
        func caseID(ofRequest requestID: UUID) throws -> String? { nil }
        func accountLinks(ofCase caseID: String) throws -> [CaseAccountLink] { [] }
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
