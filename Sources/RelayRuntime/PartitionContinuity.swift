import Contracts
import Ledger
import RelayKafka

/// A digest of a record's bytes — key, value and headers, each length-framed — to recognise the
/// record at an offset again after a restart. Not a security measure: it tells "the same record"
/// from "another record at the same offset" (a re-created topic, another cluster).
enum RecordDigest {
    static func of(_ record: KafkaMessage) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity((record.key?.count ?? 0) + (record.value?.count ?? 0) + 64)
        func frame(_ part: [UInt8]?) {
            guard let part else {
                bytes.append(0)
                return
            }
            bytes.append(1)
            withUnsafeBytes(of: UInt64(part.count).bigEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: part)
        }
        frame(record.key)
        frame(record.value)
        withUnsafeBytes(of: UInt64(record.headers.count).bigEndian) { bytes.append(contentsOf: $0) }
        for header in record.headers {
            frame(header.nameBytes)
            frame(header.value)
        }
        return SHA1.hash(bytes)
    }
}

/// What the ledger and the broker say about a partition that was just assigned.
struct AssignedPartition: Sendable {
    var partition: TopicPartition
    /// The ledger's position; nil when nothing of this partition was ever applied.
    var ledger: PartitionPosition?
    /// The ledger has applied records of other partitions of this topic.
    var topicKnown: Bool
    /// The partition is halted in the ledger already.
    var halt: PartitionHalt?
    /// The broker's first retained offset and end offset; nil when it could not be asked.
    var watermarks: (low: Int64, high: Int64)?
    /// The group's committed offset, for partitions of topics the ledger never read: `.some(nil)`
    /// when the group has none, nil when it could not be asked.
    var groupCommitted: Int64?? = nil
}

/// Where to start reading an assigned partition.
enum StartPlan: Sendable, Equatable {
    /// At this offset (`KafkaConsumer.beginning` for the first retained record).
    case at(Int64)
    /// Wherever the group's committed offset says (a topic the ledger has never read, when the
    /// group could not be asked).
    case followGroup
    /// Not at all: the partition is halted and stays paused.
    case halted
}

/// What to do about a position the broker refused.
enum RefusedPositionVerdict: Sendable, Equatable {
    /// Stop the partition.
    case halt(PartitionHalt)
    /// Nothing is wrong: the last applied record, read again only to check it, is gone (retention
    /// reached it) while the position itself is still in the log. Continue there.
    case move(to: Int64)
    /// The partition is halted already.
    case ignore
}

/// What to do with one consumed record.
enum RecordVerdict: Sendable, Equatable {
    /// Apply it.
    case apply
    /// It is the last record applied before the restart, unchanged: nothing to do.
    case verified
    /// The partition is halted: drop it unapplied (it is read again after a re-base).
    case drop
    /// Stop the partition: this record shows its offsets no longer match the ledger.
    case halt(PartitionHalt)
}

/// The guard in front of intake: it decides where each assigned partition starts and judges every
/// record before it is applied, so that offsets that went backwards (a topic deleted and
/// re-created, a broker that lost its data, a ledger restored onto another cluster) stop the
/// partition instead of being skipped as "already applied" or applied again blindly.
///
/// After a restart it starts one record early, at the last applied offset, and checks that the
/// record there is the one the ledger applied (by digest). It halts a partition when
/// - the partition ends before the ledger's position (`log_ends_before_position`),
/// - its first retained record is after the position: records were deleted unread
///   (`records_deleted_unread`),
/// - the record at the last applied offset differs (`record_mismatch`),
/// - the broker refuses the position while reading (`offset_out_of_range`),
/// - a record arrives below the position being read (`offset_went_backwards`).
///
/// Pure: no I/O, no clock of its own. The daemon feeds it and carries out what it decides.
struct PartitionContinuity: Sendable {
    enum Tracking: Sendable, Equatable {
        /// Expecting the last applied record (`offset`) first; then reading from `next`.
        case verifying(offset: Int64, digest: [UInt8], next: Int64)
        /// Reading; the next record must be at `next` or later (nil: anything goes first).
        case reading(next: Int64?)
        case halted
    }

    private(set) var tracking: [TopicPartition: Tracking] = [:]

    /// Partitions currently halted.
    var halted: [TopicPartition] { tracking.filter { $0.value == .halted }.map(\.key).sorted() }

    /// Plans where a newly assigned partition starts; returns a new halt when what the broker
    /// holds already contradicts the ledger.
    mutating func assign(_ assigned: AssignedPartition, now: Timestamp) -> (StartPlan, PartitionHalt?) {
        let partition = assigned.partition
        if assigned.halt != nil {
            tracking[partition] = .halted
            return (.halted, nil)
        }
        guard let ledger = assigned.ledger, ledger.nextOffset != KafkaConsumer.beginning else {
            tracking[partition] = .reading(next: nil)
            if assigned.ledger != nil || assigned.topicKnown { return (.at(KafkaConsumer.beginning), nil) }
            // A topic the ledger never read (a new ledger for an existing group, say): continue
            // where the group left off rather than re-reading its history; a new group reads it all.
            switch assigned.groupCommitted {
            case .some(.some(let committed)): return (.at(committed), nil)
            case .some(.none): return (.at(KafkaConsumer.beginning), nil)
            case .none: return (.followGroup, nil)
            }
        }
        let position = ledger.nextOffset
        if let (low, high) = assigned.watermarks {
            if high < position {
                return haltAtStart(
                    partition,
                    HaltFacts(
                        code: .logEndsBeforePosition, position: position, logStart: low, logEnd: high,
                        detail:
                            "\(partition) ends at offset \(high), but the ledger has applied it up to \(position): the topic was re-created, the broker lost data, or the ledger belongs to another cluster"
                    ), now: now)
            }
            if low > position {
                return haltAtStart(
                    partition,
                    HaltFacts(
                        code: .recordsDeletedUnread, position: position, logStart: low, logEnd: high,
                        detail:
                            "the first record \(partition) still holds is at offset \(low), but the ledger has applied it only up to \(position): offsets \(position)..<\(low) were deleted (retention) before the relay read them"
                    ), now: now)
            }
        }
        if let digest = ledger.lastDigest, position > 0, (assigned.watermarks?.low ?? 0) <= position - 1 {
            tracking[partition] = .verifying(offset: position - 1, digest: digest, next: position)
            return (.at(position - 1), nil)
        }
        tracking[partition] = .reading(next: position)
        return (.at(position), nil)
    }

