import Foundation

/// Who may see the console, decided from the request alone. Pure.
///
/// Credentials: `Authorization: Bearer <token>`; the sign-in cookie; or `?token=<token>` in a
/// URL, which is answered with the cookie and a redirect to the same URL without the token (so
/// a printed link works in a browser, and the token does not stay in the address bar, the
/// history or a `Referer`). Anything else gets the login error, whatever the path.
enum ConsoleAccess: Equatable {
    case allow
    /// Set the cookie, then go to `location`.
    case signIn(location: String)
    case refuse

    static let cookieName = "fr_console"

    static func decide(
        token: ConsoleToken, path: String, query: String?, authorization: String?, cookie: Substring?
    ) -> ConsoleAccess {
        let parameters = query.map { $0.split(separator: "&", omittingEmptySubsequences: true) } ?? []
        if let offered = parameters.first(where: { $0.hasPrefix("token=") }) {
            let value = QueryValue.named("token", in: String(offered)) ?? ""
            guard token.matches(Array(value.utf8)) else { return .refuse }
            let rest = parameters.filter { !$0.hasPrefix("token=") }.joined(separator: "&")
            // Only ever back to a path on this server: `//host/...` would leave it.
            let safePath = path.hasPrefix("/") && !path.hasPrefix("//") && !path.contains("\\") ? path : "/"
            return .signIn(location: safePath + (rest.isEmpty ? "" : "?" + rest))
        }
        if let authorization {
            let scheme = "bearer "
            if authorization.count > scheme.count, authorization.prefix(scheme.count).lowercased() == scheme {
                let offered = authorization.dropFirst(scheme.count).drop { $0 == " " }
                return token.matches(Array(offered.utf8)) ? .allow : .refuse
            }
        }
        if let cookie, token.matchesCookie(cookie) { return .allow }
        return .refuse
    }

    /// The `Set-Cookie` value: for this server only, never to scripts, never on requests from
    /// other sites.
    static func cookie(for token: ConsoleToken) -> String {
        "\(cookieName)=\(token.cookieValue); Path=/; HttpOnly; SameSite=Strict"
    }
}
