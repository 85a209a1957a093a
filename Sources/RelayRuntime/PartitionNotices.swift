import Contracts
import Foundation
import Ledger
import Relay

/// Halting and re-basing partitions: the ledger writes and the `intake_notice` events that tell
/// operators about them, each in one transaction.
enum PartitionNotices {
    /// The notice for a halt. Its id depends only on the halt, so a re-emission keeps it.
    static func halted(_ halt: PartitionHalt, topics: TopicNames) -> OutgoingEvent {
        let id = DeterministicIDs.eventID(
            cause: DeterministicIDs.namespace,
            kind: "intake_notice:halted:\(halt.topic):\(halt.partition):\(halt.code.rawValue):\(halt.haltedAt.rfc3339)")
        let notice = IntakeNotice(
            id: id, createdAt: halt.haltedAt, kind: .partitionHalted, topic: halt.topic, partition: Int(halt.partition),
            code: halt.code, ledgerPosition: halt.position.flatMap { $0 >= 0 ? $0 : nil }, offset: halt.offset,
            logStart: halt.logStart, logEnd: halt.logEnd, detail: ContractText.fitted(halt.detail))
        return OutgoingEvent(
            topic: topics.escalations, key: notice.kafkaKey, event: .intakeNotice(notice), causationID: nil)
    }

    /// The notice for a re-base; one per partition and epoch.
    static func rebased(_ result: RebaseResult, note: String, by who: String, at time: Timestamp, topics: TopicNames)
        -> OutgoingEvent
    {
        let id = DeterministicIDs.eventID(
            cause: DeterministicIDs.namespace,
            kind: "intake_notice:rebased:\(result.topic):\(result.partition):\(result.epoch)")
        let to =
            result.newPosition == IntakeNotice.fromBeginning
            ? "the first retained record" : "offset \(result.newPosition)"
        let from = result.previousPosition.map { "\($0)" } ?? "no recorded position"
        let lifted = result.liftedHalt.map { "; the halt (\($0.code.rawValue)) is lifted" } ?? ""
        let notice = IntakeNotice(
            id: id, createdAt: time, kind: .partitionRebased, topic: result.topic, partition: Int(result.partition),
            ledgerPosition: result.previousPosition.flatMap { $0 >= 0 ? $0 : nil },
            newPosition: result.newPosition, epoch: result.epoch, note: ContractText.fitted(note),
            detail: ContractText.fitted(
                "\(result.topic)[\(result.partition)] re-based by \(who) from \(from) to \(to); ids from now on use epoch \(result.epoch)\(lifted)"
            ))
        return OutgoingEvent(
            topic: topics.escalations, key: notice.kafkaKey, event: .intakeNotice(notice), causationID: nil)
    }

    /// Makes halts durable: the halt row, an audit row and the notice, in one transaction.
    /// Returns the halts that are new (a partition already halted keeps its first reason).
    static func record(_ halts: [PartitionHalt], ledger: Ledger, topics: TopicNames) throws -> [PartitionHalt] {
        guard !halts.isEmpty else { return [] }
        return try ledger.write { tx in
            var recorded: [PartitionHalt] = []
            for halt in halts where try tx.recordHalt(halt) {
                var effects = Effects()
                effects.audit = [
                    AuditEntry(
                        at: halt.haltedAt, requestID: nil, caseID: nil, bankID: nil,
                        cause: "\(halt.topic)/\(halt.partition)",
                        oldState: nil, newState: nil,
                        detail: ContractText.fitted("intake halted (\(halt.code.rawValue)): \(halt.detail)"),
                        isSecurityEvent: true)
                ]
                try tx.apply(
                    effects, outbox: [try OutboxEncoding.encode(halted(halt, topics: topics))], at: halt.haltedAt)
                recorded.append(halt)
            }
            return recorded
        }
    }

    /// Carries out a re-base: position, epoch, halt, audit and notice in one transaction, and
    /// (for a request the daemon picked up) the request marked done.
    static func rebase(
        topic: String, partition: Int32, to target: Int64, note: String, by who: String, request: Int64? = nil,
        ledger: Ledger, topics: TopicNames, at time: Timestamp
    ) throws -> RebaseResult {
        try ledger.write { tx in
            let result = try tx.rebase(topic: topic, partition: partition, to: target, note: note, by: who, at: time)
            try tx.apply(
                Effects(),
                outbox: [try OutboxEncoding.encode(rebased(result, note: note, by: who, at: time, topics: topics))],
                at: time)
            if let request { try tx.finishRebaseRequest(request, outcome: "done: epoch \(result.epoch)", at: time) }
            return result
        }
    }
}

/// Re-basing a partition while the daemon is stopped (the `rebase` command holds the ledger then):
/// the same transaction the daemon runs for a request it picks up.
public enum PartitionRebase {
    /// Moves the partition to `target` (an offset, or `KafkaConsumer.beginning`), starts a new id
    /// epoch, lifts its halt, and queues the `intake_notice` for the daemon to publish.
    public static func apply(
        topic: String, partition: Int32, to target: Int64, note: String, by who: String,
        ledger: Ledger, topics: TopicNames, at time: Timestamp
    ) throws -> RebaseResult {
        try PartitionNotices.rebase(
            topic: topic, partition: partition, to: target, note: note, by: who, ledger: ledger, topics: topics,
            at: time)
    }
}
