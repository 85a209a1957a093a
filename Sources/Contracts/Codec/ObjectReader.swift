/// Reads the fields of one JSON object, building the error path as it goes.
///
/// Three kinds of field, matching the schemas exactly:
/// - `required`: must be present and must not be `null` (unless the value reader accepts `null`);
/// - `optional`: may be absent, but when present must be valid — an explicit `null` is refused,
///   because the schemas declare these fields with a concrete type, not as nullable;
/// - `nullable`: must be present, `null` allowed (only where the schema says so, e.g. `key_base64`).
/// Unknown keys are ignored: that is the forward-compatibility rule.
struct ObjectReader {
    let fields: JSONObject
    /// Settled, so the path of each field is formed without allocating.
    let path: FieldPath

    init(_ value: JSONValue, at path: FieldPath) throws {
        guard case .object(let fields) = value else {
            throw ContractError.violation(path, "must be an object, got \(value.kindName)")
        }
        self.fields = fields
        self.path = path.settled
    }

    func required<T>(_ key: String, _ read: (JSONValue, FieldPath) throws -> T) throws -> T {
        guard let value = fields[key] else {
            throw ContractError.violation(path.appending(key), "is required")
        }
        return try read(value, path.appending(key))
    }

    func optional<T>(_ key: String, _ read: (JSONValue, FieldPath) throws -> T) throws -> T? {
        guard let value = fields[key] else { return nil }
        if case .null = value {
            throw ContractError.violation(path.appending(key), "must not be null; leave the field out instead")
        }
        return try read(value, path.appending(key))
    }

    func nullable<T>(_ key: String, _ read: (JSONValue, FieldPath) throws -> T) throws -> T? {
        guard let value = fields[key] else {
            throw ContractError.violation(path.appending(key), "is required (use null when there is no value)")
        }
        if case .null = value { return nil }
        return try read(value, path.appending(key))
    }

    /// Refuses a field that the schema forbids in this situation (`"field": false` under an `if`/`then`).
    func forbid(_ key: String, _ why: String) throws {
        if fields[key] != nil {
            throw ContractError.violation(path.appending(key), "is not allowed \(why)")
        }
    }

    /// Requires a field that the schema makes conditionally required.
    func demand(_ key: String, _ why: String) throws {
        if fields[key] == nil {
            throw ContractError.violation(path.appending(key), "is required \(why)")
        }
    }
}
