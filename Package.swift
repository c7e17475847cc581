// swift-tools-version:6.1
//
// pii-scrub: a PII and secret scrubbing engine over UTF-8 bytes, built on PCRE2's JIT.
//
// Dependency direction (see README "Layout"):
//   CPCRE2 <- PCRE2Wrapper <- PIIScrub <- PIIScrubStream <- pii-scrub
// PIIScrub depends on no other package and does no I/O or concurrency.
import PackageDescription

let package = Package(
    name: "pii-scrub",
    products: [
        .library(name: "PIIScrub", targets: ["PIIScrub"]),
        .library(name: "PIIScrubStream", targets: ["PIIScrubStream"]),
        .library(name: "PIIScrubJSON", targets: ["PIIScrubJSON"]),
        .library(name: "PIIScrubBench", targets: ["PIIScrubBench"]),
        // For the Benchmarks package's raw PCRE2 floor (PCRE2Raw suite).
        .library(name: "PCRE2Wrapper", targets: ["PCRE2Wrapper"]),
        .library(name: "PIIScrubTracing", targets: ["PIIScrubTracing"]),
        .library(name: "PIIScrubLangfuse", targets: ["PIIScrubLangfuse"]),
        .executable(name: "pii-scrub", targets: ["pii-scrub"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
    ],
    targets: [
        // MARK: - CPCRE2
        .systemLibrary(
            name: "CPCRE2",
            pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"]), .brew(["pcre2"])]
        ),

        // MARK: - PCRE2Wrapper
        .target(name: "PCRE2Wrapper", dependencies: ["CPCRE2"]),
        .testTarget(name: "PCRE2WrapperTests", dependencies: ["PCRE2Wrapper"]),

        // MARK: - CPIIScan (SSE2 byte-class scan for the prefilter)
        .target(name: "CPIIScan"),

        // MARK: - PIIScrub
        .target(name: "PIIScrub", dependencies: ["PCRE2Wrapper", "CPIIScan"]),
        .target(name: "PIIScrubTestSupport", dependencies: ["PIIScrub", "PCRE2Wrapper"], path: "Tests/PIIScrubTestSupport"),
        .testTarget(name: "PIIScrubTests", dependencies: ["PIIScrub", "PIIScrubTestSupport", "PCRE2Wrapper"]),

        // MARK: - PIIScrubStream
        .target(name: "PIIScrubStream", dependencies: ["PIIScrub"]),
        .testTarget(name: "PIIScrubStreamTests", dependencies: ["PIIScrubStream", "PIIScrub", "PIIScrubTestSupport"]),

        // MARK: - PIIScrubJSON
        .target(name: "PIIScrubJSON", dependencies: ["PIIScrub", "CPIIScan"]),
        .testTarget(name: "PIIScrubJSONTests", dependencies: ["PIIScrubJSON", "PIIScrub", "PIIScrubStream", "PIIScrubTestSupport", "CPIIScan"]),

        // MARK: - PIIScrubBench (`pii-scrub bench`: speed and precision/recall of pattern sets)
        .target(name: "PIIScrubBench", dependencies: ["PIIScrub"]),
        .testTarget(name: "PIIScrubBenchTests", dependencies: ["PIIScrubBench", "PIIScrub", "PIIScrubTestSupport"]),
        // MARK: - PIIScrubTracing (the only target that depends on swift-distributed-tracing)
        .target(
            name: "PIIScrubTracing",
            dependencies: ["PIIScrub", .product(name: "Tracing", package: "swift-distributed-tracing")]
        ),
        .testTarget(
            name: "PIIScrubTracingTests",
            dependencies: [
                "PIIScrubTracing", "PIIScrub", "PIIScrubTestSupport",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ]
        ),

        // MARK: - PIIScrubLangfuse (key hygiene, self-hosting audit, ingestion/OTLP bodies; no Foundation, linked into the CLI)
        .target(name: "PIIScrubLangfuse", dependencies: ["PIIScrub", "PIIScrubJSON"]),
        .testTarget(
            name: "PIIScrubLangfuseTests",
            dependencies: ["PIIScrubLangfuse", "PIIScrubJSON", "PIIScrub", "PIIScrubTestSupport"]
        ),

        // MARK: - pii-scrub
        .executableTarget(
            name: "pii-scrub",
            dependencies: [
                "PIIScrub", "PIIScrubStream", "PIIScrubJSON", "PIIScrubBench", "PIIScrubLangfuse",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "PIIScrubCLITests", dependencies: ["PIIScrub", "PIIScrubTestSupport", "pii-scrub"]),
    ]
)

for target in package.targets where target.type != .system && target.name != "CPIIScan" {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
