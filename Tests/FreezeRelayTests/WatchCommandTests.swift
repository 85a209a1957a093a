import Contracts
import EmbeddedKafka
import Foundation
import RelayKafka
import Testing

@testable import FreezeRelay

/// `watch --once` against an in-process mock cluster.
@Suite("freeze-relay watch")
struct WatchCommandTests {
    func publish(_ event: some ContractEvent, key: String, with producer: KafkaProducer) async throws {
        _ = try await producer.send(
            OutgoingMessage(
                topic: "freeze.escalations", key: Array(key.utf8), value: try EventEncoder.encode(event),
                headers: MessageHeaders.headers(for: event).map { KafkaHeader(name: $0.name, value: $0.value) }))
    }

    @Test("--once --from-beginning shows the escalations still open after the topic is read to its end")
    func once() async throws {
        let cluster = try MockCluster(brokers: 1, logger: quietLogger)
        defer { cluster.close() }
        try cluster.createTopic("freeze.escalations", partitions: 3)
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(["bootstrap.servers": cluster.bootstrapServers]), logger: quietLogger)
        defer { producer.close(timeout: .seconds(5)) }

        let first = Escalation(
            id: UUID(), createdAt: at(minutes: 10), escalationID: id(200), kind: .ackOverdue, level: 1, bankID: beta,
            requestID: Requests.late, caseID: Cases.late, deadline: at(minutes: 10), overdueSeconds: 0,
            raisedAt: at(minutes: 10), detail: "beta has not acknowledged")
        let second = Escalation(
            id: UUID(), createdAt: at(minutes: 30), escalationID: id(201), kind: .unroutable, level: 1,
            requestID: Requests.unroutable, caseID: Cases.unroutable, raisedAt: at(minutes: 30), detail: "no bank")
        let resolution = EscalationResolved(
            id: UUID(), createdAt: at(minutes: 40), escalationID: id(200), resolution: .answered,
            resolvedAt: at(minutes: 40), requestID: Requests.late, caseID: Cases.late, bankID: beta)
        try await publish(first, key: Cases.late, with: producer)
        try await publish(second, key: Cases.unroutable, with: producer)
        try await publish(resolution, key: Cases.late, with: producer)
        // Something else on the topic is counted and skipped, not fatal.
        _ = try await producer.send(
            OutgoingMessage(topic: "freeze.escalations", key: nil, value: Array("not json".utf8)))

        let output = try await WatchCommand.parse([
            "--bootstrap-servers", cluster.bootstrapServers, "--from-beginning", "--once",
        ]).output()
        let rows = firstColumn(output).filter { !$0.hasPrefix("(") }
        #expect(rows == ["00000000"], "one open row expected:\n\(output)")
        let line = try #require(output.split(separator: "\n").first { $0.contains("unroutable") })
        #expect(line.contains(Cases.unroutable))
        #expect(!output.contains("ack_overdue"))
        #expect(output.hasPrefix("open escalations on freeze.escalations: 1 at "))
        #expect(output.contains("(1 record(s) that are not escalation events skipped)"))

        // Starting at the end, nothing published before the watch is shown.
        let latest = try await WatchCommand.parse(["--bootstrap-servers", cluster.bootstrapServers, "--once"]).output()
        #expect(latest.contains("(no open escalation)"), "\(latest)")
    }

    @Test("without bootstrap servers it exits 2; a topic that cannot be read fails with 1 after the timeout")
    func errors() async throws {
        #expect(await exitStatus(try WatchCommand.parse(["--once"])) == 2)
        #expect(
            await exitStatus(
                try WatchCommand.parse(["--once", "--bootstrap-servers", "127.0.0.1:9", "--catch-up-timeout", "1h1h"]))
                == 2)
        let cluster = try MockCluster(brokers: 1, logger: quietLogger)
        defer { cluster.close() }
        // No escalations topic on this cluster (and the mock does not create it for a consumer).
        let failed = await failure {
            try await WatchCommand.parse([
                "--bootstrap-servers", cluster.bootstrapServers, "--once", "--catch-up-timeout", "3s",
            ]).output()
        }
        #expect(failed?.exitCode == 1)
        #expect(failed?.message.contains("could not read freeze.escalations to its end within") == true)
    }
}
