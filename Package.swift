// swift-tools-version: 6.1
import PackageDescription

/// Settings every Hotline target shares: Swift 6 language mode and the upcoming features that keep
/// the public API small (see ../shared/STYLE.md, rule 5).
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "hotline",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "HotlineCore", targets: ["HotlineCore"]),
        .library(name: "HotlineSQLite", targets: ["HotlineSQLite"]),
        .library(name: "HotlineAuth", targets: ["HotlineAuth"]),
        .library(name: "HotlineMedia", targets: ["HotlineMedia"]),
        .library(name: "HotlineSIP", targets: ["HotlineSIP"]),
        .library(name: "HotlineIVR", targets: ["HotlineIVR"]),
        .library(name: "HotlineACD", targets: ["HotlineACD"]),
        .library(name: "HotlineSimulator", targets: ["HotlineSimulator"]),
        .library(name: "HotlineServer", targets: ["HotlineServer"]),
        .executable(name: "hotline", targets: ["hotline"]),
        .executable(name: "sip-echo", targets: ["sip-echo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
    ],
    targets: [
        // Domain: types, rules, events, storage protocols. No I/O.
        .target(
            name: "HotlineCore",
            swiftSettings: strictSettings
        ),
        // Storage on the embedded SQLite database (GRDB).
        .target(
            name: "HotlineSQLite",
            dependencies: [
                "HotlineCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Password hashing, sessions and API keys for users (bcrypt from hummingbird-auth).
        .target(
            name: "HotlineAuth",
            dependencies: [
                "HotlineCore",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            swiftSettings: strictSettings
        ),
        // C libraries, each in its own system-library target.
        .systemLibrary(
            name: "CSpanDSP",
            pkgConfig: "spandsp",
            providers: [.apt(["libspandsp-dev"])]
        ),
        .systemLibrary(
            name: "CEspeakNG",
            pkgConfig: "espeak-ng",
            providers: [.apt(["libespeak-ng-dev"])]
        ),
        // Media: G.711, WAV, RTP/RTCP, RFC 4733, SDP, jitter buffer, DTMF, tones, mixer, recorder,
        // prompts and speech, fax. Independent of HotlineCore.
        .target(
            name: "HotlineMedia",
            dependencies: [
                "CSpanDSP",
                "CEspeakNG",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // SIP over UDP/TCP on SwiftNIO. Independent of HotlineCore and HotlineMedia.
        .target(
            name: "HotlineSIP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // Call flows: model, DSL, YAML, validation, pure interpreter.
        .target(
            name: "HotlineIVR",
            dependencies: [
                "HotlineCore",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        // Queues, agents, strategies, EWT: the pure routing core.
        .target(
            name: "HotlineACD",
            dependencies: ["HotlineCore"],
            swiftSettings: strictSettings
        ),
        // Discrete-event call-centre simulation and staffing through the real ACD.
        .target(
            name: "HotlineSimulator",
            dependencies: ["HotlineACD", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        // The reference server: composes SIP, media, IVR, ACD and storage into a running hotline.
        .target(
            name: "HotlineServer",
            dependencies: [
                "HotlineCore",
                "HotlineSQLite",
                "HotlineAuth",
                "HotlineMedia",
                "HotlineSIP",
                "HotlineIVR",
                "HotlineACD",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
            ],
            resources: [.copy("HTTP/openapi.json")],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "hotline",
            dependencies: [
                "HotlineCore",
                "HotlineSQLite",
                "HotlineAuth",
                "HotlineMedia",
                "CSpanDSP",
                "HotlineIVR",
                "HotlineACD",
                "HotlineSimulator",
                "HotlineServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/hotline",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "sip-echo",
            dependencies: [
                "HotlineSIP",
                "HotlineMedia",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/sip-echo",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HotlineCoreTests",
            dependencies: ["HotlineCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HotlineSQLiteTests",
            dependencies: ["HotlineCore", "HotlineSQLite", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HotlineAuthTests",
            dependencies: ["HotlineAuth", "HotlineCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HotlineMediaTests",
            dependencies: ["HotlineMedia"],
            swiftSettings: strictSettings
        ),
        // Real peers for the integration tests: child processes, baresip driven over ctrl_tcp, free
        // ports, WAV tones and levels. Shared by the SIP and server test targets.
        .target(
            name: "HotlineTestSupport",
            path: "Tests/HotlineTestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HotlineSIPTests",
            dependencies: [
                "HotlineSIP",
                "HotlineTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["Scenarios"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HotlineIVRTests",
            dependencies: ["HotlineIVR", "HotlineCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HotlineACDTests",
            dependencies: ["HotlineACD", "HotlineCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HotlineSimulatorTests",
            dependencies: ["HotlineSimulator", "HotlineACD"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HotlineServerTests",
            dependencies: [
                "HotlineServer",
                "HotlineTestSupport",
                "HotlineCore",
                "HotlineSQLite",
                "HotlineAuth",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
