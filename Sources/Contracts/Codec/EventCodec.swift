import Foundation

/// Envelope handling shared by decoding, encoding-time validation and the `Codable` conformances.
///
/// The envelope is checked in a fixed order — `type`, then `version`, then `id`, then `created_at` —
/// because the type decides which versions exist and which body rules apply.
enum EventCodec {
    static func read(
        _ value: JSONValue, at path: FieldPath, accepting accepted: [EventType]? = nil,
        place: String? = nil
    ) throws -> Event {
        guard case .object = value else {
            throw ContractError(
                code: .schemaViolation, path: path.description,
                reason: "an event must be a JSON object, got \(value.kindName)")
        }
        let envelope = try ObjectReader(value, at: path)
        let type = try envelope.required("type") { value, path in
            let name = try Read.string(value, path)
            guard let type = EventType(rawValue: name) else {
                let known = EventType.allCases.map(\.rawValue).joined(separator: ", ")
                throw ContractError(
                    code: .unknownType, path: path.description,
                    reason: "unknown event type \"\(name)\"; known types: \(known)")
            }
            return type
        }
        if let accepted, !accepted.contains(type) {
            let expected = accepted.map(\.rawValue).joined(separator: " or ")
            let location = place ?? "here"
            throw ContractError(
                code: .wrongTopic, path: path.appending("type").description,
                reason: "event type \(type.rawValue) does not belong \(location); expected \(expected)")
        }
        _ = try envelope.required("version") { value, path in
            let version = try Read.integer(in: Int64.min...Int64.max)(value, path)
            guard type.supportedVersions.contains(version) else {
                let supported = type.supportedVersions.map(String.init).joined(separator: ", ")
                throw ContractError(
                    code: .unsupportedVersion, path: path.description,
                    reason: "unsupported schema version \(version) for \(type.rawValue); supported: \(supported)")
            }
            return version
        }
        let id = try envelope.required("id", Read.uuid)
        let createdAt = try envelope.required("created_at", Read.timestamp)
        switch type {
        case .freezeRequest: return .freezeRequest(try FreezeRequest(id: id, createdAt: createdAt, body: envelope))
        case .freezeCancel: return .freezeCancel(try FreezeCancel(id: id, createdAt: createdAt, body: envelope))
        case .routedRequest: return .routedRequest(try RoutedRequest(id: id, createdAt: createdAt, body: envelope))
        case .routedCancel: return .routedCancel(try RoutedCancel(id: id, createdAt: createdAt, body: envelope))
        case .bankResponse: return .bankResponse(try BankResponse(id: id, createdAt: createdAt, body: envelope))
        case .requestStatus: return .requestStatus(try RequestStatus(id: id, createdAt: createdAt, body: envelope))
        case .escalation: return .escalation(try Escalation(id: id, createdAt: createdAt, body: envelope))
        case .escalationResolved:
            return .escalationResolved(try EscalationResolved(id: id, createdAt: createdAt, body: envelope))
        case .deadLetter: return .deadLetter(try DeadLetter(id: id, createdAt: createdAt, body: envelope))
        case .intakeNotice: return .intakeNotice(try IntakeNotice(id: id, createdAt: createdAt, body: envelope))
        case .linkedAccount: return .linkedAccount(try LinkedAccount(id: id, createdAt: createdAt, body: envelope))
        }
    }
}
