import Contracts
import Foundation
import Testing

@Suite("Money")
struct MoneyTests {
    @Test(
        "Canonical string: at least two decimals, no further trailing zeros",
        arguments: [
            ("1250000", "1250000.00"), ("1250000.00", "1250000.00"), ("12.5", "12.50"), ("12.5000", "12.50"),
            ("0.125", "0.125"), ("0.0001", "0.0001"), ("0", "0.00"),
            ("999999999999999999.9999", "999999999999999999.9999"),
        ])
    func canonical(_ input: String, _ expected: String) throws {
        #expect(try Money(value: input, currency: "KZT").value == expected)
    }

    @Test(
        "Contract form only",
        arguments: [
            "", "1.", ".5", "01", "-1", "+1", "1e3", "1.00000", "1 000", "1,5", "0x10",
            "1000000000000000000", "١٢٣", "１２",
        ])
    func refusesOtherForms(_ input: String) {
        #expect(throws: MoneyError.invalidValue(input)) { try Money(value: input, currency: "KZT") }
    }

    @Test("Currency is three upper-case letters")
    func currency() {
        for bad in ["kzt", "KZ", "KZTT", "K1T", ""] {
            #expect(throws: MoneyError.invalidCurrency(bad)) { try Money(value: "1", currency: bad) }
        }
    }

    @Test("Exact arithmetic and comparison")
    func arithmetic() throws {
        let a = try Money(value: "0.1", currency: "KZT")
        let b = try Money(value: "0.2", currency: "KZT")
        #expect(try a.adding(b).value == "0.30")
        #expect(
            try Money(value: "100.0001", currency: "KZT").subtracting(Money(value: "0.0002", currency: "KZT")).value
                == "99.9999")
        #expect(try Money.sum([a, b, a], currency: "KZT").value == "0.40")
        #expect(try Money.sum([], currency: "KZT").isZero)
        #expect(try a.compare(to: b) == .orderedAscending)
        #expect(try b.compare(to: a) == .orderedDescending)
        #expect(try a.compare(to: Money(value: "0.1000", currency: "KZT")) == .orderedSame)
        #expect(throws: MoneyError.negativeResult) { try a.subtracting(b) }
        #expect(try a.subtractingClampedAtZero(b).isZero)
        let usd = try Money(value: "1", currency: "USD")
        #expect(throws: MoneyError.currencyMismatch("KZT", "USD")) { try a.adding(usd) }
        #expect(throws: MoneyError.currencyMismatch("KZT", "USD")) { try a.compare(to: usd) }
        let max = try Money(value: "999999999999999999.9999", currency: "KZT")
        #expect(throws: MoneyError.outOfRange) { try max.adding(Money(value: "0.0001", currency: "KZT")) }
    }

    @Test("Equal amounts are equal values whatever their spelling")
    func equality() throws {
        #expect(try Money(value: "12.5", currency: "KZT") == Money(value: "12.5000", currency: "KZT"))
        #expect(try Money(value: "12.5", currency: "KZT") != Money(value: "12.5", currency: "USD"))
    }

    @Test("Foundation Decimal conversions are exact")
    func decimal() throws {
        let money = try Money(value: "123456789012345678.1234", currency: "KZT")
        #expect(money.decimal == Decimal(string: "123456789012345678.1234"))
        #expect(try Money(Decimal(string: "1.5")!, currency: "KZT").value == "1.50")
        #expect(try Money(Decimal(string: "1.500000")!, currency: "KZT").value == "1.50")
        #expect(throws: MoneyError.self) { try Money(Decimal(string: "1.00001")!, currency: "KZT") }
        #expect(throws: MoneyError.self) { try Money(Decimal(string: "-1")!, currency: "KZT") }
    }
}
