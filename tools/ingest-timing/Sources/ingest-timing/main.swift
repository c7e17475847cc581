import Foundation
import PIIScrub
import PIIScrubJSON
import PIIScrubLangfuse

// Paths relative to this file: tools/ingest-timing/Sources/ingest-timing/main.swift.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
let fixtures = root + "/Tests/Data/fixtures/langfuse/"

func bytes(_ relative: String) -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: fixtures + relative) else {
        fatalError("missing fixture \(relative)")
    }
    return Array(data)
}

/// INGEST_TIMING_SCALE=N divides every iteration count by N (e.g. under valgrind).
let scale = max(1, Int(ProcessInfo.processInfo.environment["INGEST_TIMING_SCALE"] ?? "1") ?? 1)

/// Seconds of CPU time this thread has used (excludes time the scheduler gave to other processes
/// on a shared machine; wall-clock time includes it).
func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

/// Median and best of `runs` timings of `iterations` calls each, in seconds per call, by wall
/// clock and by this thread's CPU time.
func measure(runs: Int, iterations: Int, _ body: () -> Void) -> (median: Double, best: Double, cpuMedian: Double, cpuBest: Double) {
    let iterations = max(1, iterations / scale)
    for _ in 0..<max(1, iterations / 10) { body() }  // warm-up
    var wall: [Double] = []
    var cpu: [Double] = []
    let clock = ContinuousClock()
    for _ in 0..<runs {
        let cpuStart = threadCPUSeconds()
        let elapsed = clock.measure { for _ in 0..<iterations { body() } }
        cpu.append((threadCPUSeconds() - cpuStart) / Double(iterations))
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        wall.append(seconds / Double(iterations))
    }
    wall.sort()
    cpu.sort()
    return (wall[wall.count / 2], wall[0], cpu[cpu.count / 2], cpu[0])
}

/// A ≥ 1 MiB OTLP/JSON request: the captured export's resourceSpans elements repeated.
func otlpBody(minimumBytes: Int) -> [UInt8] {
    let capture = bytes("sdk-python-current-otel/plain/0001.otlp.json")
    guard let open = capture.firstIndex(of: UInt8(ascii: "[")), let close = capture.lastIndex(of: UInt8(ascii: "]")) else {
        fatalError("unexpected OTLP fixture shape")
    }
    let elements = capture[(open + 1)..<close]
    var body = Array(capture[...open])
    var first = true
    while body.count + elements.count < minimumBytes {
        if !first { body.append(UInt8(ascii: ",")) }
        body += elements
        first = false
    }
    body += capture[close...]
    return body
}

let sets = CommandLine.arguments.dropFirst().isEmpty ? ["seed"] : Array(CommandLine.arguments.dropFirst())
let batches = [
    "sdk-python-v2-ingestion/plain/0001.body.wire.json",
    "sdk-python-v2-ingestion/masked/0001.body.wire.json",
    "sdk-python-v3-otel/0002.body.wire.json",
    "sdk-python-current-otel/plain/0002.body.wire.json",
    "sdk-python-current-otel/plain/0001.otlp.json",
]

for set in sets {
    let patternSet = try PatternSet.load(path: root + "/patterns/\(set).json")
    let langfuse = LangfuseBodyScrubber(scrubber: Scrubber(patternSet: patternSet))
    // INGEST_TIMING_PLAIN=1: the JSON scrubber without keep-field paths (to see their cost).
    let plain = ProcessInfo.processInfo.environment["INGEST_TIMING_PLAIN"] == "1"
    let plainWorker = JSONScrubber(scrubber: langfuse.json.scrubber).makeWorker()
    let bodyWorker = langfuse.makeWorker()
    func scrubOnce<R>(_ raw: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer, JSONScrubber.Outcome) -> R) -> R {
        plain ? plainWorker.withScrubbedDocument(raw, body) : bodyWorker.withScrubbedDocument(raw, body)
    }
    print("pattern set \(set) (\(patternSet.patterns.count) patterns)")
    // INGEST_TIMING_BIG_ONLY=1: only the 1 MiB body, one run (for callgrind's instruction counts).
    let bigOnly = ProcessInfo.processInfo.environment["INGEST_TIMING_BIG_ONLY"] == "1"
    for file in bigOnly ? [] : batches {
        let input = bytes(file)
        // Check the work before timing it (STYLE B7): the body must come out changed.
        let kind = input.withUnsafeBytes { scrubOnce($0) { _, outcome in outcome.kind } }
        precondition(kind == .changed, "\(file): expected a changed body")
        let t = input.withUnsafeBytes { raw in
            measure(runs: 21, iterations: 2000) { scrubOnce(raw) { out, _ in _ = out.count } }
        }
        print(String(format: "  %-52@ %7d bytes  wall median %7.2f us best %7.2f us | cpu median %7.2f us best %7.2f us",
                     file as NSString, input.count, t.median * 1e6, t.best * 1e6, t.cpuMedian * 1e6, t.cpuBest * 1e6))
        if ProcessInfo.processInfo.environment["INGEST_TIMING_RAW"] == "1" {
            // The engine over the same bytes as plain text: the floor for the JSON-aware path.
            let engine = langfuse.json.scrubber.makeWorker()
            let r = input.withUnsafeBytes { raw in
                measure(runs: 21, iterations: 2000) { engine.withScrubbed(raw) { out, _ in _ = out.count } }
            }
            print(String(format: "    raw engine: median %7.2f us  best %7.2f us", r.median * 1e6, r.best * 1e6))
        }
    }
    let big = otlpBody(minimumBytes: 1 << 20)
    let kind = big.withUnsafeBytes { scrubOnce($0) { _, outcome in outcome.kind } }
    precondition(kind == .changed)
    let t = big.withUnsafeBytes { raw in
        measure(runs: bigOnly ? 1 : 15, iterations: 20) { scrubOnce(raw) { out, _ in _ = out.count } }
    }
    print(String(format: "  %-52@ %7d bytes  wall median %.0f MB/s best %.0f MB/s | cpu median %.0f MB/s best %.0f MB/s",
                 "OTLP/JSON 1 MiB (0001.otlp.json spans repeated)" as NSString, big.count,
                 Double(big.count) / t.median / 1e6, Double(big.count) / t.best / 1e6,
                 Double(big.count) / t.cpuMedian / 1e6, Double(big.count) / t.cpuBest / 1e6))
}
