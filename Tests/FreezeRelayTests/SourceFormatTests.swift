import Foundation
import TestSupport
import Testing

/// The sources stay as the toolchain's formatter writes them (`.swift-format` at the package
/// root: 4 spaces, 120 columns). Run `swift format format --in-place --recursive --parallel
/// Sources Tests Package.swift` before committing; this test is the check CI runs.
@Suite struct SourceFormatTests {
    @Test func theSourcesAreFormatted() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "swift", "format", "lint", "--strict", "--recursive", "--parallel", "Sources", "Tests", "Package.swift",
        ]
        process.currentDirectoryURL = CheckConfigCommandTests.packageRoot
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        // Read while it runs, so a long report cannot fill the pipe and block it.
        let reading = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }
        await process.exited()
        let report = String(decoding: await reading.value, as: UTF8.self)
        #expect(
            process.terminationStatus == 0,
            "swift format lint found unformatted code (fix with swift format format --in-place):\n\(report.prefix(4_000))"
        )
    }
}
