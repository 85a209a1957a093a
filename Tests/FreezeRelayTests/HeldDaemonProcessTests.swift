import Contracts
import Foundation
import RelayKafka
import RelayTestSupport
import Testing

@testable import FreezeRelay
@testable import Ledger

/// The running daemon's side of `freeze-relay release`: the command cannot take the ledger's writer
/// lock the daemon holds, so it leaves the order in the ledger; the daemon carries it out and
/// records the outcome, and the released request reaches its bank.
@Suite("freeze-relay release with the daemon running", .serialized)
struct HeldDaemonProcessTests {
    @Test("a request held by the account quota is released through the running daemon and reaches its bank")
    func releaseThroughTheDaemon() async throws {
        let (cluster, logger) = try DaemonProcess.quietCluster("held-process-test")
        defer { cluster.close() }
        for topic in [
            "freeze.requests", "freeze.status", "freeze.escalations", "freeze.deadletter", "freeze.bank.alpha.requests",
            "freeze.bank.alpha.responses",
        ] {
            try cluster.createTopic(topic, partitions: 1)
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "held-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let ledgerPath = directory.appendingPathComponent("ledger.sqlite").path
        let configPath = directory.appendingPathComponent("relay.yaml").path
        let yaml =
            DaemonProcess.config(bootstrap: cluster.bootstrapServers, ledger: ledgerPath, banks: [("alpha", "125")])
            + "quotas:\n  account:\n    open_requests: 1\n"
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)

        let police = try KafkaProducer(
            configuration: KafkaConfiguration(["bootstrap.servers": cluster.bootstrapServers]), logger: logger)
        defer { police.close(timeout: .seconds(2)) }
        let bank = try KafkaConsumer(
            configuration: KafkaConfiguration([
                "bootstrap.servers": cluster.bootstrapServers, "session.timeout.ms": "6000",
                "heartbeat.interval.ms": "500", "topic.metadata.refresh.interval.ms": "1000",
            ]),
            groupID: "bank-alpha", logger: logger)
        defer { try? bank.close() }
        try bank.subscribe(["freeze.bank.alpha.requests"])

        let mule = kzIBAN(bank: "125", account: 4242)
        func request(_ caseID: String) -> FreezeRequest {
            let now = Timestamp(Date())
            return FreezeRequest(
                id: UUID(), createdAt: now, requestID: UUID(), caseID: caseID, issuedAt: now, priority: .urgent,
                issuer: Issuer(agency: "Test Police", officerID: "T-1"), legalBasis: "Test decision",
                account: TargetAccount(iban: mule), amount: try! Money(value: "1000.00", currency: "KZT"),
                fraudTransaction: FraudTransaction(occurredAt: now, reference: "TX-\(caseID)"))
        }
        let first = request("HELD-1")
        let second = request("HELD-2")
        let process = try DaemonProcess.launch(configPath, log: directory.appendingPathComponent("daemon.log"))
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        for order in [first, second] {
            _ = try await police.send(
                OutgoingMessage(
                    topic: "freeze.requests", key: Array(CanonicalUUID.string(order.requestID).utf8),
                    value: try EventEncoder.encode(order)))
        }

        func state(_ id: UUID) throws -> String? {
            guard FileManager.default.fileExists(atPath: ledgerPath) else { return nil }
            let reader = try LedgerReader.open(at: ledgerPath)
            defer { reader.close() }
            return try reader.read { db in
                try db.scalar(
                    "SELECT state FROM requests WHERE request_id = ?", [CanonicalUUID.string(id)], as: String.self)
            }
        }
        let heldBy = ContinuousClock.now + .seconds(90)
        while try state(second.requestID) != "held" {
            guard ContinuousClock.now < heldBy else { throw CommandTimeout(what: "the second request held") }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(try state(first.requestID) == "routed")

        let output = try await ReleaseCommand.parse([
            "--config", configPath, CanonicalUUID.string(second.requestID),
            "--operator", "ops-9", "--reason", "second victim's case confirmed", "--wait", "60",
        ]).output()
        #expect(output.contains("the daemon (pid \(process.processIdentifier)) is running: it carried out order #1"))
        #expect(try #require(row(output, CanonicalUUID.string(second.requestID))).contains("released"))

        var routed: Set<UUID> = []
        let routedBy = ContinuousClock.now + .seconds(90)
        while !routed.contains(second.requestID) {
            guard ContinuousClock.now < routedBy else {
                throw CommandTimeout(what: "the released request at the bank (have \(routed.count))")
            }
            for message in try await bank.nextBatch(maxMessages: 100, timeout: .milliseconds(200)) {
                if case .routedRequest(let event)? = try? EventDecoder.decodeEvent(message.value ?? []) {
                    routed.insert(event.requestID)
                }
            }
        }
        #expect(routed == [first.requestID, second.requestID])

        kill(process.processIdentifier, SIGTERM)
        await process.exited()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        #expect(try state(second.requestID) == "routed")
        let reader = try LedgerReader.open(at: ledgerPath)
        defer { reader.close() }
        let audit = try reader.read { db in
            try db.query(
                "SELECT detail FROM audit WHERE request_id = ? ORDER BY seq", [CanonicalUUID.string(second.requestID)]
            ) { row in try row["detail"] as String }
        }
        #expect(audit.last?.contains("ops-9") == true && audit.last?.contains("second victim's case confirmed") == true)
    }
}
