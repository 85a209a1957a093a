import Authenticity
import Contracts
import Foundation
import Relay
import RelayKafka

/// A consumed record as far as it can be judged without the ledger: decoded, fingerprinted and
/// checked against its key, or refused. Pure work, so the intake loop does it for the next batch
/// while the previous batch's transaction runs (the two use both cores).
struct PreparedRecord: Sendable {
    let record: KafkaMessage
    let content: Content

    enum Content: Sendable {
        /// A police request, with its content fingerprint and how it was judged.
        case request(FreezeRequest, ContentFingerprint, OrderJudgement)
        case cancel(FreezeCancel, OrderJudgement)
        /// A police order refused because no registered issuer signed it (the `require` policy).
        case unauthenticated(PoliceMessage, AuthenticityProblem)
        /// A bank's answer on a configured bank's responses topic, with its content fingerprint;
        /// `unverified` when it was accepted under the bank's `warn` policy without a valid signature.
        case answer(BankResponse, from: BankID, ContentFingerprint, unverified: AuthenticityProblem?)
        /// A bank's answer refused because the bank's answers must be signed and this one is not
        /// signed with its registered key.
        case unauthenticatedAnswer(BankResponse, from: BankID, AuthenticityProblem)
        /// Refused before the ledger is asked. `eventID` is the envelope id when the record decoded
        /// (a wrong key): ids derived from the record then use it, as they did before the split.
        case refused(Effects, eventID: UUID?, subject: IntakeSubject)
    }
}

/// How an accepted police order was judged against the issuer registry.
struct OrderJudgement: Sendable {
    /// The verified order and its signature, to travel with it to the bank.
    var authorization: OrderAuthorization?
    /// Why it was accepted unverified (the `warn` policy).
    var unverified: AuthenticityProblem?

    static let unchecked = OrderJudgement()

    /// What the bank is told was checked.
    var police: PoliceJudgement {
        if let authorization { return .verified(authorization) }
        return unverified.map { .unverified($0.failure) } ?? .unchecked
    }
}

/// Whom an applied record was about, for outcomes and logs (ids only).
struct IntakeSubject: Sendable {
    var requestID: UUID?
    var caseID: String?
    var bankID: BankID?
    /// A police order accepted under `warn` without a valid signature: why.
    var unverified: AuthenticityFailure?
}

/// A poll batch prepared with one engine: the same engine then decides it, so a configuration
/// reload takes effect between batches, never inside one.
struct PreparedBatch: Sendable {
    let engine: RelayEngine
    let records: [PreparedRecord]
}

enum IntakePreparation {
    /// Decodes and checks every record of a batch. Total: every record yields a prepared record.
    /// `now`: when the batch is read, for the issuer registry's maximum order age (nil: not checked).
    static func prepare(_ batch: [KafkaMessage], engine: RelayEngine, now: Timestamp? = nil) -> PreparedBatch {
        PreparedBatch(engine: engine, records: batch.map { prepare($0, engine: engine, now: now) })
    }

