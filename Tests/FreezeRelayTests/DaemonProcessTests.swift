import Contracts
import Foundation
import Logging
import RelayKafka
import RelayTestSupport
import TestSupport
import Testing

@testable import Ledger

/// The real `freeze-relay run` process: killed with SIGKILL mid-stream, reloaded with SIGHUP,
/// told to retry with SIGUSR1, stopped with SIGTERM.
@Suite("The daemon as a process", .serialized)
struct DaemonProcessTests {
    /// Reads routed requests from the bank topics until `done` holds.
    func routed(_ consumer: KafkaConsumer, into seen: inout [UUID: Set<UUID>], until done: ([UUID: Set<UUID>]) -> Bool)
        async throws
    {
        let deadline = ContinuousClock.now + .seconds(90)
        while !done(seen) {
            guard ContinuousClock.now < deadline else {
                throw CommandTimeout(what: "routed requests (have \(seen.count))")
            }
            for message in try await consumer.nextBatch(maxMessages: 500, timeout: .milliseconds(200)) {
                if case .routedRequest(let routed)? = try? EventDecoder.decodeEvent(message.value ?? []) {
                    seen[routed.requestID, default: []].insert(routed.id)
                }
            }
        }
    }

    @Test(
        "SIGKILL mid-stream loses nothing; SIGHUP reloads the table; SIGUSR1 routes what was unroutable; SIGTERM exits 0"
    )
    func processLifecycle() async throws {
        let (cluster, logger) = try DaemonProcess.quietCluster("process-test")
        defer { cluster.close() }
        for topic in [
            "freeze.requests", "freeze.status", "freeze.escalations", "freeze.deadletter",
            "freeze.bank.alpha.requests", "freeze.bank.alpha.responses", "freeze.bank.beta.requests",
            "freeze.bank.beta.responses",
        ] {
            try cluster.createTopic(topic, partitions: 2)
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let ledgerPath = directory.appendingPathComponent("ledger.sqlite").path
        let configPath = directory.appendingPathComponent("relay.yaml").path
        // At info, each process logs "freeze-relay running" once its signal handlers are installed.
        func config(_ banks: [(String, String)]) -> String {
            DaemonProcess.config(bootstrap: cluster.bootstrapServers, ledger: ledgerPath, banks: banks)
                .replacingOccurrences(of: "level: warning", with: "level: info")
        }
        try config([("alpha", "125")]).write(toFile: configPath, atomically: true, encoding: .utf8)

        let police = try KafkaProducer(
            configuration: KafkaConfiguration(["bootstrap.servers": cluster.bootstrapServers]), logger: logger)
        defer { police.close(timeout: .seconds(2)) }
        let watcher = try KafkaConsumer(
            configuration: KafkaConfiguration([
                "bootstrap.servers": cluster.bootstrapServers, "session.timeout.ms": "6000",
                "heartbeat.interval.ms": "500", "topic.metadata.refresh.interval.ms": "1000",
            ]),
            groupID: "process-watch", logger: logger)
        defer { try? watcher.close() }
        try watcher.subscribe(["^freeze\\.bank\\..*\\.requests$"])

        func request(_ index: Int, code: String) -> FreezeRequest {
            let now = Timestamp(Date())
            return FreezeRequest(
                id: UUID(), createdAt: now, requestID: UUID(), caseID: "PROC-\(index)", issuedAt: now,
                priority: .urgent,
                issuer: Issuer(agency: "Test Police", officerID: "T-1"), legalBasis: "Test decision",
                account: TargetAccount(iban: kzIBAN(bank: code, account: 7000 + index)),
                amount: try! Money(value: "1000.00", currency: "KZT"),
                fraudTransaction: FraudTransaction(occurredAt: now, reference: "TX-\(index)"))
        }
        func publish(_ request: FreezeRequest) async throws {
            _ = try await police.send(
                OutgoingMessage(
                    topic: "freeze.requests", key: Array(CanonicalUUID.string(request.requestID).utf8),
                    value: try EventEncoder.encode(request)))
        }

        // Both processes' logs, shown when an expectation about the process fails.
        let log = directory.appendingPathComponent("daemon.log")
        func logText() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        func logTail() -> String { String(logText().suffix(4_000)) }
        var process = try DaemonProcess.launch(configPath, log: log)
        let requests = (0..<40).map { request($0, code: "125") }
        let stranger = request(99, code: "601")  // beta's code: not in the table yet
        var seen: [UUID: Set<UUID>] = [:]
        for request in requests.prefix(20) { try await publish(request) }
        try await routed(watcher, into: &seen) { $0.count >= 5 }
        // Kill it hard while the rest is still arriving.
        for request in requests.dropFirst(20) { try await publish(request) }
        try await publish(stranger)
        kill(process.processIdentifier, SIGKILL)
        await process.exited()
        #expect(process.terminationReason == .uncaughtSignal)

        process = try DaemonProcess.launch(configPath, log: log)
        // The first process may have routed everything before it was killed, and a signal sent
        // before the new one installed its handlers would kill it (SIGHUP's default action): wait
        // until it says it runs.
        let upBy = ContinuousClock.now + .seconds(60)
        while process.isRunning, logText().components(separatedBy: "freeze-relay running").count - 1 < 2,
            ContinuousClock.now < upBy
        {
            try await Task.sleep(for: .milliseconds(100))
        }
        try await routed(watcher, into: &seen) { seen in requests.allSatisfy { seen[$0.requestID] != nil } }
        #expect(
            requests.allSatisfy { seen[$0.requestID]?.count == 1 }, "every re-emission carried the first emission's id")

        // The request for beta's account is kept as unroutable (it may be applied in a later batch
        // than the last of alpha's): wait for that before beta joins the table.
        let keptBy = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < keptBy {
            let reader = try LedgerReader.open(at: ledgerPath)
            let state = try reader.read { db in
                try db.scalar(
                    "SELECT state FROM requests WHERE request_id = ?", [CanonicalUUID.string(stranger.requestID)],
                    as: String.self)
            }
            reader.close()
            if state == "unroutable" { break }
            try await Task.sleep(for: .milliseconds(100))
        }

        // The operator adds beta to the table: SIGHUP reloads it, SIGUSR1 routes the kept request.
        try config([("alpha", "125"), ("beta", "601")]).write(toFile: configPath, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        // SIGHUP is handled asynchronously: retry until the reloaded table has routed the request.
        let deadline = ContinuousClock.now + .seconds(30)
        while seen[stranger.requestID] == nil, ContinuousClock.now < deadline {
            kill(process.processIdentifier, SIGUSR1)
            try await routed(watcher, into: &seen) { _ in true }
            for message in try await watcher.nextBatch(maxMessages: 100, timeout: .milliseconds(500)) {
                if case .routedRequest(let routed)? = try? EventDecoder.decodeEvent(message.value ?? []) {
                    seen[routed.requestID, default: []].insert(routed.id)
                }
            }
        }
        #expect(
            seen[stranger.requestID] != nil,
            "the unroutable request was routed after reload and retry; log:\n\(logTail())")

        kill(process.processIdentifier, SIGTERM)
        await process.exited()
        #expect(
            process.terminationReason == .exit && process.terminationStatus == 0,
            "terminated by \(process.terminationReason == .exit ? "exit" : "signal") \(process.terminationStatus); log:\n\(logTail())"
        )

        let reader = try LedgerReader.open(at: ledgerPath)
        defer { reader.close() }
        let (requestsStored, routedOnce, unsent) = try reader.read { db in
            (
                try db.scalar("SELECT count(*) FROM requests", as: Int.self) ?? 0,
                try db.scalar(
                    "SELECT count(*) FROM audit WHERE new_state = 'routed' AND old_state IS NULL", as: Int.self) ?? 0,
                try db.scalar("SELECT count(*) FROM outbox WHERE sent_at IS NULL", as: Int.self) ?? 0
            )
        }
        #expect(requestsStored == 41)
        #expect(routedOnce == 40, "40 routed on arrival; the 41st was first unroutable, then routed")
        #expect(unsent == 0, "SIGTERM drained the outbox")
    }
}
