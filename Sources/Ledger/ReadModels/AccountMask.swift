import Contracts

/// How account numbers appear on operators' and investigators' screens (the CLI's reports and
/// the web console): `****` and the last four characters, enough to tell accounts of a case
/// apart without showing personal data. Names are never shown at all.
public enum AccountMask {
    /// `****4321` for `KZ69998P000987654321`.
    public static func text(_ iban: IBAN) -> String {
        "****" + String(iban.electronicFormat.suffix(4))
    }
}

extension AccountMask {
    /// Where a transfer went, as screens show it: a bank account masked, a crypto wallet in full
    /// (it is where investigators and exchanges pick the trail up), cash and card as reported.
    public static func destination(_ destination: TransferDestination) -> String {
        switch destination {
        case .iban(let account): "account \(text(account.iban))" + (account.bankName.map { " at \($0)" } ?? "")
        case .cryptoWallet(let wallet):
            "crypto wallet \(wallet.address) on \(wallet.network)" + (wallet.exchange.map { " (exchange \($0))" } ?? "")
        case .cashWithdrawal(let cash): "cash withdrawal" + (cash.location.map { " at \($0)" } ?? "")
        case .card(let card): "card" + (card.maskedPAN.map { " \($0)" } ?? "")
        }
    }
}
