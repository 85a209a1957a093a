import Authenticity
import Contracts
import Foundation
import Ledger
import Logging
import RelayKafka
import Synchronization

/// What one recording of deliveries found.
public struct PublishRound: Sendable, Hashable {
    public var sent: Int = 0
    public var failed: Int = 0
    /// Events the broker refuses for good (too large…), set aside so later events can go out.
    public var parked: Int = 0
    /// Events whose fate this recording wrote down.
    public var attempted: Int = 0
}

/// Drains the outbox through the idempotent producer, in outbox order, and marks each event
/// sent once the broker acknowledged it. An event whose delivery failed stays queued and is
/// retried with the same id (and same bytes), so consumers can de-duplicate.
///
/// Two loops, so that sending never waits for the ledger and recording never holds up sending:
/// - the **sender** reads unsent events past a cursor (the last sequence number it handed over)
///   and hands them to the producer, up to `maxInFlight` awaiting their acknowledgement; it
///   never waits for one batch's acknowledgements before sending the next;
/// - the **recorder** writes down, in one transaction per wake-up, every acknowledgement and
///   failure that arrived meanwhile (the intake loop holds the ledger's writer most of the time
///   under load; recording whatever piled up while it waited keeps that to few transactions).
/// A failed delivery stops the sender; once the recorder has written it down, the sender backs
/// off (1 s doubling to 30 s) and starts again from the failed event, so later events of the
/// same key do not overtake it. Events delivered but not yet recorded when the process dies are
/// sent again after the restart, with the same ids and bytes (at least once).
final class OutboxPublisher: Sendable {
    let ledger: Ledger
    let producer: KafkaProducer
    let clock: any RelayClock
    let logger: Logger
    let batchSize: Int
    let signer: RelaySigner?
    let maxInFlight: Int
    let onRound: @Sendable (PublishRound, [OutboxMessage]) -> Void
    /// Where recording (a ledger transaction) runs, and where sending (reads of the outbox) runs:
    /// both off the cooperative pool.
    let ledgerLane: BlockingLane
    private let sendingLane = BlockingLane(label: "freeze-relay.outbox")
    /// New events in the outbox, room under `maxInFlight`, or the end of a back-off.
    private let senderWaker = Waker()
    /// Acknowledgements or failures to write down.
    private let recorderWaker = Waker()
    private let state = Mutex(State())

    private struct State {
        /// The highest sequence number handed to the producer.
        var cursor: Int64 = 0
        /// Handed to the producer and not yet written down, by sequence number.
        var inFlight: [Int64: OutboxMessage] = [:]
        /// Fates that arrived and are not written down yet.
        var arrived: [(sequence: Int64, fate: Fate)] = []
        /// Events committed moments ago and offered from memory (see `offer`), in outbox order.
        var offered: [PendingMessage] = []
        /// A failure was seen: the sender stops until the recorder wrote it down.
        var stopped = false
        /// The sender resumes from here (at this sequence number) after `retryAt`.
        var resumeFrom: Int64?
        var retryAt: Timestamp?
        var backoff: Duration = .seconds(1)
    }

    enum Fate {
        case sent(DeliveryReport)
        case failed(KafkaError)
        case parked(KafkaError)
    }

    init(
        ledger: Ledger, producer: KafkaProducer, clock: any RelayClock, logger: Logger, batchSize: Int,
        maxInFlight: Int = 5_000,
        ledgerLane: BlockingLane = BlockingLane(label: "freeze-relay.ledger"), signer: RelaySigner? = nil,
        onRound: @escaping @Sendable (PublishRound, [OutboxMessage]) -> Void
    ) {
        self.signer = signer
        self.ledgerLane = ledgerLane
        self.ledger = ledger
        self.producer = producer
        self.clock = clock
        self.logger = logger
        self.batchSize = batchSize
        self.maxInFlight = max(maxInFlight, batchSize)
        self.onRound = onRound
    }

    /// The relay's `fr-signature` for the orders it passes to banks (routed requests and cancels),
    /// made as they are sent: the outbox keeps events unsigned, so a key rotation needs no rewrite
    /// and an offline command's events are signed by the daemon that publishes them.
    private func signature(of message: OutboxMessage) -> [KafkaHeader] {
        guard let signer, Self.signedTypes.contains(message.eventType) else { return [] }
        return [KafkaHeader(name: DetachedJWS.headerName, value: Array(signer.signature(for: message.payload).utf8))]
    }

    static let signedTypes: Set<String> = [EventType.routedRequest.rawValue, EventType.routedCancel.rawValue]

    /// Wakes the publisher (call after new events were written).
    func nudge() { senderWaker.signal() }

