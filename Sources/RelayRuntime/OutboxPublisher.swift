import Contracts
import Foundation
import Kafka
import Ledger
import Logging
import Synchronization

/// Result of one publishing round.
public struct PublishRound: Sendable, Hashable {
    public var sent: Int = 0
    public var failed: Int = 0
    /// Events the broker refuses for good (too large…), set aside so later events can go out.
    public var parked: Int = 0
    /// Events that were in the outbox when the round started.
    public var attempted: Int = 0
}

/// Drains the outbox through the idempotent producer, in outbox order, and marks each event
/// sent when the broker acknowledged it. An event whose delivery failed stays queued and is
/// retried with the same id (and same bytes), so consumers can de-duplicate.
final class OutboxPublisher: Sendable {
    let ledger: Ledger
    let producer: KafkaProducer
    let clock: any RelayClock
    let logger: Logger
    let batchSize: Int
    let onRound: @Sendable (PublishRound, [OutboxMessage]) -> Void
    private let waker = Waker()

    init(ledger: Ledger, producer: KafkaProducer, clock: any RelayClock, logger: Logger, batchSize: Int,
         onRound: @escaping @Sendable (PublishRound, [OutboxMessage]) -> Void) {
        self.ledger = ledger
        self.producer = producer
        self.clock = clock
        self.logger = logger
        self.batchSize = batchSize
        self.onRound = onRound
    }

    /// Wakes the publisher (call after new events were written).
    func nudge() { waker.signal() }

    /// Publishes one batch of pending events and waits for the broker's answers.
    func publishOnce() async throws -> PublishRound {
        let pending = try ledger.pendingOutbox(limit: batchSize)
        var round = PublishRound(attempted: pending.count)
        guard !pending.isEmpty else { return round }
        let collector = DeliveryCollector()
        var outcome = Ledger.PublishingOutcome()
        var enqueued = 0
        for item in pending {
            let message = OutgoingMessage(
                topic: item.message.topic, key: item.message.key, value: item.message.payload,
                headers: item.message.headers.map { KafkaHeader(name: $0.name, value: $0.value) })
            do {
                try producer.enqueue(message) { collector.record(item.sequence, $0) }
                enqueued += 1
            } catch where error.rejectsMessageForGood {
                // Never publishable as it is: set it aside so it does not block every later event.
                outcome.parked.append(parked(item, error))
            } catch {
                // Queue full or a client problem: stop here so later events cannot overtake this one.
                logger.warning("event not handed to the producer; retried later", metadata: [
                    "outbox.seq": "\(item.sequence)", "topic": "\(item.message.topic)", "error": "\(error.code.name)"])
                outcome.failed.append((item.sequence, "\(error)"))
                break
            }
        }
        let results = await collector.wait(for: enqueued)
        var sentMessages: [OutboxMessage] = []
        let bySequence = Dictionary(uniqueKeysWithValues: pending.map { ($0.sequence, $0) })
        for (sequence, result) in results.sorted(by: { $0.key < $1.key }) {
            guard let item = bySequence[sequence] else { continue }
            switch result {
            case .success(let report):
                outcome.sent.append((sequence, report.partition, report.offset))
                sentMessages.append(item.message)
            case .failure(let error) where error.rejectsMessageForGood:
                outcome.parked.append(parked(item, error))
            case .failure(let error):
                outcome.failed.append((sequence, "\(error)"))
                logger.warning("event not delivered; it stays in the outbox and will be retried",
                               metadata: ["outbox.seq": "\(sequence)", "event_id": "\(CanonicalUUID.string(item.message.eventID))", "error": "\(error.code.name)"])
            }
        }
        // The whole round in one transaction, so a broker outage costs one commit, not one per event.
        try ledger.record(outcome, at: clock.now())
        round.sent = outcome.sent.count
        round.failed = outcome.failed.count
        round.parked = outcome.parked.count
        onRound(round, sentMessages)
        return round
    }

    /// Logs an event set aside as unpublishable and returns it for the round's record.
    private func parked(_ item: PendingMessage, _ error: KafkaError) -> (sequence: Int64, error: String) {
        logger.error("event can never be published as it is; parked in the outbox (raise the broker's and producer's message.max.bytes and restart to publish it)", metadata: [
            "outbox.seq": "\(item.sequence)", "event_id": "\(CanonicalUUID.string(item.message.eventID))", "topic": "\(item.message.topic)",
            "bytes": "\(item.message.payload.count)", "error": "\(error.code.name)"])
        return (item.sequence, "\(error)")
    }

    /// Runs until cancelled: publishes while there is work, waits for a nudge when the outbox is
    /// empty, and backs off (1 s doubling to 30 s) while deliveries fail.
    func run(onFailure: @Sendable (any Error) -> Void) async {
        var backoff: Duration = .seconds(1)
        while !Task.isCancelled {
            do {
                let round = try await publishOnce()
                if round.failed > 0 {
                    await waker.wait(until: clock.now().adding(backoff), clock: clock)
                    backoff = min(backoff * 2, .seconds(30))
                } else if round.attempted == 0 {
                    backoff = .seconds(1)
                    await waker.wait(until: nil, clock: clock)
                } else {
                    backoff = .seconds(1)
                }
            } catch {
                onFailure(error)
                return
            }
        }
    }

    /// Publishes until the outbox is empty or `timeout` passes; true when it is empty.
    func drain(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let round = try? await publishOnce() else { return false }
            if round.attempted == 0 { return true }
            if round.failed > 0 { return false }
        }
        return ((try? ledger.outboxBacklog().unsent) ?? 1) == 0
    }
}

/// Collects delivery reports from the producer's callback thread and hands them over once all
/// expected reports arrived.
final class DeliveryCollector: Sendable {
    private struct State {
        var results: [Int64: Result<DeliveryReport, KafkaError>] = [:]
        var expected: Int?
        var waiter: CheckedContinuation<[Int64: Result<DeliveryReport, KafkaError>], Never>?
    }

    private let state = Mutex(State())

    func record(_ sequence: Int64, _ result: Result<DeliveryReport, KafkaError>) {
        let ready: (CheckedContinuation<[Int64: Result<DeliveryReport, KafkaError>], Never>, [Int64: Result<DeliveryReport, KafkaError>])? = state.withLock { state in
            state.results[sequence] = result
            guard let expected = state.expected, state.results.count >= expected, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return (waiter, state.results)
        }
        if let (waiter, results) = ready { waiter.resume(returning: results) }
    }

    func wait(for count: Int) async -> [Int64: Result<DeliveryReport, KafkaError>] {
        await withCheckedContinuation { continuation in
            let results: [Int64: Result<DeliveryReport, KafkaError>]? = state.withLock { state in
                state.expected = count
                if state.results.count >= count { return state.results }
                state.waiter = continuation
                return nil
            }
            if let results { continuation.resume(returning: results) }
        }
    }
}
