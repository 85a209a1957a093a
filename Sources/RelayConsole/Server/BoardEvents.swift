import Contracts
import Hummingbird
import Relay

/// The board's server-sent events: the console polls the ledger (read-only) and sends the
/// board's rendered body whenever it differs from what it sent last, first at once on connect.
/// A comment line every 15 s keeps proxies from closing an idle stream.
enum BoardEvents {
    static func response(ledger: any ConsoleLedger, settings: ConsoleSettings, stop: StopSignal) -> Response {
        let limit = settings.boardLimit
        let poll = settings.pollInterval
        let lifetime = settings.streamLifetime
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody { writer in
                let clock = ContinuousClock()
                let end = clock.now.advanced(by: lifetime)
                var lastSent: String?
                var lastWrite = clock.now
                try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
                while !Task.isCancelled && !stop.isSet && clock.now < end {
                    let body = fragment(ledger: ledger, limit: limit)
                    if body != lastSent {
                        try await writer.write(ByteBuffer(string: event(named: "board", data: body)))
                        lastSent = body
                        lastWrite = clock.now
                    } else if clock.now - lastWrite > .seconds(15) {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        lastWrite = clock.now
                    }
                    try? await Task.sleep(for: poll)
                }
                try await writer.finish(nil)
            })
    }

    static func fragment(ledger: any ConsoleLedger, limit: Int) -> String {
        do {
            return BoardPage.fragment(try ledger.openEscalations(limit: limit)).markup
        } catch {
            let message: HTML = "<p class=\"empty\">The ledger could not be read: \(String(describing: error))</p>"
            return message.markup
        }
    }

    /// One event; every line of `data` gets its own `data:` field (a line break in ledger text
    /// cannot end the event or start a field of its own).
    static func event(named name: String, data: String) -> String {
        let lines = data.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        return "event: \(name)\n" + lines.map { "data: \($0)\n" }.joined() + "\n"
    }
}
