import Contracts
import Foundation
import Testing

@Suite("IBAN")
struct IBANTests {
    /// Registry examples of many countries; all must pass the full check.
    static let validSamples = [
        "KZ86125KZT5004100100", "KZ84722C000012345678", "DE89370400440532013000", "GB29NWBK60161331926819",
        "FR1420041010050500013M02606", "NL91ABNA0417164300", "BE68539007547034", "NO9386011117947",
        "AT611904300234573201", "CH9300762011623852957", "IT60X0542811101000000123456", "ES9121000418450200051332",
        "PL61109010140000071219812874", "TR330006100519786457841326", "AE070331234567890123456",
        "AZ21NABZ00000000137010001944", "GE29NB0000000101904917", "UA213223130000026007233566001",
        "BY13NBRB3600900000002Z00AB00", "LC55HEMM000100010012001200023015", "SC18SSCB11010000000000001497USD",
        "MU17BOMM0101101030300200000MUR", "QA58DOHB00001234567890ABCDEFG", "SA0380000000608010167519",
    ]

    @Test("Registry examples pass", arguments: validSamples)
    func validSamplePasses(_ text: String) throws {
        let iban = try IBAN(text)
        #expect(iban.electronicFormat == text)
        #expect(iban.country.length == text.count)
    }

    @Test("KZ: the bank code is the 3 digits after the check digits")
    func kazakhBankCode() throws {
        let iban = try IBAN("KZ86125KZT5004100100")
        #expect(iban.countryCode == "KZ")
        #expect(iban.checkDigits == "86")
        #expect(iban.bban == "125KZT5004100100")
        #expect(iban.bankIdentifier == "125")
        #expect(iban.routingCode == "KZ125")
        #expect(iban.printFormat == "KZ86 125K ZT50 0410 0100")
    }

    @Test("Other countries expose the registry's bank identifier")
    func otherBankIdentifiers() throws {
        #expect(try IBAN("DE89370400440532013000").bankIdentifier == "37040044")
        #expect(try IBAN("GB29NWBK60161331926819").bankIdentifier == "NWBK")
        #expect(try IBAN("IT60X0542811101000000123456").bankIdentifier == "05428")
        #expect(try IBAN("NL91ABNA0417164300").routingCode == "NLABNA")
    }

    @Test("Wrong checksum is refused with the contract's wording")
    func wrongChecksum() {
        #expect(throws: IBANError.checkDigitsMismatch) { try IBAN("KZ87125KZT5004100100") }
        #expect(throws: IBANError.checkDigitsMismatch) { try IBAN("DE89370400440532013001") }
        #expect(IBANError.checkDigitsMismatch.description == "check digits do not match")
        // Swapped digits are the classic typo mod-97 exists to catch.
        #expect(throws: IBANError.checkDigitsMismatch) { try IBAN("GB29NWBK60161331926891") }
    }

