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
        .library(name: "HotlineMedia", targets: ["HotlineMedia"]),
        .executable(name: "hotline", targets: ["hotline"]),
        .library(name: "HotlineSIP", targets: ["HotlineSIP"]),
        .executable(name: "sip-echo", targets: ["sip-echo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .target(
            name: "HotlineCore",
            swiftSettings: strictSettings
        ),
        .target(
            name: "HotlineMedia",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HotlineMediaTests",
            dependencies: ["HotlineMedia"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "hotline",
            dependencies: [
                "HotlineCore",
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
            name: "HotlineSIP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
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
            name: "HotlineSIPTests",
            dependencies: [
                "HotlineSIP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["Scenarios"],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
