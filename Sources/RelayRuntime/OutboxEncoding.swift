import Contracts
import Foundation
import Ledger
import Relay
import RelayKafka

/// Turns decided events into outbox rows: canonical JSON, the standard headers, the key.
enum OutboxEncoding {
    /// Encodes every event of a decision, plus a dead letter when the input was refused.
    static func messages(
        for effects: Effects, refusedRecord record: KafkaMessage?, policy: RelayPolicy, cause: Cause, now: Timestamp
    ) throws -> [OutboxMessage] {
        var messages = try effects.events.map(encode)
        if let refusal = effects.refusal, let record {
            messages.append(try encode(deadLetter(record, refusal: refusal, policy: policy, cause: cause, now: now)))
        }
        return messages
    }

    static func encode(_ outgoing: OutgoingEvent) throws -> OutboxMessage {
        let payload: [UInt8]
        do {
            // Dead letters quote hostile bytes: always checked. Everything else is built from
            // values that already passed the contract, and is checked in debug builds (tests).
            payload =
                outgoing.event.type == .deadLetter
                ? try EventEncoder.encode(outgoing.event) : try EventEncoder.encodeTrusted(outgoing.event)
        } catch {
            // The relay built an event its own contract refuses: a bug, never to be published.
            throw RuntimeFailure.invalidOutgoingEvent("\(outgoing.event.type.rawValue) \(outgoing.event.id): \(error)")
        }
        return OutboxMessage(outgoing, payload: payload)
    }

    /// The dead letter for a refused record: where it came from, its bytes, and why — cut to fit
    /// ``DeadLetterLimits``, with every cut stated, so that it can always be published.
    static func deadLetter(_ record: KafkaMessage, refusal: Refusal, policy: RelayPolicy, cause: Cause, now: Timestamp)
        -> OutgoingEvent
    {
        let event = DeadLetter.fitting(
            id: cause.derivedID("dead_letter"), createdAt: now, source: source(of: record), key: record.key,
            value: record.value,
            headers: record.headers.map { DeadLetter.Header(name: $0.name, value: $0.value, nameBytes: $0.rawName) },
            reason: refusal, deadLetteredAt: now)
        return OutgoingEvent(
            topic: policy.topics.deadletter, key: deadLetterKey(record), event: .deadLetter(event),
            causationID: cause.eventID)
    }

    /// The minimal dead letter for a record the relay failed on (`internal_error`): where it is and
    /// what failed, nothing of its content, so that writing it cannot fail the same way.
    static func minimalDeadLetter(
        _ record: KafkaMessage, failure: String, policy: RelayPolicy, cause: Cause, now: Timestamp
    ) -> OutgoingEvent {
        let event = DeadLetter.minimal(
            id: cause.derivedID("dead_letter:internal_error"), createdAt: now, source: source(of: record),
            failure: failure, deadLetteredAt: now)
        return OutgoingEvent(
            topic: policy.topics.deadletter, key: position(of: record), event: .deadLetter(event),
            causationID: cause.eventID)
    }

    private static func source(of record: KafkaMessage) -> DeadLetter.Source {
        DeadLetter.Source(topic: record.topic, partition: Int(record.partition), offset: record.offset)
    }

    /// Keyed like the original, so a dead letter sits next to its neighbours when replayed; by the
    /// record's position when the original key is missing, too long to repeat, or not UTF-8 text.
    private static func deadLetterKey(_ record: KafkaMessage) -> String {
        guard let key = record.key, key.count <= DeadLetterLimits.kafkaKey,
            let text = String(validating: key, as: UTF8.self)
        else {
            return position(of: record)
        }
        return text
    }

    private static func position(of record: KafkaMessage) -> String {
        "\(record.topic)/\(record.partition)/\(record.offset)"
    }
}

