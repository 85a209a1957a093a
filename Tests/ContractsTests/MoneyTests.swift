import Contracts
import Foundation
import Testing

@Suite("Money")
struct MoneyTests {
    @Test("Canonical string: at least two decimals, no further trailing zeros", arguments: [
        ("1250000", "1250000.00"), ("1250000.00", "1250000.00"), ("12.5", "12.50"), ("12.5000", "12.50"),
        ("0.125", "0.125"), ("0.0001", "0.0001"), ("0", "0.00"), ("999999999999999999.9999", "999999999999999999.9999"),
    ])
    func canonical(_ input: String, _ expected: String) throws {
        #expect(try Money(value: input, currency: "KZT").value == expected)
    }

    @Test("Contract form only", arguments: ["", "1.", ".5", "01", "-1", "+1", "1e3", "1.00000", "1 000", "1,5", "0x10",
                                            "1000000000000000000", "١٢٣", "１２"])
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
        #expect(try Money(value: "100.0001", currency: "KZT").subtracting(Money(value: "0.0002", currency: "KZT")).value == "99.9999")
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

@Suite("Timestamp")
struct TimestampTests {
    @Test("Strict RFC 3339 UTC", arguments: [
        ("2024-05-14T09:11:40Z", "2024-05-14T09:11:40Z"),
        ("2024-05-14T09:11:40.5Z", "2024-05-14T09:11:40.500Z"),
        ("2024-05-14T09:11:40.000Z", "2024-05-14T09:11:40Z"),
        ("2024-05-14T09:11:40.123456Z", "2024-05-14T09:11:40.123456Z"),
        ("2024-05-14T09:11:40.1234567Z", "2024-05-14T09:11:40.123456700Z"),
        ("2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z"),
        ("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
        ("9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59.999999999Z"),
    ])
    func accepted(_ input: String, _ canonical: String) throws {
        #expect(try Timestamp(parsing: input).rfc3339 == canonical)
    }

    @Test("Offsets, local times, missing seconds and impossible dates are refused", arguments: [
        "2024-05-14T09:11:40+05:00", "2024-05-14T09:11:40-00:00", "2024-05-14T09:11:40", "2024-05-14T09:11Z",
        "2024-05-14 09:11:40Z", "2024-05-14t09:11:40Z", "2024-05-14T09:11:40z", "2024-05-14T09:11:40.Z",
        "2024-05-14T09:11:40.1234567890Z", "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-13-01T00:00:00Z",
        "2024-05-14T24:00:00Z", "2024-05-14T23:60:00Z", "2016-12-31T23:59:60Z", "0000-01-01T00:00:00Z",
        "2024-05-14T09:11:40Z\n", " 2024-05-14T09:11:40Z", "20240514T091140Z", "",
    ])
    func refused(_ input: String) {
        #expect(throws: TimestampError.self) { try Timestamp(parsing: input) }
    }

    @Test("Offsets get a specific reason")
    func offsetReason() {
        #expect(throws: TimestampError.notUTC) { try Timestamp(parsing: "2024-05-14T09:11:40+05:00") }
    }

    @Test("Order, arithmetic and Date conversion")
    func arithmetic() throws {
        let a = try Timestamp(parsing: "2024-05-14T09:11:40.250Z")
        let b = a.adding(seconds: 900)
        #expect(b.rfc3339 == "2024-05-14T09:26:40.250Z")
        #expect(a < b)
        #expect(a.seconds(until: b) == 900)
        #expect(try a.seconds(until: Timestamp(parsing: "2024-05-14T09:11:41.000Z")) == 0)
        #expect(Timestamp(a.date) == a)
        #expect(Timestamp(Date(timeIntervalSince1970: 1.2345)).rfc3339 == "1970-01-01T00:00:01.234Z")
        #expect(try Timestamp(parsing: "2024-05-14T09:11:40Z") == Timestamp(parsing: "2024-05-14T09:11:40.000Z"))
    }

    @Test("Every day of a leap and a common year round-trips")
    func calendarRoundTrip() throws {
        var seconds: Int64 = try Timestamp(parsing: "2023-01-01T00:00:00Z").secondsSinceEpoch
        for _ in 0..<(365 + 366) {
            let timestamp = Timestamp(secondsSinceEpoch: seconds)
            #expect(try Timestamp(parsing: timestamp.rfc3339) == timestamp)
            seconds += 86_400
        }
        #expect(Timestamp(secondsSinceEpoch: seconds).rfc3339 == "2025-01-01T00:00:00Z")
    }
}
