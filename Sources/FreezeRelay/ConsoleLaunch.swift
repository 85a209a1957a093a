import ConfigurationFile
import Contracts
import Ledger
import Logging
import RelayConsole
import RelayRuntime

/// Starts the web console beside the daemon: its own read-only connections to the ledger (the
/// daemon must have opened, and so migrated, the file first) and its service for the daemon's
/// group. The caller closes `reader` once the daemon has returned.
struct ConsoleLaunch {
    let service: ConsoleService
    let reader: LedgerReader

    init(
        host: String, port: Int, token: ConsoleToken, maxConnections: Int = 64, ledgerPath: String, logger: Logger,
        probes: [String: @Sendable () -> ProbeAnswer] = [:], onListening: @escaping @Sendable (String) -> Void
    ) throws {
        reader = try LedgerReader.open(at: ledgerPath)
        let settings = ConsoleSettings(
            host: host, port: port, token: token, maxConnections: maxConnections, probes: probes)
        service = ConsoleService(settings: settings, ledger: reader, logger: logger, onListening: onListening)
    }

    /// From the configuration's `console` section; nil when the console is off.
    static func configured(
        _ section: ConsoleSection, ledgerPath: String, logger: Logger, probes: [String: @Sendable () -> ProbeAnswer]
    ) throws -> ConsoleLaunch? {
        guard case .address(let host, let port) = section.listen else { return nil }
        // The configuration refuses a listener without a token; this is the last guard.
        guard let secret = section.token, let token = ConsoleToken(secret.revealed) else {
            throw CLIFailure(
                "console.listen is set but console.token_file gave no token", exitCode: ExitCodes.configuration)
        }
        return try ConsoleLaunch(
            host: host, port: port, token: token, maxConnections: section.maxConnections, ledgerPath: ledgerPath,
            logger: logger, probes: probes
        ) { address in
            logger.info("web console listening", metadata: ["address": "\(address)"])
        }
    }

    /// The daemon's `/healthz`, `/readyz` and `/metrics`, for a console that shares their listener.
    static func probes(of daemon: RelayDaemon) -> [String: @Sendable () -> ProbeAnswer] {
        daemon.probeRoutes().mapValues { handler in
            {
                let response = handler()
                return ProbeAnswer(status: response.status, contentType: response.contentType, body: response.body)
            }
        }
    }
}
