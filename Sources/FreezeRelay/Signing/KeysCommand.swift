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
            guard DetachedJWS.isKeyID(kid) else { throw CLIFailure("--kid: 1 to 128 printable ASCII characters without spaces", exitCode: ExitCodes.configuration) }
            guard let algorithm = SignatureAlgorithm(rawValue: algorithm) else {
                throw CLIFailure("--algorithm \(algorithm): use EdDSA or ES256", exitCode: ExitCodes.configuration)
            }
            let key = SigningKey.generate(algorithm)
            // Created with mode 0600 and never over an existing file: a private key is not overwritten by accident.
            let descriptor = open(privateKey, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard descriptor >= 0 else {
                throw CLIFailure("cannot create \(privateKey): \(String(cString: strerror(errno)))", exitCode: ExitCodes.configuration)
            }
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            try handle.write(contentsOf: Data(key.pem.utf8))
            try handle.close()
            let jwk = String(decoding: JSONValue.object(key.publicKey.jwk(keyID: kid)).canonicalBytes, as: UTF8.self)
            print("""
                private key (\(algorithm.rawValue)) written to \(privateKey)

                public key, PEM:
                \(key.publicKey.pem)
                public key, JWK:
                \(jwk)

                for the relay's configuration (authenticity.issuers[].keys):
                        - kid: \(kid)
                          public_key: '\(jwk)'
                """)
        }
    }
}

/// `freeze-relay keys jwks`: the relay's public keys for banks to verify routed requests with.
struct JWKSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jwks",
        abstract: "Print the JSON Web Key Set of the relay's signing keys (authenticity.relay_key and relay_previous_keys).",
        discussion: """
            Give the output to every bank integration (or serve it where they fetch it): banks verify \
            the fr-signature of each routed request and routed cancel with the key its kid names. \
            During a rotation both the new and the previous keys are listed.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        try await reportingFailures {
            let configuration = try options.load()
            let signer: RelaySigner?
            do { signer = try configuration.authenticity.relaySigner() } catch {
                throw CLIFailure("authenticity.relay_key: \(error)", exitCode: ExitCodes.configuration)
            }
            guard let signer else {
                throw CLIFailure("no authenticity.relay_key in the configuration: the relay does not sign, there is no key set to publish",
                                 exitCode: ExitCodes.configuration)
            }
            print(String(decoding: signer.jwks.canonicalBytes, as: UTF8.self))
        }
    }
}
