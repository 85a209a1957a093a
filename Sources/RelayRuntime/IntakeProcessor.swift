import Authenticity
import Contracts
import Foundation
import Ledger
import Relay
import RelayKafka

/// What happened to one consumed record.
public struct IntakeOutcome: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// `routed`, `duplicate`, `dead_lettered`, `frozen`, `already_applied`, …
    public var outcome: Outcome
    public var requestID: UUID?
    public var caseID: String?
    public var bankID: BankID?
    public var deadLetterCode: DeadLetterCode?
    /// What failed when the relay failed on the record itself (outcome `internal_error`): its
    /// decision was dropped and the record dead-lettered in minimal form. Names ids, never content.
    public var failure: String?
    /// Why a police order accepted under the `warn` policy was not verified (nil when it was, or
    /// when nothing was checked).
    public var unverified: AuthenticityFailure?
}

/// Applies prepared records (see `IntakePreparation`) to the ledger: for each record, load what
/// the ledger knows, let the relay engine decide, and write the state change, its timers, audit
/// rows and outgoing events (outbox) — the whole poll batch in one SQLite transaction. Kafka
/// offsets are stored by the caller only after this returns.
///
/// A record below a partition's recorded position was applied before: it is skipped, so nothing
/// is applied twice. (`PartitionContinuity` keeps such records from getting here at all unless
/// they really are re-deliveries; offsets that went backwards halt the partition before.)
struct IntakeProcessor: Sendable {
    let ledger: Ledger
    let clock: any RelayClock

    /// What applying a batch did: an outcome per record, and the events it queued (to hand to
    /// the publisher from memory).
    struct Applied: Sendable {
        var outcomes: [IntakeOutcome]
        var queued: [PendingMessage]
    }

    func apply(_ batch: PreparedBatch) throws -> Applied {
        let engine = batch.engine
        return try ledger.write { tx in
            var outcomes: [IntakeOutcome] = []
            outcomes.reserveCapacity(batch.records.count)
            // Positions are read once per partition and written once per batch: the batch is
            // one transaction, so only where each partition ends matters.
            var next: [TopicPartition: Int64?] = [:]
            var epochs: [TopicPartition: Int64] = [:]
            var last: [TopicPartition: KafkaMessage] = [:]
            for prepared in batch.records {
                let record = prepared.record
                let partition = record.topicPartition
                if next[partition] == nil {
                    let position = try tx.partitionPosition(topic: record.topic, partition: record.partition)
                    next[partition] = position?.nextOffset
                    epochs[partition] = position?.epoch ?? 0
                }
                if let position = next[partition] ?? nil, record.offset < position {
                    outcomes.append(
                        IntakeOutcome(
                            topic: record.topic, partition: record.partition, offset: record.offset,
                            outcome: .alreadyApplied))
                    continue
                }
                let now = clock.now()
                let (effects, cause, subject) = try decide(
                    prepared, epoch: epochs[partition] ?? 0, engine: engine, tx: tx, now: now)
                outcomes.append(
                    try write(
                        effects, of: record, cause: cause, subject: subject, policy: engine.policy, tx: tx, now: now))
                next[partition] = record.offset + 1
                last[partition] = record
            }
            // With each position goes the digest of the record just below it, so that after a
            // restart the relay can check the partition still holds that very record there.
            let now = clock.now()
            for (partition, record) in last {
                try tx.recordPosition(
                    topic: partition.topic, partition: partition.partition, nextOffset: record.offset + 1,
                    lastDigest: RecordDigest.of(record), at: now)
            }
            return Applied(outcomes: outcomes, queued: tx.queuedEvents)
        }
    }