    /// Forgets partitions the consumer gave up.
    mutating func revoke(_ partitions: [TopicPartition]) {
        for partition in partitions { tracking[partition] = nil }
    }

    /// Judges one record, in the order the consumer delivered it.
    mutating func judge(_ record: KafkaMessage, now: Timestamp) -> RecordVerdict {
        let partition = record.topicPartition
        let offset = record.offset
        switch tracking[partition] ?? .reading(next: nil) {
        case .halted:
            return .drop
        case .verifying(let expected, let digest, let next):
            if offset == expected {
                if RecordDigest.of(record) == digest {
                    tracking[partition] = .reading(next: next)
                    return .verified
                }
                return halt(
                    partition,
                    HaltFacts(
                        code: .recordMismatch, position: next, offset: offset,
                        detail:
                            "the record at \(partition)@\(offset) is not the record the relay applied there: the topic was re-created or the ledger belongs to another cluster"
                    ), now: now)
            }
            if offset > expected {
                // The last applied record is gone (retention reached it); what follows it is new.
                tracking[partition] = .reading(next: offset + 1)
                return .apply
            }
            return wentBackwards(partition, offset: offset, position: next, now: now)
        case .reading(let next):
            if let next, offset < next {
                return wentBackwards(partition, offset: offset, position: next, now: now)
            }
            tracking[partition] = .reading(next: offset + 1)
            return .apply
        }
    }

    /// The broker refused the position of a partition being read (out of range).
    mutating func positionRefused(
        _ partition: TopicPartition, offset: Int64?, watermarks: (low: Int64, high: Int64)?, now: Timestamp
    ) -> RefusedPositionVerdict {
        let position: Int64?
        switch tracking[partition] {
        case .halted: return .ignore
        case .verifying(_, _, let next):
            // Only the record below the position was asked for, to check it; if the log now starts
            // exactly at the position, retention took that record and nothing unread is lost.
            if let (low, high) = watermarks, low == next, next <= high {
                tracking[partition] = .reading(next: next)
                return .move(to: next)
            }
            position = next
        case .reading(let next): position = next
        case nil: position = nil
        }
        let range = watermarks.map { " (it holds offsets \($0.low)..<\($0.high))" } ?? ""
        let at = offset.map { "offset \($0)" } ?? "the requested offset"
        // The watermarks say which way the log moved, when they are known.
        var code = IntakeNotice.HaltCode.offsetOutOfRange
        var why = "the topic was re-created, truncated or emptied while the relay read it"
        if let position, let (low, high) = watermarks {
            if high < position {
                (code, why) = (
                    .logEndsBeforePosition,
                    "the log now ends before the position: the topic was re-created or the broker lost data"
                )
            } else if low > position {
                (code, why) = (
                    .recordsDeletedUnread,
                    "offsets \(position)..<\(low) were deleted (retention) before the relay read them"
                )
            }
        }
        guard
            case .halt(let halt) = halt(
                partition,
                HaltFacts(
                    code: code, position: position, offset: offset, logStart: watermarks?.low, logEnd: watermarks?.high,
                    detail: "the broker refused \(at) of \(partition) as out of range\(range): \(why)"), now: now)
        else { return .ignore }
        return .halt(halt)
    }

    /// An operator moved the partition: read from `target` without verifying.
    mutating func rebased(_ partition: TopicPartition, to target: Int64) {
        tracking[partition] = .reading(next: target == KafkaConsumer.beginning ? nil : target)
    }

    private struct HaltFacts {
        var code: IntakeNotice.HaltCode
        var position: Int64?
        var offset: Int64? = nil
        var logStart: Int64? = nil
        var logEnd: Int64? = nil
        var detail: String
    }

    private mutating func halt(_ partition: TopicPartition, _ facts: HaltFacts, now: Timestamp) -> RecordVerdict {
        tracking[partition] = .halted
        return .halt(
            PartitionHalt(
                topic: partition.topic, partition: partition.partition, haltedAt: now, code: facts.code,
                detail: facts.detail
                    + ". Intake stopped reading this partition and applies nothing more from it; decide where it continues with `freeze-relay rebase`.",
                position: facts.position, offset: facts.offset, logStart: facts.logStart, logEnd: facts.logEnd))
    }

    private mutating func haltAtStart(_ partition: TopicPartition, _ facts: HaltFacts, now: Timestamp) -> (
        StartPlan, PartitionHalt?
    ) {
        guard case .halt(let halt) = halt(partition, facts, now: now) else { return (.halted, nil) }
        return (.halted, halt)
    }

    private mutating func wentBackwards(_ partition: TopicPartition, offset: Int64, position: Int64, now: Timestamp)
        -> RecordVerdict
    {
        halt(
            partition,
            HaltFacts(
                code: .offsetWentBackwards, position: position, offset: offset,
                detail:
                    "the consumer delivered \(partition)@\(offset), below the position \(position) it was reading from: the broker's offsets were reset"
            ), now: now)
    }
}
