// swift-tools-version:6.1
//
// libFuzzer targets, kept out of the root package: they have no `main` of their own (libFuzzer
// provides it), so they only link with `-sanitize=fuzzer`. Build and run with scripts/fuzz.sh.
import PackageDescription

let package = Package(
    name: "pii-scrub-fuzz",
    dependencies: [.package(name: "pii-scrub", path: "..")],
    targets: [
        .target(name: "FuzzSupport"),
        .executableTarget(name: "FuzzScrub", dependencies: ["FuzzSupport", .product(name: "PIIScrub", package: "pii-scrub")]),
        .executableTarget(name: "FuzzGate", dependencies: ["FuzzSupport", .product(name: "PIIScrub", package: "pii-scrub")]),
        .executableTarget(name: "FuzzPatterns", dependencies: ["FuzzSupport", .product(name: "PIIScrub", package: "pii-scrub")]),
        .executableTarget(
            name: "FuzzJSONL",
            dependencies: [
                "FuzzSupport", .product(name: "PIIScrub", package: "pii-scrub"),
                .product(name: "PIIScrubJSON", package: "pii-scrub"),
            ]
        ),
    ]
)
