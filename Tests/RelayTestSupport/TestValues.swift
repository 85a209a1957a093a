import Contracts
import Foundation

/// Values every relay test target builds the same way. One definition, so that a test in one
/// target and a fixture in another mean the same account or id by the same number.
public enum TestValues {
    /// A readable, distinct version-4 UUID per number: `00000000-0000-4000-8000-<n, 12 digits>`.
    public static func uuid(_ n: Int) -> UUID {
        UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", n))!
    }

    /// An amount in tenge; `value` must be a valid decimal amount (a test's literal).
    public static func kzt(_ value: String) -> Money { try! Money(value: value, currency: "KZT") }

    /// A valid Kazakh IBAN: `bankCode` (3 characters) followed by `account` as 13 zero-padded digits,
    /// with the check digits computed (ISO 13616, mod 97).
    public static func kazakhIBAN(bankCode: String, account: Int) -> IBAN {
        try! IBAN(withCheckDigits(country: "KZ", bban: bankCode + String(format: "%013d", account)))
    }

    /// `country`, the two check digits ISO 13616 gives `bban`, then `bban`. Letters count as
    /// 10 (A) to 35 (Z), as the standard says.
    public static func withCheckDigits(country: String, bban: String) -> String {
        var remainder = 0
        for character in bban + country + "00" {
            let digits: String
            if let ascii = character.asciiValue, ascii >= 65, ascii <= 90 {
                digits = String(Int(ascii) - 55)
            } else {
                digits = String(character)
            }
            for digit in digits { remainder = (remainder * 10 + Int(String(digit))!) % 97 }
        }
        let check = 98 - remainder
        return country + (check < 10 ? "0" : "") + String(check) + bban
    }
}

/// A valid Kazakh IBAN at the 3-digit `bank` code for `account` (see `TestValues.kazakhIBAN`).
public func kzIBAN(bank: String, account: Int) -> IBAN { TestValues.kazakhIBAN(bankCode: bank, account: account) }

/// An amount in tenge (see `TestValues.kzt`).
public func kzt(_ value: String) -> Money { TestValues.kzt(value) }
