import Contracts
import Foundation
import Relay

/// Row mapping for `requests`.
enum RequestRows {
    /// Every column but `request_json`: what the writer reads, taking the request itself from
    /// its `RequestCache` and decoding the stored JSON only on a miss.
    static let stateColumns = """
        request_id, fingerprint, state, bank_id, received_at, routed_at, acknowledged_at, answered_at, frozen_at, closed_at,
        acknowledge_by, freeze_by, frozen_amount, frozen_currency, hold_until, reason
        """

    /// Writes a request's state change. A request new to the ledger is inserted in full, with its
    /// JSON (encoded only then); the caller's lookup that found it absent saves the UPDATE that
    /// would otherwise come first. `schemaVersion` decides the stored form of the JSON (see
    /// ``StoredRequestFormSchema``).
    static func upsert(_ record: RequestRecord, db: borrowing Database, now: Int64, schemaVersion: Int) throws {
        if db.requests?.isKnownAbsent(record.requestID) != true {
            try update(record, db: db, now: now)
            guard db.changes == 0 else { return }
        }
        try insert(record, db: db, now: now, schemaVersion: schemaVersion)
    }

    private static func update(_ record: RequestRecord, db: borrowing Database, now: Int64) throws {
        try db.execute(updateSQL, stateValues(record, now: now) + [Stored.text(record.requestID)])
    }

    /// Inserts the full row. No `ON CONFLICT`: the row is known to be absent, and should it exist
    /// after all, the constraint error rolls the transaction back rather than leave a cached
    /// request that differs from the stored one.
    private static func insert(_ record: RequestRecord, db: borrowing Database, now: Int64, schemaVersion: Int) throws {
        let json: [UInt8]
        do { json = try EventEncoder.encodeTrusted(record.request.asEvent) } catch {
            throw LedgerError.misuse("request \(record.requestID) cannot be encoded: \(error)")
        }
        // The cache hands out the request as given here instead of decoding this JSON later:
        // the two must be the same (checked in debug builds, that is, by every test).
        assert(
            (try? EventDecoder.decode(FreezeRequest.self, from: json)) == record.request,
            "request \(record.requestID) does not read back as written")
        let stored = schemaVersion >= StoredRequestFormSchema.version ? StoredRequestJSON.pack(json) : json
        assert((try? StoredRequestJSON.unpack(stored)) == json, "request \(record.requestID)'s stored form differs")
        try db.execute(
            insertSQL,
            [
                Stored.text(record.requestID), record.caseID, record.request.priority.rawValue, record.hop,
                record.parentRequestID.map(Stored.text), record.iban.electronicFormat, record.request.amount.value,
                record.request.amount.currency, Stored.millis(record.receivedAt),
                Data(record.fingerprint.digest), Data(stored),
            ] + stateValues(record, now: now))
        db.requests?.stage(record.request)
    }

    /// The columns a state change writes, in the order of `stateValues`.
    private static let updatedColumns = [
        "bank_id", "state", "routed_at", "acknowledged_at", "answered_at", "frozen_at", "closed_at", "acknowledge_by",
        "freeze_by", "frozen_amount", "hold_until", "reason", "updated_at", "frozen_currency",
    ]

    private static let updateSQL =
        "UPDATE requests SET \(updatedColumns.map { "\($0) = ?" }.joined(separator: ", ")) WHERE request_id = ?"

    private static let insertSQL = """
        INSERT INTO requests (request_id, case_id, priority, hop, parent_request_id, iban, amount, currency, received_at,
            fingerprint, request_json, \(updatedColumns.joined(separator: ", ")))
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \(updatedColumns.map { _ in "?" }.joined(separator: ", ")))
        """

    private static func stateValues(_ record: RequestRecord, now: Int64) -> SQLArguments {
        [
            record.bankID?.rawValue, record.state.rawValue, Stored.millis(record.routedAt),
            Stored.millis(record.acknowledgedAt),
            Stored.millis(record.answeredAt), Stored.millis(record.frozenAt), Stored.millis(record.closedAt),
            Stored.millis(record.acknowledgeBy), Stored.millis(record.freezeBy), record.frozenAmount?.value,
            Stored.millis(record.holdUntil), record.reason, now, record.frozenAmount?.currency,
        ]
    }

    /// A record from a row holding all columns, decoding the stored JSON (readers).
    static func record(_ row: Row) throws -> RequestRecord {
        try record(row, request: decode(try row["request_json"]))
    }

    /// The writer's records: rows of `stateColumns`, the request from the cache when it has it.
    static func records(_ rows: [Row], db: borrowing Database) throws -> [RequestRecord] {
        var records: [RequestRecord] = []
        records.reserveCapacity(rows.count)
        for row in rows {
            let id = try Stored.uuid(try row["request_id"], column: "requests.request_id")
            let request: FreezeRequest
            if let cached = db.requests?.request(id) {
                request = cached
            } else {
                let json: Data? = try db.scalar(
                    "SELECT request_json FROM requests WHERE request_id = ?", [Stored.text(id)])
                request = try decode(json ?? Data())
                db.requests?.stage(request)
            }
            records.append(try record(row, request: request))
        }
        return records
    }

