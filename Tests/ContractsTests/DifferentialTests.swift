import Contracts
import Foundation
import TestSupport
import Testing

/// "Accept exactly what the schemas accept": structured mutations of the valid examples are judged by
/// the Swift decoder and by Python `jsonschema`, and the two must agree on every one — accept or refuse,
/// and when refusing, the field Swift names must be among those jsonschema names.
@Suite("Swift and jsonschema agree on mutated events")
struct DifferentialTests {
    typealias Random = FuzzTests.SplitMix64

    /// Replacement values that probe the rules: types, bounds, formats, text rules.
    static let probes: [JSONValue] = [
        .null, .bool(true), .number(JSONNumber(0)), .number(JSONNumber(-1)), .number(JSONNumber(1)),
        .number(JSONNumber(65)),
        .number(JSONNumber(Int64.max)), .string(""), .string(" "), .string("x"), .string(" padded "),
        .string("line\nbreak"),
        .string(String(repeating: "y", count: 65)), .string(String(repeating: "z", count: 129)), .string("0"),
        .string("0.00"),
        .string("12.5"), .string("1e3"), .string("KZT"), .string("kzt"), .string("urgent"), .string("frozen"),
        .string("iban"),
        .string("crypto_wallet"), .string("kaspi"), .string("Kaspi"), .string("2024-05-14T09:11:40Z"),
        .string("2024-05-14T09:11:40+05:00"),
        .string("2024-02-30T00:00:00Z"), .string("KZ86125KZT5004100100"), .string("KZ87125KZT5004100100"),
        .string("DE89370400440532013000"),
        .string("5e1f8b5a-0d8c-4f5e-9a52-2c0f4b1d7a10"), .string("5E1F8B5A-0D8C-4F5E-9A52-2C0F4B1D7A10"),
        .string("CASPKZKA"),
        .string("QUJD"), .string("QUJ"), .string("************1234"), .string("a@b"), .string("+7 727 244 55 55"),
        .array([]), .object([:]), .object(["value": .string("1.00"), "currency": .string("KZT")]),
    ]

    static func paths(in value: JSONValue, at prefix: [PathStep] = []) -> [[PathStep]] {
        var result: [[PathStep]] = [prefix]
        switch value {
        case .object(let members):
            for (key, member) in members { result += paths(in: member, at: prefix + [.key(key)]) }
        case .array(let elements):
            for (index, element) in elements.enumerated() { result += paths(in: element, at: prefix + [.index(index)]) }
        default: break
        }
        return result
    }

    enum PathStep: Hashable {
        case key(String)
        case index(Int)
    }

    /// Replaces (or, with `nil`, removes) the value at `path`.
    static func setting(_ value: JSONValue, _ path: ArraySlice<PathStep>, to replacement: JSONValue?) -> JSONValue? {
        guard let step = path.first else { return replacement }
        switch (value, step) {
        case (.object(var members), .key(let key)):
            guard let member = members[key] else { return value }
            members[key] = setting(member, path.dropFirst(), to: replacement)
            return .object(members)
        case (.array(var elements), .index(let index)):
            if let updated = setting(elements[index], path.dropFirst(), to: replacement) {
                elements[index] = updated
            } else {
                elements.remove(at: index)
            }
            return .array(elements)
        default:
            return value
        }
    }

    static func describe(_ path: [PathStep]) -> String {
        var text = ""
        for step in path {
            switch step {
            case .key(let key): text += (text.isEmpty ? "" : ".") + key
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    @Test("Accept/refuse decisions and error fields match on 1500 mutated events")
    func differential() throws {
        var random = Random(state: 0xD1FF_0001)
        let seeds = try TestFiles.examples("valid").map { try JSONValue.parse($0.bytes) }
        var documents: [[UInt8]] = []
        var labels: [String] = []
        for round in 0..<1500 {
            let seed = seeds[round % seeds.count]
            let candidates = Self.paths(in: seed).filter { !$0.isEmpty }
            let path = candidates.randomElement(using: &random)!
            let replacement: JSONValue? =
                Int.random(in: 0..<5, using: &random) == 0 ? nil : Self.probes.randomElement(using: &random)!
            guard let mutated = Self.setting(seed, path[...], to: replacement) else { continue }
            documents.append(mutated.canonicalBytes)
            labels.append(
                "\(Self.describe(path)) := \(replacement.map { String(decoding: $0.canonicalBytes, as: UTF8.self) } ?? "(removed)")"
            )
        }
        let verdicts = try PythonValidator.validate(documents: documents)
        #expect(verdicts.count == documents.count)
        var accepted = 0
        for (index, verdict) in verdicts.enumerated() {
            let swift = Result { () throws(ContractError) -> Event in try EventDecoder.decodeEvent(documents[index]) }
            switch swift {
            case .success:
                accepted += 1
                #expect(verdict.valid, "Swift accepted, jsonschema refused \(labels[index]): \(verdict.messages)")
            case .failure(let error):
                #expect(!verdict.valid, "Swift refused (\(error)), jsonschema accepted \(labels[index])")
                if !verdict.valid {
                    #expect(
                        verdict.paths.contains(error.path ?? ""),
                        "\(labels[index]): Swift \(error), jsonschema \(verdict.paths)")
                }
            }
        }
        // Both outcomes must be well represented for the comparison to mean something.
        #expect(accepted > 50 && accepted < documents.count - 300, "accepted \(accepted) of \(documents.count)")
    }
}
