import Foundation

/// A Swift type that can be bound to a statement parameter and read back from a column.
///
/// Conversions are deliberately strict: a TEXT column is not silently read as a number, so a
/// schema mistake surfaces as `LedgerError.typeMismatch` instead of a wrong value.
///
/// Storage conventions:
/// - `Int`, `Int64`: INTEGER.
/// - `Double`: REAL (reads INTEGER too, because SQLite may hand back whole numbers that way).
///   SQLite stores NaN as NULL, so NaN does not round-trip.
/// - `String`: TEXT, UTF-8, any content including NUL characters.
/// - `Data`, `[UInt8]`: BLOB; an empty value stays an empty BLOB, never NULL.
/// - `Bool`: INTEGER 0 or 1 (any non-zero integer reads as `true`).
/// - `Date`: INTEGER milliseconds since 1970-01-01T00:00:00Z, rounded to the nearest millisecond.
///   Integers sort and compare correctly in SQL, are compact, and are exact at the precision that
///   SLA deadlines need.
/// - `Optional`: NULL for `nil`.
///
/// The conformances are `@inlinable`, as are `Row`'s typed reads: the relay's ledger is another
/// module, and unspecialised generic reads across the boundary cost it runtime metadata lookups
/// on every column it reads.
@usableFromInline package protocol SQLValueConvertible {
    /// The value to bind.
    var sqlValue: SQLValue { get }
    /// Reads a value back; `nil` when the stored value has the wrong storage class.
    init?(sqlValue: SQLValue)
}

extension SQLValue: SQLValueConvertible {
    @inlinable package var sqlValue: SQLValue { self }
    @inlinable package init?(sqlValue: SQLValue) { self = sqlValue }
}

extension Int64: SQLValueConvertible {
    @inlinable package var sqlValue: SQLValue { .integer(self) }
    @inlinable package init?(sqlValue: SQLValue) {
        guard case .integer(let value) = sqlValue else { return nil }
        self = value
    }
}

extension Int: SQLValueConvertible {
    @inlinable package var sqlValue: SQLValue { .integer(Int64(self)) }
    @inlinable package init?(sqlValue: SQLValue) {
        guard case .integer(let value) = sqlValue, let exact = Int(exactly: value) else { return nil }
        self = exact
    }
}

extension Double: SQLValueConvertible {
    @inlinable package var sqlValue: SQLValue { .real(self) }
    @inlinable package init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .real(let value): self = value
        case .integer(let value): self = Double(value)
        default: return nil
        }
    }
}

extension String: SQLValueConvertible {
    @inlinable package var sqlValue: SQLValue { .text(self) }
    @inlinable package init?(sqlValue: SQLValue) {
        guard case .text(let value) = sqlValue else { return nil }
        self = value
    }
}

extension Data: SQLValueConvertible {
    @inlinable package var sqlValue: SQLValue { .blob(self) }
    @inlinable package init?(sqlValue: SQLValue) {
        guard case .blob(let value) = sqlValue else { return nil }
        self = value
    }
}

extension Array: SQLValueConvertible where Element == UInt8 {
    @inlinable package var sqlValue: SQLValue { .blob(Data(self)) }
    @inlinable package init?(sqlValue: SQLValue) {
        guard case .blob(let value) = sqlValue else { return nil }
        self = [UInt8](value)
    }
}

extension Bool: SQLValueConvertible {
    @inlinable package var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    @inlinable package init?(sqlValue: SQLValue) {
        guard case .integer(let value) = sqlValue else { return nil }
        self = value != 0
    }
}

extension Date: SQLValueConvertible {
    @inlinable package var sqlValue: SQLValue { .integer(millisecondsSince1970) }
    @inlinable package init?(sqlValue: SQLValue) {
        guard case .integer(let milliseconds) = sqlValue else { return nil }
        self = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// The ledger's storage form of a date (see `SQLValueConvertible`).
    @inlinable package var millisecondsSince1970: Int64 {
        Int64((timeIntervalSince1970 * 1000).rounded(.toNearestOrAwayFromZero))
    }
}

extension Optional: SQLValueConvertible where Wrapped: SQLValueConvertible {
    @inlinable package var sqlValue: SQLValue { self?.sqlValue ?? .null }
    @inlinable package init?(sqlValue: SQLValue) {
        if case .null = sqlValue {
            self = .none
        } else if let value = Wrapped(sqlValue: sqlValue) {
            self = .some(value)
        } else {
            return nil
        }
    }
}

/// Arguments for a statement's `?` parameters, in order. `nil` binds NULL.
package typealias SQLArguments = [(any SQLValueConvertible)?]
