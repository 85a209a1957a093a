import ArgumentParser
import Authenticity
import Contracts
import Foundation

/// `freeze-relay keys generate`: a signing key for a police system (or a test), with the public
/// half ready to paste into the relay's issuer registry.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make signing keys for orders.",
        subcommands: [GenerateKeyCommand.self, JWKSCommand.self]
    )
}

struct GenerateKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a key pair: the private key goes to a file (mode 0600), the public key to stdout.",
        discussion: """
            The private key is written as PKCS #8 PEM, which openssl and every JOSE library read. \
            Keep it on the signing system only. The output is the public key as PEM and as a JWK, \
            and the lines to add under authenticity.issuers[].keys in the relay's configuration.
            """
    )

    @Option(help: "The key id (JWS \"kid\") signatures will name, e.g. almaty-police-2026.")
    var kid: String

    @Option(help: "EdDSA (Ed25519, the default) or ES256 (P-256).")
    var algorithm: String = SignatureAlgorithm.edDSA.rawValue

    @Option(name: .customLong("private-key"), help: "Where to write the private key (must not exist yet).")
    var privateKey: String

    func run() async throws {
        try await reportingFailures {
            guard DetachedJWS.isKeyID(kid) else {
                throw CLIFailure(
                    "--kid: 1 to 128 printable ASCII characters without spaces", exitCode: ExitCodes.configuration)
            }
            guard let algorithm = SignatureAlgorithm(rawValue: algorithm) else {
                throw CLIFailure("--algorithm \(algorithm): use EdDSA or ES256", exitCode: ExitCodes.configuration)
            }
            let key = SigningKey.generate(algorithm)
            // Created with mode 0600 and never over an existing file: a private key is not overwritten by accident.
            let descriptor = open(privateKey, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard descriptor >= 0 else {
                throw CLIFailure(
                    "cannot create \(privateKey): \(String(cString: strerror(errno)))",
                    exitCode: ExitCodes.configuration)
            }
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            try handle.write(contentsOf: Data(key.pem.utf8))
            try handle.close()
            let jwk = String(decoding: JSONValue.object(key.publicKey.jwk(keyID: kid)).canonicalBytes, as: UTF8.self)
            print(
                """
                private key (\(algorithm.rawValue)) written to \(privateKey)

                public key, PEM:
                \(key.publicKey.pem)
                public key, JWK:
                \(jwk)

                for the relay's configuration (authenticity.issuers[].keys):
                        - kid: '\(kid.replacingOccurrences(of: "'", with: "''"))'
                          public_key: '\(jwk)'
                """)
        }
    }
}

/// `freeze-relay keys jwks`: the public keys banks verify with: the relay's own (its signature on
/// routed requests and cancels) or, with `--issuers`, the registered issuers' (the police
/// signature each routed order carries in `authorization`).
struct JWKSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jwks",
        abstract: "Print a JSON Web Key Set: the relay's signing keys, or with --issuers the registered issuers' keys.",
        discussion: """
            Give the output to every bank integration (or serve it where they fetch it): banks verify \
            the fr-signature of each routed request and routed cancel with the relay key its kid names, \
            and the police signature in its authorization with the issuer key its key_id names. \
            During a rotation both the new and the previous relay keys are listed. Issuer keys carry \
            their issuer id (fr_issuer), agencies (fr_agencies) and validity (fr_not_before, fr_not_after).
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Flag(help: "Print the registered issuers' public keys instead of the relay's.")
    var issuers = false

    func run() async throws {
        try await reportingFailures {
            let configuration = try options.load()
            if issuers {
                let keys = configuration.authenticity.issuers.flatMap { issuer in
                    issuer.keys.map { key -> JSONValue in
                        var jwk = key.key.jwk(keyID: key.keyID)
                        jwk["fr_issuer"] = .string(issuer.id)
                        jwk["fr_agencies"] = .array(issuer.agencies.map(JSONValue.string))
                        if let from = key.notBefore { jwk["fr_not_before"] = .string(from.rfc3339) }
                        if let to = key.notAfter { jwk["fr_not_after"] = .string(to.rfc3339) }
                        return .object(jwk)
                    }
                }
                print(String(decoding: JSONValue.object(["keys": .array(keys)]).canonicalBytes, as: UTF8.self))
                return
            }
            let signer: RelaySigner?
            do { signer = try configuration.authenticity.relaySigner() } catch {
                throw CLIFailure(
                    "authenticity.relay_key: \(error)", exitCode: ExitCodes.configuration, underlying: error)
            }
            guard let signer else {
                throw CLIFailure(
                    "no authenticity.relay_key in the configuration: the relay does not sign, there is no key set to publish",
                    exitCode: ExitCodes.configuration)
            }
            print(String(decoding: signer.jwks.canonicalBytes, as: UTF8.self))
        }
    }
}
