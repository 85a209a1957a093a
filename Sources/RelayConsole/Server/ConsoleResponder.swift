import Hummingbird

/// Checks credentials before anything else runs: without them every path, known or not,
/// static assets and the event stream included, is the same 401 and the login error page —
/// but for the probes (`/healthz`, `/readyz`, `/metrics`) when the console shares the metrics
/// listener and so answers them in its place.
/// Signed-in responses get headers that keep the pages to themselves: only this origin's
/// scripts and styles, no framing, no caching, no `Referer`.
struct ConsoleResponder<Inner: HTTPResponder>: HTTPResponder where Inner.Context == BasicRequestContext {
    let inner: Inner
    let token: ConsoleToken
    let probes: [String: @Sendable () -> ProbeAnswer]

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        if request.method == .get || request.method == .head, let probe = probes[request.uri.path] {
            let answer = probe()
            return Response(
                status: .init(code: answer.status),
                headers: [.contentType: answer.contentType, .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: answer.body)))
        }
        let access = ConsoleAccess.decide(
            token: token, path: request.uri.path, query: request.uri.query,
            authorization: request.headers[.authorization],
            cookie: request.cookies[ConsoleAccess.cookieName].map { Substring($0.value) })
        switch access {
        case .refuse:
            var response = Response(
                status: .unauthorized,
                headers: [
                    .contentType: "text/html; charset=utf-8", .wwwAuthenticate: "Bearer realm=\"freeze-relay console\"",
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(string: LoginErrorPage.html)))
            Self.secure(&response)
            return response
        case .signIn(let location):
            var response = Response.redirect(to: location, type: .found)
            response.headers[.setCookie] = ConsoleAccess.cookie(for: token)
            Self.secure(&response)
            return response
        case .allow:
            var response: Response
            do { response = try await inner.respond(to: request, context: context) } catch let error as HTTPError {
                response = ConsoleRoutes.html(
                    NotFoundPage.page(error.status == .notFound ? "No such page." : "\(error.status)"),
                    status: error.status)
            }
            Self.secure(&response)
            return response
        }
    }

    static func secure(_ response: inout Response) {
        response.headers[.contentSecurityPolicy] =
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[.init("Referrer-Policy")!] = "no-referrer"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
    }
}