    static func prepare(_ record: KafkaMessage, engine: RelayEngine, now: Timestamp? = nil) -> PreparedRecord {
        let policy = engine.policy
        func refused(_ effects: Effects, eventID: UUID? = nil, _ subject: IntakeSubject = IntakeSubject())
            -> PreparedRecord
        {
            PreparedRecord(record: record, content: .refused(effects, eventID: eventID, subject: subject))
        }
        if record.topic == policy.topics.requests {
            let message: PoliceMessage
            do {
                message = try EventDecoder.decodePoliceMessage(record.value ?? [])
            } catch {
                return refused(engine.refuse(error))
            }
            if let refusal = keyRefusal(record, requestID: message.requestID) {
                return refused(.refused(refusal), eventID: message.eventID, IntakeSubject(requestID: message.requestID))
            }
            var judgement = OrderJudgement.unchecked
            let signatures = signatures(in: record)
            let (agency, issuedAt) = message.agencyAndIssuedAt
            switch policy.issuers.judge(
                signatures: signatures, payload: record.value ?? [], agency: agency, issuedAt: issuedAt, now: now)
            {
            case .unchecked: break
            case .verified where (record.value?.count ?? 0) > OrderAuthorization.maxOrderBytes:
                let refusal = Refusal(
                    code: .tooLarge, path: nil,
                    message: "a signed order of \(record.value?.count ?? 0) bytes cannot travel to the bank with its "
                        + "signature (at most \(OrderAuthorization.maxOrderBytes) bytes); send the order without attachments"
                )
                return refused(.refused(refusal), eventID: message.eventID, IntakeSubject(requestID: message.requestID))
            case .verified(let issuerID, let keyID):
                // Verified means exactly one signature header, which is what travels on.
                judgement.authorization = OrderAuthorization(
                    issuerID: issuerID, keyID: keyID, signature: String(decoding: signatures[0], as: UTF8.self),
                    order: record.value ?? [])
            case .flagged(let problem): judgement.unverified = problem
            case .refused(let problem):
                return PreparedRecord(record: record, content: .unauthenticated(message, problem))
            }
            switch message {
            case .request(let request):
                return PreparedRecord(
                    record: record, content: .request(request, ContentFingerprint(request), judgement))
            case .cancel(let cancel): return PreparedRecord(record: record, content: .cancel(cancel, judgement))
            }
        }
        guard let bank = policy.bank(forResponsesTopic: record.topic) else {
            let error = ContractError(
                code: .wrongTopic, path: nil,
                reason:
                    "records on \(record.topic) are not expected by the relay (neither the requests topic nor a bank's responses topic)"
            )
            return refused(engine.refuse(error))
        }
        let response: BankResponse
        do {
            response = try EventDecoder.decodeBankResponse(record.value ?? [])
        } catch {
            return refused(engine.refuse(error), IntakeSubject(bankID: bank))
        }
        if let refusal = keyRefusal(record, requestID: response.requestID) {
            return refused(
                .refused(refusal), eventID: response.id, IntakeSubject(requestID: response.requestID, bankID: bank))
        }
        var unverified: AuthenticityProblem?
        let keys = policy.routing.profile(bank)?.answerSigning ?? .unchecked
        switch keys.judge(
            signatures: signatures(in: record), payload: record.value ?? [], agency: bank.rawValue,
            issuedAt: response.respondedAt)
        {
        case .verified, .unchecked: break
        case .flagged(let problem): unverified = problem
        case .refused(let problem):
            return PreparedRecord(record: record, content: .unauthenticatedAnswer(response, from: bank, problem))
        }
        return PreparedRecord(
            record: record, content: .answer(response, from: bank, ContentFingerprint(response), unverified: unverified)
        )
    }

    /// Every `fr-signature` header value of a record (a name compared byte for byte).
    static func signatures(in record: KafkaMessage) -> [[UInt8]] {
        record.headers.filter { $0.nameBytes == signatureHeaderName }.map { $0.value ?? [] }
    }

    private static let signatureHeaderName = Array(DetachedJWS.headerName.utf8)

    /// Requests, cancels and answers must be keyed by request id: Kafka orders records per key,
    /// so only then does a cancel or an answer never overtake the request it is about. The key's
    /// bytes must be exactly the canonical (lower-case) form: Kafka partitions by bytes, so any
    /// other spelling of the same id lands elsewhere.
    static func keyRefusal(_ record: KafkaMessage, requestID: UUID) -> Refusal? {
        let expected = CanonicalUUID.string(requestID)
        guard let key = record.key else {
            return Refusal(
                code: .missingKey, path: nil,
                message:
                    "the Kafka record has no key; it must be keyed by request_id (\(expected)) so that records about one request stay in order"
            )
        }
        guard key.elementsEqual(expected.utf8) else {
            // Quoted on one line, control characters escaped: the key is whatever the sender wrote.
            let quoted = ContractText.fittedName(String(decoding: key.prefix(64), as: UTF8.self), limit: 128)
            return Refusal(
                code: .keyMismatch, path: "request_id",
                message: "the Kafka key \"\(quoted)\"\(key.count > 64 ? " (first 64 of \(key.count) bytes)" : "") "
                    + "is not the request_id in canonical form: expected \"\(expected)\" (lower case), byte for byte; records about a request must be keyed by it so that they share a partition"
            )
        }
        return nil
    }
}

extension PoliceMessage {
    /// The envelope id of the message.
    var eventID: UUID {
        switch self {
        case .request(let request): request.id
        case .cancel(let cancel): cancel.id
        }
    }
}
