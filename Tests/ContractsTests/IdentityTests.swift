import Contracts
import Foundation
import Testing

@Suite("SHA-1, UUID v5 and derived ids")
struct IdentityTests {
    private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    @Test(
        "FIPS 180 test vectors",
        arguments: [
            ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
            ("The quick brown fox jumps over the lazy dog", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12"),
        ])
    func sha1Vectors(_ input: String, _ digest: String) {
        #expect(hex(SHA1.hash(Array(input.utf8))) == digest)
    }

    @Test("SHA-1 of a million 'a' and of block-boundary lengths")
    func sha1Long() {
        #expect(
            hex(SHA1.hash([UInt8](repeating: 0x61, count: 1_000_000))) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
        // 55, 56 and 64 bytes straddle the padding boundary.
        #expect(hex(SHA1.hash([UInt8](repeating: 0x61, count: 55))) == "c1c8bbdc22796e28c0e15163d20899b65621d65a")
        #expect(hex(SHA1.hash([UInt8](repeating: 0x61, count: 56))) == "c2db330f6083854c99d4b5bfb6e8f29f201be699")
        #expect(hex(SHA1.hash([UInt8](repeating: 0x61, count: 64))) == "0098ba824b5c16427bd7a1122a5a442a25ec644d")
    }

    @Test("RFC 4122/9562 UUID v5 examples")
    func uuidV5() {
        #expect(
            CanonicalUUID.string(UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: "www.example.com"))
                == "2ed6657d-e927-568b-95e1-2665a8aea6a2")
        #expect(
            CanonicalUUID.string(UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: "python.org"))
                == "886313e1-3b8a-5372-9b90-0c9aee199e5d")
        #expect(
            CanonicalUUID.string(UUIDv5.make(namespace: UUIDv5.urlNamespace, name: "http://python.org/"))
                == "4c565f0d-3f5a-5890-b41b-20cf47701c5e")
    }

    @Test("Derived ids are stable, distinct and version 5")
    func derived() throws {
        let parent = try #require(CanonicalUUID.parse("5e1f8b5a-0d8c-4f5e-9a52-2c0f4b1d7a10"))
        let child = DeterministicIDs.childRequestID(parent: parent, transferReference: "KSP-TX-1")
        #expect(child == DeterministicIDs.childRequestID(parent: parent, transferReference: "KSP-TX-1"))
        #expect(child != DeterministicIDs.childRequestID(parent: parent, transferReference: "KSP-TX-2"))
        #expect(
            DeterministicIDs.eventID(cause: parent, kind: "routed_request")
                != DeterministicIDs.eventID(cause: parent, kind: "request_status:routed"))
        #expect(CanonicalUUID.string(child).dropFirst(14).first == "5")
        #expect(
            DeterministicIDs.namespace == UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: "freeze-relay.contracts"))
    }

    @Test("Only the lower-case canonical UUID form parses")
    func canonicalUUID() {
        #expect(CanonicalUUID.parse("2ed6657d-e927-568b-95e1-2665a8aea6a2") != nil)
        for bad in [
            "2ED6657D-E927-568B-95E1-2665A8AEA6A2", "{2ed6657d-e927-568b-95e1-2665a8aea6a2}",
            "2ed6657de927568b95e12665a8aea6a2",
            "urn:uuid:2ed6657d-e927-568b-95e1-2665a8aea6a2", "2ed6657d-e927-568b-95e1-2665a8aea6a",
            "2ed6657d-e927-568b-95e1-2665a8aea6ag",
        ] {
            #expect(CanonicalUUID.parse(bad) == nil, "\(bad)")
        }
    }

    @Test("The canonical text form agrees with Foundation's for any UUID, and parsing takes only that form")
    func canonicalTextForm() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let uuid = UUID()
            let text = CanonicalUUID.string(uuid)
            #expect(text == uuid.uuidString.lowercased())
            #expect(CanonicalUUID.parse(text) == uuid)
            #expect(CanonicalUUID.parse(uuid.uuidString) == (uuid.uuidString == text ? uuid : nil))
            // Any one character changed to something outside the form is refused.
            var bytes = Array(text.utf8)
            let position = Int.random(in: 0..<36, using: &random)
            bytes[position] = [
                UInt8(ascii: "g"), UInt8(ascii: "A"), UInt8(ascii: "-"), UInt8(ascii: " "), UInt8(ascii: "0"),
            ].randomElement(using: &random)!
            let changed = String(decoding: bytes, as: UTF8.self)
            let stillCanonical =
                [8, 13, 18, 23].contains(position)
                ? bytes[position] == UInt8(ascii: "-") : "0123456789abcdef".utf8.contains(bytes[position])
            #expect((CanonicalUUID.parse(changed) != nil) == stillCanonical, "\(changed)")
        }
        for text in [
            "", "{5e1f8b5a-0d8c-4f5e-9a52-2c0f4b1d7a10}", "5e1f8b5a0d8c4f5e9a522c0f4b1d7a10",
            "5e1f8b5a-0d8c-4f5e-9a52-2c0f4b1d7a1",
            "urn:uuid:5e1f8b5a-0d8c-4f5e-9a52-2c0f4b1d7a10", "5e1f8b5a-0d8c-4f5e-9a52-2c0f4b1d7a10 ",
            "5e1f8b5a-0d8c-4f5e-9a52-2c0f4b1d7é",
        ] {
            #expect(CanonicalUUID.parse(text) == nil, "\(text)")
        }
    }
}
