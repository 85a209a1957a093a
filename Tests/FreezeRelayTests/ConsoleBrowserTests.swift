import Foundation
import TestSupport
import Testing

/// The web console in a real browser: headless Chromium, driven by Python's selenium, against
/// a live `freeze-relay demo` (embedded broker, simulated police and banks). The script
/// (Tests/Browser/console_browser.py) says what it checks. On CI a missing browser fails the
/// test; locally `FREEZE_RELAY_SKIP_BROWSER=1` skips it. Screenshots go to a temporary
/// directory, or to `FREEZE_RELAY_SCREENSHOTS` (deploy/console/screenshots refreshes the README's).
@Suite struct ConsoleBrowserTests {
    static let environment = ProcessInfo.processInfo.environment
    static let skipped = environment["CI"] == nil && environment["FREEZE_RELAY_SKIP_BROWSER"] == "1"

    @Test(.enabled(if: !skipped, "FREEZE_RELAY_SKIP_BROWSER=1"), .timeLimit(.minutes(5)))
    func theConsoleWorksInABrowserAgainstTheDemo() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let script = root.appendingPathComponent("Tests/Browser/console_browser.py").path
        let screenshots =
            Self.environment["FREEZE_RELAY_SCREENSHOTS"].map {
                $0.hasPrefix("/") ? $0 : root.appendingPathComponent($0).path
            }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("console-shots-\(UUID().uuidString)").path
        for tool in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
            try #require(
                FileManager.default.isExecutableFile(atPath: tool),
                "\(tool) is missing: run .ci/install-deps (or set FREEZE_RELAY_SKIP_BROWSER=1 to skip locally)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", script, "--freeze-relay", DaemonProcess.executable.path, "--screenshots", screenshots,
        ]
        // Output to a file and an awaited exit: a test blocked on a pipe or in `waitUntilExit` for
        // the minute this takes would hold one of the cooperative pool's two threads.
        let outputPath = screenshots + "/console_browser.log"
        try FileManager.default.createDirectory(atPath: screenshots, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        defer { try? output.close() }
        process.standardOutput = output
        process.standardError = output
        try process.run()
        await process.exited()
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        #expect(process.terminationStatus == 0, "console_browser.py failed:\n\(text)")
        #expect(text.contains("a new escalation appears on the board without a reload"))
        for name in ["login-refused", "escalations", "case", "banks", "dead-letters"] {
            #expect(FileManager.default.fileExists(atPath: "\(screenshots)/\(name).png"), "\(name).png")
        }
    }
}
