import Contracts
import Yams

extension RelayConfiguration {
    /// The effective configuration as YAML, in the file's layout, with every secret value
    /// replaced by `[redacted]` (what `check-config --print` shows).
    ///
    /// `secret_files` and `secret_env` show where secrets come from (paths and variable
    /// names), never the values. Without secrets, the dump loads back to an equal
    /// configuration.
    public func redactedDump() -> String {
        let document = DumpNode.map([
            ("kafka", kafkaNode()),
            (
                "topics",
                .map([
                    ("prefix", .text(topics.prefix)), ("requests", .optional(topics.requests)),
                    ("status", .optional(topics.status)), ("escalations", .optional(topics.escalations)),
                    ("deadletter", .optional(topics.deadletter)),
                ])
            ),
            (
                "ledger",
                .map([
                    ("path", .text(ledger.path)), ("durability", .text(ledger.durability.rawValue)),
                    ("dead_letter_retention", .text(DurationText.format(ledger.deadLetterRetention))),
                    ("max_dead_letter_bytes", .text(ByteSizeText.format(ledger.maxDeadLetterBytes))),
                ])
            ),
            (
                "sla",
                .map([
                    ("urgent", windowsNode(sla.urgent)), ("normal", windowsNode(sla.normal)),
                    ("escalation_steps", .flowList(sla.escalationSteps.map(DurationText.format))),
                    ("hold_warning", .text(DurationText.format(sla.holdWarning))),
                ])
            ),
            (
                "chain",
                .map([
                    ("max_hops", .integer(chain.maxHops)),
                    ("max_children_per_answer", .integer(chain.maxChildrenPerAnswer)),
                    ("min_amount", .text(chain.minAmount)),
                ])
            ),
            (
                "outbox",
                .map([("max_backlog", .integer(outbox.maxBacklog)), ("publish_batch", .integer(outbox.publishBatch))])
            ),
            (
                "intake",
                .map([
                    ("batch_size", .integer(intake.batchSize)),
                    ("stall_timeout", .text(DurationText.format(intake.stallTimeout))),
                ])
            ),
            ("http", .map([("listen", .text(http.listen.description))])),
            ("logging", .map([("level", .text(logging.level.rawValue)), ("format", .text(logging.format.rawValue))])),
            ("authenticity", authenticityNode()),
            ("quotas", quotasNode()),
            ("account_links", .map([("window", .text(accountLinks.window.map(DurationText.format) ?? "off"))])),
            ("banks", .list(banks.map(bankNode))),
            ("console", consoleNode()),
        ])
        // Serialising plain strings, numbers and lists cannot fail; the fallback is never shown.
        return (try? Yams.serialize(node: document.yamlNode, width: -1)) ?? "# the configuration could not be printed\n"
    }

    /// The token file's path, never the token.
    private func consoleNode() -> DumpNode {
        .map(
            [
                ("listen", .text(console.listen.description)), ("max_connections", .integer(console.maxConnections)),
                ("share_http_listener", .boolean(console.shareHTTPListener)),
            ]
                + (console.tokenFile.map { [("token_file", DumpNode.text($0))] } ?? []))
    }

    private func quotasNode() -> DumpNode {
        func count(_ limit: Int?) -> DumpNode { limit.map { DumpNode.integer($0) } ?? .text("off") }
        func limits(_ limits: QuotaSettings.IssuerLimits) -> [(String, DumpNode)] {
            [("per_minute", count(limits.perMinute)), ("per_day", count(limits.perDay))]
        }
        return .map([
            ("issuer", .map(limits(quotas.issuer))),
            ("issuers", .list(quotas.issuers.map { .map([("id", .text($0.id))] + limits($0.limits)) })),
            (
                "account",
                .map([
                    ("open_requests", count(quotas.accountOpenRequests)), ("repeats", count(quotas.accountRepeats)),
                    ("repeat_window", .text(DurationText.format(quotas.accountRepeatWindow))),
                ])
            ),
        ])
    }

    /// Public keys are not secret: an inline key is shown as its JWK, a key file by its path.
    private func authenticityNode() -> DumpNode {
        .map([
            ("policy", .text(authenticity.policy.rawValue)),
            ("max_order_age", .text(DurationText.format(authenticity.maxOrderAge))),
            (
                "relay_key",
                authenticity.relayKey.map {
                    DumpNode.map([("kid", .text($0.keyID)), ("private_key_file", .text($0.file))])
                } ?? .absent
            ),
            ("relay_previous_keys", .list(authenticity.relayPreviousKeys.map(keyNode))),
            (
                "issuers",
                .list(
                    authenticity.issuers.map { issuer in
                        .map([
                            ("id", .text(issuer.id)), ("agencies", .flowList(issuer.agencies)),
                            ("policy", .optional(issuer.policy?.rawValue)),
                            ("keys", .list(issuer.keys.map(keyNode))),
                        ])
                    })
            ),
        ])
    }

