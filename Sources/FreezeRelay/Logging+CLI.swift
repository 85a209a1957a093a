import ConfigurationFile
import Logging
import RelayRuntime

/// Installs the structured log handler for the whole process.
func bootstrapLogging(_ settings: LoggingSettings) {
    let level = Logger.Level(rawValue: settings.level.rawValue) ?? .info
    let format: StructuredLogHandler.Format = settings.format.rawValue == "json" ? .json : .logfmt
    LoggingSystem.bootstrap { label in StructuredLogHandler(label: label, format: format, level: level) }
}
