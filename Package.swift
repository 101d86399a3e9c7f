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
        .executable(name: "hotline", targets: ["hotline"]),
        .library(name: "HotlineAuth", targets: ["HotlineAuth"]),
        .library(name: "HotlineIVR", targets: ["HotlineIVR"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .target(
            name: "HotlineCore",
            swiftSettings: strictSettings
        ),
        .target(
            name: "HotlineSQLite",
            dependencies: [
                "HotlineCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "hotline",
            dependencies: [
                "HotlineCore",
                "HotlineAuth",
                "HotlineIVR",
                "HotlineSQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Examples/hotline",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HotlineCoreTests",
            dependencies: ["HotlineCore"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "HotlineAuth",
            dependencies: [
                "HotlineCore",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "HotlineIVR",
            dependencies: [
                "HotlineCore",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HotlineAuthTests",
            dependencies: ["HotlineAuth", "HotlineCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HotlineIVRTests",
            dependencies: ["HotlineIVR", "HotlineCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HotlineSQLiteTests",
            dependencies: ["HotlineCore", "HotlineSQLite", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
