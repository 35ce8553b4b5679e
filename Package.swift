// swift-tools-version:6.0
import PackageDescription

// Layers point down only (see docs/architecture.md):
// treaty → TreatyCommands → TreatyMock / TreatyVerify → TreatyReport → TreatyMatching → TreatyModel.
// TreatyModel and TreatyMatching are pure: no NIO, curl, XML or file I/O.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Treaty",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "treaty", targets: ["treaty"]),
        .executable(name: "treaty-fuzz", targets: ["treaty-fuzz"]),
        .library(name: "TreatyModel", targets: ["TreatyModel"]),
        .library(name: "TreatyMatching", targets: ["TreatyMatching"]),
        .library(name: "TreatyMock", targets: ["TreatyMock"]),
        .library(name: "TreatyVerify", targets: ["TreatyVerify"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.30.0"),
        .package(url: "https://github.com/apple/swift-atomics.git", from: "1.2.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.29.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.1.0"),
    ],
    targets: [
        // C shims: tiny, typed, hidden behind Swift wrappers.
        .target(
            name: "CCurlShim",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        .target(
            name: "CZlibShim",
            linkerSettings: [.linkedLibrary("z")]
        ),
        // gzip for gRPC messages (zlib through the shim above).
        .target(name: "TreatyCompression", dependencies: ["CZlibShim"], swiftSettings: swiftSettings),
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),

        // Wire formats both the mock and the verifier speak (gRPC message framing, the WebSocket
        // handshake's accept key, grpc-message encoding): one copy, no I/O.
        .target(
            name: "TreatyWire",
            dependencies: ["TreatyModel", "TreatyCompression", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),

        // XML parsing over libxml2, as plain values (no I/O): the model reads XML bodies with it.
        .target(name: "TreatyXML", dependencies: ["CLibXML2"], swiftSettings: swiftSettings),

        // Pure layers.
        .target(name: "TreatyModel", dependencies: ["TreatyXML"], swiftSettings: swiftSettings),
        .target(name: "TreatyMatching", dependencies: ["TreatyModel"], swiftSettings: swiftSettings),

        // Reports (libxml2), verifier (libcurl), mock (SwiftNIO).
        .target(
            name: "TreatyReport",
            dependencies: ["TreatyModel", "TreatyMatching", "CLibXML2"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TreatyVerify",
            dependencies: [
                "TreatyModel", "TreatyMatching", "TreatyReport", "TreatyWire", "CCurlShim",
                // The callback receiver: a small NIO server the provider calls back while it is verified.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "TreatyMock",
            dependencies: [
                "TreatyModel", "TreatyMatching", "TreatyWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ],
            swiftSettings: swiftSettings
        ),

        // I/O, argument parsing, terminal output.
        .target(
            name: "TreatyCommands",
            dependencies: [
                "TreatyModel", "TreatyMatching", "TreatyReport", "TreatyVerify", "TreatyMock",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "treaty", dependencies: ["TreatyCommands"], swiftSettings: swiftSettings),

        // Fuzzing (make fuzz, docs/fuzzing.md): one function per input format, and one executable that
        // libFuzzer drives when built with -DFUZZING -sanitize=fuzzer,address, or that replays files.
        .target(
            name: "TreatyFuzzTargets",
            dependencies: [
                "TreatyModel", "TreatyMatching", "TreatyMock", "TreatyVerify",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "treaty-fuzz", dependencies: ["TreatyFuzzTargets"], swiftSettings: swiftSettings),

        // Helpers shared by test targets (schema validation, fixture paths).
        .target(name: "TreatyTestSupport", dependencies: ["CLibXML2", "TreatyModel"], swiftSettings: swiftSettings),

        // Tests mirror Sources.
        .testTarget(
            name: "TreatyModelTests", dependencies: ["TreatyModel", "TreatyXML", "TreatyTestSupport"], swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TreatyMatchingTests",
            dependencies: ["TreatyModel", "TreatyMatching", "TreatyTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TreatyReportTests",
            dependencies: ["TreatyModel", "TreatyMatching", "TreatyReport", "TreatyTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TreatyVerifyTests",
            dependencies: ["TreatyVerify", "TreatyModel", "TreatyMatching", "TreatyReport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "TreatyWireTests", dependencies: ["TreatyWire", "TreatyCompression"], swiftSettings: swiftSettings),
        .testTarget(
            name: "TreatyMockTests",
            dependencies: [
                "TreatyMock", "TreatyMatching", "TreatyModel",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TreatyCommandsTests",
            dependencies: ["TreatyCommands", "TreatyModel", "TreatyTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TreatyEndToEndTests",
            dependencies: [
                "TreatyModel", "TreatyMatching", "TreatyMock", "TreatyVerify", "TreatyReport", "TreatyCommands",
                "TreatyTestSupport",
                // The library errors the mock puts in words (ConnectionErrorTextTests builds them).
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "TreatyFuzzTests", dependencies: ["TreatyFuzzTargets", "TreatyTestSupport"], swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v6]
)
