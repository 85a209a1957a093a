import Authenticity
import Contracts
import Foundation

/// The `authenticity` section: the signature policy and the issuer registry.
enum AuthenticityKeys {
    static let all = ["policy", "issuers", "relay_key", "relay_previous_keys", "max_order_age"]
    static let relayKey = ["kid", "private_key_file"]
    static let issuer = ["id", "agencies", "policy", "keys"]
    static let key = ["kid", "public_key", "public_key_file", "not_before", "not_after"]
}

extension ConfigurationDecoder {
    func decodeAuthenticity(_ section: Section) -> AuthenticitySettings {
        var settings = AuthenticitySettings()
        settings.policy = Self.policy(section) ?? settings.policy
        if let age = section.positiveDuration("max_order_age") { settings.maxOrderAge = age }
        settings.relayKey = decodeRelayKey(section.section("relay_key", known: AuthenticityKeys.relayKey))
        if let previous = section.value("relay_previous_keys") {
            settings.relayPreviousKeys =
                Read.list(previous, at: section.path.key("relay_previous_keys"), log: log) { item, itemPath in
                    decodeKey(item, at: itemPath, owner: "the relay (previous key)")
                } ?? []
        }
        if let relayKey = settings.relayKey {
            for (index, previous) in settings.relayPreviousKeys.enumerated() where previous.keyID == relayKey.keyID {
                log.error(
                    section.path.key("relay_previous_keys").index(index).key("kid"), nil,
                    "\"\(previous.keyID)\" is the active relay key's id; a previous key needs its own")
            }
        }
        guard let tree = section.value("issuers") else { return settings }
        let path = section.path.key("issuers")
        let decoded = Read.list(tree, at: path, log: log) { item, itemPath in decodeIssuer(item, at: itemPath) } ?? []
        settings.issuers = decoded
        // A relay key id that is also an issuer's would let one pass for the other in a bank's
        // merged key set.
        let relayKeyIDs = Set([settings.relayKey?.keyID].compactMap { $0 } + settings.relayPreviousKeys.map(\.keyID))
        for (index, issuer) in decoded.enumerated() {
            for (position, key) in issuer.keys.enumerated() where relayKeyIDs.contains(key.keyID) {
                log.error(
                    path.index(index).key("keys").index(position).key("kid"), nil,
                    "\"\(key.keyID)\" is also a relay key id; key ids must be unique")
            }
        }
        // The registry itself refuses what would make a signature ambiguous (a key id, issuer id
        // or agency listed twice); its reason names both places.
        do {
            _ = try settings.registry()
        } catch {
            log.error(path, tree.source, error.reason)
        }
        return settings
    }

    /// The relay's private key. Its errors never quote the file's content.
    private func decodeRelayKey(_ section: Section) -> RelayKeySettings? {
        guard section.isWellFormed, section.isPresent else { return nil }
        let kid = section.string("kid") {
            DetachedJWS.isKeyID($0) ? nil : "a key id is 1 to 128 printable ASCII characters without spaces"
        }
        if section.value("kid") == nil {
            log.error(section.path.key("kid"), section.source, "required: the key id banks find in the relay's JWKS")
        }
        guard let fileTree = section.value("private_key_file") else {
            log.error(
                section.path.key("private_key_file"), section.source,
                "required: the file holding the relay's private key (PKCS #8 PEM)")
            return nil
        }
        let path = section.path.key("private_key_file")
        guard let file = Read.nonEmptyString(fileTree, at: path, log: log) else { return nil }
        guard let text = keyFileText(file, at: path, source: fileTree.source) else { return nil }
        let key: SigningKey
        do {
            key = try SigningKey(parsing: text)
        } catch {
            log.error(path, fileTree.source, "key file \(file): \(error.reason)")
            return nil
        }
        guard key.algorithm == .edDSA else {
            log.error(
                path, fileTree.source,
                "key file \(file): the relay signs with Ed25519 keys only (deterministic signatures: a re-sent event carries the same bytes)"
            )
            return nil
        }
        guard let kid else { return nil }
        return RelayKeySettings(keyID: kid, file: file, key: key)
    }

