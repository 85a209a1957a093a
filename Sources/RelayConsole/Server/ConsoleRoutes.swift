import Contracts
import Foundation
import Hummingbird

/// The console's pages, all `GET`, all reads. Authentication happens before any of them (see
/// `ConsoleResponder`).
enum ConsoleRoutes {
    static func router(
        ledger: any ConsoleLedger, settings: ConsoleSettings, stop: StopSignal, now: @escaping @Sendable () -> Timestamp
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get("/") { _, _ in
            try page { BoardPage.page(try ledger.openEscalations(limit: settings.boardLimit)) }
        }
        router.get(RouterPath(BoardPage.eventsPath)) { _, _ in
            BoardEvents.response(ledger: ledger, settings: settings, stop: stop)
        }
        router.get(RouterPath(CasePage.basePath)) { request, _ in
            guard let caseID = QueryValue.named("id", in: request.uri.query), !caseID.isEmpty else {
                return try page(status: .notFound) { NotFoundPage.page("Which case? Use the search.") }
            }
            return try page {
                guard let detail = try ledger.caseDetail(caseID) else {
                    throw PageError.notFound("No case \(caseID) in the ledger.")
                }
                return CasePage.page(detail, links: try ledger.accountLinks(ofCase: caseID), now: now())
            }
        }
        router.get("/banks") { _, _ in
            try page { BanksPage.page(try ledger.bankStatistics(now: now()), now: now()) }
        }
        router.get(RouterPath(DeadLettersPage.path)) { request, _ in
            let code = QueryValue.named("code", in: request.uri.query).flatMap { $0.isEmpty ? nil : $0 }
            return try page {
                let letters = try ledger.deadLetters(limit: 500).map(DeadLetterView.init)
                return DeadLettersPage.page(letters, code: code, scanned: 500)
            }
        }
        router.get(RouterPath(SearchPage.path)) { request, _ in
            let query =
                QueryValue.named("q", in: request.uri.query)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard !query.isEmpty else { return try page { SearchPage.page(query: nil) } }
            if let requestID = UUID(uuidString: query), let caseID = try ledger.caseID(ofRequest: requestID) {
                return Response.redirect(to: CasePage.path(for: caseID), type: .normal)
            }
            if try ledger.caseDetail(query) != nil {
                return Response.redirect(to: CasePage.path(for: query), type: .normal)
            }
            return try page(status: .notFound) { SearchPage.page(query: query) }
        }
        router.get(RouterPath(ConsoleAssets.stylesheetPath)) { _, _ in
            asset(ConsoleAssets.stylesheet, type: "text/css; charset=utf-8")
        }
        router.get(RouterPath(ConsoleAssets.scriptPath)) { _, _ in
            asset(ConsoleAssets.script, type: "text/javascript; charset=utf-8")
        }
        return router
    }

    /// A page's failure that is the visitor's, not the ledger's.
    enum PageError: Error {
        case notFound(String)
    }

    /// Renders a page; a ledger that cannot be read gives 503 with the reason (an operator
    /// signed in sees it; it names no personal data).
    static func page(status: HTTPResponse.Status = .ok, _ render: () throws -> HTML) throws -> Response {
        do {
            return html(try render(), status: status)
        } catch PageError.notFound(let what) {
            return html(NotFoundPage.page(what), status: .notFound)
        } catch {
            return html(
                PageLayout.page(
                    title: "Ledger unavailable", current: nil,
                    body: "<h1>Ledger unavailable</h1><p class=\"empty\">\(String(describing: error))</p>"),
                status: .serviceUnavailable)
        }
    }

    static func html(_ html: HTML, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html.markup)))
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "private, max-age=300"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
