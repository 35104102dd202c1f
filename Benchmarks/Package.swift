// swift-tools-version: 6.1
// GrantLedger's benchmarks (package-benchmark). Run: cd Benchmarks && swift package benchmark
// Figures go into ../BENCHMARKS.md as ratios to the peers of ./run-peers (Peers/) from the same sitting.

import PackageDescription

let package = Package(
    name: "GrantLedgerBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "GrantLedger", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        .executableTarget(
            name: "EventLogBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "EventLog", package: "GrantLedger"),
            ],
            path: "Benchmarks/EventLogBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "LedgerBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "GrantLedger", package: "GrantLedger"),
                .product(name: "GrantLedgerDemo", package: "GrantLedger"),
                .product(name: "GrantWorkflow", package: "GrantLedger"),
                .product(name: "EventLog", package: "GrantLedger"),
            ],
            path: "Benchmarks/LedgerBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "CryptoBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Benchmarks/CryptoBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
