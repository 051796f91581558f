// swift-tools-version: 6.0
import PackageDescription

// Rooms and their arrows are drawn in DESIGN.md: a module imports only the ones listed below it.
let package = Package(
    name: "dexter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "dexter", targets: ["dexter"]),
        .executable(name: "dexter-bench", targets: ["dexter-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Networking, in DexterNet alone: HTTP and WebSocket over SwiftNIO.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket", from: "1.6.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // The desk as a service, in DexterService alone: the local API, its OpenAPI document, metrics.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // The shared desk, in DexterDesk alone: PostgreSQL.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        .target(name: "DexterCore"),
        .target(name: "DexterMarket", dependencies: ["DexterCore", .product(name: "BigInt", package: "BigInt")]),
        .target(name: "DexterDetect", dependencies: ["DexterCore", "DexterMarket"]),
        .target(name: "DexterRisk", dependencies: ["DexterCore", "DexterMarket"]),
        .systemLibrary(name: "CSecp256k1", pkgConfig: "libsecp256k1", providers: [.apt(["libsecp256k1-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "DexterCrypto", dependencies: [
            "DexterCore", "CSecp256k1", "COpenSSL", .product(name: "BigInt", package: "BigInt"),
        ]),
        .target(name: "DexterLedger", dependencies: ["DexterCore", .product(name: "GRDB", package: "GRDB.swift")]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "DexterVenues", dependencies: ["DexterCore", "DexterMarket", "CZlib"]),
        // Real exchange connectors: the protocol room, pure and network-free (one folder per venue).
        .target(name: "DexterCEX", dependencies: ["DexterCore", "DexterMarket", "DexterVenues", "DexterCrypto", "DexterNet", "CZlib",
                                                .product(name: "Logging", package: "swift-log")]),
        // EVM chains: JSON-RPC, pools read from contracts, swaps sent as signed transactions.
        .target(name: "DexterEVM", dependencies: [
            "DexterCore", "DexterMarket", "DexterVenues", "DexterCrypto", "DexterNet",
            .product(name: "BigInt", package: "BigInt"), .product(name: "Logging", package: "swift-log"),
        ]),
        // Solana: pools decoded from their accounts, JSON-RPC, transactions sent and confirmed.
        .target(name: "DexterSolana", dependencies: [
            "DexterCore", "DexterMarket", "DexterVenues", "DexterCrypto", "DexterNet",
            .product(name: "BigInt", package: "BigInt"), .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "DexterEngine", dependencies: [
            "DexterCore", "DexterMarket", "DexterDetect", "DexterRisk", "DexterLedger", "DexterVenues", "DexterCrypto",
            .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // The only room that brings SwiftNIO: rebuilding anything else never touches it.
        .target(name: "DexterNet", dependencies: [
            "DexterCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "WSClient", package: "swift-websocket"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        .systemLibrary(name: "CNCurses", providers: [.apt(["libncursesw5-dev"])]),
        // glibc's mallinfo2, for dexter-bench's memory figures.
        .systemLibrary(name: "CMallocInfo"),
        .target(name: "DexterTUI", dependencies: ["DexterCore", "DexterEngine", "CNCurses"]),
        // The headless desk's doors: attached screens, the REST and WebSocket API (types generated from
        // openapi.json), Prometheus metrics. Renders attached screens with DexterTUI's panels, off the terminal.
        .target(name: "DexterService", dependencies: [
            "DexterCore", "DexterRisk", "DexterDetect", "DexterEngine", "DexterLedger", "DexterTUI", "DexterCrypto",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
        ], resources: [.embedInCode("openapi.json")],
           plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]),
        .target(name: "DexterDesk", dependencies: [
            "DexterCore", "DexterRisk", "DexterLedger", "DexterEngine",
            .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "dexter", dependencies: [
            "DexterCore", "DexterMarket", "DexterDetect", "DexterRisk", "DexterLedger", "DexterVenues",
            "DexterEngine", "DexterTUI", "DexterCrypto", "DexterCEX", "DexterEVM", "DexterSolana", "DexterService", "DexterDesk",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        .executableTarget(name: "dexter-bench", dependencies: [
            "DexterCore", "DexterMarket", "DexterDetect", "DexterRisk", "DexterVenues", "DexterEngine", "DexterTUI",
            "DexterLedger", "DexterCEX", "DexterNet", "DexterCrypto", "DexterEVM", "DexterSolana", "DexterService", "DexterDesk",
            "CMallocInfo", "TestServers", .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
            .product(name: "BigInt", package: "BigInt"),
        ]),
        // Finds the other projects' vectors and recordings in ../shared for the test targets that read them.
        .target(name: "SharedTestData", path: "Tests/SharedTestData"),
        .testTarget(name: "DexterCoreTests", dependencies: ["DexterCore"]),
        .testTarget(name: "DexterMarketTests", dependencies: ["SharedTestData", "DexterMarket"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DexterDetectTests", dependencies: ["SharedTestData", "DexterDetect", "DexterMarket"]),
        .testTarget(name: "DexterRiskTests", dependencies: ["SharedTestData", "DexterRisk"]),
        .testTarget(name: "DexterCryptoTests", dependencies: ["SharedTestData", "DexterCrypto", .product(name: "BigInt", package: "BigInt")],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "DexterLedgerTests", dependencies: ["DexterLedger", "DexterCrypto", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "DexterCEXTests", dependencies: [
            "SharedTestData", "TestServers", "DexterCEX", "DexterCore", "DexterMarket", "DexterVenues", "DexterCrypto", "DexterNet",
        ]),
        .testTarget(name: "DexterEngineTests", dependencies: ["SharedTestData", "DexterEngine", "DexterVenues", .product(name: "GRDB", package: "GRDB.swift")]),
        // Goldens are read from the source tree (and rewritten there when recording), not bundled.
        .testTarget(name: "DexterTUITests", dependencies: ["DexterTUI", "DexterEngine", "DexterDetect"], exclude: ["Golden"]),
        .testTarget(name: "DexterCLITests", dependencies: ["SharedTestData", "dexter", "DexterEngine", "DexterVenues", "DexterCrypto", "DexterLedger",
                                                     "DexterCEX", "DexterEVM"]),
        // Starts the local exchange-protocol servers (Tests/Servers) for the tests that talk to them.
        .target(name: "TestServers", dependencies: ["DexterCrypto", .product(name: "BigInt", package: "BigInt")],
                path: "Tests/TestServers"),
        .testTarget(name: "DexterEVMTests", dependencies: [
            "SharedTestData", "TestServers", "DexterEVM", "DexterCore", "DexterMarket", "DexterCrypto", "DexterNet",
            .product(name: "BigInt", package: "BigInt"), .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "DexterSolanaTests", dependencies: [
            "SharedTestData", "TestServers", "DexterSolana", "DexterCore", "DexterCrypto", "DexterNet", "DexterMarket",
            "DexterVenues", .product(name: "BigInt", package: "BigInt"),
        ]),
        .testTarget(name: "DexterServiceTests", dependencies: [
            "DexterService", "DexterEngine", "DexterVenues", "DexterLedger", "DexterRisk", "DexterTUI", "DexterCore",
            "DexterMarket", "DexterDetect", .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Metrics", package: "swift-metrics"), .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "DexterDeskTests", dependencies: [
            "DexterDesk", "DexterEngine", "DexterVenues", "DexterLedger", "DexterRisk", "DexterCore", "DexterCrypto",
            "DexterMarket", "DexterDetect", "TestServers",
            .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "DexterNetTests", dependencies: ["DexterNet", "DexterCrypto", "TestServers"]),
        .testTarget(name: "EndToEndTests", dependencies: ["SharedTestData", "TestServers", "DexterCrypto",
                                                     .product(name: "GRDB", package: "GRDB.swift"),
                                                     .product(name: "BigInt", package: "BigInt")]),
    ]
)
