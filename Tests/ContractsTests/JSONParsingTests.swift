import Contracts
import Foundation
import Testing

@Suite("Strict JSON parsing")
struct JSONParsingTests {
    private func parse(_ text: String) throws(ContractError) -> JSONValue {
        try JSONValue.parse(Array(text.utf8))
    }

    @Test("Duplicate keys are refused, naming the key's path")
    func duplicateKeys() {
        do {
            _ = try parse(#"{"account":{"iban":"A","iban":"B"}}"#)
            Issue.record("accepted duplicate keys")
        } catch {
            #expect(error.code == .invalidJSON)
            #expect(error.path == "account.iban")
        }
        #expect(throws: ContractError.self) { try parse(#"{"a":1,"a":1}"#) }
    }

    @Test(
        "Not JSON",
        arguments: [
            "", " ", "{", "}", "[1,]", "{\"a\":1,}", "NaN", "{\"a\":NaN}", "{\"a\":Infinity}", "{\"a\":-Infinity}",
            "01", "1.", ".1", "-", "1e", "+1", "'a'", "{a:1}", "{\"a\" 1}", "[1 2]", "tru", "nul", "\"\\x\"",
            "\"\\u12\"",
            "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "{\"a\":1} {}", "\"\t\"", "/* c */ {}", "[1]]",
        ])
    func notJSON(_ text: String) {
        #expect(throws: ContractError.self) { try parse(text) }
    }

    @Test("Invalid UTF-8, overlong forms, encoded surrogates and a BOM are refused")
    func bytes() throws {
        let cases: [[UInt8]] = [
            [0x22, 0xFF, 0x22], [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],
            [0x22, 0xE2, 0x82, 0x22], [0xEF, 0xBB, 0xBF, 0x7B, 0x7D], [0x22, 0xC3],
        ]
        for bytes in cases {
            #expect(throws: ContractError.self, "\(bytes)") { try JSONValue.parse(bytes) }
        }
        #expect(try JSONValue.parse([0x22, 0xC3, 0xA9, 0xF0, 0x9F, 0x98, 0x80, 0x22]) == .string("é😀"))
    }

    @Test("Escapes, including surrogate pairs, decode to the right scalars")
    func escapes() throws {
        #expect(try parse(#""\u00e9\ud83d\ude00\n\/\"\\""#) == .string("é😀\n/\"\\"))
    }

    @Test("Nesting is bounded without recursion trouble")
    func deepNesting() throws {
        let shallow = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try parse(shallow) }
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: ContractError.self) { try parse(deep) }
        let abusive = String(repeating: "{\"a\":[", count: 100_000)
        #expect(throws: ContractError.self) { try parse(abusive) }
    }

    @Test("Numbers keep their literal; integer reading is exact")
    func numbers() throws {
        #expect(
            try parse("123456789012345678901234567890")
                == .number(JSONNumber(validatedLiteralForTests: "123456789012345678901234567890")))
        let cases: [(String, Int64?)] = [
            ("1", 1), ("1.0", 1), ("1e2", 100), ("-0", 0), ("1.5", nil), ("1e400", nil),
            ("9223372036854775807", Int64.max), ("9223372036854775808", nil),
            ("-9223372036854775808", Int64.min), ("0e-5", 0), ("10e-1", 1), ("1e-400", nil),
        ]
        for (literal, expected) in cases {
            guard case .number(let number) = try parse(literal) else {
                Issue.record("\(literal)")
                continue
            }
            #expect(number.int64Value == expected, "\(literal)")
        }
    }

    @Test("Canonical bytes: sorted keys by code point, minimal escaping")
    func canonical() throws {
        let value = try parse(#"{"b":[1,true,null],"a":"x/y","é":"\u0001","A":{}}"#)
        #expect(
            String(decoding: value.canonicalBytes, as: UTF8.self)
                == #"{"A":{},"a":"x/y","b":[1,true,null],"é":"\u0001"}"#)
    }
}

extension JSONNumber {
    init(validatedLiteralForTests literal: String) {
        guard case .number(let number) = try! JSONValue.parse(Array(literal.utf8)) else { fatalError() }
        self = number
    }
}
