import Contracts

/// A JWS in compact serialization with a detached payload (RFC 7515 §7.1 and Appendix F):
/// `BASE64URL(protected header) + ".." + BASE64URL(signature)`. The payload is the Kafka record's
/// value, byte for byte, so the signature travels in a header beside it.
///
/// The signing input is the standard one, `BASE64URL(header) "." BASE64URL(payload)`; a header
/// with `"b64": false` (RFC 7797, listed in `crit`) signs `BASE64URL(header) "." payload` instead,
/// as PyJWT's detached mode does. Both are accepted; the relay's own tools write the standard form.
public struct DetachedJWS: Sendable, Hashable {
    /// The Kafka header the signature travels in.
    public static let headerName = "fr-signature"
    /// The longest header value read: a signature with a reasonable key id is ~150 bytes.
    public static let maxLength = 4096

    public let algorithm: SignatureAlgorithm
    public let keyID: String
    /// False under RFC 7797's `"b64": false`.
    public let encodesPayload: Bool
    public let signature: [UInt8]
    /// The header exactly as sent (its base64url text), part of what was signed.
    let encodedHeader: [UInt8]

    /// Reads the compact form. Total: any bytes give a JWS or a precise error.
    public init(parsing compact: [UInt8]) throws(JWSFormatError) {
        guard compact.count <= Self.maxLength else {
            throw JWSFormatError("the signature is \(compact.count) bytes long; at most \(Self.maxLength) are read")
        }
        let parts = compact.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw JWSFormatError("not a compact JWS: expected three parts separated by \".\", found \(parts.count)")
        }
        guard parts[1].isEmpty else {
            throw JWSFormatError("the payload part must be empty (detached): the payload is the record's value")
        }
        guard let headerBytes = Base64URL.decode(parts[0]) else {
            throw JWSFormatError("the protected header is not unpadded base64url")
        }
        guard let signature = Base64URL.decode(parts[2]) else {
            throw JWSFormatError("the signature part is not unpadded base64url")
        }
        let header: JSONObject
        do {
            guard case .object(let members) = try JSONValue.parse(headerBytes, maxDepth: 4) else {
                throw JWSFormatError("the protected header is not a JSON object")
            }
            header = members
        } catch let error as JWSFormatError {
            throw error
        } catch {
            throw JWSFormatError("the protected header is not valid JSON")
        }
        guard case .string(let alg)? = header["alg"] else {
            throw JWSFormatError("the protected header has no string \"alg\"")
        }
        guard let algorithm = SignatureAlgorithm(rawValue: alg) else {
            throw JWSFormatError(
                "algorithm \"\(ContractText.fittedName(alg, limit: 32))\" is not accepted (EdDSA or ES256)")
        }
        guard case .string(let kid)? = header["kid"] else {
            throw JWSFormatError("the protected header has no string \"kid\"")
        }
        guard Self.isKeyID(kid) else { throw JWSFormatError("the key id must be 1 to 128 printable ASCII characters") }
        var encodesPayload = true
        var critical: [String] = []
        if let crit = header["crit"] {
            guard case .array(let names) = crit, !names.isEmpty else {
                throw JWSFormatError("\"crit\" must be a non-empty array of names")
            }
            for name in names {
                guard case .string(let text) = name, text == "b64", header[text] != nil, !critical.contains(text) else {
                    throw JWSFormatError("\"crit\" may list only \"b64\", once, and only when the header has it")
                }
                critical.append(text)
            }
        }
        if let b64 = header["b64"] {
            guard case .bool(let value) = b64 else { throw JWSFormatError("\"b64\" must be true or false") }
            guard critical.contains("b64") else {
                throw JWSFormatError("a header with \"b64\" must list it in \"crit\" (RFC 7797 §6)")
            }
            encodesPayload = value
        }
        guard signature.count == 64 else {
            throw JWSFormatError("a \(alg) signature is 64 bytes; this one is \(signature.count)")
        }
        (self.algorithm, self.keyID, self.encodesPayload, self.signature, self.encodedHeader) = (
            algorithm, kid, encodesPayload, signature, Array(parts[0])
        )
    }

    /// What the signature covers, for `payload`.
    public func signingInput(payload: [UInt8]) -> [UInt8] {
        Self.signingInput(encodedHeader: encodedHeader, payload: payload, encodesPayload: encodesPayload)
    }

    /// Whether `key` signed `payload` under this JWS. The algorithm must be the key's own: a
    /// header cannot make an Ed25519 key verify as anything else.
    public func verifies(_ payload: [UInt8], with key: VerificationKey) -> Bool {
        key.algorithm == algorithm && key.isValidSignature(signature, for: signingInput(payload: payload))
    }

    /// Signs `payload` with `key` under `keyID`: the header value to send with the record.
    public static func sign(_ payload: [UInt8], with key: SigningKey, keyID: String, encodesPayload: Bool = true) throws
        -> String
    {
        var header: JSONObject = ["alg": .string(key.algorithm.rawValue), "kid": .string(keyID)]
        if !encodesPayload { (header["b64"], header["crit"]) = (.bool(false), .array([.string("b64")])) }
        let encodedHeader = Array(Base64URL.encode(JSONValue.object(header).canonicalBytes).utf8)
        let signature = try key.signature(
            for: signingInput(encodedHeader: encodedHeader, payload: payload, encodesPayload: encodesPayload))
        return String(decoding: encodedHeader, as: UTF8.self) + ".." + Base64URL.encode(signature)
    }

    static func signingInput(encodedHeader: [UInt8], payload: [UInt8], encodesPayload: Bool) -> [UInt8] {
        encodedHeader + [UInt8(ascii: ".")] + (encodesPayload ? Array(Base64URL.encode(payload).utf8) : payload)
    }

    /// Key ids are quoted in dead letters and logs, so they are kept short and printable.
    public static func isKeyID(_ text: String) -> Bool {
        (1...128).contains(text.utf8.count) && text.utf8.allSatisfy { (0x21...0x7e).contains($0) }
    }
}

/// Why a signature header is not a well-formed detached JWS.
public struct JWSFormatError: Error, Sendable, Hashable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
