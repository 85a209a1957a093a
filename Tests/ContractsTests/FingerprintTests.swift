import Contracts
import Foundation
import Testing

@Suite("Content fingerprint")
struct FingerprintTests {
    @Test("Resending with a new envelope id and time is the same content")
    func sameContent() {
        var resend = SampleEvents.request
        resend.id = SampleEvents.id("another-envelope")
        resend.createdAt = SampleEvents.time("2030-01-01T00:00:00Z")
        #expect(resend.contentFingerprint == SampleEvents.request.contentFingerprint)
        #expect(resend.contentFingerprint.digest.count == 32 && resend.contentFingerprint.hex.count == 64)
    }

    @Test("Any change of content changes the fingerprint")
    func differentContent() {
        var changed = SampleEvents.request
        changed.amount = SampleEvents.kzt("1250000.01")
        #expect(changed.contentFingerprint != SampleEvents.request.contentFingerprint)
        var other = SampleEvents.request
        other.account.holderName = nil
        #expect(other.contentFingerprint != SampleEvents.request.contentFingerprint)
    }

    @Test("Spelling differences that mean the same value do not matter")
    func canonicalValues() throws {
        func decode(_ amount: String, _ time: String) throws -> FreezeRequest {
            var object =
                try JSONSerialization.jsonObject(with: Data(try EventEncoder.encode(SampleEvents.request)))
                as! [String: Any]
            object["amount"] = ["value": amount, "currency": "KZT"]
            object["issued_at"] = time
            return try EventDecoder.decode(
                FreezeRequest.self, from: [UInt8](try JSONSerialization.data(withJSONObject: object)))
        }
        #expect(
            try decode("1250000", "2024-05-14T09:11:40Z").contentFingerprint
                == decode("1250000.0000", "2024-05-14T09:11:40.000Z").contentFingerprint)
    }

    @Test("The fingerprint excludes exactly id and created_at")
    func excludedFields() {
        let text = String(
            decoding: ContentFingerprint.canonicalContent(of: SampleEvents.request.asEvent), as: UTF8.self)
        #expect(!text.contains("\"id\"") && !text.contains("created_at"))
        #expect(text.contains("\"request_id\"") && text.contains("\"type\":\"freeze_request\""))
    }

    @Test("The fingerprint is the SHA-256 of the canonical content")
    func digestOfContent() {
        let content = ContentFingerprint.canonicalContent(of: SampleEvents.request.asEvent)
        #expect(SampleEvents.request.contentFingerprint.digest == SHA256Hasher.hash(content))
        #expect(SampleEvents.request.contentFingerprint == ContentFingerprint(canonicalBytes: content))
    }

    @Test("A stored digest and content stored by older ledgers give the same fingerprint")
    func storedForms() {
        let fingerprint = SampleEvents.request.contentFingerprint
        #expect(ContentFingerprint(stored: fingerprint.digest) == fingerprint)
        let legacy = ContentFingerprint.canonicalContent(of: SampleEvents.request.asEvent)
        #expect(legacy.count > 32)
        #expect(ContentFingerprint(stored: legacy) == fingerprint)
        var changed = SampleEvents.request
        changed.amount = SampleEvents.kzt("1.00")
        #expect(ContentFingerprint(stored: ContentFingerprint.canonicalContent(of: changed.asEvent)) != fingerprint)
    }
}
