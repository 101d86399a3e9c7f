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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .target(
            name: "HotlineCore",
            swiftSettings: strictSettings
        ),
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
        .testTarget(
            name: "HotlineMediaTests",
            dependencies: ["HotlineMedia"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "hotline",
            dependencies: [
                "HotlineCore",
                "HotlineMedia",
                "CSpanDSP",
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
    ],
    swiftLanguageModes: [.v6]
)
