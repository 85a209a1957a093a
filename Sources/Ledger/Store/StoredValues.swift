import Contracts
import Foundation
import Relay

/// How relay values are written to and read from columns. Reading checks as strictly as
/// writing: a value that does not parse is a `LedgerError.corruptValue`, not a silent default.
enum Stored {
    static func millis(_ timestamp: Timestamp) -> Int64 {
        timestamp.secondsSinceEpoch * 1000 + Int64(timestamp.nanoseconds) / 1_000_000
    }

    static func millis(_ timestamp: Timestamp?) -> Int64? { timestamp.map { millis($0) } }

    static func timestamp(_ millis: Int64) -> Timestamp {
        let seconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let remainder = millis - seconds * 1000
        return Timestamp(secondsSinceEpoch: seconds, nanoseconds: Int32(remainder * 1_000_000))
    }

    static func timestamp(_ millis: Int64?) -> Timestamp? { millis.map { timestamp($0) } }

    /// Seconds between two stored millisecond times, with the milliseconds as the fraction.
    static func seconds(from start: Int64, to end: Int64) -> Double {
        Double(end - start) / 1000
    }

    static func text(_ id: UUID) -> String { CanonicalUUID.string(id) }

    static func uuid(_ text: String, column: String) throws(LedgerError) -> UUID {
        guard let id = UUID(uuidString: text) else { throw LedgerError.corruptValue(column: column, value: text) }
        return id
    }

    static func bank(_ text: String, column: String) throws(LedgerError) -> BankID {
        do { return try BankID(text) } catch { throw LedgerError.corruptValue(column: column, value: text) }
    }

    static func money(_ value: String, _ currency: String, column: String) throws(LedgerError) -> Money {
        do { return try Money(value: value, currency: currency) } catch {
            throw LedgerError.corruptValue(column: column, value: "\(value) \(currency)")
        }
    }

    static func enumeration<E: RawRepresentable>(_ type: E.Type, _ text: String, column: String) throws(LedgerError)
        -> E where E.RawValue == String
    {
        guard let value = E(rawValue: text) else { throw LedgerError.corruptValue(column: column, value: text) }
        return value
    }
}
