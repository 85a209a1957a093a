import Contracts
import Foundation
import Relay

/// An encoded event waiting in the outbox: written in the same transaction as the state change
/// that produced it, published afterwards, and marked sent on the broker's acknowledgement.
public struct OutboxMessage: Sendable, Hashable {
    /// Stable id of the event; the outbox keeps one row per id, so the same event is never
    /// queued twice, and re-sends after a crash carry the same id.
    public var eventID: UUID
    public var eventType: String
    public var topic: String
    public var key: [UInt8]?
    public var payload: [UInt8]
    public var headers: [(name: String, value: [UInt8])]

    public init(
        eventID: UUID, eventType: String, topic: String, key: [UInt8]?, payload: [UInt8],
        headers: [(name: String, value: [UInt8])]
    ) {
        self.eventID = eventID
        self.eventType = eventType
        self.topic = topic
        self.key = key
        self.payload = payload
        self.headers = headers
    }

    /// The row for a decided event whose JSON is `payload`: its id, type, topic and key, and the
    /// relay's standard headers. The caller encodes, choosing how strictly.
    public init(_ outgoing: OutgoingEvent, payload: [UInt8]) {
        self.init(
            eventID: outgoing.event.id, eventType: outgoing.event.type.rawValue, topic: outgoing.topic,
            key: Array(outgoing.key.utf8), payload: payload,
            headers: MessageHeaders.headers(for: outgoing.event, causationID: outgoing.causationID).map {
                (name: $0.name, value: $0.value)
            })
    }

    public static func == (lhs: OutboxMessage, rhs: OutboxMessage) -> Bool {
        lhs.eventID == rhs.eventID && lhs.eventType == rhs.eventType && lhs.topic == rhs.topic && lhs.key == rhs.key
            && lhs.payload == rhs.payload && lhs.headers.map(\.name) == rhs.headers.map(\.name)
            && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(eventID) }
}

/// An outbox row read back for publishing.
public struct PendingMessage: Sendable, Hashable {
    /// Position in the outbox; messages are published in this order.
    public var sequence: Int64
    public var message: OutboxMessage
    public var createdAt: Date
    public var attempts: Int
}

/// Header lists are stored as one blob: for each header, a 4-byte big-endian name length, the
/// UTF-8 name, a 4-byte value length, the value. Simple, binary-safe and versionless.
enum HeaderBlob {
    static func encode(_ headers: [(name: String, value: [UInt8])]) -> Data {
        // Built as an array, then copied once: appending to `Data` piecewise is slow on Linux.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headers.reduce(0) { $0 + 8 + $1.name.utf8.count + $1.value.count })
        func append<Bytes: Collection<UInt8>>(_ part: Bytes) {
            let length = UInt32(part.count)
            for shift in stride(from: 24, through: 0, by: -8) {
                bytes.append(UInt8(truncatingIfNeeded: length >> UInt32(shift)))
            }
            bytes.append(contentsOf: part)
        }
        for header in headers {
            append(header.name.utf8)
            append(header.value)
        }
        return Data(bytes)
    }

    static func decode(_ data: Data) throws(LedgerError) -> [(name: String, value: [UInt8])] {
        let bytes = [UInt8](data)
        var index = 0
        var headers: [(name: String, value: [UInt8])] = []
        func take() throws(LedgerError) -> [UInt8] {
            guard index + 4 <= bytes.count else {
                throw LedgerError.corruptValue(column: "outbox.headers", value: "truncated")
            }
            let length =
                Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8
                | Int(bytes[index + 3])
            index += 4
            guard index + length <= bytes.count else {
                throw LedgerError.corruptValue(column: "outbox.headers", value: "truncated")
            }
            defer { index += length }
            return Array(bytes[index..<index + length])
        }
        while index < bytes.count {
            let name = String(decoding: try take(), as: UTF8.self)
            headers.append((name, try take()))
        }
        return headers
    }
}