/// Failures that stop the daemon's intake, with the reason an operator needs. Each keeps the
/// error it stands for, typed, so callers and tests can tell what happened without parsing text.
public enum RuntimeFailure: Error, CustomStringConvertible, Sendable {
    /// The ledger cannot be written (disk full, I/O error, read-only): nothing further is consumed
    /// and no offset is committed, so nothing is lost.
    case ledgerUnwritable(LedgerError)
    /// The ledger's partition positions could not be read when partitions were assigned, so the
    /// relay cannot tell where each partition continues: they stay paused and intake stops.
    case positionsUnreadable(any Error)
    /// The relay produced an event that violates its own contract (a bug).
    case invalidOutgoingEvent(String)
    /// The relay derived an id the outbox already holds for a different event (a bug).
    case outboxConflict(OutboxConflict)
    /// Kafka reported an error the client cannot recover from.
    case kafkaFatal(KafkaError)
    /// The daemon's services did not stop in the order they must (a bug).
    case servicesOutOfOrder(String)
    /// A service handed to `run(serving:alongside:)` failed (the web console could not listen,
    /// say): the relay stops rather than run without it.
    case serviceFailed(service: String, any Error)
    /// An error of no kind the relay expects where it stopped, kept as it is (a bug, or a
    /// failure of the platform): not reported as anything it is not.
    case unexpected(any Error)

    /// Keeps a runtime failure as it is and every other error typed: an outbox conflict is the
    /// relay's own bug, a ledger error means the ledger could not be used, a fatal Kafka error is
    /// Kafka's; anything else is unexpected.
    init(wrapping error: any Error) {
        switch error {
        case let failure as RuntimeFailure: self = failure
        case let conflict as OutboxConflict: self = .outboxConflict(conflict)
        case let ledger as LedgerError: self = .ledgerUnwritable(ledger)
        case let kafka as KafkaError where kafka.isFatal: self = .kafkaFatal(kafka)
        default: self = .unexpected(error)
        }
    }

    public var description: String {
        switch self {
        case .ledgerUnwritable(let why):
            "the ledger cannot be written: \(why). Intake stopped; no offset was committed past the last durable change."
        case .positionsUnreadable(let why):
            "cannot read the ledger's partition positions: \(why). Intake stopped; no offset was committed past the last durable change."
        case .invalidOutgoingEvent(let what):
            "internal error: an outgoing event violates the contract (\(what)); nothing of the decision was written. Intake stopped; please report this"
        case .outboxConflict(let conflict): "internal error: \(conflict). Stopped; please report this"
        case .kafkaFatal(let why): "fatal Kafka client error: \(why)"
        case .servicesOutOfOrder(let what):
            "internal error: the relay's services stopped out of order (\(what)); please report this"
        case .serviceFailed(let service, let error):
            "the \(service) failed: \(error). The relay stopped; no offset was committed past the last durable change."
        case .unexpected(let error):
            "unexpected error: \(error). Intake stopped; no offset was committed past the last durable change; please report this"
        }
    }
}

extension RelayTransaction {
    /// Writes a decision: its events encoded for the outbox (with a dead letter for `refusedRecord`
    /// when the decision refused it) and its state changes, in this transaction. The one path from
    /// a decision to the ledger, for intake, the deadline scheduler, maintenance and operator
    /// orders alike. Throws ``RuntimeFailure/invalidOutgoingEvent(_:)`` or ``OutboxConflict``
    /// (the relay's own bugs) with nothing of the decision written.
    func commit(
        _ decided: Effects, cause: Cause, policy: RelayPolicy, refusedRecord: KafkaMessage? = nil, at now: Timestamp
    ) throws {
        let effects = try linkingAccounts(decided, cause: cause, policy: policy, at: now)
        let outbox = try OutboxEncoding.messages(
            for: effects, refusedRecord: refusedRecord, policy: policy, cause: cause, now: now)
        try apply(effects, outbox: outbox, at: now)
    }
}

extension RelayTransaction {
    /// The decision with what the relay says about accounts other cases named (see
    /// `AccountLinkPolicy`): asked of the ledger as it stands before the decision is written, so
    /// the same input decided again says the same.
    func linkingAccounts(_ effects: Effects, cause: Cause, policy: RelayPolicy, at now: Timestamp) throws -> Effects {
        guard policy.accountLinks.window != nil else { return effects }
        let created = effects.createdRequests
        guard !created.isEmpty else { return effects }
        var sightings: [UUID: [AccountSighting]] = [:]
        for record in created { sightings[record.requestID] = try accountSightings(iban: record.iban) }
        var linked = effects
        RelayEngine(policy: policy).linkAccounts(&linked, sightings: sightings, cause: cause, now: now)
        return linked
    }
}
