/// The police order a routed request or routed cancel carries out, as the relay received it: its
/// exact bytes and its issuer's signature, so that a bank can verify who ordered it with the
/// issuer's public key, independently of the relay (`authorization` on `routed_request` and
/// `routed_cancel`).
public struct OrderAuthorization: Sendable, Hashable, CanonicalObject {
    /// The issuer's id in the relay's registry.
    public var issuerID: String
    /// The key id (`kid`) the police signature names.
    public var keyID: String
    /// The police order's `fr-signature` value: a compact JWS with a detached payload.
    public var signature: String
    /// The police order: the Kafka record's value, byte for byte (the signed payload).
    public var order: [UInt8]

    public init(issuerID: String, keyID: String, signature: String, order: [UInt8]) {
        (self.issuerID, self.keyID, self.signature, self.order) = (issuerID, keyID, signature, order)
    }

    /// The longest signature carried (as the relay reads them).
    static let maxSignatureLength = 4096
    /// The largest order carried: a police order is a few KiB; the bound keeps a routed request
    /// that carries one well under Kafka's default 1 MB message size. The relay refuses signed
    /// orders over it (`too_large`) rather than route them without their proof.
    public static let maxOrderBytes = 256 * 1024

    static func read(_ value: JSONValue, _ path: FieldPath) throws -> OrderAuthorization {
        let fields = try ObjectReader(value, at: path)
        return OrderAuthorization(
            issuerID: try fields.required("issuer_id", Read.printableToken(maxLength: 64)),
            keyID: try fields.required("key_id", Read.printableToken(maxLength: 128)),
            signature: try fields.required("signature", readSignature),
            order: try fields.required("order_base64", readOrder))
    }

    static func readOrder(_ value: JSONValue, _ path: FieldPath) throws -> [UInt8] {
        let order = try Read.base64(value, path)
        guard order.count <= maxOrderBytes else {
            throw ContractError.violation(path, "holds \(order.count) bytes; at most \(maxOrderBytes)")
        }
        return order
    }

    /// `BASE64URL ".." BASE64URL`: the compact form with its payload detached.
    static func readSignature(_ value: JSONValue, _ path: FieldPath) throws -> String {
        let text = try Read.string(value, path)
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let isBase64URL = { (part: Substring.UTF8View.SubSequence) in
            !part.isEmpty
                && part.allSatisfy { byte in
                    (0x30...0x39).contains(byte) || (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte)
                        || byte == 0x2d || byte == 0x5f
                }
        }
        guard text.utf8.count <= maxSignatureLength, parts.count == 3, parts[1].isEmpty, isBase64URL(parts[0]),
            isBase64URL(parts[2])
        else {
            throw ContractError.violation(
                path,
                "must be a compact JWS with a detached payload (BASE64URL..BASE64URL), at most \(maxSignatureLength) characters"
            )
        }
        return text
    }

    func write(into writer: inout ObjectWriter) {
        writer.string("issuer_id", issuerID)
        writer.string("key_id", keyID)
        writer.string("signature", signature)
        writer.string("order_base64", Base64.encode(order))
    }
}

/// How the relay judged the police order behind a routed request or routed cancel
/// (`verification`), so that a bank knows what the relay checked.
public enum OrderVerification: String, Sendable, Hashable, CaseIterable {
    /// Signed by a registered issuer; `authorization` carries the order and its signature.
    case verified
    /// Accepted without a valid signature under the issuer's `warn` policy; `verification_reason`
    /// says what was wrong (a dead-letter code such as `signature_missing`).
    case unverified
    /// The relay does not check signatures for the order's agency (policy `off`).
    case unchecked
}

/// What `routed_request` and `routed_cancel` say of the police order behind them, read and written
/// in one place with the schema's conditional rules.
struct PoliceOrderFields {
    var authorization: OrderAuthorization?
    var verification: OrderVerification?
    var verificationReason: String?

    init(authorization: OrderAuthorization?, verification: OrderVerification?, verificationReason: String?) {
        (self.authorization, self.verification, self.verificationReason) = (
            authorization, verification, verificationReason
        )
    }

    init(reading body: ObjectReader) throws {
        authorization = try body.optional("authorization", OrderAuthorization.read)
        verification = try body.optional("verification", Read.enumeration(OrderVerification.self))
        verificationReason = try body.optional("verification_reason", Read.printableToken(maxLength: 64))
        if verification == .unverified { try body.demand("verification_reason", "when verification is unverified") }
        if verification != .unverified { try body.forbid("verification_reason", "unless verification is unverified") }
        if verification == .verified { try body.demand("authorization", "when verification is verified") }
    }

    func write(into body: inout ObjectWriter) {
        body.object("authorization", authorization)
        body.string("verification", verification?.rawValue)
        body.string("verification_reason", verificationReason)
    }
}
