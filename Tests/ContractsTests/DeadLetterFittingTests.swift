import Contracts
import Foundation
import Testing

/// The dead letter the relay builds for a refused record: cut to fit, and saying what was cut.
@Suite("Dead letters fitted to their limits")
struct DeadLetterFittingTests {
    static let t0 = Timestamp(secondsSinceEpoch: 1_700_000_000)
    static let source = DeadLetter.Source(topic: "freeze.requests", partition: 1, offset: 42)

    static func fitted(key: [UInt8]? = nil, value: [UInt8]? = nil, headers: [DeadLetter.Header] = []) -> DeadLetter {
        DeadLetter.fitting(
            id: UUID(), createdAt: t0, source: source, key: key, value: value, headers: headers,
            reason: .init(code: .invalidJSON, path: nil, message: "bad"), deadLetteredAt: t0)
    }

    /// Encodes, checks the budget, and decodes again.
    static func roundTrip(_ letter: DeadLetter) throws -> DeadLetter {
        let bytes = try EventEncoder.encode(letter)
        #expect(bytes.count <= DeadLetterLimits.encodedBytes)
        guard case .deadLetter(let decoded) = try EventDecoder.decodeEvent(bytes) else { throw CancellationError() }
        #expect(decoded == letter)
        return decoded
    }

    @Test("a record within every limit is carried whole, with no statement of a cut")
    func nothingCut() throws {
        let headers = [
            DeadLetter.Header(name: "traceparent", value: Array("00-ab-01".utf8)),
            DeadLetter.Header(name: "", value: nil),
        ]
        let letter = try Self.roundTrip(Self.fitted(key: Array("k".utf8), value: Array("{".utf8), headers: headers))
        #expect(letter.key == Array("k".utf8) && letter.value == Array("{".utf8) && letter.headers == headers)
        #expect(!letter.keyTruncated && !letter.valueTruncated && !letter.headersTruncated && !letter.contentOmitted)
        #expect(letter.keySize == nil && letter.valueSize == nil && letter.headersCount == nil)
        let json = String(decoding: try EventEncoder.encode(letter), as: UTF8.self)
        for field in [
            "key_truncated", "key_size", "value_truncated", "value_size", "headers_truncated", "headers_count",
            "content_omitted",
        ] {
            #expect(!json.contains(field), "\(field)")
        }
    }

    @Test("a long key, value and header value are cut to their limits and their sizes stated")
    func bytesCut() throws {
        let letter = try Self.roundTrip(
            Self.fitted(
                key: [UInt8](repeating: 1, count: 10_000), value: [UInt8](repeating: 2, count: 600_000),
                headers: [DeadLetter.Header(name: "big", value: [UInt8](repeating: 3, count: 5000))]))
        #expect(letter.key?.count == DeadLetterLimits.key && letter.keyTruncated && letter.keySize == 10_000)
        #expect(letter.value?.count == DeadLetterLimits.value && letter.valueTruncated && letter.valueSize == 600_000)
        let header = try #require(letter.headers.first)
        #expect(
            header.value?.count == DeadLetterLimits.headerValue && header.valueTruncated && header.valueSize == 5000)
        #expect(!letter.headersTruncated)
    }

    @Test("headers beyond the count, or beyond the bytes headers may take together, are left out and counted")
    func headersLeftOut() throws {
        let many = (0..<1500).map { DeadLetter.Header(name: "h\($0)", value: [UInt8($0 % 256)]) }
        let counted = try Self.roundTrip(Self.fitted(headers: many))
        #expect(counted.headers == Array(many.prefix(DeadLetterLimits.headers)))
        #expect(counted.headersTruncated && counted.headersCount == 1500)

        let heavy = (0..<50).map {
            DeadLetter.Header(name: "h\($0)", value: [UInt8](repeating: 7, count: DeadLetterLimits.headerValue))
        }
        let weighed = try Self.roundTrip(Self.fitted(headers: heavy))
        #expect(
            weighed.headers.count > 5 && weighed.headers.count < 50,
            "\(weighed.headers.count) of 50 fit in \(DeadLetterLimits.headerBytes) bytes")
        #expect(weighed.headers == Array(heavy.prefix(weighed.headers.count)))
        #expect(weighed.headersTruncated && weighed.headersCount == 50)
    }

    @Test("header names are escaped and cut with a note; the reason is fitted too")
    func textFitted() throws {
        let letter = try Self.roundTrip(
            DeadLetter.fitting(
                id: UUID(), createdAt: Self.t0, source: Self.source, key: nil, value: nil,
                headers: [
                    DeadLetter.Header(name: String(repeating: "n", count: 2000), value: nil),
                    DeadLetter.Header(name: "x\u{0}y", value: nil),
                ],
                reason: .init(
                    code: .schemaViolation, path: " a\u{1}b ", message: String(repeating: "m\u{2}", count: 5000)),
                deadLetteredAt: Self.t0))
        #expect(
            letter.headers.map(\.name) == [
                String(repeating: "n", count: 216) + " … [cut: 1784 more characters]", "x\\u{0}y",
            ])
        #expect(letter.reason.path == "a\\u{1}b")
        #expect(
            letter.reason.message.unicodeScalars.count <= ContractLimits.detail
                && letter.reason.message.hasSuffix("more characters]"))
    }

    @Test(
        "a header name that is not UTF-8 travels as its exact bytes too; a long one is cut there as well and its name says so"
    )
    func rawHeaderNames() throws {
        let raw: [UInt8] = [0x66, 0xFF, 0xC3, 0x28, 0x6F]
        let short = DeadLetter.Header(name: String(decoding: raw, as: UTF8.self), value: [1], nameBytes: raw)
        let long = DeadLetter.Header(
            name: String(decoding: [UInt8](repeating: 0xFE, count: 5000), as: UTF8.self), value: nil,
            nameBytes: [UInt8](repeating: 0xFE, count: 5000))
        let letter = try Self.roundTrip(Self.fitted(headers: [short, long]))
        #expect(letter.headers[0].nameBytes == raw && letter.headers[0].name == "f\u{FFFD}\u{FFFD}(o")
        #expect(letter.headers[1].nameBytes?.count == DeadLetterLimits.headerNameBytes)
        #expect(letter.headers[1].name.hasSuffix(" more characters]"))
        let json = try PythonValidator.validate(documents: [try EventEncoder.encode(letter)])
        #expect(json.first?.valid == true, "\(json.first?.messages ?? [])")
    }

    @Test("the minimal form carries no content, says what failed, and validates")
    func minimal() throws {
        let letter = try Self.roundTrip(
            DeadLetter.minimal(
                id: UUID(), createdAt: Self.t0, source: Self.source,
                failure: "boom\u{0}" + String(repeating: "!", count: 3000), deadLetteredAt: Self.t0))
        #expect(letter.contentOmitted && letter.key == nil && letter.value == nil && letter.headers.isEmpty)
        #expect(
            letter.reason.code == .internalError && letter.reason.path == nil
                && letter.reason.message.hasPrefix("boom\\u{0}!"))
        // The contract keeps the form minimal.
        var carrying = letter
        carrying.value = [1]
        #expect(throws: ContractError.self) { _ = try EventEncoder.encode(carrying) }
    }
}
