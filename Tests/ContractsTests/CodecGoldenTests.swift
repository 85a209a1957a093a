import Contracts
import Foundation
import TestSupport
import Testing

/// Pins what the codec does, byte for byte, on a fixed corpus of about 20,000 inputs: the accept/refuse
/// decision and the exact error (code, path, reason) of every decoder entry point, and for accepted
/// input the canonical encoding, the content fingerprint and the `Codable` form. The digests in
/// `Golden/codec-outcomes.txt` were recorded before the codec was rewritten for speed, so any change
/// of behaviour or of a single output byte fails here, naming the part of the corpus it is in.
///
/// `CODEC_GOLDEN_DUMP=/path` writes every outcome in full (to diff two builds);
/// `CODEC_GOLDEN_RECORD=1` rewrites the digests (only for a deliberate contract change).
@Suite("Codec outcomes are unchanged (golden corpus)")
struct CodecGoldenTests {
    typealias Random = TestSupport.SplitMix64

    static let goldenFile = TestFiles.packageRoot.appendingPathComponent(
        "Tests/ContractsTests/Golden/codec-outcomes.txt")
    static let chunkSize = 500

    @Test("Every decoder, encoder and fingerprint outcome matches the recorded digests")
    func golden() throws {
        var lines: [String] = []
        var dump = ""
        for (name, inputs) in Self.byteCorpora() {
            for (chunk, start) in stride(from: 0, to: inputs.count, by: Self.chunkSize).enumerated() {
                let outcomes = inputs[start..<min(inputs.count, start + Self.chunkSize)].map(Self.outcome(of:))
                let text = outcomes.joined(separator: "\n")
                dump += "## \(name)/\(chunk)\n" + text + "\n"
                lines.append("\(name)/\(chunk) \(Self.sha1Hex(Array(text.utf8)))")
            }
        }
        let models = Self.modelCorpus().map(Self.outcome(of:)).joined(separator: "\n")
        dump += "## models\n" + models + "\n"
        lines.append("models \(Self.sha1Hex(Array(models.utf8)))")
        let values = Self.valueSemantics().joined(separator: "\n")
        dump += "## values\n" + values + "\n"
        lines.append("values \(Self.sha1Hex(Array(values.utf8)))")

        let environment = ProcessInfo.processInfo.environment
        if let path = environment["CODEC_GOLDEN_DUMP"] {
            try dump.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let actual = lines.joined(separator: "\n") + "\n"
        if environment["CODEC_GOLDEN_RECORD"] == "1" {
            try FileManager.default.createDirectory(
                at: Self.goldenFile.deletingLastPathComponent(), withIntermediateDirectories: true)
            try actual.write(to: Self.goldenFile, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: Self.goldenFile, encoding: .utf8)
        let expectedLines = expected.split(separator: "\n").map(String.init)
        #expect(expectedLines.count == lines.count, "the corpus changed size")
        for (line, recorded) in zip(lines, expectedLines) {
            #expect(
                line == recorded,
                "outcomes differ in \(line.split(separator: " ")[0]); run with CODEC_GOLDEN_DUMP to see them")
        }
    }

    // MARK: - Outcomes

    static func describe(_ error: ContractError) -> String {
        "refused \(error.code.rawValue) path=\(error.path ?? "-") reason=\(error.reason)"
    }

    /// SHA-1 as 40 lower-case hex digits: how the recorded digests were taken.
    static func sha1Hex(_ bytes: [UInt8]) -> String {
        SHA1.hash(bytes).map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
    }

    static func shown(_ bytes: [UInt8]) -> String {
        String(decoding: bytes, as: UTF8.self).unicodeScalars.map { scalar in
            scalar.value < 0x20 || scalar.value == 0x7F ? "<\(scalar.value)>" : String(scalar)
        }.joined()
    }

    /// Everything the codec does with one input, as text.
    static func outcome(of bytes: [UInt8]) -> String {
        var parts: [String] = []
        switch Result(catching: { () throws(ContractError) in try JSONValue.parse(bytes) }) {
        case .success(let value): parts.append("json " + shown(value.canonicalBytes))
        case .failure(let error): parts.append("json " + describe(error))
        }
        switch Result(catching: { () throws(ContractError) in try EventDecoder.decodeEvent(bytes) }) {
        case .success(let event): parts.append("event " + outcome(of: event))
        case .failure(let error): parts.append("event " + describe(error))
        }
        switch Result(catching: { () throws(ContractError) in try EventDecoder.decodePoliceMessage(bytes) }) {
        case .success(let message): parts.append("police \(message.requestID)")
        case .failure(let error): parts.append("police " + describe(error))
        }
        switch Result(catching: { () throws(ContractError) in try EventDecoder.decodeBankResponse(bytes) }) {
        case .success(let response): parts.append("bank \(response.responseID)")
        case .failure(let error): parts.append("bank " + describe(error))
        }
        return parts.joined(separator: " | ")
    }

    /// What encoding an event gives: validated bytes (or the refusal), trusted bytes, fingerprint, `Codable` JSON.
    static func outcome(of event: Event) -> String {
        var parts: [String] = [event.type.rawValue]
        switch Result(catching: { () throws(ContractError) in try EventEncoder.encode(event) }) {
        case .success(let bytes): parts.append("encoded " + shown(bytes))
        case .failure(let error): parts.append("encoded " + describe(error))
        }
        switch Result(catching: { () throws(ContractError) in try EventEncoder.encodeTrusted(event) }) {
        case .success(let bytes): parts.append("trusted " + shown(bytes))
        case .failure(let error): parts.append("trusted " + describe(error))
        }
        // The content the fingerprint digests, shown and hashed as when the fingerprint was that content.
        let content = ContentFingerprint.canonicalContent(of: event)
        parts.append("fingerprint \(sha1Hex(content)) " + shown(content))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if let codable = try? encoder.encode(event.payload) {
            parts.append("codable " + String(decoding: codable, as: UTF8.self))
            parts.append("codable-back " + codableBack(codable, like: event.payload, equals: event))
        } else {
            parts.append("codable refused")
        }
        return parts.joined(separator: " ")
    }

    static func codableBack<E: ContractEvent>(_ data: Data, like _: E, equals event: Event) -> String {
        do {
            let decoded = try JSONDecoder().decode(E.self, from: data)
            return decoded.asEvent == event ? "same" : "different"
        } catch {
            return "refused \(error)"
        }
    }

    // MARK: - Corpora

    static func byteCorpora() -> [(String, [[UInt8]])] {
        let examples = TestFiles.examples("valid") + TestFiles.examples("invalid")
        let exampleBytes = examples.map(\.bytes)
        return [
            ("examples", exampleBytes),
            ("structural", structural().map { Array($0.utf8) } + rawStructural()),
            ("byte-mutations", byteMutations(of: TestFiles.examples("valid").map(\.bytes), count: 8000)),
            ("value-mutations", valueMutations(count: 6000)),
            ("random-bytes", randomBytes(count: 3000)),
        ]
    }

    /// Hand-written edges of the object representation, strings and numbers.
    static func structural() -> [String] {
        var cases = [
            #"{}"#, #"[]"#, #"{"a":1,"a":2}"#, #"{"a":1,"b":2,"a":[}"#, #"{"a":{"b":1,"b":"#, #"{"x":[{"k":1,"k":2}]}"#,
            "{\"\u{E9}\":1,\"e\u{301}\":2}", "{\"e\u{301}\":1,\"\u{E9}\":2}", "{\"K\":1,\"\u{212A}\":2}",
            "{\"\u{212A}\":1,\"K\":2}",
            "{\"\u{E9}\":1,\"f\":2,\"e\u{301}\":3}", "{\"\u{212A}ind\":\"iban\"}",
            "{\"type\u{301}\":\"freeze_request\"}",
            #"{"b":1,"a":2,"A":3,"é":4,"z":5,"😀":6,"\uffff":7,"\u0000":8,"":9,"aa":10,"a\u0000":11}"#,
            #"{"\u0061":1,"a":2}"#, #"{"a\"b":1,"a\\b":2,"a/b":3,"a\/b":4}"#, #"{"a\/b":1,"a/b":2}"#,
            #"{"s":"\u0000\u0001\u001f\u007f\u0080\u009f\"\\\/\b\f\n\r\t\u2028\ud83d\ude00é"}"#,
            #"{"n":[0,-0,1.0,1e2,1E+2,-1.5e-3,123456789012345678901234567890,0.000,1e400]}"#,
            #"{"type":"freeze_request","type":"freeze_cancel"}"#, #"{"version":1,"version":1}"#,
            #"{"type":"bank_response","version":1,"id":"11588822-75c8-52bc-bca8-5a8d61ac7255","id":"x"}"#,
            String(repeating: "[", count: 64) + String(repeating: "]", count: 64),
            String(repeating: "[", count: 65) + String(repeating: "]", count: 65),
            String(repeating: "{\"a\":", count: 64) + "1" + String(repeating: "}", count: 64),
            String(repeating: "{\"a\":", count: 65) + "1" + String(repeating: "}", count: 65),
            "{" + (0..<300).map { "\"k\(($0 * 7919) % 300)\":\($0)" }.joined(separator: ",") + "}",
            "{" + (0..<300).map { "\"k\(($0 * 7919) % 300)\":\($0)" }.joined(separator: ",") + ",\"k17\":0}",
            "{" + (0..<100).map { "\"é\($0)\":\($0)" }.joined(separator: ",") + ",\"e\u{301}42\":0}",
        ]
        // Every valid example with its members reversed and with whitespace everywhere.
        for example in TestFiles.examples("valid") {
            let text = String(decoding: example.bytes, as: UTF8.self)
            cases.append(text.replacingOccurrences(of: ",", with: " ,\n\t").replacingOccurrences(of: ":", with: "\r: "))
            if case .object(let members)? = try? JSONValue.parse(example.bytes) {
                let reversed = members.map { ($0.key, $0.value) }.sorted {
                    Array($0.0.utf8).lexicographicallyPrecedes(Array($1.0.utf8))
                }.reversed()
                cases.append(
                    "{"
                        + reversed.map { key, value in
                            String(decoding: JSONValue.string(key).canonicalBytes, as: UTF8.self) + ":"
                                + String(decoding: value.canonicalBytes, as: UTF8.self)
                        }.joined(separator: ",") + "}")
            }
        }
        return cases
    }

    static func rawStructural() -> [[UInt8]] {
        [
            [0x7B, 0x22, 0xFF, 0x22, 0x3A, 0x31, 0x7D], [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x22, 0x7D],
            [0xEF, 0xBB, 0xBF, 0x7B, 0x7D],
            [0x7B, 0x22, 0x61, 0x00, 0x22, 0x3A, 0x31, 0x7D], [0x22, 0xED, 0xA0, 0x80, 0x22],
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
        ]
    }

    static let interesting: [[UInt8]] =
        [
            "{", "}", "[", "]", "\"", "\\", ":", ",", "\\u", "\\ud800", "\\u00e9", "null", "true", "-", "0", "1e999",
            "\u{00A0}", " ", "\n", "é", "😀", "\u{212A}", "e\u{301}", "\"type\"", "\"iban\"", "1.0", "-0", "\u{1}",
        ]
        .map { Array($0.utf8) } + [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0x00], [0xC2, 0x85]]