    /// Writes a decision. When the relay fails on it (an event its contract refuses, an id already
    /// queued for another event), nothing of the decision is written; the record is dead-lettered
    /// in minimal form instead and intake goes on: one bad decision must not stop every later one.
    private func write(
        _ effects: Effects, of record: KafkaMessage, cause: Cause, subject: IntakeSubject, policy: RelayPolicy,
        tx: borrowing RelayTransaction, now: Timestamp
    ) throws -> IntakeOutcome {
        var outcome = IntakeOutcome(
            topic: record.topic, partition: record.partition, offset: record.offset, outcome: effects.outcome,
            requestID: subject.requestID, caseID: subject.caseID, bankID: subject.bankID,
            deadLetterCode: effects.refusal?.code,
            unverified: subject.unverified)
        do {
            try tx.commit(effects, cause: cause, policy: policy, refusedRecord: record, at: now)
        } catch {
            guard let failure = Self.internalFailure(error) else { throw error }
            let message =
                "the relay failed on this record and dropped its decision (\(effects.outcome)): \(failure). "
                + "The record is at its source position; please report this"
            let letter = OutboxEncoding.minimalDeadLetter(
                record, failure: message, policy: policy, cause: cause, now: now)
            let refusal = Refusal(code: .internalError, path: nil, message: message)
            try tx.apply(.refused(refusal), outbox: [try OutboxEncoding.encode(letter)], at: now)
            (outcome.outcome, outcome.deadLetterCode, outcome.failure) = (.internalError, .internalError, failure)
        }
        return outcome
    }

    /// The relay's own failures on a decision, which cost that decision but not intake; `nil` for
    /// anything else (a ledger that cannot be written stops intake, as before).
    static func internalFailure(_ error: any Error) -> String? {
        switch error {
        case let conflict as OutboxConflict: "\(conflict)"
        case RuntimeFailure.invalidOutgoingEvent(let what): "an outgoing event violates the contract (\(what))"
        default: nil
        }
    }

    /// A cancel lifts a freeze, so it must come from the agency that ordered it: the cancel was
    /// judged by its own agency's policy and key, which says nothing about the request's. Unless
    /// signatures are off for the request's agency, a cancel naming another agency is refused as
    /// `issuer_not_allowed` (operators can still cancel by hand).
    static func cancelAgencyProblem(_ cancel: FreezeCancel, of existing: RequestRecord?, issuers: IssuerRegistry)
        -> AuthenticityProblem?
    {
        guard let ordered = existing?.request.issuer.agency, ordered != cancel.issuer.agency,
            issuers.policy(forAgency: ordered) != .off
        else { return nil }
        return AuthenticityProblem(
            .issuerNotAllowed,
            "the cancel names agency \"\(ContractText.fittedName(cancel.issuer.agency, limit: 64))\" "
                + "but the request was ordered by \"\(ContractText.fittedName(ordered, limit: 64))\"; only the ordering agency may cancel it"
        )
    }

    /// What the registry's judgement adds to an accepted order's decision: the bank learns what
    /// was checked, and gets the verified order with its signature (when the request is routed
    /// later, from the ledger's pending judgement); an unverified one (`warn`) is audited as a
    /// security event.
    private func judge(
        _ effects: inout Effects, _ order: PoliceMessage, _ judgement: OrderJudgement, engine: RelayEngine,
        cause: Cause, now: Timestamp
    ) {
        effects.carry(judgement.police, for: order.requestID)
        if let unverified = judgement.unverified {
            engine.flagUnauthenticated(&effects, order: order, problem: unverified, cause: cause, now: now)
        }
    }

    /// What the ledger counted against a new police request; nil when no quota is set, so that
    /// intake without quotas does not pay for counting.
    static func quotaUsage(
        of request: FreezeRequest, policy: RelayPolicy, tx: borrowing RelayTransaction, now: Timestamp
    ) throws -> QuotaUsage? {
        guard !policy.quotas.isUnlimited else { return nil }
        let issuer = QuotaIssuer(
            registeredID: policy.issuers.issuerID(forAgency: request.issuer.agency), agency: request.issuer.agency)
        return try tx.quotaUsage(
            issuer: issuer, iban: request.account.iban, at: now, repeatWindow: policy.quotas.account.repeatWindow)
    }

    /// An order refused for want of a valid signature, decided with its group's open escalation.
    private func refuse(
        _ order: PoliceMessage, problem: AuthenticityProblem, engine: RelayEngine, tx: borrowing RelayTransaction,
        cause: Cause, now: Timestamp
    ) throws -> Effects {
        let open = try tx.openEscalation(securityGroup: engine.securityGroup(of: order, problem: problem).key)
        return engine.refuseUnauthenticated(order, problem: problem, open: open, cause: cause, now: now)
    }

