import Authenticity
import Contracts
import Foundation
import Logging
import RelayKafka

/// Simulated police systems: publish the demo's signed requests, a few broken records and two
/// forged orders, and stage an answer from the wrong bank.
package final class PoliceSimulator: Sendable {
    private let producer: KafkaProducer
    private let topics: TopicNames
    private let key: SigningKey
    private let keyID: String

    package init(bootstrap: String, topics: TopicNames, key: SigningKey, keyID: String, logger: Logger) throws {
        producer = try KafkaProducer(
            configuration: KafkaConfiguration(["bootstrap.servers": bootstrap]), logger: logger,
            clientName: "demo police")
        (self.topics, self.key, self.keyID) = (topics, key, keyID)
    }

    package func run(simulators: [BankSimulator], timeScale: Double) async {
        let requests = DemoScenario.policeRequests(now: Timestamp(Date()))
        for request in requests {
            guard !Task.isCancelled else { return }
            await publish(request)
            try? await Task.sleep(for: .milliseconds(Int64(1200 * timeScale)))
        }
        // Broken input: not JSON; a float amount; keyed by case instead of request id.
        await send(
            OutgoingMessage(
                topic: topics.requests, key: Array("garbage".utf8), value: Array("{\"type\": \"freeze_request\", ".utf8)
            ))
        if let sample = requests.last, let json = try? EventEncoder.encode(sample) {
            let broken = String(decoding: json, as: UTF8.self).replacingOccurrences(of: "\"90000.00\"", with: "9.0e4")
            var copy = sample
            copy.requestID = UUID()
            await send(
                OutgoingMessage(
                    topic: topics.requests, key: Array(CanonicalUUID.string(sample.requestID).utf8),
                    value: Array(broken.utf8)))
            await send(
                OutgoingMessage(
                    topic: topics.requests, key: Array(copy.caseID.utf8), value: (try? EventEncoder.encode(copy)) ?? [])
            )
            await sendForgeries(like: sample)
        }
        // kaspi answers about a request that went to halyk: refused as a foreign answer.
        if let halykRequest = requests.first(where: { $0.account.iban.bankIdentifier == "601" }),
            let kaspi = simulators.first(where: { $0.bank.rawValue == "kaspi" })
        {
            let now = Timestamp(Date())
            let routed = RoutedRequest(
                routing: halykRequest, id: UUID(), createdAt: now, bankID: try! BankID("halyk"), acknowledgeBy: now,
                freezeBy: now)
            await kaspi.send(.frozen, for: routed, responseID: "kaspi-impostor-1")
        }
    }

    /// Two orders no registered issuer signed: one from an invented agency without a signature,
    /// and a signed order whose amount was changed after signing. Both are refused.
    private func sendForgeries(like sample: FreezeRequest) async {
        var invented = sample
        (invented.id, invented.requestID, invented.caseID) = (UUID(), UUID(), "DEMO-FORGED")
        invented.issuer = Issuer(agency: "Fake Police Department", officerID: "X-1")
        await publish(invented, signed: false)
        var tampered = sample
        (tampered.id, tampered.requestID, tampered.caseID) = (UUID(), UUID(), "DEMO-TAMPERED")
        guard let original = try? EventEncoder.encode(tampered),
            let signature = try? DetachedJWS.sign(original, with: key, keyID: keyID)
        else { return }
        let altered = String(decoding: original, as: UTF8.self).replacingOccurrences(
            of: "\"\(sample.amount.value)\"", with: "\"1.00\"")
        await send(
            OutgoingMessage(
                topic: topics.requests, key: Array(CanonicalUUID.string(tampered.requestID).utf8),
                value: Array(altered.utf8),
                headers: [KafkaHeader(name: DetachedJWS.headerName, value: Array(signature.utf8))]))
    }

    package func stop() { producer.close(timeout: .seconds(1)) }

    private func publish(_ request: FreezeRequest, signed: Bool = true) async {
        guard let bytes = try? EventEncoder.encode(request) else { return }
        var headers = MessageHeaders.headers(for: request).map { KafkaHeader(name: $0.name, value: $0.value) }
        if signed, let signature = try? DetachedJWS.sign(bytes, with: key, keyID: keyID) {
            headers.append(KafkaHeader(name: DetachedJWS.headerName, value: Array(signature.utf8)))
        }
        await send(
            OutgoingMessage(
                topic: topics.requests, key: Array(CanonicalUUID.string(request.requestID).utf8), value: bytes,
                headers: headers))
    }

    private func send(_ message: OutgoingMessage) async {
        _ = try? await producer.send(message)
    }
}
