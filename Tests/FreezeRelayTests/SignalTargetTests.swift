import Foundation
import Testing

@testable import FreezeRelay

/// Signals that reach `run` before the daemon is built are kept, not lost and not fatal.
@Suite struct SignalTargetTests {
    @Test func signalsBeforeTheTargetAreKeptInOrderOnceEachThenHandedOver() {
        let target = SignalTarget<String>()
        #expect(target.arrived(SIGHUP) == nil)
        #expect(target.arrived(SIGUSR1) == nil)
        #expect(target.arrived(SIGHUP) == nil, "a second SIGHUP before start asks for the same reload")
        #expect(target.arrived(SIGTERM) == nil)
        #expect(target.attach("daemon") == [SIGHUP, SIGUSR1, SIGTERM])
        #expect(target.arrived(SIGHUP) == "daemon", "once attached, signals go straight to the target")
        #expect(target.attach("daemon") == [], "nothing is handed over twice")
    }
}