    private func decodeIssuer(_ tree: ConfigTree, at path: ConfigPath) -> IssuerSettings? {
        let section = Section(tree, at: path, known: AuthenticityKeys.issuer, log: log)
        guard section.isWellFormed, section.isPresent else {
            if section.isWellFormed { log.error(path, tree.source, "empty issuer entry") }
            return nil
        }
        let id = section.string("id", check: Self.issuerID)
        if section.value("id") == nil {
            log.error(path.key("id"), section.source, "required: every issuer needs an id (named in audit entries)")
        }
        let agencies = section.stringList("agencies", check: Self.agency) ?? []
        if agencies.isEmpty {
            log.error(
                path.key("agencies"), section.source,
                "required: the issuer.agency values this issuer signs for (at least one)")
        }
        let keys =
            section.value("keys").flatMap { keysTree in
                Read.list(keysTree, at: path.key("keys"), log: log) { item, itemPath in
                    decodeKey(item, at: itemPath, owner: id.map { "issuer \"\($0)\"" } ?? "this issuer")
                }
            } ?? []
        if section.value("keys") == nil || keys.isEmpty {
            log.error(path.key("keys"), section.source, "required: at least one public key the issuer signs with")
        }
        return IssuerSettings(id: id ?? "", agencies: agencies, policy: Self.policy(section), keys: keys)
    }

    /// `banks[].answer_signing`: the bank's policy (default `require` once the section is written)
    /// and its keys.
    func decodeAnswerSigning(_ section: Section, bankID: String) -> AnswerSigningSettings? {
        guard section.isWellFormed, section.isPresent else { return nil }
        let keys =
            section.value("keys").flatMap { tree in
                Read.list(tree, at: section.path.key("keys"), log: log) { item, itemPath in
                    decodeKey(item, at: itemPath, owner: bankID.isEmpty ? "this bank" : "bank \"\(bankID)\"")
                }
            } ?? []
        let settings = AnswerSigningSettings(policy: Self.policy(section) ?? .require, keys: keys)
        if settings.policy != .off, keys.isEmpty {
            log.error(
                section.path.key("keys"), section.source,
                "required: the bank's public keys (its answers would all be refused without one)")
        }
        do {
            _ = try settings.registry(bankID: bankID)
        } catch {
            log.error(section.path.key("keys"), section.source, error.reason)
        }
        return settings
    }

    /// `owner` names whose key it is in errors about the key itself (`issuer "almaty"`), with its
    /// key id: the path alone gives only positions in lists.
    func decodeKey(_ tree: ConfigTree, at path: ConfigPath, owner: String) -> IssuerKeySettings? {
        let section = Section(tree, at: path, known: AuthenticityKeys.key, log: log)
        guard section.isWellFormed, section.isPresent else {
            if section.isWellFormed { log.error(path, tree.source, "empty key entry") }
            return nil
        }
        let kid = section.string("kid") {
            DetachedJWS.isKeyID($0) ? nil : "a key id is 1 to 128 printable ASCII characters without spaces"
        }
        if section.value("kid") == nil {
            log.error(path.key("kid"), section.source, "required: the key id (JWS \"kid\") signatures name")
        }
        let notBefore = timestamp(section, "not_before")
        let notAfter = timestamp(section, "not_after")
        if let notBefore, let notAfter, notAfter < notBefore {
            log.error(
                path.key("not_after"), section.value("not_after")?.source, "is before not_before (\(notBefore.rfc3339))"
            )
        }
        let whose = "key " + (kid.map { "\"\($0)\" " } ?? "") + "of \(owner)"
        let key: (VerificationKey, String?)?
        switch (section.value("public_key"), section.value("public_key_file")) {
        case (let inline?, nil):
            key = Read.nonEmptyString(inline, at: path.key("public_key"), log: log).flatMap { text in
                parseKey(text, at: path.key("public_key"), source: inline.source, whose: whose).map { ($0, nil) }
            }
        case (nil, let fileTree?):
            key = Read.nonEmptyString(fileTree, at: path.key("public_key_file"), log: log).flatMap { file in
                readKeyFile(file, at: path.key("public_key_file"), source: fileTree.source, whose: whose).map {
                    ($0, file)
                }
            }
        case (nil, nil):
            log.error(path, section.source, "a key needs public_key (PEM or JWK) or public_key_file")
            key = nil
        case (_?, _?):
            log.error(
                path.key("public_key_file"), section.value("public_key_file")?.source,
                "give public_key or public_key_file, not both")
            key = nil
        }
        guard let kid, let key else { return nil }
        return IssuerKeySettings(keyID: kid, key: key.0, file: key.1, notBefore: notBefore, notAfter: notAfter)
    }

