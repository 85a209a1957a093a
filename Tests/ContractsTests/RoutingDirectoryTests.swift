import Contracts
import Foundation
import Testing

@Suite("Routing directory")
struct RoutingDirectoryTests {
    private func bank(_ name: String) -> BankID { try! BankID(name) }

    private func directory() throws -> RoutingDirectory {
        try RoutingDirectory(entries: [
            .init(bankID: bank("kaspi"), ibanBankCodes: ["KZ722"], bics: ["CASPKZKA"]),
            .init(bankID: bank("halyk"), ibanBankCodes: ["KZ601"], bics: ["HSBKKZKX"]),
            .init(bankID: bank("halyk-almaty"), ibanBankCodes: [], bics: ["HSBKKZKX001"]),
            .init(bankID: bank("deutsche"), ibanBankCodes: ["DE37040044"], bics: []),
        ])
    }

    @Test("IBAN → bank code → bank id")
    func ibanLookup() throws {
        let routing = try directory()
        #expect(routing.bankID(for: try IBAN("KZ84722C000012345678")) == bank("kaspi"))
        #expect(routing.bankID(for: try IBAN("KZ55601A861005431201")) == bank("halyk"))
        #expect(routing.bankID(for: try IBAN("DE89370400440532013000")) == bank("deutsche"))
        #expect(routing.bankID(for: try IBAN("KZ86125KZT5004100100")) == nil)
        #expect(routing.ibanBankCodes(of: bank("kaspi")) == ["KZ722"])
    }

    @Test("BIC: 8 characters, 11 characters with fallback to the 8-character prefix, XXX = primary office")
    func bicLookup() throws {
        let routing = try directory()
        #expect(routing.bankID(for: try BIC("CASPKZKA")) == bank("kaspi"))
        #expect(routing.bankID(for: try BIC("CASPKZKAXXX")) == bank("kaspi"))
        #expect(routing.bankID(for: try BIC("CASPKZKA123")) == bank("kaspi"))
        #expect(routing.bankID(for: try BIC("HSBKKZKX001")) == bank("halyk-almaty"))
        #expect(routing.bankID(for: try BIC("HSBKKZKX002")) == bank("halyk"))
        #expect(routing.bankID(for: try BIC("TSESKZKA")) == nil)
        let destination = IBANDestination(iban: try IBAN("KZ69998P000987654321"), bic: try BIC("CASPKZKA"))
        #expect(routing.bankID(for: destination) == bank("kaspi"))
    }

    @Test("Duplicate codes are refused, naming both banks")
    func duplicates() {
        #expect(
            throws: RoutingDirectoryError.duplicateIBANBankCode("KZ722", first: bank("kaspi"), second: bank("other"))
        ) {
            try RoutingDirectory(entries: [
                .init(bankID: bank("kaspi"), ibanBankCodes: ["KZ722"]),
                .init(bankID: bank("other"), ibanBankCodes: ["KZ722"]),
            ])
        }
        #expect(throws: RoutingDirectoryError.duplicateBIC("CASPKZKA", first: bank("kaspi"), second: bank("other"))) {
            try RoutingDirectory(entries: [
                .init(bankID: bank("kaspi"), ibanBankCodes: [], bics: ["CASPKZKA"]),
                .init(bankID: bank("other"), ibanBankCodes: [], bics: ["CASPKZKAXXX"]),
            ])
        }
        #expect(throws: RoutingDirectoryError.duplicateBank(bank("kaspi"))) {
            try RoutingDirectory(entries: [
                .init(bankID: bank("kaspi"), ibanBankCodes: []), .init(bankID: bank("kaspi"), ibanBankCodes: []),
            ])
        }
        let error = RoutingDirectoryError.duplicateIBANBankCode("KZ722", first: bank("kaspi"), second: bank("other"))
        #expect(error.description == "IBAN bank code KZ722 is claimed by both kaspi and other")
    }

    @Test("Malformed codes are refused")
    func malformed() {
        for code in ["KZ72", "KZ7222", "KZA22", "XX722", "722", "kz722"] {
            #expect(throws: RoutingDirectoryError.self, "\(code)") {
                try RoutingDirectory(entries: [.init(bankID: bank("kaspi"), ibanBankCodes: [code])])
            }
        }
        #expect(throws: RoutingDirectoryError.invalidBIC("CASP", bank: bank("kaspi"))) {
            try RoutingDirectory(entries: [.init(bankID: bank("kaspi"), ibanBankCodes: [], bics: ["CASP"])])
        }
    }

    @Test("Bank ids are Kafka-topic safe")
    func bankIDs() {
        for good in ["kaspi", "halyk-almaty", "bank_2", "0", String(repeating: "a", count: 32)] {
            #expect(throws: Never.self) { try BankID(good) }
        }
        for bad in ["", "Kaspi", "kaspi.kz", "-kaspi", "_x", "bank 1", String(repeating: "a", count: 33), "банк"] {
            #expect(throws: BankIDError.self, "\(bad)") { try BankID(bad) }
        }
    }
}
