// HotPath: one library call on a small payload, the cost an instrumented service pays per field.
// Contract: zero allocations on clean input (worker.withScrubbed and Scrubber.scrub(String)).
// Names: HotPath.<api>.<size>.<clean|pii>.
import Benchmark
import BenchSupport
import PIIScrub

private let sets = benchmarkSets()
private let seedScrubber = Scrubber(patternSet: sets[0])

/// A payload of `size` bytes: filler words, and for `pii` three values spread through it.
private func payload(_ size: Int, pii: Bool) -> GeneratedText {
    let filler = generateText(size: size, density: .none, seed: UInt64(size), singleLine: true).bytes
    guard pii else { return GeneratedText(bytes: Array(filler.prefix(size)), values: 0) }
    let values = [Array(" maria.x@example.com ".utf8), Array(" 555-123-4567 ".utf8), Array(" 123-45-6789 ".utf8)]
    var bytes = Array(filler.prefix(size - values.reduce(0) { $0 + $1.count }))
    for (i, value) in values.enumerated().reversed() {
        var at = bytes.count * (i + 1) / 4
        while at < bytes.count && bytes[at] != 0x20 { at += 1 }
        bytes.insert(contentsOf: value, at: at)
    }
    return GeneratedText(bytes: bytes, values: values.count)
}

private let cases: [(name: String, text: GeneratedText)] = [256, 1024, 16384].flatMap { size in
    let label = size >= 1024 ? "\(size / 1024)KiB" : "\(size)B"
    return [("\(label).clean", payload(size, pii: false)), ("\(label).pii", payload(size, pii: true))]
}

let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = thresholdMode ? [.mallocCountTotal] : [.wallClock, .cpuTotal, .mallocCountTotal]
    let scrubber = seedScrubber
    for (name, text) in cases {
        let config = Benchmark.Configuration(
            metrics: metrics, timeUnits: .nanoseconds, scalingFactor: .kilo, maxDuration: .seconds(1), maxIterations: thresholdMode ? 20 : 10_000,
            thresholds: [.mallocCountTotal: .init(absolute: [.p90: 0])],
            setup: { checkMatches(scrubber, text, "HotPath.\(name)") })

        Benchmark("HotPath.worker.\(name)", configuration: config) { benchmark in
            let worker = scrubber.makeWorker()
            text.bytes.withUnsafeBytes { input in
                worker.withScrubbed(input) { output, _ in blackHole(output.count) }
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    worker.withScrubbed(input) { output, _ in blackHole(output.count) }
                }
            }
        }

        let string = String(decoding: text.bytes, as: UTF8.self)
        Benchmark("HotPath.scrubString.\(name)", configuration: config) { benchmark in
            blackHole(scrubber.scrub(string))
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(scrubber.scrub(string))
            }
        }
    }
}
