import ArgumentParser
import Authenticity
import ConfigurationFile
import Contracts
import Foundation
import Relay

/// `freeze-relay verify`: what the relay would say about a signed order, without Kafka.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check an order's fr-signature as the relay would, or a signature against one public key.",
        discussion: """
            With --config, the message must be a freeze_request or freeze_cancel: it is judged \
            against the configuration's issuer registry (agency, key, validity at issued_at, \
            policy) and the verdict printed. With --public-key, only the signature over the \
            message's bytes is checked. Exit status 0 when accepted, 1 when not.
            """
    )

    @Option(help: "The relay configuration whose authenticity section judges the order.")
    var config: String?

    @Option(name: .customLong("public-key"), help: "A public key (PEM or JWK) to check the signature with instead.")
    var publicKey: String?

    @Option(help: "The fr-signature header value.")
    var signature: String?

    @Flag(help: "Judge the message as unsigned (what the relay does with a record without the header).")
    var unsigned = false

    @Argument(help: "The message file; stdin when absent or \"-\".")
    var file: String?

    func validate() throws {
        guard (config == nil) != (publicKey == nil) else { throw ValidationError("give --config or --public-key") }
        guard (signature == nil) == unsigned else {
            throw ValidationError("give --signature, or --unsigned to judge the message as unsigned")
        }
        if publicKey != nil && unsigned {
            throw ValidationError("--unsigned needs --config (a public key alone has nothing to judge)")
        }
    }

    func run() async throws {
        try await reportingFailures {
            let message = try SigningInput.bytes(file)
            let header = signature.map { Array($0.utf8) }
            if let publicKey {
                let key: VerificationKey
                do {
                    key = try VerificationKey(parsing: try SigningInput.text(publicKey, what: "public key"))
                } catch let failure as CLIFailure {
                    throw failure
                } catch {
                    throw CLIFailure("\(publicKey): \(error)", exitCode: ExitCodes.configuration, underlying: error)
                }
                let jws: DetachedJWS
                do { jws = try DetachedJWS(parsing: header ?? []) } catch {
                    throw CLIFailure("signature_invalid: \(error)", underlying: error)
                }
                guard jws.verifies(message, with: key) else {
                    throw CLIFailure(
                        "signature_invalid: the signature (kid \"\(jws.keyID)\") does not verify over the message with this key"
                    )
                }
                print("valid: \(jws.algorithm.rawValue) signature by kid \"\(jws.keyID)\" over \(message.count) bytes")
                return
            }
            let configuration: RelayConfiguration
            switch RelayConfiguration.load(file: config!) {
            case .success(let loaded): configuration = loaded.configuration
            case .failure(let errors): throw CLIFailure(wrapping: errors, exitCode: ExitCodes.configuration)
            }
            let registry: IssuerRegistry
            do { registry = try configuration.authenticity.registry() } catch {
                throw CLIFailure("authenticity: \(error)", exitCode: ExitCodes.configuration, underlying: error)
            }
            let order: PoliceMessage
            do { order = try EventDecoder.decodePoliceMessage(message) } catch {
                throw CLIFailure("not a valid freeze_request or freeze_cancel: \(error)", underlying: error)
            }
            let (agency, issuedAt) = order.agencyAndIssuedAt
            switch registry.judge(
                signatures: header.map { [$0] } ?? [], payload: message, agency: agency, issuedAt: issuedAt,
                now: Timestamp(Date()))
            {
            case .verified(let issuer, let keyID): print("verified: issuer \"\(issuer)\", key \"\(keyID)\"")
            case .unchecked: print("accepted unchecked: the policy for agency \"\(agency)\" is off")
            case .flagged(let problem):
                print(
                    "accepted with a security audit entry (policy warn): \(problem.failure.rawValue): \(problem.detail)"
                )
            case .refused(let problem): throw CLIFailure("refused: \(problem.failure.rawValue): \(problem.detail)")
            }
        }
    }
}
