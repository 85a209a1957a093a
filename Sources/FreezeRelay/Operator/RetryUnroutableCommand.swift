import ArgumentParser
import ConfigurationFile
import Contracts
import Foundation
import Ledger
import Relay
import RelayRuntime

/// `freeze-relay retry-unroutable`: route the requests kept as unroutable that the routing
/// table now covers — through the running daemon, or offline when it is stopped.
struct RetryUnroutableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry-unroutable",
        abstract: "Route the requests kept as unroutable that the routing table now covers.",
        discussion: """
            While the daemon runs (it holds the ledger's writer lock), this sends it SIGUSR1: the \
            daemon routes with the routing table it has loaded, so after editing the file send it \
            SIGHUP first. When the daemon is stopped, the routing table of this configuration \
            decides, the ledger is updated directly, and the resulting events wait in the outbox \
            until the daemon next starts. Exit status: 0, 2 for an invalid configuration, 3 when \
            there is no ledger, 4 when the lock holder cannot be signalled, 1 otherwise.
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(name: .customLong("now"), help: .hidden)
    var nowText: String?

    func run() async throws {
        try await reportingFailures { print(try output()) }
    }

    func output() throws -> String {
        let now = try OperatorArguments.now(nowText)
        let configuration = try options.load()
        let path = configuration.ledger.path
        let before = try Self.unroutableCount(path: path, now: now)
        let ledger: Ledger
        do {
            ledger = try OperatorLedger.openWriter(at: path, durability: configuration.ledger.durability)
        } catch .inUse(_, let pid) {
            return try Self.signalDaemon(pid: pid, path: path, unroutable: before)
        } catch {
            throw OperatorLedger.failure(error)
        }
        defer { ledger.close() }
        let policy: RelayPolicy
        do { policy = try RelayPolicy(configuration: configuration) } catch {
            throw CLIFailure(wrapping: error, exitCode: ExitCodes.configuration)
        }
        let clock: any RelayClock = nowText == nil ? SystemClock() : ManualClock(now)
        let routed: [RetriedRequest]
        do { routed = try RelayMaintenance.retryUnroutable(ledger: ledger, policy: policy, clock: clock) } catch {
            throw OperatorLedger.failure(reading: error)
        }
        return Self.offlineText(routed: routed, before: before, configuration: configuration, file: options.configFile)
    }

    /// Requests kept as unroutable, counted on a read-only connection (works while the daemon runs).
    static func unroutableCount(path: String, now: Timestamp) throws -> Int {
        let reader = try OperatorLedger.openReader(at: path)
        defer { reader.close() }
        do {
            return try reader.metricsSnapshot(now: now).openRequests.filter { $0.state == .unroutable }.reduce(0) {
                $0 + $1.count
            }
        } catch {
            throw OperatorLedger.failure(reading: error)
        }
    }

    /// Asks the daemon holding the ledger to retry (SIGUSR1).
    static func signalDaemon(pid: Int32?, path: String, unroutable: Int) throws -> String {
        guard let pid, pid > 0 else {
            throw CLIFailure(
                "the ledger \(path) is in use, but the lock file \(path).lock names no process: send SIGUSR1 to the daemon yourself",
                exitCode: ExitCodes.busy)
        }
        guard pid != getpid() else {
            throw CLIFailure(
                "the ledger \(path) is held by this very process (pid \(pid)); nothing to signal",
                exitCode: ExitCodes.busy)
        }
        guard kill(pid, SIGUSR1) == 0 else {
            let reason = String(cString: strerror(errno))
            throw CLIFailure("the ledger \(path) is in use by pid \(pid), which cannot be sent SIGUSR1: \(reason)")
        }
        return """
            the daemon is running: sent SIGUSR1 to pid \(pid); it routes the unroutable requests its loaded routing table covers
            unroutable before: \(unroutable) request(s)
            if you changed the routing table in the configuration file, send SIGHUP first (kill -HUP \(pid)) and run this again; \
            the daemon logs "retried unroutable requests" with the number routed
            """
    }

    static func offlineText(routed: [RetriedRequest], before: Int, configuration: RelayConfiguration, file: String?)
        -> String
    {
        var lines = [
            "the daemon is not running: retried offline with the routing table of \(file ?? "the defaults and environment") "
                + "(\(configuration.enabledBanks.count) enabled bank(s))",
            "routed \(routed.count) of \(before) unroutable request(s); still unroutable: \(max(0, before - routed.count))",
        ]
        if !routed.isEmpty {
            var table = TextTable([.init("REQUEST"), .init("CASE"), .init("BANK")])
            for request in routed {
                table.append([CanonicalUUID.string(request.requestID), request.caseID, request.bankID.rawValue])
            }
            lines.append(table.render())
            lines.append(
                "their events (routed request, status, escalation resolved) wait in the ledger's outbox and are published when the daemon next starts"
            )
        } else if configuration.banks.isEmpty {
            lines.append("the routing table has no banks: give the daemon's configuration with --config")
        }
        return lines.joined(separator: "\n")
    }
}
