import Foundation

extension Process {
    /// Waits until the process has exited without holding a thread: Swift's cooperative pool has
    /// as many threads as cores (two here), and a test blocked in `waitUntilExit` for minutes
    /// (a fuzzer, a compiler) would stall every other test running beside it.
    public func exited(checkingEvery interval: Duration = .milliseconds(20)) async {
        while isRunning { try? await Task.sleep(for: interval) }
        // `isRunning` turns false when the exit is reaped; this returns at once then, and makes
        // `terminationStatus` and `terminationReason` safe to read.
        waitUntilExit()
    }
}