    /// Events a transaction just committed, handed over from memory so that the sender need not
    /// read back what was just written. Only a shortcut: the sender takes them only when they
    /// continue exactly where it stands, and reads the outbox otherwise (after a failure, when
    /// another writer queued events in between, or past `offeredLimit` while the broker is away).
    func offer(_ events: [PendingMessage]) {
        guard !events.isEmpty else { return }
        state.withLock { state in
            guard state.offered.count + events.count <= Self.offeredLimit else { return }
            let sorted = state.offered.last.map { $0.sequence < events[0].sequence } ?? true
            state.offered += events
            // Transactions commit in sequence order, but two committers may offer in either order.
            if !sorted { state.offered.sort { $0.sequence < $1.sequence } }
        }
        senderWaker.signal()
    }

    /// Events kept in memory at most; beyond it they wait in the outbox alone.
    static let offeredLimit = 20_000

    /// The offered events that continue right after `cursor`, up to `limit`; drops those at or
    /// below it (handed over already, or read from the outbox meanwhile). Nil when the next
    /// event is not in memory.
    private func takeOffered(after cursor: Int64, limit: Int) -> [PendingMessage]? {
        state.withLock { state in
            let stale = state.offered.prefix { $0.sequence <= cursor }.count
            state.offered.removeFirst(stale)
            guard let first = state.offered.first, first.sequence == cursor + 1 else { return nil }
            var run = 1
            while run < min(limit, state.offered.count),
                state.offered[run].sequence == state.offered[run - 1].sequence + 1
            { run += 1 }
            return Array(state.offered.prefix(run))
        }
    }

    // MARK: Sending

    /// Hands the next unsent events to the producer; returns how many.
    private func sendNext() throws -> Int {
        let (cursor, room) = state.withLock { state -> (Int64, Int) in
            if let resume = state.resumeFrom {
                state.cursor = resume - 1
                state.resumeFrom = nil
            }
            return (state.cursor, state.stopped ? 0 : maxInFlight - state.inFlight.count)
        }
        guard room > 0 else { return 0 }
        let limit = min(batchSize, room)
        let pending = try takeOffered(after: cursor, limit: limit) ?? ledger.pendingOutbox(after: cursor, limit: limit)
        var handed = 0
        for item in pending {
            // An event handed over before the sender started again from a failure may still be in
            // flight: it is written down when it lands, not sent twice.
            let alreadyInFlight = state.withLock { state in
                guard state.inFlight[item.sequence] != nil else { return false }
                state.cursor = max(state.cursor, item.sequence)
                return true
            }
            if alreadyInFlight { continue }
            let message = OutgoingMessage(
                topic: item.message.topic, key: item.message.key, value: item.message.payload,
                headers: item.message.headers.map { KafkaHeader(name: $0.name, value: $0.value) }
                    + signature(of: item.message))
            state.withLock { state in
                state.inFlight[item.sequence] = item.message
                state.cursor = max(state.cursor, item.sequence)
            }
            do {
                try producer.enqueue(message) { [self] result in
                    switch result {
                    case .success(let report): arrive(item.sequence, .sent(report))
                    case .failure(let error) where error.rejectsMessageForGood: arrive(item.sequence, .parked(error))
                    case .failure(let error): arrive(item.sequence, .failed(error))
                    }
                }
                handed += 1
            } catch  where error.rejectsMessageForGood {
                // Never publishable as it is: set it aside so it does not block every later event.
                arrive(item.sequence, .parked(error))
            } catch  where error.code == .queueFull {
                // librdkafka's queue is full: take it back and wait for acknowledgements.
                state.withLock { state in
                    state.inFlight[item.sequence] = nil
                    state.cursor = item.sequence - 1
                }
                break
            } catch {
                logger.warning(
                    "event not handed to the producer; retried later",
                    metadata: [
                        "outbox.seq": "\(item.sequence)", "topic": "\(item.message.topic)",
                        "error": "\(error.code.name)",
                    ])
                arrive(item.sequence, .failed(error))
                break
            }
        }
        return handed
    }

    /// Called on the producer's callback thread (or the sender's) with an event's fate.
    private func arrive(_ sequence: Int64, _ fate: Fate) {
        state.withLock { state in
            state.arrived.append((sequence, fate))
            if case .failed = fate { state.stopped = true }
        }
        recorderWaker.signal()
    }

    /// Runs until cancelled: sends while there is work and room, waits for a nudge otherwise.
    private func sendLoop(onFailure: @Sendable (any Error) -> Void) async {
        while !Task.isCancelled {
            do {
                let retryAt = state.withLock { $0.retryAt }
                if let retryAt, clock.now() < retryAt {
                    await senderWaker.wait(until: retryAt, clock: clock)
                    continue
                }
                state.withLock { $0.retryAt = nil }
                if try await sendingLane.run({ try self.sendNext() }) == 0 {
                    await senderWaker.wait(until: nil, clock: clock)
                }
            } catch {
                onFailure(error)
                return
            }
        }
    }

