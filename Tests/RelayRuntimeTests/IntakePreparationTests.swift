import Contracts
import Foundation
import Relay
import RelayKafka
import RelayTestSupport
import Testing

@testable import RelayRuntime

/// The part of intake that runs without the ledger, beside the previous batch's transaction: it
/// must judge every record exactly as deciding inside the transaction did.
@Suite("Intake preparation: decoding ahead of the transaction")
struct IntakePreparationTests {
    let engine = RelayEngine(policy: testPolicy())
    var topics: TopicNames { engine.policy.topics }

    func record(_ topic: String, key: String?, value: [UInt8], offset: Int64 = 7) -> KafkaMessage {
        KafkaMessage(topic: topic, partition: 3, offset: offset, key: key.map { Array($0.utf8) }, value: value)
    }

    @Test("a request keyed by its id is decoded, with the fingerprint of its content")
    func request() throws {
        let request = freezeRequest(iban: kzIBAN(bank: alphaCode, account: 1))
        let prepared = IntakePreparation.prepare(
            record(
                topics.requests, key: CanonicalUUID.string(request.requestID), value: try EventEncoder.encode(request)),
            engine: engine)
        guard case .request(let decoded, let fingerprint, _) = prepared.content else {
            Issue.record("not a request: \(prepared.content)")
            return
        }
        #expect(decoded == request)
        #expect(fingerprint == ContentFingerprint(request))
        #expect(prepared.record.offset == 7)
    }

    @Test("a key that is not the canonical request id is refused, naming the envelope id and the request")
    func keyMismatch() throws {
        let request = freezeRequest(iban: kzIBAN(bank: alphaCode, account: 1))
        let upper = CanonicalUUID.string(request.requestID).uppercased()
        let prepared = IntakePreparation.prepare(
            record(topics.requests, key: upper, value: try EventEncoder.encode(request)), engine: engine)
        guard case .refused(let effects, let eventID, let subject) = prepared.content else {
            Issue.record("not refused")
            return
        }
        #expect(effects.refusal?.code == .keyMismatch)
        #expect(eventID == request.id)
        #expect(subject.requestID == request.requestID)
        let missing = IntakePreparation.prepare(
            record(topics.requests, key: nil, value: try EventEncoder.encode(request)), engine: engine)
        guard case .refused(let noKey, _, _) = missing.content else {
            Issue.record("not refused")
            return
        }
        #expect(noKey.refusal?.code == .missingKey)
    }

    @Test("bytes that are not an event are refused without an envelope id: ids then derive from the position")
    func garbage() {
        let prepared = IntakePreparation.prepare(
            record(topics.requests, key: "k", value: Array("{not json".utf8)), engine: engine)
        guard case .refused(let effects, let eventID, _) = prepared.content else {
            Issue.record("not refused")
            return
        }
        #expect(effects.refusal?.code == .invalidJSON)
        #expect(eventID == nil)
    }

    @Test("an answer is taken only from a configured bank's responses topic, and attributed to that bank")
    func answers() throws {
        let id = UUID()
        let response = answer(id, .acknowledged)
        let value = try EventEncoder.encode(response)
        let alpha = try BankID("alpha")
        let prepared = IntakePreparation.prepare(
            record(topics.bankResponses(alpha), key: CanonicalUUID.string(id), value: value), engine: engine)
        guard case .answer(let decoded, let bank, let fingerprint, _) = prepared.content else {
            Issue.record("not an answer")
            return
        }
        #expect(decoded == response && bank == alpha && fingerprint == ContentFingerprint(response))

        let stranger = IntakePreparation.prepare(
            record(topics.bankResponses(try BankID("delta")), key: CanonicalUUID.string(id), value: value),
            engine: engine)
        guard case .refused(let effects, _, _) = stranger.content else {
            Issue.record("a stranger's topic was read as answers")
            return
        }
        #expect(effects.refusal?.code == .wrongTopic)
    }

    @Test("a batch is prepared record by record, in order, with the engine that will decide it")
    func batchOrder() throws {
        let requests = (0..<5).map { freezeRequest(iban: kzIBAN(bank: betaCode, account: $0)) }
        let records =
            try requests.enumerated().map { index, request in
                record(
                    topics.requests, key: CanonicalUUID.string(request.requestID),
                    value: try EventEncoder.encode(request), offset: Int64(index))
            } + [record(topics.requests, key: nil, value: [0xFF, 0x00], offset: 5)]
        let batch = IntakePreparation.prepare(records, engine: engine)
        #expect(batch.records.map(\.record.offset) == [0, 1, 2, 3, 4, 5])
        #expect(batch.engine.policy == engine.policy)
        let decoded = batch.records.compactMap { prepared -> UUID? in
            if case .request(let request, _, _) = prepared.content { return request.requestID } else { return nil }
        }
        #expect(decoded == requests.map(\.requestID))
    }
}
