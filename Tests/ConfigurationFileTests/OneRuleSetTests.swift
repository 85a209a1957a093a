import Contracts
import Testing

@testable import ConfigurationFile

/// The configuration checks names and codes by the rules of the types the relay builds from them
/// (Contracts), so that a configuration `check-config` accepts is one `run` can start with.
@Suite struct OneRuleSetTests {
    static let bankCodes = [
        "KZ601", "KZ6011", "KZ60", "kz601", "DE1", "DE37040044", "DE3704004", "GB", "GBNWBK", "GB1234", "XX123",
        "FR3000",
        "FR30004", "NL91ABNA", "NLABNA", "", "KZ", "KZ-01", "KZ60 1",
    ]

    @Test(arguments: bankCodes)
    func anIBANBankCodeTheConfigurationAcceptsIsOneTheRoutingDirectoryAccepts(code: String) {
        let configuration = Formats.ibanBankCode(code) == nil
        let directory = RoutingDirectory.bankCodeProblem(code) == nil
        #expect(configuration == directory, "\(code): configuration \(configuration), routing directory \(directory)")
    }

    @Test(arguments: [
        "halyk", "kaspi-bank", "a", "9", String(repeating: "b", count: 32), String(repeating: "b", count: 33),
        "Halyk", "_halyk", "ha.lyk", "", "halyk bank", "ḩalyk",
    ])
    func aBankIDTheConfigurationAcceptsIsABankID(id: String) {
        #expect((Formats.bankID(id) == nil) == ((try? BankID(id)) != nil), "\(id)")
    }

    @Test(arguments: ["HSBKKZKX", "HSBKKZKXXXX", "CASPKZKA", "CASPKZ", "HSBKKZKX1", "1SBKKZKX", "HSBK KZX"])
    func aBICTheConfigurationAcceptsIsABIC(bic: String) {
        #expect((Formats.bic(bic) == nil) == ((try? BIC(bic)) != nil), "\(bic)")
    }

    @Test(arguments: [
        "freeze.requests", "a", ".", "..", "with space", "ü", String(repeating: "t", count: 249),
        String(repeating: "t", count: 250),
    ])
    func aTopicNameTheConfigurationAcceptsIsLegalForKafka(name: String) {
        #expect((Formats.topicName(name) == nil) == TopicNames.isLegalTopicName(name), "\(name)")
    }
}
