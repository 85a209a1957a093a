import ArgumentParser
import ConfigurationFile
import Foundation
import Logging
import Relay
import RelayRuntime

/// `freeze-relay run`: the daemon.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the relay daemon.",
        discussion: """
            Consumes police requests and bank answers, routes, enforces deadlines and publishes \
            status, escalations and dead letters. SIGTERM/SIGINT: stop intake, drain the outbox, \
            commit, exit. SIGHUP: reload the routing table, SLA settings and issuer registry from the file. \
            SIGUSR1: route requests kept as unroutable that the current table covers.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    func run() async throws {
        try await reportingFailures {
            let signals = SignalWatcher()
            // Kept alive to the end of `run`, whatever the optimizer sees of its last use.
            defer { withExtendedLifetime(signals) {} }
            let target = SignalTarget<DaemonAndLogger>()
            signals.on([SIGTERM, SIGINT, SIGHUP, SIGUSR1]) { number in
                if let running = target.arrived(number) {
                    handle(number, daemon: running.daemon, logger: running.logger)
                }
            }
            let configuration = try options.load()
            do {
                try configuration.validateForRun()
                try configuration.validateRelaySigning()
            } catch {
                throw CLIFailure(wrapping: error, exitCode: ExitCodes.configuration)
            }
            bootstrapLogging(configuration.logging)
            let logger = Logger(label: "freeze-relay")
            let settings: RelaySettings
            do { settings = try RelaySettings(configuration: configuration) } catch {
                throw CLIFailure(wrapping: error, exitCode: ExitCodes.configuration)
            }
            if settings.signer == nil {
                // Only under warn or off: validateRelaySigning refused to start under require.
                logger.warning(
                    "routed requests and cancels go out unsigned: no authenticity.relay_key, so banks cannot verify that orders came through the relay"
                )
            }
            if settings.policy.issuers.policy == .off {
                logger.warning(
                    "signature policy off: orders are accepted from anyone who can write to the requests topic (authenticity.policy)"
                )
            }
            let daemon: RelayDaemon
            do { daemon = try RelayDaemon(settings: settings, logger: logger) } catch {
                throw CLIFailure("cannot start: \(error)", underlying: error)
            }
            var server: HealthServer?
            // Sharing, the console answers the probes on http.listen's address in the health server's place.
            let sharing = configuration.console.shareHTTPListener
            if !sharing, case .address(let host, let port) = configuration.http.listen {
                do { server = try daemon.serveHTTP(host: host, port: UInt16(port)) } catch {
                    throw CLIFailure("cannot serve /healthz, /readyz, /metrics: \(error)", underlying: error)
                }
                logger.info(
                    "health and metrics listener",
                    metadata: ["addresses": "\(server!.boundAddresses.joined(separator: ", "))"])
            }
            defer { server?.close() }
            let console: ConsoleLaunch?
            do {
                console = try ConsoleLaunch.configured(
                    configuration.console, ledgerPath: settings.ledgerPath, logger: logger,
                    probes: sharing ? ConsoleLaunch.probes(of: daemon) : [:])
            } catch {
                throw CLIFailure("cannot start the web console: \(error)", underlying: error)
            }
            defer { console?.reader.close() }
            for number in target.attach(DaemonAndLogger(daemon: daemon, logger: logger)) {
                handle(number, daemon: daemon, logger: logger)
            }
            do { try await daemon.run(serving: server, alongside: console.map { [$0.service] } ?? []) } catch {
                throw CLIFailure("stopped: \(error)", underlying: error)
            }
        }
    }

    /// SIGTERM/SIGINT stop (a stop asked for before `run` makes it return at once, cleanly),
    /// SIGHUP reloads, SIGUSR1 retries unroutable requests.
    private func handle(_ number: Int32, daemon: RelayDaemon, logger: Logger) {
        switch number {
        case SIGTERM, SIGINT:
            logger.notice("stopping", metadata: ["signal": "\(SignalWatcher.name(number))"])
            daemon.stop()
        case SIGHUP:
            reload(daemon, logger: logger)
        default:
            do { try daemon.retryUnroutable() } catch {
                logger.error("retry of unroutable requests failed", metadata: ["error": "\(error)"])
            }
        }
    }

    private func reload(_ daemon: RelayDaemon, logger: Logger) {
        do {
            let configuration = try options.load()
            // The same checks as at start: a reload must not leave, say, no issuer registered.
            try configuration.validateForRun()
            try configuration.validateRelaySigning()
            try daemon.reload(policy: try RelayPolicy(configuration: configuration))
        } catch {
            logger.error(
                "reload refused; the previous routing table, SLA settings and issuer registry stay in force",
                metadata: ["error": "\(error)"])
        }
    }
}

/// `freeze-relay check-config`: validates a configuration file.
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file (with the environment and flags applied).",
        discussion: "Exit status 0 when valid, 2 with one line per problem (file:line:column: key.path: why) when not."
    )

    @Argument(help: "The YAML file to check.")
    var file: String

    @Flag(help: "Print the effective configuration, secrets redacted.")
    var print = false

    @Flag(
        name: .customLong("for-run"),
        help:
            "Also require what `run` needs (bootstrap servers, at least one enabled bank, registered issuers), and note a missing relay key, which `run` needs where orders must be signed."
    )
    var forRun = false

    func run() async throws {
        try await reportingFailures { Swift.print(try output()) }
    }

    /// What the command prints when the file is valid; throws the problems (exit 2) otherwise.
    func output() throws -> String {
        let configuration = try loadConfiguration(file: file)
        if forRun {
            do { try configuration.validateForRun() } catch {
                throw CLIFailure(wrapping: error, exitCode: ExitCodes.configuration)
            }
        }
        do { _ = try RelaySettings(configuration: configuration) } catch {
            throw CLIFailure("\(file): \(error)", exitCode: ExitCodes.configuration, underlying: error)
        }
        if print { return configuration.redactedDump() }
        let valid = "\(file): valid (\(configuration.banks.count) banks, \(configuration.enabledBanks.count) enabled)"
        // A file without its relay key yet is valid (the key is made on the relay host), but run
        // would refuse it: say so rather than let --for-run promise a start that fails.
        guard forRun else { return valid }
        do { try configuration.validateRelaySigning() } catch {
            return valid + "\nnote: run refuses to start until this is set: \(error)"
        }
        return valid
    }
}

/// What `run`'s signal handlers act on.
struct DaemonAndLogger: Sendable {
    let daemon: RelayDaemon
    let logger: Logger
}