    /// Seeds cut and spliced together (the head of one, the tail of another), with a few tokens
    /// that hit parser edges dropped in or bytes overwritten: mostly near-miss documents.
    static func byteMutations(of seeds: [[UInt8]], count: Int) -> [[UInt8]] {
        var random = Random(state: 0xC0DE_C0DE_0001)
        return (0..<count).map { round in
            let head = seeds[round % seeds.count]
            var bytes = Array(head)
            if round % 3 == 0 {
                let tail = seeds.randomElement(using: &random)!
                bytes = Array(
                    head.prefix(Int.random(in: 0...head.count, using: &random))
                        + tail.suffix(Int.random(in: 0...tail.count, using: &random)))
            }
            for _ in 0..<Int.random(in: 1...3, using: &random) where !bytes.isEmpty {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                if Bool.random(using: &random) {
                    bytes.insert(contentsOf: interesting.randomElement(using: &random)!, at: position)
                } else {
                    bytes[position] = UInt8.random(in: 0...255, using: &random)
                }
            }
            return bytes
        }
    }

    static func randomBytes(count: Int) -> [[UInt8]] {
        var random = Random(state: 0xC0DE_C0DE_0002)
        return (0..<count).map { _ in
            let length = Int.random(in: 0...120, using: &random)
            var bytes: [UInt8] = []
            while bytes.count < length {
                if Bool.random(using: &random) {
                    bytes += interesting.randomElement(using: &random)!
                } else {
                    bytes.append(UInt8.random(in: 0...255, using: &random))
                }
            }
            return bytes
        }
    }

