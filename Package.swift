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
        .library(name: "HotlineACD", targets: ["HotlineACD"]),
        .library(name: "HotlineSimulator", targets: ["HotlineSimulator"]),
        .executable(name: "hotline", targets: ["hotline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .target(
            name: "HotlineCore",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "hotline",
            dependencies: [
                "HotlineCore",
                "HotlineACD",
                "HotlineSimulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
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
            name: "HotlineACD",
            dependencies: ["HotlineCore"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "HotlineSimulator",
            dependencies: ["HotlineACD", .product(name: "Yams", package: "Yams")],
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
    ],
    swiftLanguageModes: [.v6]
)
