import Contracts
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging

@testable import RelayConsole

let testToken = ConsoleToken("s3cret-token-for-tests")!

/// Runs `body` against the console's application in memory (no socket), serving `ledger`.
func withConsole(
    _ ledger: FixedLedger, probes: [String: @Sendable () -> ProbeAnswer] = [:],
    _ body: @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    let settings = ConsoleSettings(host: "127.0.0.1", port: 0, token: testToken, probes: probes)
    var logger = Logger(label: "console-tests")
    logger.logLevel = .critical
    let application = ConsoleApplication.make(
        settings: settings, ledger: ledger, logger: logger, stop: StopSignal(), now: { fixtureNow },
        onListening: { _ in })
    try await application.test(.router) { client in try await body(client) }
}

let bearer: HTTPFields = [.authorization: "Bearer \(testToken.revealed)"]

extension TestResponse {
    var text: String { String(buffer: body) }
}