    @Test("Wrong length per country")
    func wrongLength() {
        #expect(throws: IBANError.wrongLength(country: "KZ", expected: 20, actual: 19)) {
            try IBAN("KZ86125KZT500410010")
        }
        #expect(throws: IBANError.wrongLength(country: "DE", expected: 22, actual: 23)) {
            try IBAN("DE893704004405320130000")
        }
    }

    @Test("BBAN structure: a KZ bank code must be digits")
    func bbanStructure() {
        #expect(throws: IBANError.bbanStructure(country: "KZ", format: "3!n13!c")) { try IBAN("KZ86A25KZT5004100100") }
    }

    @Test("Check digits 00, 01 and 99 never occur")
    func checkDigitRange() {
        #expect(throws: IBANError.checkDigitsOutOfRange) { try IBAN("KZ00125KZT5004100100") }
        #expect(throws: IBANError.checkDigitsOutOfRange) { try IBAN("KZ99125KZT5004100100") }
    }

    @Test("Unknown countries and non-IBAN countries are refused")
    func unknownCountry() {
        #expect(throws: IBANError.unknownCountry("US")) { try IBAN("US64SVBKUS6S3300958879") }
        #expect(throws: IBANError.unknownCountry("KG")) { try IBAN("KG12345678901234567890") }
    }

    @Test("Strict form refuses lower case and spaces; the lenient parser normalises them")
    func strictAndLenient() throws {
        #expect(throws: IBANError.notElectronicFormat) { try IBAN("kz86125kzt5004100100") }
        #expect(throws: IBANError.notElectronicFormat) { try IBAN("KZ86 125K ZT50 0410 0100") }
        #expect(throws: IBANError.notElectronicFormat) { try IBAN("") }
        #expect(try IBAN(parsing: " kz86 125k zt50 0410 0100 ").electronicFormat == "KZ86125KZT5004100100")
        #expect(try IBAN(parsing: "IBAN KZ86\u{00A0}125K\tZT50 0410 0100").electronicFormat == "KZ86125KZT5004100100")
        #expect(throws: IBANError.checkDigitsMismatch) { try IBAN(parsing: "kz87 125k zt50 0410 0100") }
        #expect(throws: IBANError.notElectronicFormat) { try IBAN(parsing: "KZ86-125K-ZT50-0410-0100") }
    }

    @Test("Every registry country accepts an IBAN built with correct check digits and refuses one with wrong ones")
    func everyRegistryCountry() throws {
        for country in IBANCountry.all {
            var bban = ""
            var count = 0
            for character in country.bbanFormat {
                if let digit = character.wholeNumberValue {
                    count = count * 10 + digit
                    continue
                }
                if character == "!" { continue }
                bban += String(repeating: character == "a" ? "B" : "7", count: count)
                count = 0
            }
            let check = 98 - mod97(bban + country.code + "00")
            let text = country.code + (check < 10 ? "0" : "") + String(check) + bban
            let iban = try IBAN(text)
            #expect(iban.electronicFormat.count == country.length, "\(country.code)")
            let wrong = country.code + (check == 98 ? "02" : String(format: "%02d", check + 1)) + bban
            #expect(throws: IBANError.checkDigitsMismatch, "\(country.code)") { try IBAN(wrong) }
        }
        #expect(IBANCountry.all.count >= 80)
        #expect(IBANCountry.named("KZ")?.bankIdentifier == 0..<3)
    }

    private func mod97(_ text: String) -> Int {
        var remainder = 0
        for character in text {
            let value = character.isLetter ? Int(character.asciiValue! - 55) : character.wholeNumberValue!
            remainder = (remainder * (value >= 10 ? 100 : 10) + value) % 97
        }
        return remainder
    }

    @Test("The Swift registry equals schemas/iban-countries.json, which the Python validator uses")
    func registryMatchesPublishedTable() throws {
        let data = try Data(contentsOf: TestFiles.schemas.appendingPathComponent("iban-countries.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let countries = try #require(root["countries"] as? [String: [String: Any]])
        #expect(Set(countries.keys) == Set(IBANCountry.all.map(\.code)))
        for country in IBANCountry.all {
            let entry = try #require(countries[country.code])
            #expect(entry["length"] as? Int == country.length, "\(country.code)")
            #expect(entry["bban"] as? String == country.bbanFormat, "\(country.code)")
            #expect(entry["sepa"] as? Bool == country.isSEPA, "\(country.code)")
            let bank = entry["bank_identifier"] as? [Int]
            #expect(bank == country.bankIdentifier.map { [$0.lowerBound, $0.upperBound] }, "\(country.code)")
        }
    }

    @Test("BIC validation")
    func bic() throws {
        #expect(try BIC("CASPKZKA").primaryOffice == "CASPKZKA")
        #expect(try BIC("HSBKKZKXXXX").branch == "XXX")
        #expect(try BIC("DEUTDEFF500").countryCode == "DE")
        for bad in ["CASPKZK", "caspkzka", "CASP KZKA", "CASPKZKAXX", "1ASPKZKA", "CASP1ZKA"] {
            #expect(throws: BICError.invalid, "\(bad)") { try BIC(bad) }
        }
    }
}