    /// `epoch`: the partition's id epoch (see `PartitionSchema`), part of every id derived from the record.
    private func decide(
        _ prepared: PreparedRecord, epoch: Int64, engine: RelayEngine, tx: borrowing RelayTransaction,
        now: Timestamp
    ) throws -> (Effects, Cause, IntakeSubject) {
        let record = prepared.record
        func cause(_ eventID: UUID?) -> Cause {
            Cause.record(
                topic: record.topic, partition: record.partition, offset: record.offset, eventID: eventID, epoch: epoch)
        }
        switch prepared.content {
        case .refused(let effects, let eventID, let subject):
            return (effects, cause(eventID), subject)
        case .unauthenticated(let order, let problem):
            let effects = try refuse(
                order, problem: problem, engine: engine, tx: tx, cause: cause(order.eventID), now: now)
            return (effects, cause(order.eventID), IntakeSubject(requestID: order.requestID, caseID: order.caseID))
        case .request(let request, let fingerprint, let judgement):
            let context = RelayEngine.RequestContext(
                record: try tx.request(request.requestID),
                openEscalations: try tx.openEscalations(of: request.requestID))
            let quota =
                context.record == nil ? try Self.quotaUsage(of: request, policy: engine.policy, tx: tx, now: now) : nil
            var effects = engine.receive(
                request, fingerprint: fingerprint, context: context,
                case: try tx.caseContext(request.caseID), quota: quota, cause: cause(request.id), now: now)
            judge(&effects, .request(request), judgement, engine: engine, cause: cause(request.id), now: now)
            return (
                effects, cause(request.id),
                IntakeSubject(
                    requestID: request.requestID, caseID: request.caseID, bankID: effects.requests.first?.bankID,
                    unverified: judgement.unverified?.failure)
            )
        case .cancel(let cancel, let judgement):
            let existing = try tx.request(cancel.requestID)
            if let problem = Self.cancelAgencyProblem(cancel, of: existing, issuers: engine.policy.issuers) {
                let effects = try refuse(
                    .cancel(cancel), problem: problem, engine: engine, tx: tx, cause: cause(cancel.id), now: now)
                return (
                    effects, cause(cancel.id),
                    IntakeSubject(
                        requestID: cancel.requestID, caseID: existing?.caseID ?? cancel.caseID, bankID: existing?.bankID
                    )
                )
            }
            let context = RelayEngine.RequestContext(
                record: existing, openEscalations: try tx.openEscalations(of: cancel.requestID))
            let caseID = existing?.caseID ?? cancel.caseID
            let caseContext = try caseID.map { id in try tx.caseContext(id) } ?? CaseContext(caseID: "")
            var effects = engine.cancel(cancel, context: context, case: caseContext, cause: cause(cancel.id), now: now)
            judge(&effects, .cancel(cancel), judgement, engine: engine, cause: cause(cancel.id), now: now)
            return (
                effects, cause(cancel.id),
                IntakeSubject(
                    requestID: cancel.requestID, caseID: caseID, bankID: existing?.bankID,
                    unverified: judgement.unverified?.failure)
            )
        case .answer(let response, let bank, let fingerprint, let unverified):
            let existing = try tx.request(response.requestID)
            let context = RelayEngine.RequestContext(
                record: existing, openEscalations: try tx.openEscalations(of: response.requestID))
            let caseContext = try existing.map { try tx.caseContext($0.caseID) } ?? CaseContext(caseID: "")
            var effects = engine.answer(
                response, fingerprint: fingerprint, from: bank, context: context,
                previous: try tx.response(bank: bank, responseID: response.responseID),
                case: caseContext, cause: cause(response.id), now: now)
            if let unverified {
                engine.flagUnauthenticated(
                    &effects, answer: response, from: bank, record: existing, problem: unverified,
                    cause: cause(response.id), now: now)
            }
            return (
                effects, cause(response.id),
                IntakeSubject(
                    requestID: response.requestID, caseID: existing?.caseID, bankID: bank,
                    unverified: unverified?.failure)
            )
        case .unauthenticatedAnswer(let response, let bank, let problem):
            let existing = try tx.request(response.requestID)
            let open = try tx.openEscalation(
                securityGroup: engine.securityGroup(ofAnswerFrom: bank, problem: problem).key)
            let effects = engine.refuseUnauthenticated(
                response, from: bank, record: existing, problem: problem, open: open, cause: cause(response.id),
                now: now)
            return (
                effects, cause(response.id),
                IntakeSubject(requestID: response.requestID, caseID: existing?.caseID, bankID: bank)
            )
        }
    }
}
