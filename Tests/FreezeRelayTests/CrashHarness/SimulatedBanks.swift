import Contracts
import Foundation
import RelayKafka
import Synchronization
import TestSupport

/// The participating banks' integrations, simulated: they read the bank request topics and answer
/// on the responses topics as `BankPlan` says, keyed by request id. They run in the test process,
/// so their answers cross the daemon's kill points. A request seen again (a re-emission) is answered
/// again with the same bytes, as an at-least-once integration would; some answers are sent twice on
/// purpose, byte for byte or under a new envelope id.
final class SimulatedBanks: Sendable {
    struct Tally: Sendable {
        var routedSeen = 0
        var cancelsSeen = 0
        var answersSent = 0
        var duplicateAnswersSent = 0
        var failures: [String] = []
    }

    private let seed: UInt64
    private let time: Timestamp
    private let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let state = Mutex(Tally())

    init(bootstrap: String, seed: UInt64, time: Timestamp) throws {
        self.seed = seed
        self.time = time
        consumer = try KafkaConsumer(
            configuration: KafkaConfiguration(harnessClientProperties(bootstrap)),
            groupID: "crash-harness-banks", logger: quietLogger)
        try consumer.subscribe(["^freeze\\.bank\\..*\\.requests$"])
        producer = try KafkaProducer(
            configuration: KafkaConfiguration(["bootstrap.servers": bootstrap]), logger: quietLogger,
            clientName: "simulated banks")
    }

    var tally: Tally { state.withLock { $0 } }

    /// Answers until the task is cancelled.
    func run() async {
        while !Task.isCancelled {
            let batch: [KafkaMessage]
            do {
                batch = try await consumer.nextBatch(maxMessages: 200, timeout: .milliseconds(100))
            } catch {
                state.withLock { $0.failures.append("bank consumer: \(error)") }
                continue
            }
            for message in batch {
                switch try? EventDecoder.decodeEvent(message.value ?? []) {
                case .routedRequest(let routed)?:
                    state.withLock { $0.routedSeen += 1 }
                    await answer(routed)
                case .routedCancel?:
                    state.withLock { $0.cancelsSeen += 1 }
                default:
                    state.withLock {
                        $0.failures.append("\(message.topic)@\(message.offset): not a routed request or cancel")
                    }
                }
            }
        }
    }

    func close() {
        try? consumer.close()
        producer.close(timeout: .seconds(2))
    }

    private func answer(_ routed: RoutedRequest) async {
        let plan = BankPlan.of(routed.requestID, hop: routed.chain?.hop ?? 0, seed: seed, at: time)
        var random = SplitMix64(seed: seed ^ 0xD0B1_E5E7, subject: routed.requestID)
        let answers = plan.statuses.map { response($0, to: routed, plan: plan) }
        for answer in answers { await send(answer, about: routed, duplicate: false) }
        guard let last = answers.last else { return }
        if random.chance(20) { await send(last, about: routed, duplicate: true) }
        if random.chance(15) {
            var again = last
            again.id = UUIDv5.make(
                namespace: DeterministicIDs.namespace, name: "crash-harness-resend:\(CanonicalUUID.string(last.id))")
            again.createdAt = time.adding(seconds: 1)
            await send(again, about: routed, duplicate: true)
        }
    }

    private func response(_ status: BankResponseStatus, to routed: RoutedRequest, plan: BankPlan) -> BankResponse {
        let responseID = CrashScenario.responseID(routed.bankID, status, routed.requestID)
        var transfers: [OnwardTransfer] = []
        if status == .fundsMoved, case .moveFunds(let moved) = plan { transfers = moved }
        return BankResponse(
            id: UUIDv5.make(namespace: DeterministicIDs.namespace, name: "crash-harness-answer:\(responseID)"),
            createdAt: time,
            responseID: responseID, requestID: routed.requestID, status: status,
            frozenAmount: status.holdsFunds ? routed.amount : nil,
            respondedAt: time, onwardTransfers: transfers)
    }

    private func send(_ response: BankResponse, about routed: RoutedRequest, duplicate: Bool) async {
        do {
            let topic = try TopicNames().bankResponses(routed.bankID)
            _ = try await producer.send(
                OutgoingMessage(
                    topic: topic, key: CrashScenario.key(routed.requestID), value: try EventEncoder.encode(response),
                    headers: MessageHeaders.headers(for: response).map { KafkaHeader(name: $0.name, value: $0.value) }))
            state.withLock { tally in
                tally.answersSent += 1
                if duplicate { tally.duplicateAnswersSent += 1 }
            }
        } catch {
            state.withLock { $0.failures.append("answer \(response.responseID): \(error)") }
        }
    }
}

/// Consumer properties of the harness's own clients: group rebalances in seconds on the mock.
func harnessClientProperties(_ bootstrap: String) -> [String: String] {
    [
        "bootstrap.servers": bootstrap, "session.timeout.ms": "6000", "heartbeat.interval.ms": "500",
        "topic.metadata.refresh.interval.ms": "1000",
    ]
}
