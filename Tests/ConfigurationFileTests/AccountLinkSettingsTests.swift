import ConfigurationFile
import Foundation
import Testing

/// The `account_links` section: how far back a request is linked to other cases that named its account.
@Suite struct AccountLinkSettingsTests {
    @Test func withoutASectionTheWindowIsNinetyDays() throws {
        #expect(try #require(loaded("")).configuration.accountLinks.window == .seconds(90 * 86_400))
    }

    @Test func aWindowIsRead() throws {
        let links = try #require(loaded("account_links:\n  window: 14d\n")).configuration.accountLinks
        #expect(links.window == .seconds(14 * 86_400))
    }

    @Test(arguments: ["account_links: off", "account_links: \"off\"", "account_links:\n  window: off\n"])
    func linksCanBeTurnedOff(text: String) throws {
        #expect(try #require(loaded(text)).configuration.accountLinks.window == nil)
    }

    @Test func mistakesNameTheKeyAndWhy() {
        let errors = failures("account_links:\n  window: 0s\n  windw: 3d\n")
        #expect(error(at: "account_links.window", in: errors) != nil)
        #expect(error(at: "account_links.windw", in: errors)?.message.contains("unknown key") == true)
    }

    @Test func theEffectiveConfigurationShowsTheWindow() throws {
        let on = try #require(loaded("account_links: {window: 7d}")).configuration.redactedDump()
        #expect(on.contains("account_links:\n  window: 7d\n"))
        let off = try #require(loaded("account_links: off")).configuration.redactedDump()
        #expect(off.contains("account_links:\n  window: \"off\"\n"), "quoted, or YAML 1.1 reads false")
    }
}
