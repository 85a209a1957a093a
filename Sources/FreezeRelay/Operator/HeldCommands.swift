import ArgumentParser
import Configuration
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
        discussion: "Reads the ledger read-only, so it works while the daemon runs. Release them with `release`, refuse them with `refuse`."
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
        do { held = try reader.heldRequests(limit: max(1, limit)) } catch { throw OperatorLedger.failure(reading: error) }
        guard !held.isEmpty else { return "no held requests" }
        var table = TextTable([.init("REQUEST"), .init("CASE"), .init("AGENCY"), .init("HELD SINCE"), .init("WHY")])
        for record in held {
            table.append([CanonicalUUID.string(record.requestID), record.caseID, ContractText.fittedName(record.request.issuer.agency, limit: 40),
                          record.receivedAt.rfc3339, record.reason ?? ""])
        }
        return table.render() + "\n\(held.count) held request(s)" + (held.count == max(1, limit) ? " shown (raise --limit for more)" : "")
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

    @Option(name: .customLong("operator"), help: "Who decides (a login or staff id); default: $SUDO_USER, $USER or $LOGNAME.")
    var operatorID: String?

    @Option(help: "Why (required; goes into the audit trail and to police).")
    var reason: String?

    @Option(help: "Seconds to wait for a running daemon to apply the order.")
    var wait = 30

    func order(_ action: HeldRequestOrder.Action, now: Timestamp) throws -> HeldRequestOrder {
        let selection: HeldRequestOrder.Selection
        switch (all, requestIDs.isEmpty) {
        case (true, false): throw OperatorArguments.usage("give request ids or --all, not both")
        case (false, true): throw OperatorArguments.usage("name the held requests (their ids, see `freeze-relay held`) or give --all")
        case (true, true): selection = .allHeld(agency: agency)
        case (false, false):
            if agency != nil { throw OperatorArguments.usage("--agency goes with --all") }
            selection = .requests(try requestIDs.map { text in
                guard text.count == 36, let id = UUID(uuidString: text) else {
                    throw OperatorArguments.usage("\"\(ContractText.fittedName(text, limit: 40))\" is not a request id (a UUID such as 9f1c…-…, see `freeze-relay held`)")
                }
                return id
            })
        }
        guard let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines), !reason.isEmpty else {
            throw OperatorArguments.usage("--reason is required: say why, it is audited and police see it")
        }
        let environment = ProcessInfo.processInfo.environment
        guard let who = [operatorID, environment["SUDO_USER"], environment["USER"], environment["LOGNAME"]].compactMap({ $0 }).first(where: { !$0.isEmpty })
        else { throw OperatorArguments.usage("--operator is required when $USER is not set: say who decides") }
        return HeldRequestOrder(action: action, selection: selection, decision: OperatorDecision(operatorID: who, reason: reason), requestedAt: now)
    }
}

/// `freeze-relay release`: route held requests.
struct ReleaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Release held requests: route them to their banks as if they had just arrived.",
        discussion: HeldOrderRunner.discussion
    )

    @OptionGroup var options: ConfigurationOptions
    @OptionGroup var selection: HeldSelectionOptions
    @Option(name: .customLong("now"), help: .hidden) var nowText: String?

    func run() async throws {
        try await reportingFailures { print(try await output()) }
    }

    func output() async throws -> String {
        try await HeldOrderRunner(options: options, nowText: nowText).run(try selection.order(.release, now: try OperatorArguments.now(nowText)), wait: selection.wait)
    }
}

/// `freeze-relay refuse`: refuse held requests.
struct RefuseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "refuse",
        abstract: "Refuse held requests: they become refused (final) and no bank hears of them.",
        discussion: HeldOrderRunner.discussion
    )

    @OptionGroup var options: ConfigurationOptions
    @OptionGroup var selection: HeldSelectionOptions
    @Option(name: .customLong("now"), help: .hidden) var nowText: String?

    func run() async throws {
        try await reportingFailures { print(try await output()) }
    }

    func output() async throws -> String {
        try await HeldOrderRunner(options: options, nowText: nowText).run(try selection.order(.refuse, now: try OperatorArguments.now(nowText)), wait: selection.wait)
    }
}

/// Applies an order offline, or hands it to the running daemon and waits for its result.
struct HeldOrderRunner {
    let options: ConfigurationOptions
    let nowText: String?

