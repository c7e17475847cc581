// PCRE2Raw: the floor. A bare leftmost-match loop of each seed pattern's JIT code over the whole
// buffer (no prefilter, no replacement), as rebar compares engines against a plain regex loop.
// Names: PCRE2Raw.<pattern>.<density>, PCRE2Raw.all.<density> (the patterns one after another).
import Benchmark
import BenchSupport
import PCRE2Wrapper
import PIIScrub

private let set = benchmarkSets()[0]
private let inputs = [Density.none, .common, .dense].map { ($0.rawValue, generateText(size: 1 << 20, density: $0)) }

/// Matches of `pattern` in `input`, stepping to each match's end (minimum length > 0).
@inline(__always)
private func countMatches(_ pattern: CompiledPattern, _ input: UnsafeRawBufferPointer, _ scratch: inout MatchScratch) -> Int {
    var count = 0
    var at = 0
    do {
        while at <= input.count, let match = try pattern.firstMatch(in: input, from: at, scratch: &scratch) {
            count += 1
            at = match.upperBound
        }
    } catch {
        fatalError("PCRE2 error in the raw loop: \(error)")
    }
    return count
}

let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = thresholdMode ? [.mallocCountTotal] : [.wallClock, .throughput, .mallocCountTotal]
    let patterns = set.patterns.map { ($0.id, $0.compiled) }
    let maxCaptures = patterns.map { $0.1.captureCount }.max() ?? 0
    for (name, text) in inputs {
        let targets = patterns.map { [$0] } + [patterns]
        for group in targets {
            let label = group.count == 1 ? group[0].0 : "all"
            Benchmark(
                "PCRE2Raw.\(label).\(name)",
                configuration: .init(metrics: metrics, maxDuration: .seconds(2), maxIterations: thresholdMode ? 10 : 200,
                                     thresholds: [.mallocCountTotal: .init(absolute: [.p90: 0])])
            ) { benchmark in
                var scratch = MatchScratch(maxCaptureCount: maxCaptures)
                text.bytes.withUnsafeBytes { input in
                    if group.count > 1 {
                        // The seed's values are disjoint, so the raw total is the generated count.
                        let total = group.reduce(0) { $0 + countMatches($1.1, input, &scratch) }
                        precondition(total == text.values, "raw loop found \(total), expected \(text.values)")
                    }
                    benchmark.startMeasurement()
                    for _ in benchmark.scaledIterations {
                        for (_, pattern) in group { blackHole(countMatches(pattern, input, &scratch)) }
                    }
                }
            }
        }
    }
}
