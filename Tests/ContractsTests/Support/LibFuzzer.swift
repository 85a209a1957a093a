import Foundation
import TestSupport

/// The toolchain's libFuzzer: builds one fuzzer binary from Sources/Contracts and the entry points
/// in Tests/ContractsTests/Fuzz (`swiftc -sanitize=fuzzer`, one module), and runs its targets.
struct LibFuzzer {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// What one bounded run did.
    struct Run: Sendable {
        let target: String
        let executions: Int
        let executionsPerSecond: Int
        /// The input that crashed, hung or ran out of memory, if any, and libFuzzer's report of it.
        let finding: (kind: String, input: [UInt8], report: String)?
    }

    let swiftc: URL
    let directory: URL
    var binary: URL { directory.appendingPathComponent("contracts-fuzzer") }

    /// The `swiftc` on PATH, if its toolchain ships the libFuzzer runtime (`libclang_rt.fuzzer`).
    static func locate(workingIn directory: URL) throws -> LibFuzzer {
        guard let swiftc = executableOnPath("swiftc") else { throw Failure(description: "swiftc is not on PATH") }
        // swiftc may be a link into the toolchain (and must be run under its own name: it is swift-driver).
        let clang = swiftc.resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("lib/clang")
        let runtimes =
            (FileManager.default.enumerator(at: clang, includingPropertiesForKeys: nil)?.allObjects as? [URL] ?? [])
            .filter { $0.lastPathComponent.hasPrefix("libclang_rt.fuzzer-") }
        guard !runtimes.isEmpty else {
            throw Failure(
                description:
                    "the toolchain of \(swiftc.path) has no libFuzzer runtime (libclang_rt.fuzzer-*) under \(clang.path)"
            )
        }
        return LibFuzzer(swiftc: swiftc, directory: directory)
    }

    /// Compiles the fuzzer (optimized: twice the executions per second of a debug build).
    func build(sources: [URL]) async throws {
        let arguments =
            [
                "-sanitize=fuzzer", "-parse-as-library", "-swift-version", "6", "-O", "-module-name", "ContractsFuzz",
                "-o", binary.path,
            ] + sources.map(\.path)
        let (status, output) = try await run(
            swiftc, arguments, environment: [:], log: directory.appendingPathComponent("build.log"))
        guard status == 0 else {
            throw Failure(description: "building the fuzzer failed (exit \(status)):\n\(output.suffix(4000))")
        }
    }

    /// Fuzzes `target` for `seconds`, starting from `corpus` (where new inputs are kept) and `seeds`.
    func fuzz(_ target: String, seconds: Int, corpus: URL, seeds: URL) async throws -> Run {
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        let prefix = directory.appendingPathComponent("\(target)-").path
        let (status, output) = try await run(
            binary,
            [
                "-max_total_time=\(seconds)", "-timeout=10", "-print_final_stats=1", "-artifact_prefix=\(prefix)",
                corpus.path, seeds.path,
            ],
            environment: [
                // Swift's own crash handler would otherwise take the signal before libFuzzer can save the input.
                "SWIFT_BACKTRACE": "enable=no",
                "FREEZE_RELAY_FUZZ_TARGET": target,
            ], log: directory.appendingPathComponent("\(target).log"))
        func stat(_ name: String) -> Int {
            output.split(separator: "\n").first { $0.hasPrefix("stat::\(name):") }
                .flatMap { Int($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) } ?? 0
        }
        let artifacts = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        let artifact = artifacts.first { $0.hasPrefix("\(target)-") && !$0.hasSuffix(".log") }
        var finding: (String, [UInt8], String)?
        if let artifact {
            let input = (try? [UInt8](Data(contentsOf: directory.appendingPathComponent(artifact)))) ?? []
            finding = (
                String(artifact.dropFirst(target.count + 1).prefix { $0 != "-" }), input, String(output.suffix(3000))
            )
        } else if status != 0 {
            finding = ("exit \(status)", [], String(output.suffix(3000)))
        }
        return Run(
            target: target, executions: stat("number_of_executed_units"),
            executionsPerSecond: stat("average_exec_per_sec"), finding: finding)
    }

    /// Runs a program to completion; its output goes to `log` (not a pipe, which a chatty fuzzer would fill).
    private func run(_ program: URL, _ arguments: [String], environment: [String: String], log: URL) async throws -> (
        Int32, String
    ) {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.currentDirectoryURL = directory
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        await process.exited(checkingEvery: .milliseconds(200))
        return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }
}
