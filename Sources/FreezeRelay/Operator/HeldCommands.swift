import ArgumentParser
import ConfigurationFile
import Contracts
import Foundation
import Ledger
import Relay
import RelayRuntime

/// `freeze-relay held`: the requests kept because they were over an intake quota.
struct HeldCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "held",
        abstract: "List the requests held because they were over an intake quota (oldest first).",
        discussion:
            "Reads the ledger read-only, so it works while the daemon runs. Release them with `release`, refuse them with `refuse`."
    )

    @OptionGroup var options: ConfigurationOptions

    @Option(help: "List at most this many.")
    var limit = 1000

    func run() async throws {
        try await reportingFailures { print(try output()) }
    }

    func output() throws -> String {
        let reader = try OperatorLedger.openReader(at: try options.ledgerPath())
        defer { reader.close() }
        let held: [RequestRecord]
        do { held = try reader.heldRequests(limit: max(1, limit)) } catch {
            throw OperatorLedger.failure(reading: error)
        }
        guard !held.isEmpty else { return "no held requests" }
        var table = TextTable([.init("REQUEST"), .init("CASE"), .init("AGENCY"), .init("HELD SINCE"), .init("WHY")])
        for record in held {
            table.append([
                CanonicalUUID.string(record.requestID), record.caseID,
                ContractText.fittedName(record.request.issuer.agency, limit: 40),
                record.receivedAt.rfc3339, record.reason ?? "",
            ])
        }
        return table.render() + "\n\(held.count) held request(s)"
            + (held.count == max(1, limit) ? " shown (raise --limit for more)" : "")
    }
}

/// What `release` and `refuse` share: which held requests, who decides, and why.
struct HeldSelectionOptions: ParsableArguments {
    @Argument(help: "Request ids (UUIDs) of held requests.")
    var requestIDs: [String] = []

    @Flag(name: .customLong("all"), help: "Every held request (with --agency: every one naming that agency).")
    var all = false

    @Option(help: "With --all: only requests naming this police agency.")
    var agency: String?

    @Option(
        name: .customLong("operator"),
        help: "Who decides (a login or staff id); default: $SUDO_USER, $USER or $LOGNAME.")
    var operatorID: String?

    @Option(help: "Why (required; goes into the audit trail and to police).")
    var reason: String?

    @Option(help: "Seconds to wait for a running daemon to apply the order.")
    var wait = 30

    @Option(name: .customLong("now"), help: .hidden)
    var nowText: String?

    func order(_ action: OperatorOrder.Action, now: Timestamp) throws -> OperatorOrder {
        let selection: OperatorOrder.Selection
        switch (all, requestIDs.isEmpty) {
        case (true, false): throw OperatorArguments.usage("give request ids or --all, not both")
        case (false, true):
            throw OperatorArguments.usage("name the held requests (their ids, see `freeze-relay held`) or give --all")
        case (true, true): selection = .allHeld(agency: agency)
        case (false, false):
            if agency != nil { throw OperatorArguments.usage("--agency goes with --all") }
            selection = .ids(try OperatorArguments.uuids(requestIDs, what: "a request id"))
        }
        return OperatorOrder(
            action: action, selection: selection,
            decision: try OperatorArguments.decision(operatorID: operatorID, reason: reason),
            requestedAt: now)
    }
}

/// `release` and `refuse`: the same selection, one action each.
protocol HeldOrderCommand: AsyncParsableCommand {
    static var action: OperatorOrder.Action { get }
    var options: ConfigurationOptions { get }
    var selection: HeldSelectionOptions { get }
}

extension HeldOrderCommand {
    func run() async throws {
        try await reportingFailures { print(try await output()) }
    }

    func output() async throws -> String {
        let order = try selection.order(Self.action, now: try OperatorArguments.now(selection.nowText))
        return try await OperatorOrderRunner(options: options, nowText: selection.nowText).run(
            order, wait: selection.wait)
    }
}

/// `freeze-relay release`: route held requests.
struct ReleaseCommand: HeldOrderCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Release held requests: route them to their banks as if they had just arrived.",
        discussion: OperatorOrderRunner.heldDiscussion
    )
    static let action = OperatorOrder.Action.release

    @OptionGroup var options: ConfigurationOptions
    @OptionGroup var selection: HeldSelectionOptions
}

/// `freeze-relay refuse`: refuse held requests.
struct RefuseCommand: HeldOrderCommand {
    static let configuration = CommandConfiguration(
        commandName: "refuse",
        abstract: "Refuse held requests: they become refused (final) and no bank hears of them.",
        discussion: OperatorOrderRunner.heldDiscussion
    )
    static let action = OperatorOrder.Action.refuse

    @OptionGroup var options: ConfigurationOptions
    @OptionGroup var selection: HeldSelectionOptions
}