    /// The request of a stored `request_json`, of either stored form (``StoredRequestJSON``).
    private static func decode(_ stored: Data) throws -> FreezeRequest {
        do {
            return try EventDecoder.decode(FreezeRequest.self, from: try StoredRequestJSON.unpack([UInt8](stored)))
        } catch {
            throw LedgerError.corruptValue(column: "requests.request_json", value: "\(error)")
        }
    }

    private static func record(_ row: Row, request: FreezeRequest) throws -> RequestRecord {
        // Rows from before schema version 3 have no frozen currency: the request's it was.
        let storedCurrency: String? = try row["frozen_currency"]
        let currency = storedCurrency ?? request.amount.currency
        let frozen: String? = try row["frozen_amount"]
        let bank: String? = try row["bank_id"]
        return RequestRecord(
            request: request,
            fingerprint: ContentFingerprint(stored: [UInt8](try row["fingerprint"] as Data)),
            state: try Stored.enumeration(RequestState.self, try row["state"], column: "requests.state"),
            bankID: try bank.map { text throws(LedgerError) in try Stored.bank(text, column: "requests.bank_id") },
            receivedAt: Stored.timestamp(try row["received_at"] as Int64),
            routedAt: Stored.timestamp(try row["routed_at"] as Int64?),
            acknowledgedAt: Stored.timestamp(try row["acknowledged_at"] as Int64?),
            answeredAt: Stored.timestamp(try row["answered_at"] as Int64?),
            frozenAt: Stored.timestamp(try row["frozen_at"] as Int64?),
            closedAt: Stored.timestamp(try row["closed_at"] as Int64?),
            acknowledgeBy: Stored.timestamp(try row["acknowledge_by"] as Int64?),
            freezeBy: Stored.timestamp(try row["freeze_by"] as Int64?),
            frozenAmount: try frozen.map { value throws(LedgerError) in
                try Stored.money(value, currency, column: "requests.frozen_amount")
            },
            holdUntil: Stored.timestamp(try row["hold_until"] as Int64?),
            reason: try row["reason"])
    }
}

/// Row mapping for `escalations`.
///
/// Raising an escalation that is still open keeps its row: the level only climbs, and the level
/// time, deadline and detail follow the highest level raised. Raising one that was resolved
/// (a hold extended and later about to lapse again) reopens the row as a new episode, with the
/// new record's raise time, level and deadline rather than the old episode's.
enum EscalationRows {
    static func upsert(_ escalation: EscalationRecord, db: borrowing Database) throws {
        try db.execute(
            """
            INSERT INTO escalations (escalation_id, kind, level, request_id, case_id, bank_id, raised_at, level_raised_at, deadline_at, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (escalation_id) DO UPDATE SET
                level = CASE WHEN resolved_at IS NOT NULL THEN excluded.level ELSE max(level, excluded.level) END,
                raised_at = CASE WHEN resolved_at IS NOT NULL THEN excluded.raised_at ELSE raised_at END,
                level_raised_at = CASE WHEN resolved_at IS NOT NULL OR excluded.level > level THEN excluded.level_raised_at ELSE level_raised_at END,
                deadline_at = CASE WHEN resolved_at IS NOT NULL OR excluded.level >= level THEN excluded.deadline_at ELSE deadline_at END,
                detail = CASE WHEN resolved_at IS NOT NULL OR excluded.level >= level THEN excluded.detail ELSE detail END,
                case_id = coalesce(excluded.case_id, case_id), bank_id = coalesce(excluded.bank_id, bank_id),
                resolved_at = NULL, resolution = NULL
            """,
            [
                Stored.text(escalation.escalationID), escalation.kind.rawValue, escalation.level,
                Stored.text(escalation.requestID),
                escalation.caseID, escalation.bankID?.rawValue, Stored.millis(escalation.raisedAt),
                Stored.millis(escalation.levelRaisedAt), Stored.millis(escalation.deadline), escalation.detail,
            ])
    }

    static func record(_ row: Row) throws -> EscalationRecord {
        let bank: String? = try row["bank_id"]
        return EscalationRecord(
            escalationID: try Stored.uuid(try row["escalation_id"], column: "escalations.escalation_id"),
            kind: try Stored.enumeration(EscalationKind.self, try row["kind"], column: "escalations.kind"),
            level: try row["level"],
            requestID: try Stored.uuid(try row["request_id"], column: "escalations.request_id"),
            caseID: try row["case_id"],
            bankID: try bank.map { text throws(LedgerError) in try Stored.bank(text, column: "escalations.bank_id") },
            raisedAt: Stored.timestamp(try row["raised_at"] as Int64),
            levelRaisedAt: Stored.timestamp(try row["level_raised_at"] as Int64),
            deadline: Stored.timestamp(try row["deadline_at"] as Int64?),
            detail: try row["detail"])
    }
}