    static let discussion = """
        Each request is audited with the operator and the reason, its quota_exceeded escalation \
        closes, and police get a status. Requests not held are reported and left alone. While the \
        daemon runs (it holds the ledger's writer lock), the order is left in the ledger for it, as \
        rebase does: the daemon carries it out within a second or so, with the routing table it has \
        loaded, and records the outcome in the same transaction (this command waits for it). When \
        it is stopped, the order is applied directly and its events wait in the outbox until the \
        daemon next starts. Exit status: 0 when every named request was decided, 1 when some were \
        not held or unknown, 2 for invalid arguments, 3 when there is no ledger, 4 when the daemon \
        did not carry it out within --wait (it stays queued).
        """

    func run(_ order: HeldRequestOrder, wait: Int) async throws -> String {
        let configuration = try options.load()
        let path = configuration.ledger.path
        let ledger: Ledger
        do {
            ledger = try OperatorLedger.openWriter(at: path, durability: configuration.ledger.durability)
        } catch .inUse(_, let pid) {
            return try await handOver(order, path: path, pid: pid, wait: wait)
        } catch {
            throw OperatorLedger.failure(error)
        }
        defer { ledger.close() }
        let policy: RelayPolicy
        do { policy = try RelayPolicy(configuration: configuration) } catch {
            throw CLIFailure("\(error)", exitCode: ExitCodes.configuration)
        }
        let clock: any RelayClock = nowText == nil ? SystemClock() : ManualClock(order.requestedAt)
        let outcomes: [HeldRequestOutcome]
        do { outcomes = try RelayMaintenance.decideHeld(order, ledger: ledger, policy: policy, clock: clock) } catch {
            throw OperatorLedger.failure(reading: error)
        }
        return try Self.report(outcomes, order: order,
                               how: "the daemon is not running: applied directly; the events wait in the ledger's outbox until the daemon next starts")
    }

    /// Leaves the order in the ledger for the running daemon (as `rebase` does) and waits for its
    /// outcome, which the daemon records in the transaction that carries the order out.
    private func handOver(_ order: HeldRequestOrder, path: String, pid: Int32?, wait: Int) async throws -> String {
        let sequence: Int64
        do { sequence = try Ledger.submitHeldOrder(order, at: path) } catch let error as LedgerError {
            throw OperatorLedger.failure(error)
        }
        let reader = try OperatorLedger.openReader(at: path)
        defer { reader.close() }
        let deadline = ContinuousClock.now.advanced(by: .seconds(max(0, wait)))
        let daemon = pid.map { "the daemon (pid \($0))" } ?? "the daemon"
        while ContinuousClock.now < deadline {
            if let result = try reader.heldOrderResult(sequence) {
                if let error = result.error { throw CLIFailure("\(daemon) did not carry out order #\(sequence): \(error)") }
                return try Self.report(result.outcomes, order: order, how: "\(daemon) is running: it carried out order #\(sequence)")
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw CLIFailure("\(daemon) has not carried out order #\(sequence) within \(wait) s; it stays queued in the ledger and is carried out "
            + "when the daemon gets to it (its log says \"operator order about held requests carried out\")", exitCode: ExitCodes.busy)
    }

    static func report(_ outcomes: [HeldRequestOutcome], order: HeldRequestOrder, how: String) throws -> String {
        guard !outcomes.isEmpty else { return "\(how)\nno held requests matched; nothing changed" }
        var table = TextTable([.init("REQUEST"), .init("CASE"), .init("OUTCOME"), .init("STATE"), .init("BANK")])
        for outcome in outcomes {
            table.append([CanonicalUUID.string(outcome.requestID), outcome.caseID ?? "-", outcome.outcome, outcome.state ?? "-", outcome.bankID ?? "-"])
        }
        let undecided = outcomes.filter { $0.outcome == "not_held" || $0.outcome == "unknown" }.count
        let text = [how, table.render(), "\(outcomes.count - undecided) of \(outcomes.count) request(s) \(order.action == .release ? "released" : "refused")"]
            .joined(separator: "\n")
        guard undecided == 0 else {
            throw CLIFailure(text + "\n\(undecided) request(s) were not held or are unknown; nothing was done to them", exitCode: ExitCodes.failure)
        }
        return text
    }
}
