extension RelayConfiguration {
    /// Checks what `run` needs beyond a valid file: bootstrap servers, at least one
    /// enabled bank, and registered issuers unless signatures are off. (`check-config` and the broker-less commands don't need them, which
    /// is why loading alone does not insist.)
    public func validateForRun() throws(ConfigurationErrors) {
        var errors: [ConfigurationProblem] = []
        if kafka.bootstrapServers == nil {
            errors.append(ConfigurationProblem(path: "kafka.bootstrap_servers", source: nil,
                message: "required to run: set it in the file, with "
                    + "\(EnvironmentOverrides.variableName(for: "kafka.bootstrap_servers")) or with --bootstrap-servers"))
        }
        if banks.isEmpty {
            errors.append(ConfigurationProblem(path: "banks", source: nil,
                message: "no banks configured: run needs at least one enabled bank to route requests to"))
        } else if enabledBanks.isEmpty {
            errors.append(ConfigurationProblem(path: "banks", source: nil,
                message: "all \(banks.count) banks are disabled: run needs at least one enabled bank to route requests to"))
        }
        if authenticity.policy != .off, authenticity.issuers.isEmpty {
            errors.append(ConfigurationProblem(path: "authenticity", source: nil,
                message: "no issuers registered, so every order would be refused (policy \(authenticity.policy.rawValue)): "
                    + "register the issuers whose orders the relay accepts under authenticity.issuers, "
                    + "or set authenticity.policy: off to accept unsigned orders from anyone who can write to the requests topic"))
        }
        if !errors.isEmpty { throw ConfigurationErrors(errors: errors) }
    }
}
