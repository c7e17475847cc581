// ScrubCore: one buffer per call, each pattern set x density (STYLE B7).
// Names: ScrubCore.<set>.<density>. Throughput is reported (MB/s = the throughput metric x the
// buffer size), not gated; mallocCountTotal is the gated metric (see scripts/bench-check.sh).
import Benchmark
import BenchSupport
import PIIScrub

private let size = 1 << 20
private let inputs: [(name: String, text: GeneratedText)] =
    Density.allCases.map { ($0.rawValue, generateText(size: size, density: $0)) } + [("pathological", pathologicalText())]
private let sets = benchmarkSets()

let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = thresholdMode ? [.mallocCountTotal] : [.wallClock, .throughput, .mallocCountTotal]
    for set in sets {
        let scrubber = Scrubber(patternSet: set)
        for (name, text) in inputs {
            Benchmark(
                "ScrubCore.\(set.name).\(name)",
                configuration: .init(
                    metrics: metrics, maxDuration: .seconds(2), maxIterations: thresholdMode ? 10 : 200,
                    thresholds: [.mallocCountTotal: .init(absolute: [.p90: 0])],
                    setup: { checkMatches(scrubber, text, "ScrubCore.\(set.name).\(name)") })
            ) { benchmark in
                let worker = scrubber.makeWorker()
                text.bytes.withUnsafeBytes { input in
                    worker.withScrubbed(input) { output, _ in blackHole(output.count) }
                    benchmark.startMeasurement()
                    for _ in benchmark.scaledIterations {
                        worker.withScrubbed(input) { output, _ in blackHole(output.count) }
                    }
                }
            }
        }
    }
}
