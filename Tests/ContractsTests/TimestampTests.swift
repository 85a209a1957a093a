import Contracts
import Foundation
import Testing

@Suite("Timestamp")
struct TimestampTests {
    @Test(
        "Strict RFC 3339 UTC",
        arguments: [
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

    @Test(
        "Offsets, local times, missing seconds and impossible dates are refused",
        arguments: [
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
