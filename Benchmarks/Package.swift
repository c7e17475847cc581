// swift-tools-version:6.1
//
// Benchmarks for pii-scrub, kept out of the root package so `swift build` / `swift test` there
// never resolve package-benchmark (STYLE B7). Run:
//   swift package --package-path Benchmarks benchmark
// Malloc-count thresholds (opt-in, release build): scripts/bench-check.sh
import PackageDescription

let package = Package(
    name: "pii-scrub-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // `name:` must equal the root manifest's name (STYLE "Facts checked on this toolchain").
        .package(name: "pii-scrub", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Deterministic inputs shared by the suites (no benchmark dependency).
        .target(
            name: "BenchSupport",
            dependencies: [.product(name: "PIIScrub", package: "pii-scrub")],
            path: "Sources/BenchSupport"
        ),
        suite("ScrubCore"),
        suite("HotPath"),
        suite("ScrubStream", extra: [.product(name: "PIIScrubStream", package: "pii-scrub")]),
        suite("PCRE2Raw", extra: [.product(name: "PCRE2Wrapper", package: "pii-scrub")]),
        suite("ScrubJSONL", extra: [.product(name: "PIIScrubJSON", package: "pii-scrub")]),
    ]
)

/// One suite: `Benchmarks/<Name>/<Name>.swift` (the plugin's discovery rule).
func suite(_ name: String, extra: [Target.Dependency] = []) -> Target {
    .executableTarget(
        name: name,
        dependencies: [
            "BenchSupport",
            .product(name: "Benchmark", package: "benchmark"),
            .product(name: "PIIScrub", package: "pii-scrub"),
        ] + extra,
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}
