import Foundation

/// How hard one crash-harness run pushes, from the environment:
/// - `FREEZE_RELAY_CRASH_KILLS`: how many times the daemon is killed (default 20, the CI run);
/// - `FREEZE_RELAY_CRASH_SEED`: replay a run (the stream, the banks' answers and the kill choices;
///   kill moments that wait for progress land at about the same place, not at the same instruction);
/// - `FREEZE_RELAY_CRASH_SESSION_TIMEOUT_MS`: the daemon's group session timeout (default 3000).
///
/// Why 3000 ms and not the 6000 ms of the other process tests: a killed daemon never leaves its
/// group, and the mock broker (librdkafka 2.0.2) gives its partitions to the restarted daemon only
/// after the old member's session times out and one more join round. Measured here from restart to
/// first routing: 10.7–13.2 s (median 12.3 s) at 6000 ms, up to 17 s when the daemon before had been
/// killed during its own join; 4.9–9.4 s (median about 6 s) at 3000 ms, which keeps 20 kills near
/// two minutes. Static membership (`group.instance.id`) does not help: the mock never matches a
/// joining member to a known one by that id (11.0–12.7 s, median 11.5 s, at 6000 ms). In the one
/// trial at 2000 ms nothing was routed within 90 s.
struct CrashRunSettings {
    var kills: Int
    var seed: UInt64
    /// The daemon's `session.timeout.ms` (its heartbeat is a twelfth of it).
    var sessionTimeoutMilliseconds: Int
    /// Police records published per kill cycle.
    var recordsPerCycle = 15

    static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment)
        -> CrashRunSettings
    {
        CrashRunSettings(
            kills: environment["FREEZE_RELAY_CRASH_KILLS"].flatMap { Int($0) }.map { max(1, $0) } ?? 20,
            seed: environment["FREEZE_RELAY_CRASH_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64.max),
            sessionTimeoutMilliseconds: environment["FREEZE_RELAY_CRASH_SESSION_TIMEOUT_MS"].flatMap { Int($0) } ?? 3000
        )
    }
}
