import Authenticity
import Contracts
import Foundation
import Logging
import RelayKafka
import Synchronization

/// How a simulated bank behaves.
package enum BankBehaviour: String, Sendable {
    /// Acknowledges within a second, freezes within three.
    case prompt
    /// Acknowledges and freezes late, after the deadlines: escalations, then resolutions.
    case slow
    /// Never answers: escalations climb every level.
    case silent
    /// Reports the money already moved on, where the demo's money trail says it went.
    case movesMoney
}

/// Where money went from an account, for banks that report `funds_moved`.
package typealias MoneyTrail = [IBAN: [OnwardTransfer]]

/// A bank's integration, simulated: reads its requests topic, answers on its responses topic.
package final class BankSimulator: Sendable {
    package let bank: BankID
    package let behaviour: BankBehaviour
    package let trail: MoneyTrail
    package let timeScale: Double
    private let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let responsesTopic: String
    private let pending = Mutex<[Task<Void, Never>]>([])
    /// The relay's public key, as a bank gets it from `freeze-relay keys jwks`.
    private let relayKey: VerificationKey
    /// Routed requests whose relay signature did not verify (a real bank would refuse them).
    package let unverified = Mutex(0)

    package init(
        bank: BankID, behaviour: BankBehaviour, trail: MoneyTrail, bootstrap: String, topics: TopicNames,
        timeScale: Double,
        relayKey: VerificationKey, logger: Logger
    ) throws {
        self.relayKey = relayKey
        self.bank = bank
        self.behaviour = behaviour
        self.trail = trail
        self.timeScale = timeScale
        let base = ["bootstrap.servers": bootstrap, "session.timeout.ms": "6000", "heartbeat.interval.ms": "500"]
        consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(base), groupID: "demo-bank-\(bank)", logger: logger)
        try consumer.subscribe([topics.bankRequests(bank)])
        producer = try KafkaProducer(
            configuration: KafkaConfiguration(["bootstrap.servers": bootstrap]), logger: logger,
            clientName: "demo bank \(bank)")
        responsesTopic = topics.bankResponses(bank)
    }

    /// Answers requests until the task is cancelled.
    package func run() async {
        while !Task.isCancelled {
            guard let batch = try? await consumer.nextBatch(maxMessages: 100, timeout: .milliseconds(200)) else {
                continue
            }
            for message in batch {
                guard case .routedRequest(let request)? = try? EventDecoder.decodeEvent(message.value ?? []) else {
                    continue
                }
                // As a bank's integration should: act only on what the relay signed.
                let signature = message.header(DetachedJWS.headerName)?.value ?? []
                guard let jws = try? DetachedJWS(parsing: signature), jws.verifies(message.value ?? [], with: relayKey)
                else {
                    unverified.withLock { $0 += 1 }
                    continue
                }
                respond(to: request)
            }
            try? consumer.store(batch)
        }
    }

    package func stop() {
        for task in pending.withLock({ $0 }) { task.cancel() }
        try? consumer.close()
        producer.close(timeout: .seconds(1))
    }

    private func respond(to request: RoutedRequest) {
        let plan: [(Double, BankResponseStatus)]
        switch behaviour {
        case .prompt: plan = [(0.8, .acknowledged), (2.5, .frozen)]
        case .slow: plan = [(8, .acknowledged), (28, .frozen)]
        case .silent: plan = []
        case .movesMoney: plan = [(1, .acknowledged), (3, trail[request.account.iban] == nil ? .frozen : .fundsMoved)]
        }
        for (delay, status) in plan {
            let task = Task { [self] in
                try? await Task.sleep(for: .milliseconds(Int64(delay * timeScale * 1000)))
                guard !Task.isCancelled else { return }
                await send(status, for: request)
            }
            pending.withLock { $0.append(task) }
        }
    }

    /// Sends an answer about any request, keyed by its id (also used to stage a foreign answer).
    package func send(_ status: BankResponseStatus, for request: RoutedRequest, responseID: String? = nil) async {
        let now = Timestamp(Date())
        let holds = status == .frozen || status == .partiallyFrozen
        let response = BankResponse(
            id: UUID(), createdAt: now,
            responseID: responseID ?? "\(bank)-\(status.rawValue)-\(request.requestID.uuidString.prefix(8))",
            requestID: request.requestID, status: status, frozenAmount: holds ? request.amount : nil, respondedAt: now,
            holdUntil: holds ? now.adding(seconds: Int64(45 * timeScale)) : nil,
            onwardTransfers: status == .fundsMoved ? trail[request.account.iban] ?? [] : [])
        guard let bytes = try? EventEncoder.encode(response) else { return }
        _ = try? await producer.send(
            OutgoingMessage(
                topic: responsesTopic, key: Array(CanonicalUUID.string(request.requestID).utf8), value: bytes,
                headers: MessageHeaders.headers(for: response).map { KafkaHeader(name: $0.name, value: $0.value) }))
    }
}
