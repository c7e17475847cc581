// swift-tools-version:6.1
//
// Release timing for the Langfuse body scrubber (issue 5 performance targets): a typical captured
// ingestion batch in <= 50 us, a 1 MiB OTLP/JSON body at >= 300 MB/s. A separate package so the
// root package's build and tests never see it (STYLE B7).
//
//   swift run -c release --package-path tools/ingest-timing ingest-timing [pattern-set ...]
import PackageDescription

let package = Package(
    name: "ingest-timing",
    dependencies: [.package(name: "pii-scrub", path: "../..")],
    targets: [
        .executableTarget(
            name: "ingest-timing",
            dependencies: [
                .product(name: "PIIScrub", package: "pii-scrub"),
                .product(name: "PIIScrubJSON", package: "pii-scrub"),
                .product(name: "PIIScrubLangfuse", package: "pii-scrub"),
            ]
        )
    ]
)
