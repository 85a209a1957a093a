import Contracts
import Foundation
import Ledger
import Testing

@testable import FreezeRelay

@Suite("freeze-relay retry-unroutable")
struct RetryUnroutableCommandTests {
    let fixture: FixtureLedger

    init() throws { fixture = try FixtureLedger() }

    /// A configuration with the fixture's banks, plus delta (which takes the unroutable
    /// request's bank code) when `withDelta`.
    func configuration(withDelta: Bool) throws -> String {
        var banks = [("alpha", alphaCode), ("beta", betaCode), ("gamma", gammaCode)]
        if withDelta { banks.append(("delta", unknownCode)) }
        let yaml =
            "ledger:\n  durability: normal\nbanks:\n"
            + banks.map { id, code in
                "  - id: \(id)\n    name: \(id.capitalized) Bank\n    iban_bank_codes: [KZ\(code)]\n    escalation_contact:\n      email: fraud@\(id).example\n"
            }.joined()
        let path = fixture.file(withDelta ? "with-delta.yaml" : "without-delta.yaml")
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func retry(withDelta: Bool) throws -> RetryUnroutableCommand {
        try RetryUnroutableCommand.parse([
            "--config", try configuration(withDelta: withDelta), "--database", fixture.path, "--now", reportNowText,
        ])
    }

    @Test("offline: a bank added to the routing table takes the request; its events wait in the outbox")
    func routesOffline() throws {
        let output = try retry(withDelta: true).output()
        #expect(output.contains("the daemon is not running: retried offline"))
        #expect(output.contains("routed 1 of 1 unroutable request(s); still unroutable: 0"))
        #expect(
            try #require(row(output, CanonicalUUID.string(Requests.unroutable))).hasSuffix("\(Cases.unroutable)  delta")
        )
        #expect(output.contains("published when the daemon next starts"))

        let ledger = try Ledger.open(at: fixture.path)
        let detail = try #require(try ledger.caseDetail(Cases.unroutable))
        #expect(detail.requests.first?.state == .routed)
        #expect(detail.requests.first?.bankID?.rawValue == "delta")
        #expect(detail.requests.first?.routedAt == reportNow)
        #expect(detail.escalations.first?.resolution == .closed)
        let pending = try ledger.pendingOutbox(limit: 10_000).map(\.message)
        let routed = try #require(
            pending.first {
                $0.eventType == "routed_request" && $0.key == Array(CanonicalUUID.string(Requests.unroutable).utf8)
            })
        #expect(routed.topic == "freeze.bank.delta.requests")
        guard case .routedRequest(let event) = try EventDecoder.decodeEvent(routed.payload) else {
            ledger.close()
            Issue.record("not a routed request")
            return
        }
        #expect(event.bankID.rawValue == "delta")
        #expect(event.requestID == Requests.unroutable)
        #expect(pending.contains { $0.eventType == "escalation_resolved" && $0.topic == "freeze.escalations" })
        ledger.close()

        // Nothing left to route the second time.
        #expect(try retry(withDelta: true).output().contains("routed 0 of 0 unroutable request(s)"))
    }

    @Test("offline: a table that still lacks the bank leaves the request unroutable")
    func stillUnroutable() throws {
        let output = try retry(withDelta: false).output()
        #expect(output.contains("routed 0 of 1 unroutable request(s); still unroutable: 1"))
        let reader = try fixture.reader()
        defer { reader.close() }
        #expect(try reader.caseDetail(Cases.unroutable)?.requests.first?.state == .unroutable)
    }

    @Test(
        "while a daemon holds the ledger, it is sent SIGUSR1",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/flock")))
    func signalsTheDaemon() async throws {
        // A stand-in daemon: holds the writer lock, writes its pid into the lock file as the
        // ledger does, and leaves a marker when SIGUSR1 arrives.
        let lock = fixture.path + ".lock"
        let marker = fixture.file("got-usr1")
        let standIn = Process()
        standIn.executableURL = URL(fileURLWithPath: "/bin/sh")
        standIn.arguments = [
            "-c",
            """
            exec 9>"$1"; flock -n 9 || exit 3; trap 'echo got > "$2"; exit 0' USR1; echo $$ >&9
            i=0; while [ $i -lt 2400 ]; do sleep 0.05; i=$((i+1)); done
            """, "stand-in", lock, marker,
        ]
        try standIn.run()
        defer { if standIn.isRunning { standIn.terminate() } }
        let pid = standIn.processIdentifier
        for _ in 0..<4800
        where (try? String(contentsOfFile: lock, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            != "\(pid)"
        {
            try await Task.sleep(for: .milliseconds(25))
        }
        let output = try retry(withDelta: true).output()
        #expect(output.contains("the daemon is running: sent SIGUSR1 to pid \(pid)"))
        #expect(output.contains("unroutable before: 1 request(s)"))
        // Generous: another test may keep both cores busy for a while.
        for _ in 0..<4800 where standIn.isRunning { try await Task.sleep(for: .milliseconds(25)) }
        #expect(FileManager.default.fileExists(atPath: marker))
        // Nothing was written by the command itself.
        let reader = try fixture.reader()
        defer { reader.close() }
        #expect(try reader.caseDetail(Cases.unroutable)?.requests.first?.state == .unroutable)
    }

    @Test("the lock held by this process is refused with 4; no ledger exits 3")
    func errors() async throws {
        let writer = try Ledger.open(at: fixture.path)
        #expect(await exitStatus(try retry(withDelta: true)) == 4)
        writer.close()
        let missing = try RetryUnroutableCommand.parse(["--database", fixture.file("none.sqlite")])
        #expect(await exitStatus(missing) == 3)
        #expect(!FileManager.default.fileExists(atPath: fixture.file("none.sqlite")))
    }
}
