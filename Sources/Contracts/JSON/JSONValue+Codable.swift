/// Bridges to Swift's `Codable`, so the contract models also work with `JSONEncoder`/`JSONDecoder`
/// (tools and tests use that). The strict wire path is ``EventDecoder``/``EventEncoder``;
/// through `JSONDecoder` duplicate keys and number literals are whatever Foundation makes of them.
extension JSONValue: Codable {
    /// Reads any JSON value from a `Decoder`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let integer = try? container.decode(Int64.self) {
            self = .number(JSONNumber(integer))
        } else if let double = try? container.decode(Double.self) {
            guard double.isFinite else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "non-finite number")
            }
            // Swift's shortest round-trip form ("1e+20", "0.1") is valid JSON number syntax.
            self = .number(JSONNumber(validatedLiteral: double.description))
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let members = try? container.decode([String: JSONValue].self) {
            self = .object(JSONObject(members))
        } else if let elements = try? container.decode([JSONValue].self) {
            self = .array(elements)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
        }
    }

    /// Writes the value to an `Encoder`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let flag): try container.encode(flag)
        case .number(let number):
            if let integer = number.int64Value {
                try container.encode(integer)
            } else {
                try container.encode(Double(number.literal) ?? 0)
            }
        case .string(let text): try container.encode(text)
        case .array(let elements): try container.encode(elements)
        case .object(let members): try container.encode(members.dictionary)
        }
    }
}

/// Shared plumbing for the models' `Codable` conformances: go through ``JSONValue`` and the same
/// validating readers the strict decoder uses, so both paths apply identical rules.
enum ModelCoding {
    static func decode<T>(from decoder: any Decoder, _ read: (JSONValue, FieldPath) throws -> T) throws -> T {
        let value = try JSONValue(from: decoder)
        return try read(value, FieldPath(codingPath: decoder.codingPath))
    }

    static func encode(_ value: JSONValue, to encoder: any Encoder) throws {
        try value.encode(to: encoder)
    }
}

extension FieldPath {
    init(codingPath: [any CodingKey]) {
        var path = FieldPath.root
        for key in codingPath {
            if let position = key.intValue {
                path = path.appending(index: position)
            } else {
                path = path.appending(key.stringValue)
            }
        }
        self = path
    }
}
