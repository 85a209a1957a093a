import ConfigurationFile
import Foundation
import Testing

/// The `console:` section: off by default, a token from a file, never on the metrics port.
@Suite struct ConsoleSettingsTests {
    let directory: URL
    let tokenFile: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("console-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        tokenFile = directory.appendingPathComponent("token").path
        try "0123456789abcdef0123\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
    }

    @Test func offByDefault() throws {
        let config = try #require(loaded("")).configuration
        #expect(config.console.listen == .off)
        #expect(config.console.token == nil)
    }

    @Test func listensOnIPv6AndHostNamesWithATokenFromAFileThatIsNeverPrinted() throws {
        for (listen, expected) in [
            ("\"[::1]:9465\"", HTTPListen.address(host: "::1", port: 9465)),
            ("console.internal:9465", .address(host: "console.internal", port: 9465)),
            ("127.0.0.1:0", .address(host: "127.0.0.1", port: 0)),
        ] {
            let config = try #require(
                loaded("console:\n  listen: \(listen)\n  token_file: \(tokenFile)\n  max_connections: 8\n")
            ).configuration
            #expect(config.console.listen == expected)
            #expect(config.console.token?.revealed == "0123456789abcdef0123")
            #expect(config.console.maxConnections == 8)
            let dump = config.redactedDump()
            #expect(dump.contains("token_file: \(tokenFile)"))
            #expect(!dump.contains("0123456789abcdef0123"))
        }
    }

    @Test func aListenerWithoutATokenIsRefusedWithWhereAndWhy() {
        let errors = failures("console:\n  listen: 127.0.0.1:9465\n")
        #expect(
            errors.errors.map(\.description) == [
                "freeze-relay.yaml:2:11: console.token_file: required when console.listen is set: the console answers nothing without its token"
            ])
    }

    @Test func aShortTokenAndAMissingFileAreRefused() throws {
        let short = directory.appendingPathComponent("short").path
        try "abc\n".write(toFile: short, atomically: true, encoding: .utf8)
        let errors = failures("console:\n  listen: 127.0.0.1:9465\n  token_file: \(short)\n")
        #expect(
            error(at: "console.token_file", in: errors)?.message.hasPrefix("the token in \(short) is too short") == true
        )
        let missing = failures("console:\n  listen: 127.0.0.1:9465\n  token_file: /nonexistent/token\n")
        #expect(
            error(at: "console.token_file", in: missing)?.message == "secret file /nonexistent/token does not exist")
    }

    @Test func theMetricsListenersPortIsRefused() {
        for (http, console) in [
            ("127.0.0.1:9464", "127.0.0.1:9464"), ("0.0.0.0:9464", "127.0.0.1:9464"),
            ("\"[::1]:9464\"", "\"[::]:9464\""),
        ] {
            let errors = failures(
                "http:\n  listen: \(http)\nconsole:\n  listen: \(console)\n  token_file: \(tokenFile)\n")
            #expect(
                error(at: "console.listen", in: errors)?.description.hasPrefix(
                    "freeze-relay.yaml:4:11: console.listen: ")
                    == true)
            #expect(
                error(at: "console.listen", in: errors)?.message.contains("give the console a port of its own") == true)
        }
        // Another port, or port 0 on both, is fine.
        #expect(
            loaded("http:\n  listen: 127.0.0.1:9464\nconsole:\n  listen: 127.0.0.1:9465\n  token_file: \(tokenFile)\n")
                != nil)
        #expect(
            loaded("http:\n  listen: 127.0.0.1:0\nconsole:\n  listen: 127.0.0.1:0\n  token_file: \(tokenFile)\n") != nil
        )
    }

    @Test func sharingTheMetricsListenerMustBeAskedForAndExact() throws {
        let shared = try #require(
            loaded(
                "http:\n  listen: 127.0.0.1:9464\nconsole:\n  listen: 127.0.0.1:9464\n  token_file: \(tokenFile)\n"
                    + "  share_http_listener: true\n")
        ).configuration
        #expect(shared.console.shareHTTPListener)
        #expect(shared.redactedDump().contains("share_http_listener: true"))
        let elsewhere = failures(
            "http:\n  listen: 127.0.0.1:9464\nconsole:\n  listen: 127.0.0.1:9465\n  token_file: \(tokenFile)\n"
                + "  share_http_listener: true\n")
        #expect(
            error(at: "console.share_http_listener", in: elsewhere)?.message.hasPrefix(
                "needs console.listen to be http.listen's address exactly (127.0.0.1:9464)") == true)
    }

    @Test func unknownKeysAreNamed() {
        let errors = failures("console:\n  listen: off\n  tokenfile: x\n")
        #expect(errors.errors.first?.path == "console.tokenfile")
    }
}
