import Foundation
import Testing
import UnixSignals
@testable import FreezeRelay

/// Signals that reach `run` before the daemon is built are kept, not lost and not fatal.
@Suite struct SignalTargetTests {
    @Test func signalsBeforeTheTargetAreKeptInOrderOnceEachThenHandedOver() {
        let target = SignalTarget<String>()
        #expect(target.arrived(.sighup) == nil)
        #expect(target.arrived(.sigusr1) == nil)
        #expect(target.arrived(.sighup) == nil, "a second SIGHUP before start asks for the same reload")
        #expect(target.arrived(.sigterm) == nil)
        #expect(target.attach("daemon") == [.sighup, .sigusr1, .sigterm])
        #expect(target.arrived(.sighup) == "daemon", "once attached, signals go straight to the target")
        #expect(target.attach("daemon") == [], "nothing is handed over twice")
    }
}