    static let probes: [JSONValue] = [
        .null, .bool(false), .number(JSONNumber(0)), .number(JSONNumber(-1)), .number(JSONNumber(1)),
        .number(JSONNumber(64)),
        .number(JSONNumber(65)), .number(JSONNumber(Int64.max)), .string(""), .string(" "), .string("x"),
        .string(" padded "),
        .string("line\nbreak"), .string("tab\there"), .string("nul\u{0}"), .string("c1\u{85}"), .string("del\u{7F}"),
        .string("é😀\u{212A}"),
        .string(String(repeating: "é", count: 65)), .string(String(repeating: "x", count: 2001)), .string("0"),
        .string("1.00"), .string("1.12345"),
        .string("01"), .string("-1"), .string("1e3"), .string("KZT"), .string("kzt"), .string("2024-05-14T09:12:03Z"),
        .string("2024-05-14T09:12:03.1234567891Z"), .string("2024-05-14T09:12:03+00:00"),
        .string("2024-02-30T00:00:00Z"),
        .string("2024-05-14T09:12:60Z"), .string("KZ86125KZT5004100100"), .string("KZ87125KZT5004100100"),
        .string("DE89370400440532013000"),
        .string("kz86125kzt5004100100"), .string("5e1f8b5a-0d8c-4f5e-9a52-2c0f4b1d7a10"),
        .string("5E1F8B5A-0D8C-4F5E-9A52-2C0F4B1D7A10"),
        .string("CASPKZKA"), .string("CASPKZKAXXX"), .string("QUJD"), .string("QUJ"), .string("************1234"),
        .string("a@b"),
        .string("+7 727 244 55 55"), .string("kaspi"), .string("Kaspi"), .string("frozen"), .string("funds_moved"),
        .string("iban"),
        .array([]), .array([.null]), .object([:]), .object(["value": .string("1.00"), "currency": .string("KZT")]),
        .object(["value": .string("0"), "currency": .string("KZT")]), .object(["kind": .string("card")]),
    ]

