import Contracts
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// The web console as a service for the daemon's `ServiceGroup`: it starts listening when the
/// group runs it and stops with the group's graceful shutdown (open event streams end within a
/// poll interval). Only reads: it is handed a `ConsoleLedger`, never the writer.
public struct ConsoleService: Service, CustomStringConvertible {
    private let application: any Service
    private let stop: StopSignal
    public var description: String { "console" }

    /// - Parameters:
    ///   - onListening: called once the listener is bound, with the address (`127.0.0.1:8080`,
    ///     `[::1]:8080`), e.g. to print the URL when the port was chosen by the system.
    public init(
        settings: ConsoleSettings, ledger: any ConsoleLedger, logger: Logger,
        now: @escaping @Sendable () -> Timestamp = { .now() },
        onListening: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        let stop = StopSignal()
        self.stop = stop
        self.application = ConsoleApplication.make(
            settings: settings, ledger: ledger, logger: logger, stop: stop, now: now, onListening: onListening)
    }

    public func run() async throws {
        let stop = stop
        try await withGracefulShutdownHandler {
            try await application.run()
        } onGracefulShutdown: {
            stop.set()
        }
    }
}

/// Builds the Hummingbird application (separate so tests can drive it without a socket).
enum ConsoleApplication {
    static func make(
        settings: ConsoleSettings, ledger: any ConsoleLedger, logger: Logger, stop: StopSignal,
        now: @escaping @Sendable () -> Timestamp, onListening: @escaping @Sendable (String) -> Void
    ) -> some ApplicationProtocol & Service {
        let router = ConsoleRoutes.router(ledger: ledger, settings: settings, stop: stop, now: now)
        let responder = ConsoleResponder(inner: router.buildResponder(), token: settings.token, probes: settings.probes)
        return Application(
            responder: responder,
            configuration: ApplicationConfiguration(
                address: .hostname(settings.host, port: settings.port), serverName: nil, backlog: 64,
                availableConnectionsDelegate: MaximumAvailableConnections(settings.maxConnections)),
            onServerRunning: { channel in
                if let address = channel.localAddress, let port = address.port {
                    let host = address.ipAddress ?? settings.host
                    onListening(host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)")
                }
            },
            logger: logger)
    }
}