    /// Unquoted, YAML 1.1 reads `off` as the boolean false; that is what the user meant.
    private static func policy(_ section: Section) -> SignaturePolicy? {
        if case .scalar(let scalar) = section.value("policy"), scalar.kind == .boolean(false) { return .off }
        return section.choice("policy", as: SignaturePolicy.self)
    }

    /// An RFC 3339 time. Unquoted, YAML reads one as a date; its text is taken as written.
    private func timestamp(_ section: Section, _ key: String) -> Timestamp? {
        guard let tree = section.value(key) else { return nil }
        let path = section.path.key(key)
        guard case .scalar(let scalar) = tree, [.string, .text, .timestamp].contains(scalar.kind) else {
            log.error(
                path, tree.source,
                "expected an RFC 3339 time such as 2026-01-01T00:00:00Z, found \(tree.kindDescription)")
            return nil
        }
        guard let time = try? Timestamp(parsing: scalar.text.trimmingWhitespace()) else {
            log.error(path, tree.source, "expected an RFC 3339 time with its zone, such as 2026-01-01T00:00:00Z")
            return nil
        }
        return time
    }

    /// `whose`: the key's id and owner, named in the error (never the key's text).
    private func parseKey(
        _ text: String, at path: ConfigPath, source: ConfigurationSource?, whose: String, file: String? = nil
    ) -> VerificationKey? {
        do {
            return try VerificationKey(parsing: text)
        } catch {
            log.error(path, source, "\(whose): " + (file.map { "key file \($0): " } ?? "") + error.reason)
            return nil
        }
    }

    private func readKeyFile(_ file: String, at path: ConfigPath, source: ConfigurationSource?, whose: String)
        -> VerificationKey?
    {
        keyFileText(file, at: path, source: source).flatMap {
            parseKey($0, at: path, source: source, whose: whose, file: file)
        }
    }

    /// A key file's text, or nil after reporting why it cannot be read (never its content).
    private func keyFileText(_ file: String, at path: ConfigPath, source: ConfigurationSource?) -> String? {
        guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8)
        else {
            let exists = FileManager.default.fileExists(atPath: file)
            log.error(
                path, source,
                exists
                    ? "key file \(file) cannot be read as text (check its permissions)"
                    : "key file \(file) does not exist")
            return nil
        }
        return text
    }

    static func issuerID(_ text: String) -> String? {
        let allowed = text.utf8.allSatisfy {
            (0x30...0x39).contains($0) || (0x41...0x5a).contains($0) || (0x61...0x7a).contains($0)
                || [0x2d, 0x2e, 0x5f].contains($0)
        }
        return allowed && text.utf8.count <= 64 ? nil : "an issuer id is up to 64 letters, digits, '.', '_' or '-'"
    }

    static func agency(_ text: String) -> String? {
        text.isEmpty || text.count > 128
            ? "an agency name is 1 to 128 characters, exactly as orders write issuer.agency" : nil
    }
}
