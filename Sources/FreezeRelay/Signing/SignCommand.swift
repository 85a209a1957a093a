import ArgumentParser
import Authenticity
import Foundation

/// `freeze-relay sign`: the `fr-signature` header value for a message, as a police system makes it.
struct SignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Print the fr-signature header value (detached JWS) for a message's exact bytes.",
        discussion: """
            Reads the message (the Kafka record's value, byte for byte) from FILE or stdin and \
            prints the compact detached JWS to send in the record's fr-signature header. \
            Any change to the bytes after signing, even whitespace, makes the signature invalid.
            """
    )

    @Option(help: "The private key: PEM (PKCS #8, as openssl genpkey writes) or JWK with \"d\".")
    var key: String

    @Option(help: "The key id registered for this key in the relay's issuer registry.")
    var kid: String

    @Flag(help: "Sign the raw payload (RFC 7797 \"b64\": false) instead of its base64url form.")
    var unencodedPayload = false

    @Argument(help: "The message file; stdin when absent or \"-\".")
    var file: String?

    func run() async throws {
        try await reportingFailures {
            guard DetachedJWS.isKeyID(kid) else {
                throw CLIFailure(
                    "--kid: 1 to 128 printable ASCII characters without spaces", exitCode: ExitCodes.configuration)
            }
            let signer: SigningKey
            do {
                signer = try SigningKey(parsing: try SigningInput.text(key, what: "key"))
            } catch let failure as CLIFailure {
                throw failure
            } catch {
                throw CLIFailure("\(key): \(error)", exitCode: ExitCodes.configuration, underlying: error)
            }
            let message = try SigningInput.bytes(file)
            print(try DetachedJWS.sign(message, with: signer, keyID: kid, encodesPayload: !unencodedPayload))
        }
    }
}

/// Reading the files the signing commands are given.
enum SigningInput {
    static func text(_ path: String, what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw CLIFailure("cannot read the \(what) file \(path)", exitCode: ExitCodes.configuration)
        }
        return text
    }

    /// A file's bytes, or stdin's for nil or "-".
    static func bytes(_ file: String?) throws -> [UInt8] {
        guard let file, file != "-" else { return [UInt8](FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIFailure("cannot read \(file)", exitCode: ExitCodes.notFound)
        }
        return [UInt8](data)
    }
}
