// ScrubJSONL: the JSON-aware filter's per-document work (PIIScrubJSON), on generated
// Langfuse-like rows: `input` plain text, `metadata` JSON text inside a string, one email
// planted per row. Names: ScrubJSONL.flat, ScrubJSONL.nested (default mode: keys and JSON
// text inside strings scrubbed too).
import Benchmark
import BenchSupport
import PIIScrub
import PIIScrubJSON

private let scrubber = Scrubber(patternSet: benchmarkSets()[0])

/// 4,000 rows: generated text (common density) as `input`, nested metadata JSON text with one
/// planted email, so every row must change.
private let rows: [[UInt8]] = {
    let text = generateText(size: 1 << 20, density: .common, seed: 11)
    let lines = text.bytes.split(separator: UInt8(ascii: "\n")).prefix(4000)
    return lines.enumerated().map { index, line in
        var escaped: [UInt8] = []
        for b in line {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): escaped += [UInt8(ascii: "\\"), b]
            case 0..<0x20: escaped += Array("\\u00\(b < 16 ? "0" : "")\(String(b, radix: 16))".utf8)
            default: escaped.append(b)
            }
        }
        let meta = #"{\"customer\":{\"email\":\"row\#(index)@example.org\",\"tier\":\"gold\"}}"#
        return Array(#"{"id":"trace-\#(index)","input":""#.utf8) + escaped
            + Array(#"","metadata":"\#(meta)","usage":{"input":\#(index),"output":7}}"#.utf8)
    }
}()
private let totalBytes = rows.reduce(0) { $0 + $1.count }

private func run(_ worker: JSONScrubber.Worker) -> Int {
    var changed = 0
    for row in rows {
        row.withUnsafeBytes { bytes in
            worker.withScrubbedDocument(bytes) { output, outcome in
                if outcome.kind == .changed { changed += 1 }
                blackHole(output.count)
            }
        }
    }
    return changed
}

let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = thresholdMode ? [.mallocCountTotal] : [.wallClock, .throughput, .mallocCountTotal]
    let config = Benchmark.Configuration(metrics: metrics, scalingFactor: .one, maxDuration: .seconds(2),
                                         maxIterations: thresholdMode ? 10 : 50)
    for (name, flat) in [("flat", true), ("nested", false)] {
        Benchmark("ScrubJSONL.\(name)", configuration: config) { benchmark in
            let worker = JSONScrubber(scrubber: scrubber, options: .init(flat: flat)).makeWorker()
            // Checked before measuring: every row holds a planted email, so every row changes.
            precondition(run(worker) == rows.count, "ScrubJSONL.\(name): not every row changed")
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(run(worker)) }
            benchmark.stopMeasurement()
            _ = totalBytes
        }
    }
}
