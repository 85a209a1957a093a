import Contracts
import Foundation

/// Reading PEM blocks and JWK objects: the two ways integrators hand keys around.
enum KeyText {
    /// The DER bytes of the one PEM block labelled `label` in `text`, or nil when `text` is not PEM.
    static func pem(_ text: String, label: String) throws(KeyFormatError) -> [UInt8]? {
        let begin = "-----BEGIN \(label)-----"
        let end = "-----END \(label)-----"
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("-----BEGIN ") else { return nil }
        guard trimmed.hasPrefix(begin), trimmed.hasSuffix(end) else {
            // Only the marker is quoted: what follows it on the line may be key material.
            let rest = trimmed.dropFirst("-----BEGIN ".count)
            let label = rest.prefix { $0 != "-" && $0 != "\n" && $0 != "\r" }.prefix(32)
            throw KeyFormatError("expected a PEM block \"\(begin)\", found one labelled \"\(label)\"")
        }
        let body = trimmed.dropFirst(begin.count).dropLast(end.count).filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: String(body)), !der.isEmpty else {
            throw KeyFormatError("the PEM block \(label) is not valid base64")
        }
        return [UInt8](der)
    }

    /// The members of a JWK, or nil when `text` is not a JSON object.
    static func jwk(_ text: String) throws(KeyFormatError) -> JSONObject? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.hasPrefix("{") else { return nil }
        let value: JSONValue
        do {
            value = try JSONValue.parse(Array(trimmed.utf8), maxDepth: 4)
        } catch {
            throw KeyFormatError("the JWK is not valid JSON: \(error.reason)")
        }
        guard case .object(let members) = value else { throw KeyFormatError("a JWK must be a JSON object") }
        return members
    }

    static func string(_ members: JSONObject, _ name: String) throws(KeyFormatError) -> String {
        guard case .string(let value)? = members[name] else {
            throw KeyFormatError("the JWK has no string member \"\(name)\"")
        }
        return value
    }

    /// A base64url member of exactly `count` bytes.
    static func bytes(_ members: JSONObject, _ name: String, count: Int) throws(KeyFormatError) -> [UInt8] {
        guard let bytes = Base64URL.decode(try string(members, name)) else {
            throw KeyFormatError("the JWK member \"\(name)\" is not unpadded base64url")
        }
        guard bytes.count == count else {
            throw KeyFormatError("the JWK member \"\(name)\" holds \(bytes.count) bytes; \(count) expected")
        }
        return bytes
    }

    /// The JWK's algorithm from `kty` and `crv`; `alg`, when present, must agree.
    static func algorithm(_ members: JSONObject) throws(KeyFormatError) -> SignatureAlgorithm {
        let kty = try string(members, "kty")
        let crv = try string(members, "crv")
        let algorithm: SignatureAlgorithm
        switch (kty, crv) {
        case ("OKP", "Ed25519"): algorithm = .edDSA
        case ("EC", "P-256"): algorithm = .es256
        default:
            throw KeyFormatError(
                "unsupported JWK (kty \"\(kty.prefix(16))\", crv \"\(crv.prefix(16))\"): use OKP/Ed25519 or EC/P-256")
        }
        if let alg = members["alg"] {
            guard case .string(let name) = alg, name == algorithm.rawValue else {
                throw KeyFormatError("the JWK's \"alg\" does not match its key type (\(algorithm.rawValue))")
            }
        }
        return algorithm
    }

    /// The DER prefixes of Ed25519 keys (RFC 8410): an Ed25519 key has a fixed encoding, so its
    /// SubjectPublicKeyInfo and PKCS #8 forms are these bytes followed by the 32 key bytes.
    static let ed25519PublicPrefix: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]
    static let ed25519PrivatePrefix: [UInt8] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ]

    static func pemBlock(_ der: [UInt8], label: String) -> String {
        let body = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(body)\n-----END \(label)-----\n"
    }
}
