// swift-tools-version:6.1
import PackageDescription

// One target per concern. Dependencies point inwards: the CLI and the runtime know
// everything; the relay logic knows only the contracts; the Kafka layer and the SQLite
// plumbing know nothing about freeze requests. Test and demo machinery (the embedded broker,
// the simulated police and banks) lives in targets of its own that no production library
// depends on.
let package = Package(
    name: "freeze-relay",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "freeze-relay", targets: ["FreezeRelay"]),
        .executable(name: "freeze-relay-bench", targets: ["RelayBenchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Ed25519 and P-256 signatures of orders (Authenticity).
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // The daemon's loops as services in one group: graceful shutdown in order, Unix signals.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Only the benchmarks use it (latency percentiles).
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        // The read-only web console's HTTP server (RelayConsole).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // librdkafka's C API, including the mock cluster (rdkafka_mock.h).
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // The system libsqlite3 plus a few helpers for macros Swift cannot import.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // Rate limits for log lines that can repeat by the thousand, with summary counts. No freeze-relay knowledge.
        .target(
            name: "LogThrottle",
            dependencies: [.product(name: "Logging", package: "swift-log")]
        ),
        // A thin, safe Kafka layer: producer, consumer, admin bits. No freeze-relay knowledge.
        // (Not named `Kafka`: that is swift-kafka-client's module.)
        .target(
            name: "RelayKafka",
            dependencies: [
                "CRdKafka", "LogThrottle",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // librdkafka's mock cluster as a broker on loopback: for tests, the demo, `freeze-relay broker`
        // and the benchmarks; the daemon never links it.
        .target(
            name: "EmbeddedKafka",
            dependencies: ["CRdKafka", "RelayKafka", .product(name: "Logging", package: "swift-log")]
        ),
        // SQLite plumbing: connections, statements, migrations, the single writer with its lock
        // file, read-only reader pools, background checkpoints, backups. No freeze-relay knowledge.
        .target(
            name: "SQLiteStore",
            dependencies: ["CSQLite"]
        ),
        // The relay's ledger on that plumbing: its schema, its transactions and the operator's read models.
        .target(
            name: "Ledger",
            dependencies: ["SQLiteStore", "Contracts", "Relay"]
        ),
        // Event contracts: models of every event in schemas/, validation, IBAN routing identity.
        .target(name: "Contracts"),
        // The YAML configuration file: parsing, environment overrides, validation with precise errors.
        // (Not named `Configuration`: that is swift-configuration's module.)
        .target(
            name: "ConfigurationFile",
            dependencies: ["Authenticity", "Contracts", .product(name: "Yams", package: "Yams")]
        ),
        // Who may order a freeze: detached JWS signatures (EdDSA, ES256), keys, the issuer registry.
        .target(
            name: "Authenticity",
            dependencies: ["Contracts", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The relay's decisions as pure functions: routing, SLA deadlines, transitions, chain following.
        .target(name: "Relay", dependencies: ["Contracts", "Authenticity"]),
        // The daemon: wires Kafka, the ledger and the relay logic together.
        .target(
            name: "RelayRuntime",
            dependencies: [
                "RelayKafka", "Ledger", "Contracts", "Relay", "ConfigurationFile", "LogThrottle", "Authenticity",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The read-only web console for operators and investigators: HTML pages over the ledger's readers.
        .target(
            name: "RelayConsole",
            dependencies: [
                "Ledger", "Contracts", "Relay",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The demo's simulated police and banks, and its tally.
        .target(
            name: "RelayDemo",
            dependencies: [
                "RelayKafka", "Ledger", "Contracts", "Relay", "Authenticity",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "FreezeRelay",
            dependencies: [
                "RelayKafka", "EmbeddedKafka", "RelayDemo", "Ledger", "Contracts", "Relay", "RelayRuntime",
                "ConfigurationFile", "Authenticity", "RelayConsole",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Speed and memory measurements (not run by the tests): `swift run -c release freeze-relay-bench`.
        .executableTarget(
            name: "RelayBenchmarks",
            dependencies: [
                "RelayKafka", "EmbeddedKafka", "Ledger", "Contracts", "Relay", "RelayRuntime", "Authenticity",
                "RelayConsole",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // What several test targets share: seeded randomness, waiting for child processes.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // What the relay's test targets share: numbered ids and accounts, the in-memory relay world
        // the engine tests run in, and the driver that runs the engine against a real ledger.
        .target(
            name: "RelayTestSupport", dependencies: ["Contracts", "Relay", "Authenticity", "Ledger"],
            path: "Tests/RelayTestSupport"),
        .testTarget(name: "RelayKafkaTests", dependencies: ["RelayKafka", "EmbeddedKafka"]),
        .testTarget(
            name: "LogThrottleTests", dependencies: ["LogThrottle", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "LedgerTests", dependencies: ["Ledger", "Relay", "Contracts", "RelayTestSupport", "TestSupport"]),
        // Fuzz/ holds libFuzzer entry points: LibFuzzerTests compiles them with the Contracts sources itself.
        .testTarget(
            name: "ContractsTests", dependencies: ["Contracts", "TestSupport"],
            exclude: ["validate_examples.py", "Fuzz", "Golden"]),
        .testTarget(name: "ConfigurationFileTests", dependencies: ["ConfigurationFile", "Authenticity", "Contracts"]),
        .testTarget(name: "RelayTests", dependencies: ["Relay", "Contracts", "Authenticity", "RelayTestSupport"]),
        .testTarget(name: "AuthenticityTests", dependencies: ["Authenticity", "Contracts", "TestSupport"]),
        .testTarget(
            name: "RelayRuntimeTests",
            dependencies: [
                "RelayRuntime", "RelayKafka", "EmbeddedKafka", "Ledger", "Contracts", "Relay", "LogThrottle",
                "TestSupport", "RelayTestSupport", "Authenticity",
            ]),
        .testTarget(
            name: "RelayConsoleTests",
            dependencies: [
                "RelayConsole", "Ledger", "Relay", "Contracts", "RelayTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
        // The operator commands, driven in-process against fixture ledgers (tests may import an executable target).
        .testTarget(
            name: "FreezeRelayTests",
            dependencies: [
                "FreezeRelay", "RelayDemo", "Ledger", "Relay", "Contracts", "RelayRuntime", "RelayKafka",
                "EmbeddedKafka", "TestSupport", "RelayTestSupport", "Authenticity",
            ]),
    ],
    swiftLanguageModes: [.v6]
)
