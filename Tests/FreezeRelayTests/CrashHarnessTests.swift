import Foundation
import Testing

/// The real `freeze-relay run` process against the in-process mock broker, fed a seeded stream of
/// police records while simulated banks answer, killed with SIGKILL at random moments and
/// restarted each time; at the end it drains and stops with SIGTERM, and the topics and the ledger
/// must show nothing lost and nothing done twice. README ("Testing") says how to run it longer.
@Suite("Crash harness: the daemon killed at random", .serialized)
struct CrashHarnessTests {
    @Test(
        "kill -9 at random moments under a stream of requests, answers, chains, cancels and duplicates: nothing lost, nothing done twice"
    )
    func killedAtRandom() async throws {
        let settings = CrashRunSettings.fromEnvironment()
        let started = ContinuousClock.now
        print(
            "crash harness: seed \(settings.seed) (replay with FREEZE_RELAY_CRASH_SEED=\(settings.seed)), \(settings.kills) kills, "
                + "session timeout \(settings.sessionTimeoutMilliseconds) ms")
        let run = try CrashRun(settings: settings)
        defer { run.close() }

        let verdict = try await run.perform()
        print(
            "crash harness: \(run.figures(verdict)); \(String(format: "%.1f s", (ContinuousClock.now - started).inSeconds)) in all"
        )
        if !verdict.problems.isEmpty { print(run.logTail()) }
        #expect(
            verdict.problems.isEmpty,
            "\(verdict.problems.count) problems (seed \(settings.seed)): \(verdict.problems.prefix(30))")
        #expect(verdict.lost == 0 && verdict.doubleEffects == 0 && verdict.integrityOK)
        #expect(
            run.harnessFailures.isEmpty, "the simulated banks or the recorder failed: \(run.harnessFailures.prefix(10))"
        )
    }
}
