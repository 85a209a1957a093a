import Contracts
import Foundation
import TestSupport
import Testing

/// Decoding must return or throw for any bytes — never trap, hang or recurse without bound — and
/// anything it accepts must re-encode and decode back to the same value.
@Suite("Decoding never crashes")
struct FuzzTests {
    typealias SplitMix64 = TestSupport.SplitMix64

    /// Bytes that tend to hit parser edges.
    static let interesting: [[UInt8]] =
        [
            "{", "}", "[", "]", "\"", "\\", ":", ",", "\\u", "\\ud800", "null", "true", "-", "0", "1e999",
            "NaN", "\u{00A0}", " ", "\n", "é", "😀", "\"type\"", "\"version\"", "1.0", "-0", "e",
        ]
        .map { Array($0.utf8) } + [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0x00], [0xEF, 0xBB, 0xBF]]

    /// Accepts or refuses; if it accepts, the event must survive a round trip.
    static func exercise(_ bytes: [UInt8]) -> Bool {
        do {
            let event = try EventDecoder.decodeEvent(bytes)
            let encoded = try EventEncoder.encode(event)
            return (try? EventDecoder.decodeEvent(encoded)) == event
        } catch {
            _ = error.description
            return true
        }
    }

    @Test("Random byte strings")
    func randomBytes() {
        var random = SplitMix64(state: 0xF2EE_2E00_0001)
        for _ in 0..<1500 {
            let length = Int.random(in: 0...160, using: &random)
            var bytes: [UInt8] = []
            while bytes.count < length {
                if Bool.random(using: &random) {
                    bytes += Self.interesting.randomElement(using: &random)!
                } else {
                    bytes.append(UInt8.random(in: 0...255, using: &random))
                }
            }
            #expect(Self.exercise(bytes))
            _ = try? EventDecoder.decodePoliceMessage(bytes)
            _ = try? EventDecoder.decodeBankResponse(bytes)
        }
    }

    @Test("Mutations of every valid example")
    func mutations() {
        var random = SplitMix64(state: 0xF2EE_2E00_0002)
        let seeds = TestFiles.examples("valid").map(\.bytes)
        #expect(!seeds.isEmpty)
        var accepted = 0
        for round in 0..<3000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<Int.random(in: 1...4, using: &random) where !bytes.isEmpty {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<6, using: &random) {
                case 0: bytes[position] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
                case 1: bytes.removeSubrange(position...)
                case 2: bytes.insert(contentsOf: Self.interesting.randomElement(using: &random)!, at: position)
                case 3: bytes.remove(at: position)
                case 4:
                    let end = min(bytes.count, position + Int.random(in: 1...40, using: &random))
                    bytes.insert(contentsOf: bytes[position..<end], at: position)
                default: bytes[position] = UInt8.random(in: 0...255, using: &random)
                }
            }
            if (try? EventDecoder.decodeEvent(bytes)) != nil { accepted += 1 }
            #expect(Self.exercise(bytes), "round \(round)")
        }
        // Some mutations (inside free text, reordered whitespace) stay valid; most do not.
        #expect(accepted > 0 && accepted < 3000)
    }

    @Test("Pathological documents")
    func pathological() {
        var cases: [[UInt8]] = [
            Array(String(repeating: "[", count: 200_000).utf8),
            Array(String(repeating: "{\"a\":", count: 50_000).utf8),
            Array(("{\"type\":\"freeze_request\",\"version\":" + String(repeating: "9", count: 100_000) + "}").utf8),
            Array("{\"type\":\"freeze_request\",\"version\":1e99999999999999999999}".utf8),
            Array("{\"type\":\"freeze_request\",\"version\":-1e-99999999999999999999}".utf8),
            Array(("\"" + String(repeating: "\\u0000", count: 10_000) + "\"").utf8),
            Array("{\"type\":\"freeze_request\",\"type\":\"bank_response\"}".utf8),
            [], [0], [0xFF, 0xFE], [0xEF, 0xBB, 0xBF],
        ]
        cases.append(Array(("[" + String(repeating: "1,", count: 100_000) + "1]").utf8))
        for bytes in cases {
            #expect(Self.exercise(bytes))
        }
    }
}
