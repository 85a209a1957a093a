import Contracts
import Foundation
import Kafka
import Logging

/// Simulated police systems: publish the demo's requests, a few broken records, and stage an
/// answer from the wrong bank.
final class PoliceSimulator: Sendable {
    private let producer: KafkaProducer
    private let topics: TopicNames

    init(bootstrap: String, topics: TopicNames, logger: Logger) throws {
        producer = try KafkaProducer(configuration: KafkaConfiguration(["bootstrap.servers": bootstrap]), logger: logger, clientName: "demo police")
        self.topics = topics
    }

    func run(simulators: [BankSimulator], timeScale: Double) async {
        let requests = DemoScenario.policeRequests(now: Timestamp(Date()))
        for request in requests {
            guard !Task.isCancelled else { return }
            await publish(request)
            try? await Task.sleep(for: .milliseconds(Int64(1200 * timeScale)))
        }
        // Broken input: not JSON; a float amount; keyed by case instead of request id.
        await send(OutgoingMessage(topic: topics.requests, key: Array("garbage".utf8), value: Array("{\"type\": \"freeze_request\", ".utf8)))
        if let sample = requests.last, let json = try? EventEncoder.encode(sample) {
            let broken = String(decoding: json, as: UTF8.self).replacingOccurrences(of: "\"90000.00\"", with: "9.0e4")
            var copy = sample
            copy.requestID = UUID()
            await send(OutgoingMessage(topic: topics.requests, key: Array(CanonicalUUID.string(sample.requestID).utf8), value: Array(broken.utf8)))
            await send(OutgoingMessage(topic: topics.requests, key: Array(copy.caseID.utf8), value: (try? EventEncoder.encode(copy)) ?? []))
        }
        // kaspi answers about a request that went to halyk: refused as a foreign answer.
        if let halykRequest = requests.first(where: { $0.account.iban.bankIdentifier == "601" }),
           let kaspi = simulators.first(where: { $0.bank.rawValue == "kaspi" }) {
            let now = Timestamp(Date())
            let routed = RoutedRequest(routing: halykRequest, id: UUID(), createdAt: now, bankID: try! BankID("halyk"), acknowledgeBy: now, freezeBy: now)
            await kaspi.send(.frozen, for: routed, responseID: "kaspi-impostor-1")
        }
    }

    func stop() { producer.close(timeout: .seconds(1)) }

    private func publish(_ request: FreezeRequest) async {
        guard let bytes = try? EventEncoder.encode(request) else { return }
        await send(OutgoingMessage(topic: topics.requests, key: Array(CanonicalUUID.string(request.requestID).utf8), value: bytes,
                                   headers: MessageHeaders.headers(for: request).map { KafkaHeader(name: $0.name, value: $0.value) }))
    }

    private func send(_ message: OutgoingMessage) async {
        _ = try? await producer.send(message)
    }
}