    // MARK: Recording

    /// Writes down every fate that arrived, in one transaction; returns what it wrote.
    @discardableResult
    private func recordArrived() throws -> PublishRound {
        let arrived = state.withLock { state in
            defer { state.arrived = [] }
            return state.arrived
        }
        guard !arrived.isEmpty else { return PublishRound() }
        let bySequence = state.withLock { state in
            Dictionary(
                arrived.compactMap { item in state.inFlight[item.sequence].map { (item.sequence, $0) } },
                uniquingKeysWith: { first, _ in first })
        }
        var outcome = Ledger.PublishingOutcome()
        var sent: [OutboxMessage] = []
        var firstFailure: Int64?
        for (sequence, fate) in arrived.sorted(by: { $0.sequence < $1.sequence }) {
            switch fate {
            case .sent(let report):
                outcome.sent.append((sequence, report.partition, report.offset))
                if let message = bySequence[sequence] { sent.append(message) }
            case .parked(let error):
                outcome.parked.append((sequence, "\(error)"))
                logger.error(
                    "event can never be published as it is; parked in the outbox (raise the broker's and producer's message.max.bytes and restart to publish it)",
                    metadata: [
                        "outbox.seq": "\(sequence)",
                        "event_id": "\(bySequence[sequence].map { CanonicalUUID.string($0.eventID) } ?? "-")",
                        "topic": "\(bySequence[sequence]?.topic ?? "-")",
                        "bytes": "\(bySequence[sequence]?.payload.count ?? 0)", "error": "\(error.code.name)",
                    ])
            case .failed(let error):
                outcome.failed.append((sequence, "\(error)"))
                firstFailure = min(firstFailure ?? sequence, sequence)
                logger.warning(
                    "event not delivered; it stays in the outbox and will be retried",
                    metadata: [
                        "outbox.seq": "\(sequence)",
                        "event_id": "\(bySequence[sequence].map { CanonicalUUID.string($0.eventID) } ?? "-")",
                        "error": "\(error.code.name)",
                    ])
            }
        }
        try ledger.record(outcome, at: clock.now())
        let now = clock.now()
        state.withLock { state in
            for (sequence, _) in arrived { state.inFlight[sequence] = nil }
            if let firstFailure {
                // Start again from the failed event once the events still in flight have landed
                // (they are written down as they arrive; re-sending them would only duplicate).
                state.resumeFrom = min(state.resumeFrom ?? firstFailure, firstFailure)
                state.retryAt = now.adding(state.backoff)
                state.backoff = min(state.backoff * 2, .seconds(30))
                state.stopped = false
            } else if !outcome.sent.isEmpty {
                state.backoff = .seconds(1)
            }
        }
        let round = PublishRound(
            sent: outcome.sent.count, failed: outcome.failed.count, parked: outcome.parked.count,
            attempted: arrived.count)
        onRound(round, sent)
        // Room under `maxInFlight`, or a back-off to start.
        senderWaker.signal()
        return round
    }

    /// Runs until cancelled: writes down fates as they arrive.
    private func recordLoop(onFailure: @Sendable (any Error) -> Void) async {
        while !Task.isCancelled {
            await recorderWaker.wait(until: nil, clock: clock)
            do { _ = try await ledgerLane.run { try self.recordArrived() } } catch {
                onFailure(error)
                return
            }
        }
    }

    // MARK: Lifecycle

    /// Runs both loops until the task is cancelled; then writes down what already arrived.
    func run(onFailure: @escaping @Sendable (any Error) -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.sendLoop(onFailure: onFailure) }
            group.addTask { await self.recordLoop(onFailure: onFailure) }
        }
        do { try recordArrived() } catch { onFailure(error) }
    }

    /// Publishes until the outbox is empty and every event handed over is written down, or
    /// `timeout` passes; true when it is empty. For shutdown, after `run` has returned.
    func drain(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            do {
                try recordArrived()
                if state.withLock({ $0.stopped || $0.retryAt != nil }) {
                    // A delivery failed: the broker is not taking events now; the rest waits for the next start.
                    return false
                }
                let handed = try sendNext()
                let inFlight = state.withLock { $0.inFlight.count }
                if handed == 0 && inFlight == 0 { return ((try? ledger.outboxBacklog().unsent) ?? 1) == 0 }
                if inFlight > 0 { _ = producer.flush(timeout: .milliseconds(100)) }
            } catch {
                return false
            }
        }
        return ((try? ledger.outboxBacklog().unsent) ?? 1) == 0
    }

    /// Events handed to the producer whose fate is not written down yet.
    var inFlightCount: Int { state.withLock { $0.inFlight.count } }
}
