import Foundation

/// Where money went after it reached the frozen account: one entry of a bank's `onward_transfers`.
public struct OnwardTransfer: Sendable, Hashable, Codable, CanonicalObject {
    /// Where it went.
    public var destination: TransferDestination
    /// How much (greater than zero).
    public var amount: Money
    /// When it left.
    public var occurredAt: Timestamp
    /// The bank's transaction reference (1–128 characters); with the parent request id it names the child request.
    public var reference: String

    /// Creates an onward transfer.
    public init(destination: TransferDestination, amount: Money, occurredAt: Timestamp, reference: String) {
        self.destination = destination
        self.amount = amount
        self.occurredAt = occurredAt
        self.reference = reference
    }

    static func read(_ value: JSONValue, _ path: FieldPath) throws -> OnwardTransfer {
        let fields = try ObjectReader(value, at: path)
        return OnwardTransfer(
            destination: try fields.required("destination", TransferDestination.read),
            amount: try fields.required("amount", Read.positiveMoney),
            occurredAt: try fields.required("occurred_at", Read.timestamp),
            reference: try fields.required("reference", Read.label(maxLength: ContractLimits.reference)))
    }

    func write(into writer: inout ObjectWriter) {
        writer.object("destination", destination)
        writer.object("amount", amount)
        writer.timestamp("occurred_at", occurredAt)
        writer.string("reference", reference)
    }

    /// Decodes with the contract rules.
    public init(from decoder: any Decoder) throws { self = try ModelCoding.decode(from: decoder, Self.read) }
    /// Encodes the contract form.
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}

/// The destination of an onward transfer, tagged on the wire by `kind`.
public enum TransferDestination: Sendable, Hashable, Codable, CanonicalObject {
    /// `kind: "iban"` — another bank account; the relay may follow it with a chain request.
    case iban(IBANDestination)
    /// `kind: "crypto_wallet"` — money left the banking network.
    case cryptoWallet(CryptoWalletDestination)
    /// `kind: "cash_withdrawal"` — money left as cash.
    case cashWithdrawal(CashWithdrawalDestination)
    /// `kind: "card"` — paid out to a card.
    case card(CardDestination)

    /// The wire tag.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Another bank account.
        case iban
        /// A crypto wallet.
        case cryptoWallet = "crypto_wallet"
        /// A cash withdrawal.
        case cashWithdrawal = "cash_withdrawal"
        /// A card.
        case card
    }

    /// The wire tag of this destination.
    public var kind: Kind {
        switch self {
        case .iban: return .iban
        case .cryptoWallet: return .cryptoWallet
        case .cashWithdrawal: return .cashWithdrawal
        case .card: return .card
        }
    }

    static func read(_ value: JSONValue, _ path: FieldPath) throws -> TransferDestination {
        let fields = try ObjectReader(value, at: path)
        switch try fields.required("kind", Read.enumeration(Kind.self)) {
        case .iban:
            return .iban(
                IBANDestination(
                    iban: try fields.required("iban", Read.iban),
                    bic: try fields.optional("bic", Read.bic),
                    bankName: try fields.optional("bank_name", Read.label(maxLength: 200)),
                    holderName: try fields.optional("holder_name", Read.label(maxLength: ContractLimits.holderName))))
        case .cryptoWallet:
            return .cryptoWallet(
                CryptoWalletDestination(
                    network: try fields.required("network", Read.label(maxLength: 64)),
                    address: try fields.required("address", Read.printableToken(maxLength: 256)),
                    exchange: try fields.optional("exchange", Read.label(maxLength: 128))))
        case .cashWithdrawal:
            return .cashWithdrawal(
                CashWithdrawalDestination(
                    location: try fields.optional("location", Read.label(maxLength: 256))))
        case .card:
            return .card(
                CardDestination(
                    maskedPAN: try fields.optional("masked_pan", CardDestination.readMaskedPAN),
                    network: try fields.optional("network", Read.label(maxLength: 32))))
        }
    }

    func write(into writer: inout ObjectWriter) {
        writer.string("kind", kind.rawValue)
        switch self {
        case .iban(let account):
            writer.string("iban", account.iban.electronicFormat)
            writer.string("bic", account.bic?.code)
            writer.string("bank_name", account.bankName)
            writer.string("holder_name", account.holderName)
        case .cryptoWallet(let wallet):
            writer.string("network", wallet.network)
            writer.string("address", wallet.address)
            writer.string("exchange", wallet.exchange)
        case .cashWithdrawal(let cash):
            writer.string("location", cash.location)
        case .card(let card):
            writer.string("masked_pan", card.maskedPAN)
            writer.string("network", card.network)
        }
    }

    /// Decodes with the contract rules.
    public init(from decoder: any Decoder) throws { self = try ModelCoding.decode(from: decoder, Self.read) }
    /// Encodes the contract form.
    public func encode(to encoder: any Encoder) throws { try ModelCoding.encode(json, to: encoder) }
}

