import Foundation
import Testing

/// Every decoder of Contracts under libFuzzer for a bounded time, seeded with schemas/examples
/// (valid and invalid). A crash, hang or broken round trip fails the test with the input in base64;
/// it then belongs in a regression test here. README ("Testing") says how to run it longer:
/// - `FREEZE_RELAY_FUZZ_SECONDS`: seconds per target (default 20);
/// - `FREEZE_RELAY_FUZZ_TARGETS`: a comma-separated subset of police, bank, event, json;
/// - `FREEZE_RELAY_FUZZ_CORPUS`: a directory that keeps each target's corpus between runs.
@Suite("libFuzzer on the decoders")
struct LibFuzzerTests {
    static let targets = ["police", "bank", "event", "json"]

    @Test("police messages, bank answers, any event and the JSON parser survive libFuzzer")
    func decodersSurviveLibFuzzer() async throws {
        let environment = ProcessInfo.processInfo.environment
        let seconds = environment["FREEZE_RELAY_FUZZ_SECONDS"].flatMap { Int($0) } ?? 20
        let targets =
            environment["FREEZE_RELAY_FUZZ_TARGETS"].map { $0.split(separator: ",").map(String.init) } ?? Self.targets
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "contracts-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var keep = false
        defer { if !keep { try? FileManager.default.removeItem(at: directory) } }

        let fuzzer = try LibFuzzer.locate(workingIn: directory)
        let started = ContinuousClock.now
        try await fuzzer.build(
            sources: Self.swiftFiles(in: TestFiles.packageRoot.appendingPathComponent("Sources/Contracts"))
                + Self.swiftFiles(in: TestFiles.packageRoot.appendingPathComponent("Tests/ContractsTests/Fuzz")))
        print("libFuzzer: fuzzer built in \(ContinuousClock.now - started)")
        let seeds = try Self.seedCorpus(in: directory)
        for target in targets {
            let corpus =
                environment["FREEZE_RELAY_FUZZ_CORPUS"].map { URL(fileURLWithPath: $0).appendingPathComponent(target) }
                ?? directory.appendingPathComponent("corpus-\(target)")
            let run = try await fuzzer.fuzz(target, seconds: seconds, corpus: corpus, seeds: seeds)
            print("libFuzzer: \(target): \(run.executions) executions in \(seconds) s, \(run.executionsPerSecond)/s")
            #expect(run.executions > 0, "\(target) ran no input")
            if let finding = run.finding {
                keep = true
                Issue.record(
                    """
                    libFuzzer found a \(finding.kind) in target \(target); input (base64): \(Data(finding.input).base64EncodedString())
                    (artifacts and logs kept in \(directory.path))
                    \(finding.report)
                    """)
            }
        }
    }

    static func swiftFiles(in directory: URL) -> [URL] {
        (FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? [])
            .filter { $0.pathExtension == "swift" }
    }

    /// Every example, valid and invalid, flattened into one directory.
    static func seedCorpus(in directory: URL) throws -> URL {
        let seeds = directory.appendingPathComponent("seeds")
        try FileManager.default.createDirectory(at: seeds, withIntermediateDirectories: true)
        let examples = TestFiles.examples("valid") + TestFiles.examples("invalid")
        #expect(examples.count > 50, "the seed corpus comes from schemas/examples")
        for example in examples {
            try FileManager.default.copyItem(
                at: example.url, to: seeds.appendingPathComponent("\(example.kind)-\(example.type)-\(example.name)"))
        }
        return seeds
    }
}
