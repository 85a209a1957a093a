import ArgumentParser
import Foundation

@main
struct FreezeRelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freeze-relay",
        abstract: "Moves account-freeze requests from police to banks over Kafka and holds banks to their deadlines.",
        discussion:
            "Exit status: 0 ok, 1 runtime failure, 2 invalid configuration or command line, 3 not found, 4 ledger in use.",
        subcommands: [
            RunCommand.self, DemoCommand.self, CheckConfigCommand.self, BrokerCommand.self,
            CasesCommand.self, CaseCommand.self, AccountsCommand.self, BanksCommand.self, WatchCommand.self,
            BackupCommand.self, PurgeCommand.self, RetryUnroutableCommand.self, HeldCommand.self, ReleaseCommand.self,
            RefuseCommand.self, CloseEscalationCommand.self, PartitionsCommand.self, RebaseCommand.self,
            KeysCommand.self, SignCommand.self, VerifyCommand.self,
        ]
    )

    /// Like ArgumentParser's own entry point, except that command-line mistakes exit with 2 (the
    /// status scripts get for every invalid input), not ArgumentParser's 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                printError(fullMessage(for: error))
                Foundation.exit(ExitCodes.configuration)
            }
            exit(withError: error)
        }
    }
}
