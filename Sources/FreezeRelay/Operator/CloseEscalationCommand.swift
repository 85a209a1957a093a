import ArgumentParser
import Contracts
import Foundation
import Relay

/// `freeze-relay close-escalation`: close escalations only operators close (security events,
/// chain exits, chain limits), once explained.
struct CloseEscalationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "close-escalation",
        abstract:
            "Close escalations once explained (security events, chain exits and limits: nothing else closes them).",
        discussion: """
            Each escalation is closed (escalation_resolved, resolution closed, with the operator and \
            the reason) and the closing is audited (as a security event for security kinds). One \
            already resolved is reported and left alone. Escalation ids: `freeze-relay case CASE \
            --format json`, or the escalation events themselves. \(OperatorOrderRunner.handOver) \
            Exit status: 0 when every named escalation was closed, 1 when some were not open or \
            unknown, 2 for invalid arguments, 3 when there is no ledger, 4 when the daemon did not \
            carry it out within --wait (it stays queued).
            """
    )

    @OptionGroup var options: ConfigurationOptions

    @Argument(help: "Escalation ids (UUIDs).")
    var escalationIDs: [String] = []

    @Option(
        name: .customLong("operator"),
        help: "Who decides (a login or staff id); default: $SUDO_USER, $USER or $LOGNAME.")
    var operatorID: String?

    @Option(help: "Why (required; goes into the audit trail and the escalation_resolved event).")
    var reason: String?

    @Option(help: "Seconds to wait for a running daemon to carry the order out.")
    var wait = 30

    @Option(name: .customLong("now"), help: .hidden) var nowText: String?

    func run() async throws {
        try await reportingFailures { print(try await output()) }
    }

    func output() async throws -> String {
        guard !escalationIDs.isEmpty else { throw OperatorArguments.usage("name the escalations to close (their ids)") }
        let ids = try OperatorArguments.uuids(escalationIDs, what: "an escalation id")
        let decision = try OperatorArguments.decision(operatorID: operatorID, reason: reason)
        let order = OperatorOrder(
            action: .closeEscalation, selection: .ids(ids), decision: decision,
            requestedAt: try OperatorArguments.now(nowText))
        return try await OperatorOrderRunner(options: options, nowText: nowText).run(order, wait: wait)
    }
}
