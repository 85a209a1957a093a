/// Which bank serves an account: IBAN → bank code → bank id, with the BIC as an alternative key.
///
/// Built from ``Entry`` values (later loaded from the relay's YAML configuration). An IBAN bank code
/// is written as country code plus the registry's bank identifier, e.g. `KZ125` for
/// `KZ86125KZT5004100100`. BICs may be 8 or 11 characters: an 11-character BIC is looked up exactly
/// first, then by its 8-character prefix, so one 8-character entry covers all of a bank's branches,
/// while an 11-character entry can send one branch elsewhere. `XXX` (the primary office) is treated as
/// the 8-character form.
public struct RoutingDirectory: Sendable, Hashable {
    /// One bank's routing identity.
    public struct Entry: Sendable, Hashable {
        /// The bank.
        public var bankID: BankID
        /// Country code + bank identifier, e.g. `["KZ125"]`.
        public var ibanBankCodes: [String]
        /// BICs, 8 or 11 characters.
        public var bics: [String]

        /// Creates an entry.
        public init(bankID: BankID, ibanBankCodes: [String], bics: [String] = []) {
            self.bankID = bankID
            self.ibanBankCodes = ibanBankCodes
            self.bics = bics
        }
    }

    private var byBankCode: [String: BankID] = [:]
    private var byBIC: [String: BankID] = [:]
    /// The entries the directory was built from, in the given order.
    public let entries: [Entry]

    /// Builds the directory; refuses malformed codes and any code claimed by two banks.
    public init(entries: [Entry]) throws(RoutingDirectoryError) {
        self.entries = entries
        var seenBanks: Set<BankID> = []
        for entry in entries {
            guard seenBanks.insert(entry.bankID).inserted else { throw .duplicateBank(entry.bankID) }
            for code in entry.ibanBankCodes {
                if let problem = RoutingDirectory.bankCodeProblem(code) {
                    throw .invalidIBANBankCode(code, bank: entry.bankID, reason: problem)
                }
                if let owner = byBankCode[code], owner != entry.bankID {
                    throw .duplicateIBANBankCode(code, first: owner, second: entry.bankID)
                }
                byBankCode[code] = entry.bankID
            }
            for text in entry.bics {
                guard let bic = try? BIC(text) else { throw .invalidBIC(text, bank: entry.bankID) }
                let key = RoutingDirectory.bicKey(bic)
                if let owner = byBIC[key], owner != entry.bankID {
                    throw .duplicateBIC(key, first: owner, second: entry.bankID)
                }
                byBIC[key] = entry.bankID
            }
        }
    }

    /// The bank serving an IBAN, or `nil` when its bank code is not configured
    /// (or the country's registry entry has no bank identifier).
    public func bankID(for iban: IBAN) -> BankID? {
        iban.routingCode.flatMap { byBankCode[$0] }
    }

    /// The bank for a BIC: exact 11-character match first, then the 8-character prefix.
    public func bankID(for bic: BIC) -> BankID? {
        if let exact = byBIC[RoutingDirectory.bicKey(bic)] { return exact }
        return byBIC[bic.primaryOffice]
    }

    /// The bank for an onward transfer to an account: by IBAN first, then by BIC when given.
    public func bankID(for destination: IBANDestination) -> BankID? {
        if let bank = bankID(for: destination.iban) { return bank }
        return destination.bic.flatMap { bankID(for: $0) }
    }

    /// The IBAN bank codes configured for a bank.
    public func ibanBankCodes(of bank: BankID) -> [String] {
        byBankCode.filter { $0.value == bank }.map(\.key).sorted()
    }

    private static func bicKey(_ bic: BIC) -> String {
        bic.branch == "XXX" ? bic.primaryOffice : bic.code
    }

    /// Checks `KZ125`-style codes against the registry: known country, bank identifier of the right
    /// length and kind. The one rule for IBAN bank codes: the configuration's validation uses it too.
    public static func bankCodeProblem(_ code: String) -> String? {
        let bytes = Array(code.utf8)
        guard bytes.count > 2 else { return "must be a country code followed by the bank identifier, e.g. KZ125" }
        let countryCode = String(decoding: bytes[0..<2], as: UTF8.self)
        guard let country = IBANCountry.named(countryCode) else {
            return "country \(countryCode) is not in the IBAN registry"
        }
        guard let range = country.bankIdentifier else {
            return "the registry defines no bank identifier for \(countryCode)"
        }
        let identifier = bytes[2...]
        guard identifier.count == range.count else {
            return "a \(countryCode) bank identifier has \(range.count) characters, got \(identifier.count)"
        }
        // Check each character against the BBAN segment it falls in.
        for (offset, byte) in identifier.enumerated()
        where !IBANCountry.character(byte, fits: country.bbanKinds[range.lowerBound + offset]) {
            return "does not fit the \(countryCode) account structure \(country.bbanFormat)"
        }
        return nil
    }
}

/// Why a routing directory could not be built.
public enum RoutingDirectoryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Two entries for the same bank.
    case duplicateBank(BankID)
    /// An IBAN bank code claimed by two banks.
    case duplicateIBANBankCode(String, first: BankID, second: BankID)
    /// A BIC claimed by two banks.
    case duplicateBIC(String, first: BankID, second: BankID)
    /// A malformed IBAN bank code.
    case invalidIBANBankCode(String, bank: BankID, reason: String)
    /// A malformed BIC.
    case invalidBIC(String, bank: BankID)

    /// Plain-words reason, naming the banks involved.
    public var description: String {
        switch self {
        case .duplicateBank(let bank):
            return "bank \(bank) is listed twice"
        case .duplicateIBANBankCode(let code, let first, let second):
            return "IBAN bank code \(code) is claimed by both \(first) and \(second)"
        case .duplicateBIC(let bic, let first, let second):
            return "BIC \(bic) is claimed by both \(first) and \(second)"
        case .invalidIBANBankCode(let code, let bank, let reason):
            return "bank \(bank): IBAN bank code \(code): \(reason)"
        case .invalidBIC(let bic, let bank):
            return "bank \(bank): \(bic) \(BICError.invalid.description)"
        }
    }
}
