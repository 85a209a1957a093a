import Logging
import ServiceLifecycle

// The daemon's loops as services of one `ServiceGroup` (see `RelayDaemon.run`). The group stops
// them in the reverse of the order they are listed, each only once the one before has returned:
// intake → deadlines → outbox (drained) → health check → HTTP.
//
// Only intake ends by itself: when asked to stop, or when a failure anywhere (`RelayDaemon.fail`)
// makes the relay stop. Its return starts the group's graceful shutdown. The other services run
// until their turn to stop comes, even after their own loop failed: a service that returned
// while another is being stopped would make the group cancel everything, skipping the drain.
//
// Cancelling the task that runs the group is the other way to stop: at once, like a killed
// process: no offsets stored after the batch in flight, no drain, no goodbye to the group.

/// Polls, applies and stores offsets until the relay stops.
struct IntakeService: Service, CustomStringConvertible {
    let daemon: RelayDaemon
    var description: String { "intake" }

    func run() async {
        await withGracefulShutdownHandler {
            await daemon.intakeLoop()
        } onGracefulShutdown: {
            daemon.stop()
        }
    }
}

/// A loop that runs until its turn to stop: the deadline scheduler, and the background health
/// check (broker, heartbeat write, watermarks; it writes to the ledger, so it stops before the
/// ledger is closed).
struct LoopService: Service, CustomStringConvertible {
    let description: String
    let loop: @Sendable () async -> Void

    func run() async {
        await untilItsTurnToStop(loop)
    }
}

/// Publishes the outbox; when stopped gracefully, drains it (up to `shutdownDrainTimeout`).
struct OutboxService: Service, CustomStringConvertible {
    let daemon: RelayDaemon
    var description: String { "outbox" }

    func run() async {
        let daemon = daemon
        await untilItsTurnToStop {
            await daemon.publisher.run { daemon.fail(RuntimeFailure(wrapping: $0)) }
        }
        // Cancelled (a stop at once): no drain. The producer itself is closed by `RelayDaemon.run`
        // once every service has returned: the health check still asks it about the broker.
        if Task.isCancelled { return }
        let drained = await daemon.publisher.drain(timeout: daemon.settings.shutdownDrainTimeout)
        if !drained { daemon.logger.warning("outbox not empty at shutdown; the rest is published on the next start") }
    }
}

/// Serves `/healthz`, `/readyz` and `/metrics` on a bound listener until last in the shutdown,
/// so that probes see the relay's state while it drains.
struct HTTPService: Service, CustomStringConvertible {
    let server: HealthServer
    var description: String { "http" }

    func run() async {
        try? await gracefulShutdown()
        server.close()
    }
}

/// A service handed in by the caller (the web console). Its failure stops the relay with a
/// reason of its own rather than as the group's trouble; like the daemon's loops, it then
/// waits for its turn to stop, so the drain still happens.
struct ExtraService: Service, CustomStringConvertible {
    let inner: any Service
    let daemon: RelayDaemon
    var description: String { "\(inner)" }

    func run() async {
        do { try await inner.run() } catch {
            daemon.fail(.serviceFailed(service: description, error))
        }
        if !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await gracefulShutdown()
        }
    }
}

/// Runs `loop` until this service's turn to stop comes (the loop is then cancelled); when the
/// loop ends earlier (its failure was reported and stops the relay), waits for that turn.
private func untilItsTurnToStop(_ loop: @escaping @Sendable () async -> Void) async {
    await cancelWhenGracefulShutdown(loop)
    if !Task.isCancelled && !Task.isShuttingDownGracefully {
        try? await gracefulShutdown()
    }
}
