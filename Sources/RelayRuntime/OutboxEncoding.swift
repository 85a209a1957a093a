import Contracts
import Foundation
import Kafka
import Ledger
import Relay

/// The most bytes of a refused record's value a dead letter carries (512 KiB).
let deadLetterValueLimit = 512 * 1024

/// Turns decided events into outbox rows: canonical JSON, the standard headers, the key.
enum OutboxEncoding {
    /// Encodes every event of a decision, plus a dead letter when the input was refused.
    static func messages(for effects: Effects, refusedRecord record: KafkaMessage?, policy: RelayPolicy, cause: Cause, now: Timestamp) throws -> [OutboxMessage] {
        var messages = try effects.events.map(encode)
        if let refusal = effects.refusal, let record {
            messages.append(try encode(deadLetter(record, refusal: refusal, policy: policy, cause: cause, now: now)))
        }
        return messages
    }

    static func encode(_ outgoing: OutgoingEvent) throws -> OutboxMessage {
        let payload: [UInt8]
        do {
            payload = try EventEncoder.encode(outgoing.event)
        } catch {
            // The relay built an event its own contract refuses: a bug, never to be published.
            throw RuntimeFailure.invalidOutgoingEvent("\(outgoing.event.type.rawValue) \(outgoing.event.id): \(error)")
        }
        let headers = MessageHeaders.headers(for: outgoing.event, causationID: outgoing.causationID).map { (name: $0.name, value: $0.value) }
        return OutboxMessage(eventID: outgoing.event.id, eventType: outgoing.event.type.rawValue, topic: outgoing.topic,
                             key: Array(outgoing.key.utf8), payload: payload, headers: headers)
    }

    /// The dead letter for a refused record: where it came from, its exact bytes, and why.
    static func deadLetter(_ record: KafkaMessage, refusal: Refusal, policy: RelayPolicy, cause: Cause, now: Timestamp) -> OutgoingEvent {
        var event = DeadLetter(
            id: cause.derivedID("dead_letter"), createdAt: now,
            source: .init(topic: record.topic, partition: Int(record.partition), offset: record.offset),
            key: record.key, value: record.value,
            headers: record.headers.map { DeadLetter.Header(name: $0.name, value: $0.value) },
            reason: .init(code: refusal.code, path: refusal.path.map { ContractText.fittedLabel($0, limit: 512) },
                          message: ContractText.fitted(refusal.message)),
            deadLetteredAt: now)
        // A dead letter must itself be publishable: base64 grows the bytes by a third, and brokers
        // refuse messages over 1 MB by default. Huge values are cut, and the cut is stated.
        if let value = record.value, value.count > deadLetterValueLimit {
            event.value = Array(value.prefix(deadLetterValueLimit))
            event.valueTruncated = true
            event.valueSize = value.count
        }
        // Keyed like the original, so a dead letter sits next to its neighbours when replayed.
        let key = record.key.map { String(decoding: $0, as: UTF8.self) } ?? "\(record.topic)/\(record.partition)/\(record.offset)"
        return OutgoingEvent(topic: policy.topics.deadletter, key: key, event: .deadLetter(event), causationID: cause.eventID)
    }
}

/// Failures that stop the daemon's intake, with the reason an operator needs.
public enum RuntimeFailure: Error, CustomStringConvertible, Sendable {
    /// The ledger cannot be written (disk full, I/O error, read-only): nothing further is consumed
    /// and no offset is committed, so nothing is lost.
    case ledgerUnwritable(String)
    /// The relay produced an event that violates its own contract (a bug).
    case invalidOutgoingEvent(String)
    /// Kafka reported an error the client cannot recover from.
    case kafkaFatal(String)

    /// Keeps a runtime failure as it is; any other error means the ledger could not be written.
    init(wrapping error: any Error) {
        self = (error as? RuntimeFailure) ?? .ledgerUnwritable("\(error)")
    }

    public var description: String {
        switch self {
        case .ledgerUnwritable(let why): "the ledger cannot be written: \(why). Intake stopped; no offset was committed past the last durable change."
        case .invalidOutgoingEvent(let what): "internal error: an outgoing event violates the contract (\(what)); nothing of the decision was written. Intake stopped; please report this"
        case .kafkaFatal(let why): "fatal Kafka client error: \(why)"
        }
    }
}
