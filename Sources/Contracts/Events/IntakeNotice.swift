import Foundation

/// `intake_notice` — relay → operators on `freeze.escalations`, Kafka key = `<topic>/<partition>`.
///
/// Not about a request: about one partition the relay consumes. `partition_halted` says intake
/// stopped reading the partition because what the broker holds no longer matches what the ledger
/// applied (offsets went backwards, the record at the recorded position changed, records were
/// deleted before the relay read them); nothing more is read from it until an operator re-bases it.
/// `partition_rebased` records that re-base: the new position, the new id epoch and the
/// operator's note.
///
/// Conditional rules (stated the same way in the schema): `partition_halted` requires `code`;
/// `partition_rebased` requires `new_position`, `epoch` and `note` and must not carry `code`.
public struct IntakeNotice: ContractEvent, EventBody {
    /// `intake_notice`
    public static let eventType = EventType.intakeNotice

    /// Envelope id.
    public var id: UUID
    /// Envelope creation time.
    public var createdAt: Timestamp
    /// What happened to the partition.
    public var kind: Kind
    /// The partition's topic.
    public var topic: String
    /// The partition.
    public var partition: Int
    /// Why intake stopped (`partition_halted` only).
    public var code: HaltCode?
    /// The next offset the ledger had recorded for the partition, when it had one.
    public var ledgerPosition: Int64?
    /// The offset that revealed the problem (a record's, or the position the broker refused).
    public var offset: Int64?
    /// The partition's first retained offset, as the broker reported it.
    public var logStart: Int64?
    /// The offset after the partition's last record, as the broker reported it.
    public var logEnd: Int64?
    /// Where intake continues after a re-base; `-2` means the first retained record.
    public var newPosition: Int64?
    /// The id epoch in force after a re-base.
    public var epoch: Int64?
    /// The operator's reason for a re-base.
    public var note: String?
    /// Plain-words explanation.
    public var detail: String

    /// What happened to the partition.
    public enum Kind: String, Sendable, Hashable, CaseIterable, Codable {
        /// Intake stopped reading the partition.
        case partitionHalted = "partition_halted"
        /// An operator set a new position; intake reads the partition again.
        case partitionRebased = "partition_rebased"
    }

    /// Why intake stopped reading a partition.
    public enum HaltCode: String, Sendable, Hashable, CaseIterable, Codable {
        /// The partition ends before the ledger's position: records the relay would read next
        /// do not exist (the topic was re-created, the broker lost data, another cluster).
        case logEndsBeforePosition = "log_ends_before_position"
        /// The partition's first retained record is after the ledger's position: records were
        /// deleted (retention) before the relay read them.
        case recordsDeletedUnread = "records_deleted_unread"
        /// The record at the ledger's last applied offset is not the record that was applied.
        case recordMismatch = "record_mismatch"
        /// The broker refused the position as out of range while intake was reading.
        case offsetOutOfRange = "offset_out_of_range"
        /// The consumer delivered a record below the position it was reading from.
        case offsetWentBackwards = "offset_went_backwards"
    }

    /// `new_position` meaning "from the first retained record".
    public static let fromBeginning: Int64 = -2

    /// Creates a notice.
    public init(
        id: UUID, createdAt: Timestamp, kind: Kind, topic: String, partition: Int, code: HaltCode? = nil,
        ledgerPosition: Int64? = nil, offset: Int64? = nil, logStart: Int64? = nil, logEnd: Int64? = nil,
        newPosition: Int64? = nil, epoch: Int64? = nil, note: String? = nil, detail: String
    ) {
        self.id = id
        self.createdAt = createdAt
        self.kind = kind
        self.topic = topic
        self.partition = partition
        self.code = code
        self.ledgerPosition = ledgerPosition
        self.offset = offset
        self.logStart = logStart
        self.logEnd = logEnd
        self.newPosition = newPosition
        self.epoch = epoch
        self.note = note
        self.detail = detail
    }

    init(id: UUID, createdAt: Timestamp, body: ObjectReader) throws {
        self.id = id
        self.createdAt = createdAt
        kind = try body.required("kind", Read.enumeration(Kind.self))
        topic = try body.required("topic", DeadLetter.readTopic)
        partition = try body.required("partition", Read.integer(in: 0...Int64(Int32.max)))
        code = try body.optional("code", Read.enumeration(HaltCode.self))
        let offsetRange = 0...Int64.max
        ledgerPosition = try body.optional("ledger_position", Read.integer(in: offsetRange)).map(Int64.init)
        offset = try body.optional("offset", Read.integer(in: offsetRange)).map(Int64.init)
        logStart = try body.optional("log_start", Read.integer(in: offsetRange)).map(Int64.init)
        logEnd = try body.optional("log_end", Read.integer(in: offsetRange)).map(Int64.init)
        newPosition = try body.optional("new_position", Read.integer(in: Self.fromBeginning...Int64.max)).map(
            Int64.init)
        if newPosition == -1 {
            throw ContractError.violation(
                body.path.appending("new_position"), "must be -2 (from the beginning) or an offset (0 or more)")
        }
        epoch = try body.optional("epoch", Read.integer(in: offsetRange)).map(Int64.init)
        note = try body.optional("note", Read.text(maxLength: ContractLimits.detail))
        detail = try body.required("detail", Read.text(maxLength: ContractLimits.detail))
        switch kind {
        case .partitionHalted:
            try body.demand("code", "when kind is partition_halted")
        case .partitionRebased:
            try body.demand("new_position", "when kind is partition_rebased")
            try body.demand("epoch", "when kind is partition_rebased")
            try body.demand("note", "when kind is partition_rebased")
            try body.forbid("code", "when kind is partition_rebased")
        }
    }

    func writeBody(into body: inout ObjectWriter) {
        body.string("kind", kind.rawValue)
        body.string("topic", topic)
        body.integer("partition", partition)
        body.string("code", code?.rawValue)
        body.integer("ledger_position", ledgerPosition)
        body.integer("offset", offset)
        body.integer("log_start", logStart)
        body.integer("log_end", logEnd)
        body.integer("new_position", newPosition)
        body.integer("epoch", epoch)
        body.string("note", note)
        body.string("detail", detail)
    }

    /// The Kafka key: `<topic>/<partition>`, so notices about one partition stay in order.
    public var kafkaKey: String { "\(topic)/\(partition)" }

    /// Wraps in ``Event``.
    public var asEvent: Event { .intakeNotice(self) }
    /// Decodes with the contract rules (envelope included).
    public init(from decoder: any Decoder) throws { self = try Self.decodeFromCodable(decoder) }
    /// Encodes the contract form (envelope included).
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}
