// swift-tools-version: 6.1
// GrantLedger: an event-sourced workflow engine for the mid- and late-stage management of
// National Social Science Fund projects, on LMDB.

import PackageDescription

/// Settings every Swift target shares: Swift 6 mode (the tools default) plus upcoming features.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "GrantLedger",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "EventLog", targets: ["EventLog"]),
        .library(name: "GrantWorkflow", targets: ["GrantWorkflow"]),
        .library(name: "GrantLedger", targets: ["GrantLedger"]),
        .library(name: "GrantLedgerDemo", targets: ["GrantLedgerDemo"]),
        .library(name: "GrantLedgerPostgres", targets: ["GrantLedgerPostgres"]),
        .executable(name: "grantledger", targets: ["grantledger"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        // The PostgreSQL replica (GrantLedgerPostgres only, so embedding hosts do not pull in SwiftNIO).
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // `swift package generate-documentation` (DocC catalogs of EventLog, GrantWorkflow, GrantLedger).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // LMDB from the system: Debian's liblmdb-dev (pkg-config "lmdb"). No C sources here.
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        // What a process does when LMDB meets a damaged page (store_guard.h): LMDB's assertion
        // callback, and the fault handler the command line installs.
        .target(name: "CStoreGuard"),
        // A domain-free event store on LMDB.
        .target(
            name: "EventLog",
            dependencies: [
                "CLMDB",
                "CStoreGuard",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // The NSSF workflow: commands, events, state, decide/evolve. Pure: no I/O, no clock.
        .target(
            name: "GrantWorkflow",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // The engine a host application embeds.
        .target(
            name: "GrantLedger",
            dependencies: [
                "EventLog",
                "GrantWorkflow",
                .product(name: "Crypto", package: "swift-crypto"),
                // Brings the BoringSSL module (`CCryptoBoringSSL`) that sealed fields call directly
                // (FieldKey; docs/decisions.md "Sealed fields through BoringSSL's AEAD interface").
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The demo: a deterministic national year of projects, apart from the engine so that hosts
        // that embed GrantLedger do not compile or ship it.
        .target(
            name: "GrantLedgerDemo",
            dependencies: ["GrantLedger", "GrantWorkflow"],
            swiftSettings: strictSettings
        ),
        // The PostgreSQL replica of the log and the read models: sink, verify, restore. Apart from
        // the engine so that hosts that only embed GrantLedger do not compile or ship SwiftNIO.
        .target(
            name: "GrantLedgerPostgres",
            dependencies: [
                "EventLog",
                "GrantLedger",
                "GrantWorkflow",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The command-line logic, as a library so tests call it in-process.
        .target(
            name: "GrantLedgerCLI",
            dependencies: [
                "GrantLedger",
                "GrantLedgerDemo",
                "GrantLedgerPostgres",
                "GrantWorkflow",
                "EventLog",
                "CLMDB",
                "CStoreGuard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "grantledger",
            dependencies: ["GrantLedgerCLI"],
            swiftSettings: strictSettings
        ),
        // Examples a newcomer copies; CI runs each on a temporary store (.ci/run, step "examples").
        .executableTarget(
            name: "QuickStart",
            dependencies: ["GrantLedger", "GrantWorkflow"],
            path: "Examples/QuickStart",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "OutboxWorker",
            dependencies: [
                "GrantLedger",
                "GrantWorkflow",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Examples/OutboxWorker",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "AuditReplay",
            dependencies: ["GrantLedger", "GrantWorkflow"],
            path: "Examples/AuditReplay",
            swiftSettings: strictSettings
        ),
        // A helper process for the event log's multi-process tests (concurrent appends, SIGKILL).
        .executableTarget(
            name: "eventlog-test-helper",
            dependencies: ["EventLog"],
            path: "Tests/Helpers/eventlog-test-helper",
            swiftSettings: strictSettings
        ),
        // Fixtures both test targets share (ID numbers, password, temporary folders).
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EventLogTests",
            dependencies: ["EventLog", "CLMDB", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "GrantWorkflowTests",
            dependencies: [
                "GrantWorkflow",
                "TestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "GrantLedgerTests",
            dependencies: [
                "GrantLedger", "GrantLedgerDemo", "GrantLedgerCLI", "GrantLedgerPostgres", "EventLog", "CLMDB",
                "TestSupport",
            ],
            swiftSettings: strictSettings
        ),
    ]
)