/// A transfer to another bank account.
public struct IBANDestination: Sendable, Hashable {
    /// The receiving account.
    public var iban: IBAN
    /// The receiving bank's BIC, when the sending bank knows it (routing falls back to it).
    public var bic: BIC?
    /// The receiving bank's name, for humans.
    public var bankName: String?
    /// The receiving account holder's name, as the sending bank has it.
    public var holderName: String?

    /// Creates an IBAN destination.
    public init(iban: IBAN, bic: BIC? = nil, bankName: String? = nil, holderName: String? = nil) {
        self.iban = iban
        self.bic = bic
        self.bankName = bankName
        self.holderName = holderName
    }
}

/// A transfer to a crypto wallet.
public struct CryptoWalletDestination: Sendable, Hashable {
    /// The chain or network, e.g. `TRON`, `Ethereum`, `Bitcoin`.
    public var network: String
    /// The wallet address (printable ASCII, no spaces).
    public var address: String
    /// The exchange operating the wallet, if known.
    public var exchange: String?

    /// Creates a crypto wallet destination.
    public init(network: String, address: String, exchange: String? = nil) {
        self.network = network
        self.address = address
        self.exchange = exchange
    }
}

/// Money withdrawn as cash.
public struct CashWithdrawalDestination: Sendable, Hashable {
    /// ATM id or branch address, if known.
    public var location: String?

    /// Creates a cash withdrawal destination.
    public init(location: String? = nil) {
        self.location = location
    }
}

/// Money paid out to a card.
public struct CardDestination: Sendable, Hashable {
    /// Masked card number: up to 8 leading digits, 4–15 `*`, the last 4 digits; 12–19 characters
    /// (`440043******1234`, or `************1234` when only the last four are known). Never a full PAN.
    public var maskedPAN: String?
    /// Card scheme, e.g. `visa`, `mastercard`.
    public var network: String?

    /// Creates a card destination.
    public init(maskedPAN: String? = nil, network: String? = nil) {
        self.maskedPAN = maskedPAN
        self.network = network
    }

    static func readMaskedPAN(_ value: JSONValue, _ path: FieldPath) throws -> String {
        let text = try Read.string(value, path)
        guard isMaskedPAN(text) else {
            throw ContractError.violation(
                path,
                "must be a masked card number: up to 8 digits, 4 to 15 '*', then the last 4 digits (12 to 19 characters)"
            )
        }
        return text
    }

    /// `^[0-9]{0,8}[*]{4,15}[0-9]{4}$`, 12–19 characters.
    static func isMaskedPAN(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (12...19).contains(bytes.count) else { return false }
        let isDigit = { (byte: UInt8) in byte >= 48 && byte <= 57 }
        var index = 0
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        let leading = index
        while index < bytes.count, bytes[index] == UInt8(ascii: "*") { index += 1 }
        let stars = index - leading
        let trailing = bytes.count - index
        return leading <= 8 && (4...15).contains(stars) && trailing == 4 && bytes[index...].allSatisfy(isDigit)
    }
}
