import Foundation

/// What a dead letter carries of the refused record, so that every dead letter stays publishable
/// whatever the record held. Sizes are raw bytes before base64 unless said otherwise.
public enum DeadLetterLimits {
    /// The most bytes a dead letter's encoded JSON takes: the budget every part is cut to fit. Well
    /// under librdkafka's default `message.max.bytes` (1,000,000), with room for the dead letter's
    /// own Kafka key and headers.
    public static let encodedBytes = 900_000
    /// The most bytes of the original value carried (512 KiB, 683 KiB in base64).
    public static let value = 512 * 1024
    /// The most bytes of the original key carried.
    public static let key = 4 * 1024
    /// The most headers carried; the rest are counted in `headers_count`.
    public static let headers = 100
    /// The most code points of a carried header name, the note stating a cut included.
    public static let headerNameCharacters = 256
    /// The most bytes of a header name carried as `name_base64` (names that are not valid UTF-8).
    public static let headerNameBytes = 1024
    /// The most bytes of one header's value carried.
    public static let headerValue = 4 * 1024
    /// The most encoded bytes the carried headers take together.
    public static let headerBytes = 64 * 1024
    /// The longest original key that is also the dead letter's own Kafka key (longer keys give way
    /// to the record's position).
    public static let kafkaKey = 1024
    /// A bound on everything but the carried bytes and the reason's text: envelope, source, field
    /// names, flags and sizes.
    static let envelopeBytes = 2048
    /// A bound on one carried header's JSON besides its name and value: braces, field names, flag, size.
    static let headerFieldBytes = 96
}

extension DeadLetter {
    /// The dead letter for a refused record, whatever the record holds (any bytes, any number or
    /// length of headers, any text in the reason): it always passes the contract and its encoding
    /// stays within ``DeadLetterLimits/encodedBytes``.
    ///
    /// Parts are fitted in order of use to an operator — the reason, the key, the value, then the
    /// headers — each cut to its own limit and to what is left of the budget, and every cut is
    /// stated: `key_truncated`/`key_size`, `value_truncated`/`value_size`, per header
    /// `value_truncated`/`value_size`, `headers_truncated`/`headers_count`. Header names get their
    /// control characters escaped and are cut with a note in the name; a name that is not valid
    /// UTF-8 also travels as its exact bytes (`name_base64`). The reason's path and
    /// message are fitted to their fields (``ContractText``).
    ///
    /// `source` must name a real Kafka position (legal topic name, partition and offset not
    /// negative), as every consumed record does.
    public static func fitting(
        id: UUID, createdAt: Timestamp, source: Source, key: [UInt8]?, value: [UInt8]?, headers: [Header],
        reason: Reason, deadLetteredAt: Timestamp
    ) -> DeadLetter {
        let reason = Reason(
            code: reason.code, path: reason.path.map { ContractText.fittedLabel($0, limit: 512) },
            message: ContractText.fitted(reason.message))
        var letter = DeadLetter(
            id: id, createdAt: createdAt, source: source, key: nil, value: nil, reason: reason,
            deadLetteredAt: deadLetteredAt)
        var budget = EncodedBudget(bytes: DeadLetterLimits.encodedBytes - DeadLetterLimits.envelopeBytes)
        budget.spend(EncodedBudget.size(ofText: reason.message) + (reason.path.map(EncodedBudget.size(ofText:)) ?? 0))

        if let key {
            letter.key = budget.take(key, upTo: DeadLetterLimits.key)
            if letter.key?.count != key.count { (letter.keyTruncated, letter.keySize) = (true, key.count) }
        }
        if let value {
            letter.value = budget.take(value, upTo: DeadLetterLimits.value)
            if letter.value?.count != value.count { (letter.valueTruncated, letter.valueSize) = (true, value.count) }
        }
        letter.headers = fittingHeaders(headers, budget: &budget)
        if letter.headers.count < headers.count {
            (letter.headersTruncated, letter.headersCount) = (true, headers.count)
        }
        return letter
    }

    /// The dead letter written when the relay failed on a record (a bug): nothing of the record's
    /// content, only where it is and what went wrong, so that writing it cannot fail as well.
    public static func minimal(
        id: UUID, createdAt: Timestamp, source: Source, failure: String, deadLetteredAt: Timestamp
    ) -> DeadLetter {
        var letter = DeadLetter(
            id: id, createdAt: createdAt, source: source, key: nil, value: nil,
            reason: Reason(code: .internalError, path: nil, message: ContractText.fitted(failure)),
            deadLetteredAt: deadLetteredAt)
        letter.contentOmitted = true
        return letter
    }

    /// The first headers, in order, that fit: each value cut to ``DeadLetterLimits/headerValue``;
    /// the list stops at ``DeadLetterLimits/headers`` or when the next header would overrun
    /// ``DeadLetterLimits/headerBytes`` or the budget.
    private static func fittingHeaders(_ headers: [Header], budget: inout EncodedBudget) -> [Header] {
        var room = EncodedBudget(bytes: min(DeadLetterLimits.headerBytes, budget.remaining))
        var fitted: [Header] = []
        for header in headers.prefix(DeadLetterLimits.headers) {
            let name = ContractText.fittedName(header.name, limit: DeadLetterLimits.headerNameCharacters)
            let kept = header.value.map { Array($0.prefix(DeadLetterLimits.headerValue)) }
            // A name longer than this many bytes has more than 256 characters, so `name` states the cut.
            let rawName = header.nameBytes.map { Array($0.prefix(DeadLetterLimits.headerNameBytes)) }
            let cost =
                EncodedBudget.size(ofText: name) + DeadLetterLimits.headerFieldBytes
                + (kept.map { EncodedBudget.size(ofBase64: $0.count) } ?? 0)
                + (rawName.map { EncodedBudget.size(ofBase64: $0.count) + 16 } ?? 0)
            guard cost <= room.remaining else { break }
            room.spend(cost)
            let truncated = kept?.count != header.value?.count
            fitted.append(
                Header(
                    name: name, value: kept, valueTruncated: truncated,
                    valueSize: truncated ? header.value?.count : nil, nameBytes: rawName))
        }
        budget.spend(room.spent)
        return fitted
    }
}

/// Encoded bytes left for a dead letter's parts.
struct EncodedBudget {
    private(set) var remaining: Int
    private(set) var spent = 0

    init(bytes: Int) { remaining = bytes }

    mutating func spend(_ bytes: Int) {
        remaining -= bytes
        spent += bytes
    }

    /// The first bytes of `bytes`, at most `limit`, whose base64 fits what is left; spends it.
    mutating func take(_ bytes: [UInt8], upTo limit: Int) -> [UInt8] {
        let fitting = max(0, (remaining - 2) / 4 * 3)
        let kept = Array(bytes.prefix(min(limit, fitting)))
        spend(Self.size(ofBase64: kept.count))
        return kept
    }

    /// A JSON string holding the base64 of `count` bytes, quotes included.
    static func size(ofBase64 count: Int) -> Int { (count + 2) / 3 * 4 + 2 }

    /// `text` as a JSON string, quotes and escapes included.
    static func size(ofText text: String) -> Int { JSONValue.string(text).canonicalBytes.count }
}
