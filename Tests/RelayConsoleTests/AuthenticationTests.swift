import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import RelayConsole

/// Without the token nothing but the login error leaves the console.
@Suite struct AuthenticationTests {
    static let ledger = FixedLedger(
        escalations: [escalation(1, caseID: "CASE-SECRET")], cases: ["CASE-SECRET": chainCase("CASE-SECRET")])

    static let paths = [
        "/", "/banks", "/dead-letters", "/case?id=CASE-SECRET", "/search?q=CASE-SECRET", "/events/board",
        "/assets/console.css", "/assets/console.js", "/no-such-page", "//evil.example/", "/healthz", "/metrics",
    ]

    @Test(arguments: paths)
    func everyPathWithoutCredentialsIsTheLoginError(path: String) async throws {
        try await withConsole(Self.ledger) { client in
            for headers: HTTPFields in [
                [:], [.authorization: "Bearer wrong"], [.authorization: "Basic \(testToken.revealed)"],
                [.cookie: "fr_console=00"], [.authorization: "Bearer \(testToken.revealed)x"],
            ] {
                try await client.execute(uri: path, method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.text == LoginErrorPage.html)
                    #expect(response.headers[.setCookie] == nil)
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                }
            }
            for method: HTTPRequest.Method in [.post, .head, .put, .delete] {
                try await client.execute(uri: path, method: method) { response in
                    #expect(response.status == .unauthorized)
                }
            }
        }
    }

    @Test func aWrongTokenInTheURLIsRefusedAndSetsNoCookie() async throws {
        try await withConsole(Self.ledger) { client in
            try await client.execute(uri: "/?token=wrong", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.setCookie] == nil)
                #expect(!response.text.contains("CASE-SECRET"))
            }
        }
    }

    @Test func theTokenInTheURLSetsAStrictHttpOnlyCookieAndRedirectsWithoutIt() async throws {
        try await withConsole(Self.ledger) { client in
            let uri = "/case?id=CASE-SECRET&token=\(testToken.revealed)"
            let cookie = try await client.execute(uri: uri, method: .get) { response -> String in
                #expect(response.status == .found)
                #expect(response.headers[.location] == "/case?id=CASE-SECRET")
                let setCookie = try #require(response.headers[.setCookie])
                #expect(setCookie.contains("HttpOnly"))
                #expect(setCookie.contains("SameSite=Strict"))
                #expect(!setCookie.contains(testToken.revealed))
                return String(setCookie.prefix { $0 != ";" })
            }
            try await client.execute(uri: "/case?id=CASE-SECRET", method: .get, headers: [.cookie: cookie]) {
                #expect($0.status == .ok)
                #expect($0.text.contains("CASE-SECRET"))
            }
        }
    }

    @Test func sharingTheMetricsListenerOpensTheProbesAndNothingElse() async throws {
        let probes: [String: @Sendable () -> ProbeAnswer] = [
            "/healthz": { ProbeAnswer(status: 200, contentType: "text/plain; charset=utf-8", body: "alive\n") },
            "/readyz": { ProbeAnswer(status: 503, contentType: "text/plain; charset=utf-8", body: "not ready: x\n") },
        ]
        try await withConsole(Self.ledger, probes: probes) { client in
            try await client.execute(uri: "/healthz", method: .get) {
                #expect($0.status == .ok)
                #expect($0.text == "alive\n")
            }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .serviceUnavailable) }
            for path in ["/", "/banks", "/healthz/x", "/metrics", "/events/board"] {
                try await client.execute(uri: path, method: .get) {
                    #expect($0.status == .unauthorized, "\(path)")
                    #expect($0.text == LoginErrorPage.html)
                }
            }
            try await client.execute(uri: "/healthz", method: .post) { #expect($0.status == .unauthorized) }
        }
    }

    @Test func aRedirectNeverLeavesTheServer() {
        let access = ConsoleAccess.decide(
            token: testToken, path: "//evil.example/x", query: "token=\(testToken.revealed)", authorization: nil,
            cookie: nil)
        #expect(access == .signIn(location: "/"))
    }

    @Test func theBearerTokenOpensEveryPage() async throws {
        try await withConsole(Self.ledger) { client in
            for path in ["/", "/banks", "/dead-letters", "/case?id=CASE-SECRET", "/search", "/assets/console.js"] {
                try await client.execute(uri: path, method: .get, headers: bearer) { response in
                    #expect(response.status == .ok, "\(path)")
                    #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
                }
            }
        }
    }

    @Test func tokenComparisonLooksAtTheWholeLength() {
        let token = ConsoleToken(String(repeating: "a", count: 10))!
        #expect(token.matches(Array(String(repeating: "a", count: 10).utf8)))
        // 10 ^ 266 is 256: a comparison of the low byte of the lengths would let this through.
        #expect(!token.matches(Array(String(repeating: "a", count: 266).utf8)))
        #expect(!token.matches(Array(String(repeating: "a", count: 9).utf8)))
        #expect(!token.matches(Array("aaaaaaaaab".utf8)))
        #expect(!token.matches([UInt8]()))
        #expect(ConsoleToken("") == nil)
        #expect("\(token)" == "[redacted]")
        #expect(ConsoleToken.random().revealed.count == 64)
        #expect(ConsoleToken.random().revealed != ConsoleToken.random().revealed)
    }
}