    typealias Step = DifferentialTests.PathStep

    /// Every path in the document, keys visited in UTF-8 order so the corpus does not depend on hashing.
    static func paths(in value: JSONValue, at prefix: [Step] = []) -> [[Step]] {
        var result: [[Step]] = [prefix]
        switch value {
        case .object(let members):
            let keys = members.map { $0.key }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            for key in keys { result += paths(in: members[key]!, at: prefix + [.key(key)]) }
        case .array(let elements):
            for (index, element) in elements.enumerated() { result += paths(in: element, at: prefix + [.index(index)]) }
        default: break
        }
        return result
    }

    static func valueMutations(count: Int) -> [[UInt8]] {
        var random = Random(state: 0xC0DE_C0DE_0003)
        let seeds = TestFiles.examples("valid").compactMap { try? JSONValue.parse($0.bytes) }
        return (0..<count).map { round in
            var document = seeds[round % seeds.count]
            for _ in 0..<Int.random(in: 1...2, using: &random) {
                let candidates = paths(in: document).filter { !$0.isEmpty }
                guard let path = candidates.randomElement(using: &random) else { break }
                let replacement: JSONValue? =
                    Int.random(in: 0..<6, using: &random) == 0 ? nil : probes.randomElement(using: &random)!
                document = DifferentialTests.setting(document, path[...], to: replacement) ?? document
            }
            return document.canonicalBytes
        }
    }

    /// Events built in Swift, including text that needs every kind of escape and values the contract refuses.
    static func modelCorpus() -> [Event] {
        var events = SampleEvents.all
        let awkward = [
            "\u{0}\u{1}\u{8}\u{9}\u{A}\u{B}\u{C}\u{D}\u{1F}\u{7F}\u{80}\u{9F} \"quoted\" back\\slash /slash é😀\u{2028}\u{FFFF}",
            " padded ", "", String(repeating: "x", count: 70), "e\u{301}", "\u{212A}",
        ]
        for (index, text) in awkward.enumerated() {
            var request = SampleEvents.request
            request.caseID = text
            request.legalBasis = text.isEmpty ? "x" : text
            request.issuer.unit = text
            request.account.holderName = text
            request.fraudTransaction.description = text
            request.requestedHoldHours = [0, 1, 8784, 8785, -1, Int.max][index]
            events.append(.freezeRequest(request))
            var response = SampleEvents.response(.partiallyFrozen)
            response.reason = text
            response.responseID = text.isEmpty ? "r" : text
            events.append(.bankResponse(response))
        }
        return events
    }

    /// Equality and hashing of parsed values, including keys equal only under Unicode canonical equivalence.
    static func valueSemantics() -> [String] {
        let pairs: [(String, String)] = [
            (#"{"a":1,"b":2}"#, #"{"b":2,"a":1}"#), (#"{"a":1}"#, #"{"a":1.0}"#),
            ("{\"\u{E9}\":1}", "{\"e\u{301}\":1}"),
            ("{\"K\":1}", "{\"\u{212A}\":1}"), ("{\"\u{E9}\":1,\"f\":2}", "{\"f\":2,\"e\u{301}\":1}"),
            (#"{"a":[1,2]}"#, #"{"a":[2,1]}"#),
            (#"{"a":{}}"#, #"{"a":[]}"#), (#"{}"#, #"{"a":null}"#), ("\"\u{E9}\"", "\"e\u{301}\""),
        ]
        return pairs.map { left, right in
            guard let a = try? JSONValue.parse(Array(left.utf8)), let b = try? JSONValue.parse(Array(right.utf8)) else {
                return "unparsed"
            }
            let equal = a == b
            return "\(left) vs \(right): equal=\(equal) hashes-agree=\(!equal || a.hashValue == b.hashValue)"
                + " set=\(Set([a, b]).count) canonical=\(shown(a.canonicalBytes))|\(shown(b.canonicalBytes))"
        }
    }
}
