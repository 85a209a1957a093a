extension RelayConfiguration {
    /// Checks what `run` needs beyond a valid file: bootstrap servers, at least one
    /// enabled bank, and registered issuers unless signatures are off. (`check-config` and the broker-less commands don't need them, which
    /// is why loading alone does not insist.)
    public func validateForRun() throws(ConfigurationErrors) {
        var errors: [ConfigurationProblem] = []
        if kafka.bootstrapServers == nil {
            errors.append(
                ConfigurationProblem(
                    path: "kafka.bootstrap_servers", source: nil,
                    message: "required to run: set it in the file, with "
                        + "\(EnvironmentOverrides.variableName(for: "kafka.bootstrap_servers")) or with --bootstrap-servers"
                ))
        }
        if banks.isEmpty {
            errors.append(
                ConfigurationProblem(
                    path: "banks", source: nil,
                    message: "no banks configured: run needs at least one enabled bank to route requests to"))
        } else if enabledBanks.isEmpty {
            errors.append(
                ConfigurationProblem(
                    path: "banks", source: nil,
                    message:
                        "all \(banks.count) banks are disabled: run needs at least one enabled bank to route requests to"
                ))
        }
        if authenticity.policy != .off, authenticity.issuers.isEmpty {
            errors.append(
                ConfigurationProblem(
                    path: "authenticity", source: nil,
                    message:
                        "no issuers registered, so every order would be refused (policy \(authenticity.policy.rawValue)): "
                        + "register the issuers whose orders the relay accepts under authenticity.issuers, "
                        + "or set authenticity.policy: off to accept unsigned orders from anyone who can write to the requests topic"
                ))
        }
        if !errors.isEmpty { throw ConfigurationErrors(errors: errors) }
    }

    /// What `run` needs to sign what it routes: while any issuer's orders must be signed (its
    /// effective policy is `require`), the relay's own key, so that banks can tell orders that
    /// came through the relay from orders someone else wrote to their topics. Under `warn` and
    /// `off` `run` starts without it and warns.
    ///
    /// Kept apart from `validateForRun()`, which `check-config --for-run` also applies to files
    /// whose relay key does not exist yet: the key is made on the relay host, and a key file that
    /// is not there fails the file's loading.
    public func validateRelaySigning() throws(ConfigurationErrors) {
        guard authenticity.relayKey == nil else { return }
        let requiring = authenticity.issuers.filter { ($0.policy ?? authenticity.policy) == .require }.map(\.id)
        guard !requiring.isEmpty else { return }
        let named =
            requiring.prefix(5).map { "\"\($0)\"" }.joined(separator: ", ")
            + (requiring.count > 5 ? " and \(requiring.count - 5) more" : "")
        throw ConfigurationErrors(errors: [
            ConfigurationProblem(
                path: "authenticity.relay_key", source: nil,
                message:
                    "required to run while orders must be signed (policy require for issuer \(named)): without it routed requests and cancels "
                    + "go out unsigned, and banks cannot tell them from forged ones. Make the key on the relay host with "
                    + "`freeze-relay keys generate --kid relay-YYYY --private-key /etc/freeze-relay/relay-key.pem` (the file is a secret, mode 0600), "
                    + "then set authenticity.relay_key: { kid: relay-YYYY, private_key_file: /etc/freeze-relay/relay-key.pem }"
            )
        ])
    }
}