/// Row mapping for `deadlines`.
enum DeadlineRows {
    /// Reads a timer from a ledger of `schemaVersion` (which decides how its id is stored).
    static func deadline(schemaVersion: Int) -> (Row) throws -> Deadline {
        { row in try deadline(row, schemaVersion: schemaVersion) }
    }

    static func deadline(_ row: Row, schemaVersion: Int) throws -> Deadline {
        let request: String = try row["request_id"]
        return Deadline(
            id: TimerKey.id(stored: try row["deadline_id"], request: request, schemaVersion: schemaVersion),
            requestID: try Stored.uuid(request, column: "deadlines.request_id"),
            kind: try Stored.enumeration(DeadlineKind.self, try row["kind"], column: "deadlines.kind"),
            level: try row["level"],
            deadline: Stored.timestamp(try row["deadline_at"] as Int64),
            dueAt: Stored.timestamp(try row["due_at"] as Int64))
    }
}

/// Row mapping for `chain_edges`. The transfer itself is kept as its JSON (within a minimal
/// bank response envelope, so the contracts' strict decoder can read it back).
enum EdgeRows {
    static func insert(_ edge: ChainEdge, db: borrowing Database) throws {
        let target: UUID?
        switch edge.outcome {
        case .child(let id), .join(let id): target = id
        case .exit, .limit: target = nil
        }
        try db.execute(
            """
            INSERT INTO chain_edges (from_request_id, transfer_reference, case_id, reported_by, outcome, target_request_id,
                amount, currency, occurred_at, transfer_json, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """,
            [
                Stored.text(edge.fromRequestID), edge.transfer.reference, edge.caseID, edge.reportedBy.rawValue,
                edge.outcome.name,
                target.map(Stored.text), edge.transfer.amount.value, edge.transfer.amount.currency,
                Stored.millis(edge.transfer.occurredAt), Data(try TransferJSON.encode(edge.transfer)),
                Stored.millis(edge.recordedAt),
            ])
    }

    static func edge(_ row: Row) throws -> ChainEdge {
        let outcomeText: String = try row["outcome"]
        let target: String? = try row["target_request_id"]
        let outcome: EdgeOutcome
        switch outcomeText {
        case "child": outcome = .child(try Stored.uuid(target ?? "", column: "chain_edges.target_request_id"))
        case "join": outcome = .join(try Stored.uuid(target ?? "", column: "chain_edges.target_request_id"))
        default:
            if outcomeText.hasPrefix("exit:"), let reason = ExitReason(rawValue: String(outcomeText.dropFirst(5))) {
                outcome = .exit(reason)
            } else if outcomeText.hasPrefix("limit:"),
                let reason = LimitReason(rawValue: String(outcomeText.dropFirst(6)))
            {
                outcome = .limit(reason)
            } else {
                throw LedgerError.corruptValue(column: "chain_edges.outcome", value: outcomeText)
            }
        }
        return ChainEdge(
            caseID: try row["case_id"],
            fromRequestID: try Stored.uuid(try row["from_request_id"], column: "chain_edges.from_request_id"),
            reportedBy: try Stored.bank(try row["reported_by"], column: "chain_edges.reported_by"),
            transfer: try TransferJSON.decode([UInt8](try row["transfer_json"] as Data)),
            outcome: outcome,
            recordedAt: Stored.timestamp(try row["recorded_at"] as Int64))
    }
}

/// Stores an onward transfer through the contracts' own codec (as the only item of a
/// `funds_moved` answer), so what is read back is validated like any incoming answer.
enum TransferJSON {
    private static let carrierID = UUID(uuidString: "00000000-0000-0000-0000-000000000000")!

    static func encode(_ transfer: OnwardTransfer) throws -> [UInt8] {
        let carrier = BankResponse(
            id: carrierID, createdAt: transfer.occurredAt, responseID: "stored-transfer", requestID: carrierID,
            status: .fundsMoved, respondedAt: transfer.occurredAt, onwardTransfers: [transfer])
        do { return try EventEncoder.encode(carrier) } catch {
            throw LedgerError.misuse("transfer cannot be encoded: \(error)")
        }
    }

    static func decode(_ bytes: [UInt8]) throws -> OnwardTransfer {
        do {
            guard let transfer = try EventDecoder.decodeBankResponse(bytes).onwardTransfers.first else {
                throw LedgerError.corruptValue(column: "chain_edges.transfer_json", value: "no transfer")
            }
            return transfer
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError.corruptValue(column: "chain_edges.transfer_json", value: "\(error)")
        }
    }
}
