import Foundation

/// Value readers: each turns one JSON value into a Swift value or throws a ``ContractError`` naming the path.
/// Every rule here has a twin in `schemas/common.schema.json`; keep them in step.
enum Read {
    static func string(_ value: JSONValue, _ path: FieldPath) throws -> String {
        guard case .string(let text) = value else {
            throw ContractError.violation(path, "must be a string, got \(value.kindName)")
        }
        return text
    }

    static func label(maxLength: Int) -> (JSONValue, FieldPath) throws -> String {
        return { value, path in
            let text = try string(value, path)
            if let problem = TextRules.labelProblem(text, maxLength: maxLength) {
                throw ContractError.violation(path, problem)
            }
            return text
        }
    }

    static func text(maxLength: Int) -> (JSONValue, FieldPath) throws -> String {
        return { value, path in
            let text = try string(value, path)
            if let problem = TextRules.textProblem(text, maxLength: maxLength) {
                throw ContractError.violation(path, problem)
            }
            return text
        }
    }

    static func boolean(_ value: JSONValue, _ path: FieldPath) throws -> Bool {
        guard case .bool(let flag) = value else {
            throw ContractError.violation(path, "must be true or false, got \(value.kindName)")
        }
        return flag
    }

    static func uuid(_ value: JSONValue, _ path: FieldPath) throws -> UUID {
        let text = try string(value, path)
        guard let uuid = CanonicalUUID.parse(text) else {
            throw ContractError.violation(
                path, "must be a UUID in lower-case canonical form like 3f2b8c1e-7a4d-4e2f-9b1a-0c5d6e7f8a9b")
        }
        return uuid
    }

    static func timestamp(_ value: JSONValue, _ path: FieldPath) throws -> Timestamp {
        let text = try string(value, path)
        do {
            return try Timestamp(parsing: text)
        } catch {
            throw ContractError.violation(path, error.description)
        }
    }

    static func integer(in range: ClosedRange<Int64>) -> (JSONValue, FieldPath) throws -> Int {
        return { value, path in
            guard case .number(let number) = value else {
                throw ContractError.violation(path, "must be an integer, got \(value.kindName)")
            }
            switch number.integerReading {
            case .fractional:
                throw ContractError.violation(path, "must be an integer, got \(number.literal)")
            case .outOfRange(let negative):
                throw ContractError.violation(
                    path, "must be \(negative ? "at least \(range.lowerBound)" : "at most \(range.upperBound)")")
            case .integer(let integer):
                guard range.contains(integer) else {
                    let bound =
                        integer < range.lowerBound ? "at least \(range.lowerBound)" : "at most \(range.upperBound)"
                    throw ContractError.violation(path, "must be \(bound), got \(integer)")
                }
                return Int(integer)
            }
        }
    }

    static func enumeration<E: RawRepresentable & CaseIterable>(_: E.Type) -> (JSONValue, FieldPath) throws -> E
    where E.RawValue == String {
        return { value, path in
            let text = try string(value, path)
            guard let result = E(rawValue: text) else {
                let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
                throw ContractError.violation(path, "must be one of \(allowed); got \"\(text)\"")
            }
            return result
        }
    }

    /// An array with 1...`maxItems` elements (the contracts never send empty lists: absent means none).
    static func list<T>(maxItems: Int, _ element: @escaping (JSONValue, FieldPath) throws -> T) -> (
        JSONValue, FieldPath
    ) throws -> [T] {
        return { value, path in
            guard case .array(let elements) = value else {
                throw ContractError.violation(path, "must be an array, got \(value.kindName)")
            }
            guard !elements.isEmpty else {
                throw ContractError.violation(
                    path, "must have at least 1 item; leave the field out when there are none")
            }
            guard elements.count <= maxItems else {
                throw ContractError.violation(path, "must have at most \(maxItems) items, got \(elements.count)")
            }
            return try elements.enumerated().map { position, item in try element(item, path.appending(index: position))
            }
        }
    }

    static func money(_ value: JSONValue, _ path: FieldPath, positive: Bool) throws -> Money {
        let fields = try ObjectReader(value, at: path)
        let amountText = try fields.required("value") { value, path in
            guard case .string(let text) = value else {
                throw ContractError.violation(
                    path, "must be a string holding a decimal (amounts are never JSON numbers), got \(value.kindName)")
            }
            guard Money.parseDecimal(text) != nil else {
                throw ContractError.violation(path, MoneyError.invalidValue(text).description)
            }
            return text
        }
        let currency = try fields.required("currency") { value, path in
            let code = try string(value, path)
            guard Money.isCurrencyCode(code) else {
                throw ContractError.violation(path, MoneyError.invalidCurrency(code).description)
            }
            return code
        }
        let money = try Money(value: amountText, currency: currency)
        if positive, money.isZero {
            throw ContractError.violation(path.appending("value"), "must be greater than zero")
        }
        return money
    }

    static func positiveMoney(_ value: JSONValue, _ path: FieldPath) throws -> Money {
        try money(value, path, positive: true)
    }

    static func anyMoney(_ value: JSONValue, _ path: FieldPath) throws -> Money {
        try money(value, path, positive: false)
    }

    static func iban(_ value: JSONValue, _ path: FieldPath) throws -> IBAN {
        let text = try string(value, path)
        do {
            return try IBAN(text)
        } catch {
            throw ContractError.violation(path, error.description)
        }
    }

    static func bic(_ value: JSONValue, _ path: FieldPath) throws -> BIC {
        let text = try string(value, path)
        do {
            return try BIC(text)
        } catch {
            throw ContractError.violation(path, error.description)
        }
    }

    static func bankID(_ value: JSONValue, _ path: FieldPath) throws -> BankID {
        let text = try string(value, path)
        do {
            return try BankID(text)
        } catch {
            throw ContractError.violation(path, error.description)
        }
    }

    static func caseID(_ value: JSONValue, _ path: FieldPath) throws -> String {
        try label(maxLength: ContractLimits.caseID)(value, path)
    }

    /// Standard base64 with padding (RFC 4648 section 4), possibly empty.
    static func base64(_ value: JSONValue, _ path: FieldPath) throws -> [UInt8] {
        let text = try string(value, path)
        guard let bytes = Base64.decode(text) else {
            throw ContractError.violation(path, "must be standard base64 with '=' padding (RFC 4648), no line breaks")
        }
        return bytes
    }

    /// Printable ASCII without spaces, as used for crypto wallet addresses.
    static func printableToken(maxLength: Int) -> (JSONValue, FieldPath) throws -> String {
        return { value, path in
            let text = try string(value, path)
            let bytes = Array(text.utf8)
            guard (1...maxLength).contains(bytes.count), bytes.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                throw ContractError.violation(
                    path, "must be 1 to \(maxLength) printable ASCII characters without spaces")
            }
            return text
        }
    }
}