    private func keyNode(_ key: IssuerKeySettings) -> DumpNode {
        .map([
            ("kid", .text(key.keyID)),
            key.file.map { ("public_key_file", DumpNode.text($0)) }
                ?? (
                    "public_key", .text(String(decoding: JSONValue.object(key.key.jwk()).canonicalBytes, as: UTF8.self))
                ),
            ("not_before", .optional(key.notBefore?.rfc3339)), ("not_after", .optional(key.notAfter?.rfc3339)),
        ])
    }

    private func kafkaNode() -> DumpNode {
        var properties = kafka.properties.mapValues { DumpNode.text($0) }
        // Secrets that came from neither secret_files nor secret_env were written as properties.
        for name in kafka.secrets.keys where kafka.secretFiles[name] == nil && kafka.secretEnvironment[name] == nil {
            properties[name] = .text(SecretValue.redactedText)
        }
        return .map([
            ("bootstrap_servers", .optional(kafka.bootstrapServers)),
            ("group_id", .text(kafka.groupID)),
            ("client_id", .text(kafka.clientID)),
            ("properties", .sortedMap(properties)),
            ("secret_files", .sortedMap(kafka.secretFiles.mapValues { .text($0) })),
            ("secret_env", .sortedMap(kafka.secretEnvironment.mapValues { .text($0) })),
        ])
    }

    private func windowsNode(_ windows: ResponseTimes) -> DumpNode {
        .map([
            ("acknowledge", .text(DurationText.format(windows.acknowledge))),
            ("freeze", .text(DurationText.format(windows.freeze))),
        ])
    }

    private func overridesNode(_ overrides: ResponseTimeOverrides) -> DumpNode {
        .map([
            ("acknowledge", .optional(overrides.acknowledge.map(DurationText.format))),
            ("freeze", .optional(overrides.freeze.map(DurationText.format))),
        ])
    }

    private func bankNode(_ bank: BankSettings) -> DumpNode {
        let contact =
            bank.escalationContact.map { contact in
                DumpNode.map([
                    ("name", .optional(contact.name)), ("email", .optional(contact.email)),
                    ("phone", .optional(contact.phone)),
                ])
            } ?? .absent
        return .map([
            ("id", .text(bank.id)),
            ("name", .text(bank.name)),
            ("iban_bank_codes", .flowList(bank.ibanBankCodes)),
            ("bics", .flowList(bank.bics)),
            ("enabled", .boolean(bank.enabled)),
            ("escalation_contact", contact),
            (
                "topics",
                .map([("requests", .optional(bank.topics.requests)), ("responses", .optional(bank.topics.responses))])
            ),
            ("sla", .map([("urgent", overridesNode(bank.sla.urgent)), ("normal", overridesNode(bank.sla.normal))])),
            (
                "answer_signing",
                bank.answerSigning.map { signing in
                    DumpNode.map([
                        ("policy", .text(signing.policy.rawValue)), ("keys", .list(signing.keys.map(keyNode))),
                    ])
                } ?? .absent
            ),
        ])
    }
}

/// A small document model for the dump; absent values and empty mappings are left out.
private indirect enum DumpNode {
    case text(String)
    case integer(Int)
    case boolean(Bool)
    case flowList([String])
    case list([DumpNode])
    case map([(String, DumpNode)])
    case absent

    static func optional(_ value: String?) -> DumpNode { value.map(DumpNode.text) ?? .absent }

    static func sortedMap(_ entries: [String: DumpNode]) -> DumpNode {
        .map(entries.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    var isAbsent: Bool {
        switch self {
        case .absent: true
        case .map(let entries): entries.allSatisfy(\.1.isAbsent)
        default: false
        }
    }

    var yamlNode: Node {
        switch self {
        case .text(let text): Self.stringNode(text)
        case .integer(let value): Node(String(value), Tag(.int))
        case .boolean(let value): Node(value ? "true" : "false", Tag(.bool))
        case .flowList(let items): Node(items.map(Self.stringNode), Tag(.seq), .flow)
        case .list(let items): Node(items.map(\.yamlNode), Tag(.seq), .block)
        case .map(let entries):
            Node(entries.filter { !$0.1.isAbsent }.map { (Self.stringNode($0.0), $0.1.yamlNode) }, Tag(.map), .block)
        case .absent: Node("", Tag(.null))
        }
    }

    /// A string scalar, quoted when written plain it would read back as something else
    /// (`"0"`, `"off"`, `"2024-01-01"`).
    private static func stringNode(_ text: String) -> Node {
        let plainTag = Resolver.default.resolveTag(of: Node(text))
        return Node(text, Tag(.str), plainTag == .str ? .any : .doubleQuoted)
    }
}
