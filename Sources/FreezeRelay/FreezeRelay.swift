import ArgumentParser

@main
struct FreezeRelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freeze-relay",
        abstract: "Moves account-freeze requests from police to banks over Kafka and holds banks to their deadlines.",
        subcommands: [
            RunCommand.self, DemoCommand.self, CheckConfigCommand.self, BrokerCommand.self,
            CasesCommand.self, CaseCommand.self, BanksCommand.self, WatchCommand.self,
            BackupCommand.self, PurgeCommand.self, RetryUnroutableCommand.self,
        ]
    )
}
