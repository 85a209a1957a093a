/// The `banks` routing table, one bank at a time; checks across banks live in `BankChecks`.
enum BankKeys {
    static let all = [
        "id", "name", "iban_bank_codes", "bics", "enabled", "escalation_contact", "topics", "sla", "answer_signing",
    ]
    static let contact = ["name", "email", "phone"]
    static let topics = ["requests", "responses"]
}

/// A bank as decoded, with where it is, so cross-bank checks can name places.
struct DecodedBank {
    var settings: BankSettings
    var path: ConfigPath
    /// How the bank is named in messages: its id, or its path when the id is missing.
    var label: String
}

extension ConfigurationDecoder {
    func decodeBanks(_ top: Section, sla: SLASettings) -> [BankSettings] {
        guard let tree = top.value("banks") else { return [] }
        let decoded =
            Read.list(tree, at: top.path.key("banks"), log: log) { item, path in
                decodeBank(item, at: path)
            } ?? []
        BankChecks(log: log).check(decoded, globalSLA: sla)
        return decoded.map(\.settings)
    }

    /// Decodes one bank; returns it even when some keys are wrong (so that the checks across
    /// banks still see its codes), and `nil` only when the entry is not a mapping at all.
    private func decodeBank(_ tree: ConfigTree, at path: ConfigPath) -> DecodedBank? {
        let section = Section(tree, at: path, known: BankKeys.all, log: log)
        guard section.isWellFormed else { return nil }
        guard section.isPresent else {
            log.error(path, tree.source, "empty bank entry")
            return nil
        }
        let id = section.string("id", check: Formats.bankID)
        if section.value("id") == nil {
            log.error(path.key("id"), section.source, "required: every bank needs an id (used in its topic names)")
        }
        let name = section.nonEmptyString("name")
        if section.value("name") == nil {
            log.error(path.key("name"), section.source, "required: every bank needs a name")
        }
        let label = id.map(Quote.text) ?? path.description
        var bank = BankSettings(id: id ?? "", name: name ?? "")
        let codes = section.stringList("iban_bank_codes", check: Formats.ibanBankCode)
        let bics = section.stringList("bics", check: Formats.bic)
        bank.ibanBankCodes = codes ?? []
        bank.bics = bics ?? []
        // Only when both lists are absent or empty; a list with a bad entry is reported as such.
        let codesAbsentOrEmpty = section.value("iban_bank_codes") == nil || codes?.isEmpty == true
        let bicsAbsentOrEmpty = section.value("bics") == nil || bics?.isEmpty == true
        if codesAbsentOrEmpty, bicsAbsentOrEmpty {
            log.error(
                path, section.source,
                "bank \(label) has neither iban_bank_codes nor bics, "
                    + "so no request could ever be routed to it")
        }
        bank.enabled = section.bool("enabled") ?? true
        bank.escalationContact = decodeContact(section.section("escalation_contact", known: BankKeys.contact))
        if bank.enabled, section.value("escalation_contact") == nil {
            log.error(
                path.key("escalation_contact"), section.source,
                "required for enabled bank \(label): whom to escalate to when the bank misses a deadline "
                    + "(set enabled: false to keep a bank without one)")
        }
        let topics = section.section("topics", known: BankKeys.topics)
        bank.topics.requests = topics.string("requests", check: { Formats.topicName($0) })
        bank.topics.responses = topics.string("responses", check: { Formats.topicName($0) })
        let sla = section.section("sla", known: ["urgent", "normal"])
        bank.sla.urgent = decodeWindowOverrides(sla.section("urgent", known: SLAKeys.windowKeys))
        bank.sla.normal = decodeWindowOverrides(sla.section("normal", known: SLAKeys.windowKeys))
        bank.answerSigning = decodeAnswerSigning(
            section.section("answer_signing", known: ["policy", "keys"]), bankID: id ?? "")
        return DecodedBank(settings: bank, path: path, label: label)
    }

    private func decodeContact(_ section: Section) -> EscalationContact? {
        guard section.isPresent else { return nil }
        let contact = EscalationContact(
            name: section.nonEmptyString("name"),
            email: section.string("email", check: Formats.email),
            phone: section.string("phone", check: Formats.phone))
        if section.value("email") == nil, section.value("phone") == nil {
            log.error(section.path, section.source, "needs an email or a phone (or both)")
        }
        return contact
    }
}
