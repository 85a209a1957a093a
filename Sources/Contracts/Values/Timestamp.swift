import Foundation

/// An instant in UTC, as the contracts write it: RFC 3339 with `Z`, e.g. `2024-05-01T10:15:30Z`
/// or `2024-05-01T10:15:30.250Z`.
///
/// Parsing is strict: upper-case `T` and `Z` only, no offsets, seconds required, 1–9 fraction digits,
/// years 0001–9999, real calendar dates, no leap second (`:60`). Equality and ordering are by instant.
/// Encoding is canonical: no fraction when it is zero, otherwise 3, 6 or 9 digits (the fewest that
/// are exact), so `…30.5Z` is written `…30.500Z` and equal instants always give equal bytes.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Whole seconds since 1970-01-01T00:00:00Z.
    public let secondsSinceEpoch: Int64
    /// Nanoseconds within the second, 0..<1_000_000_000.
    public let nanoseconds: Int32

    static let minimumSeconds: Int64 = -62_135_596_800  // 0001-01-01T00:00:00Z
    static let maximumSeconds: Int64 = 253_402_300_799  // 9999-12-31T23:59:59Z

    /// An instant from its parts; values outside years 0001–9999 are clamped to that range.
    public init(secondsSinceEpoch: Int64, nanoseconds: Int32 = 0) {
        var seconds = secondsSinceEpoch
        var nanos = Int64(nanoseconds)
        seconds += nanos / 1_000_000_000
        nanos %= 1_000_000_000
        if nanos < 0 {
            nanos += 1_000_000_000
            seconds -= 1
        }
        if seconds < Self.minimumSeconds {
            seconds = Self.minimumSeconds
            nanos = 0
        }
        if seconds > Self.maximumSeconds {
            seconds = Self.maximumSeconds
            nanos = 999_999_999
        }
        self.secondsSinceEpoch = seconds
        self.nanoseconds = Int32(nanos)
    }

    /// A timestamp for a `Date`, truncated to whole milliseconds (the relay's own precision).
    public init(_ date: Date) {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        let clamped = max(Double(Self.minimumSeconds) * 1000, min(Double(Self.maximumSeconds) * 1000, milliseconds))
        let whole = Int64(clamped)
        var seconds = whole / 1000
        var millis = whole % 1000
        if millis < 0 {
            millis += 1000
            seconds -= 1
        }
        self.init(secondsSinceEpoch: seconds, nanoseconds: Int32(millis * 1_000_000))
    }

    /// Parses the strict contract form; the error says what is wrong.
    public init(parsing text: String) throws(TimestampError) {
        var text = text
        let (seconds, nanos) = try text.withUTF8 { Self.parse($0) }.get()
        self.init(secondsSinceEpoch: seconds, nanoseconds: nanos)
    }

    /// Seconds since the epoch and nanoseconds of the strict contract form, read from its UTF-8 bytes.
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Result<(Int64, Int32), TimestampError> {
        func digits(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        func byte(_ index: Int, is expected: UInt8) -> Bool {
            index < bytes.count && bytes[index] == expected
        }
        guard let year = digits(0..<4), byte(4, is: UInt8(ascii: "-")), let month = digits(5..<7),
            byte(7, is: UInt8(ascii: "-")),
            let day = digits(8..<10), byte(10, is: UInt8(ascii: "T")), let hour = digits(11..<13),
            byte(13, is: UInt8(ascii: ":")),
            let minute = digits(14..<16), byte(16, is: UInt8(ascii: ":")), let second = digits(17..<19)
        else { return .failure(.malformed) }
        var index = 19
        var nanos = 0
        if byte(index, is: UInt8(ascii: ".")) {
            index += 1
            var count = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                count += 1
                if count > 9 { return .failure(.malformed) }
                nanos = nanos * 10 + Int(bytes[index] - 48)
                index += 1
            }
            if count == 0 { return .failure(.malformed) }
            for _ in count..<9 { nanos *= 10 }
        }
        guard byte(index, is: UInt8(ascii: "Z")), index + 1 == bytes.count else {
            if index < bytes.count,
                bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")
                    || bytes[index] == UInt8(ascii: "z")
            {
                return .failure(.notUTC)
            }
            return .failure(.malformed)
        }
        guard year >= 1 else { return .failure(.outOfRange("year 0000 does not exist")) }
        guard (1...12).contains(month) else { return .failure(.outOfRange("month \(month) does not exist")) }
        let monthLength = CivilCalendar.daysInMonth(year: year, month: month)
        guard (1...monthLength).contains(day) else {
            return .failure(.outOfRange("day \(day) does not exist in \(year)-\(month < 10 ? "0" : "")\(month)"))
        }
        guard hour <= 23 else { return .failure(.outOfRange("hour \(hour) does not exist")) }
        guard minute <= 59 else { return .failure(.outOfRange("minute \(minute) does not exist")) }
        guard second <= 59 else { return .failure(.outOfRange("second \(second) is not accepted (no leap seconds)")) }
        let days = CivilCalendar.daysFromCivil(year: year, month: month, day: day)
        return .success((Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second), Int32(nanos)))
    }

    /// The current time, at millisecond precision.
    public static func now() -> Timestamp { Timestamp(Date()) }

    /// The same instant as a Foundation `Date` (sub-microsecond precision may be lost).
    public var date: Date {
        Date(timeIntervalSince1970: Double(secondsSinceEpoch) + Double(nanoseconds) / 1_000_000_000)
    }

    /// This instant moved by a number of seconds (clamped to years 0001–9999).
    public func adding(seconds: Int64) -> Timestamp {
        let (sum, overflow) = secondsSinceEpoch.addingReportingOverflow(seconds)
        let target = overflow ? (seconds > 0 ? Self.maximumSeconds : Self.minimumSeconds) : sum
        return Timestamp(secondsSinceEpoch: target, nanoseconds: nanoseconds)
    }

    /// Whole seconds from `self` to `later`, rounded down (negative when `later` is earlier).
    public func seconds(until later: Timestamp) -> Int64 {
        let whole = later.secondsSinceEpoch - secondsSinceEpoch
        return later.nanoseconds < nanoseconds ? whole - 1 : whole
    }

    /// The canonical RFC 3339 text.
    public var rfc3339: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(30)
        appendRFC3339(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the canonical RFC 3339 text (without quotes): no fraction when it is zero, otherwise
    /// 3, 6 or 9 digits, the fewest that are exact. Written in place, as events carry several.
    func appendRFC3339(to output: inout [UInt8]) {
        var days = secondsSinceEpoch / 86_400
        var secondOfDay = secondsSinceEpoch % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = CivilCalendar.civilFromDays(Int(days))
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { text in
            // YYYY-MM-DDThh:mm:ss, then an optional fraction and Z; years are 0001...9999.
            func put(_ value: some BinaryInteger, width: Int, endingAt end: Int, then separator: UInt8) {
                _ = CanonicalOutput.writeDigits(of: UInt64(value), minimumWidth: width, endingAt: end, in: text)
                text[end] = separator
            }
            put(year, width: 4, endingAt: 4, then: UInt8(ascii: "-"))
            put(month, width: 2, endingAt: 7, then: UInt8(ascii: "-"))
            put(day, width: 2, endingAt: 10, then: UInt8(ascii: "T"))
            put(secondOfDay / 3600, width: 2, endingAt: 13, then: UInt8(ascii: ":"))
            put(secondOfDay % 3600 / 60, width: 2, endingAt: 16, then: UInt8(ascii: ":"))
            _ = CanonicalOutput.writeDigits(of: UInt64(secondOfDay % 60), minimumWidth: 2, endingAt: 19, in: text)
            var length = 19
            if nanoseconds != 0 {
                let nanos = UInt64(nanoseconds)
                let (fraction, digits) =
                    nanos % 1_000_000 == 0 ? (nanos / 1_000_000, 3) : nanos % 1000 == 0 ? (nanos / 1000, 6) : (nanos, 9)
                text[length] = UInt8(ascii: ".")
                _ = CanonicalOutput.writeDigits(
                    of: fraction, minimumWidth: digits, endingAt: length + 1 + digits, in: text)
                length += 1 + digits
            }
            text[length] = UInt8(ascii: "Z")
            output.append(contentsOf: UnsafeBufferPointer(rebasing: text[...length]))
        }
    }

    /// Same as ``rfc3339``.
    public var description: String { rfc3339 }

    /// Orders by instant.
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        (lhs.secondsSinceEpoch, lhs.nanoseconds) < (rhs.secondsSinceEpoch, rhs.nanoseconds)
    }

    /// Decodes from the strict string form.
    public init(from decoder: any Decoder) throws {
        self = try ModelCoding.decode(from: decoder, Read.timestamp)
    }

    /// Encodes the canonical string form.
    public func encode(to encoder: any Encoder) throws {
        try ModelCoding.encode(.string(rfc3339), to: encoder)
    }
}

/// Why a timestamp was refused.
public enum TimestampError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not of the shape `YYYY-MM-DDThh:mm:ss[.fraction]Z`.
    case malformed
    /// Has an offset (or lower-case `z`) instead of `Z`.
    case notUTC
    /// Well-formed, but names a date or time that does not exist.
    case outOfRange(String)

    /// Plain-words reason.
    public var description: String {
        switch self {
        case .malformed:
            return
                "must be an RFC 3339 UTC timestamp like 2024-05-01T10:15:30Z (seconds required, up to 9 fraction digits)"
        case .notUTC:
            return "must be in UTC and end with upper-case Z; offsets are not accepted"
        case .outOfRange(let detail):
            return "is not a valid date-time: \(detail)"
        }
    }
}

/// Proleptic Gregorian day arithmetic (days since 1970-01-01), after Howard Hinnant's public-domain
/// algorithms; used instead of `Calendar` so parsing is exact, locale-free and fast.
enum CivilCalendar {
    static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
