// ScrubStream: StreamScrubber at chunk sizes 4 B ... 64 KiB over 1 MiB, and the TextFilter
// pipeline (file in /tmp -> /dev/null) over 1..N worker threads on 32 MiB of dense text, per pattern set.
// Names: ScrubStream.chunk.<size>, ScrubStream.whole (the same 1 MiB in one call, for the
// per-byte ratio), ScrubStream.filter.<set>.jobs<N> (the speed-up is jobs1 / jobsN).
import Benchmark
import BenchSupport
#if canImport(Glibc)
import Glibc
#endif
import PIIScrub
import PIIScrubStream

private let sets = benchmarkSets()
private let scrubber = Scrubber(patternSet: sets[0])
private let text = generateText(size: 1 << 20, density: .common)
private let expectedOutput: Int = {
    let worker = scrubber.makeWorker()
    return text.bytes.withUnsafeBytes { worker.withScrubbed($0) { output, _ in output.count } }
}()
private let chunkSizes = [4, 16, 64, 256, 1024, 4096, 16384, 65536]

/// Feeds `text` in `chunk`-byte pieces and returns the output byte count.
private func stream(_ worker: ScrubWorker, chunk: Int) -> Int {
    let streamer = StreamScrubber(worker: worker)
    var out = 0
    text.bytes.withUnsafeBytes { all in
        var at = 0
        while at < all.count {
            let end = min(at + chunk, all.count)
            streamer.feed(UnsafeRawBufferPointer(rebasing: all[at ..< end])) { out += $0.count }
            at = end
        }
    }
    streamer.finish { out += $0.count }
    return out
}

private let filterPath = "/tmp/pii-scrub-bench-filter-\(getpid()).txt"
private let filterText = generateText(size: 32 << 20, density: .dense, seed: 7)

let benchmarks: @Sendable () -> Void = {
    let metrics: [BenchmarkMetric] = thresholdMode ? [.mallocCountTotal] : [.wallClock, .throughput, .mallocCountTotal]
    let config = Benchmark.Configuration(metrics: metrics, maxDuration: .seconds(2), maxIterations: thresholdMode ? 10 : 100)

    Benchmark("ScrubStream.whole", configuration: config) { benchmark in
        let worker = scrubber.makeWorker()
        text.bytes.withUnsafeBytes { input in
            precondition(worker.withScrubbed(input) { output, _ in output.count } == expectedOutput)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { worker.withScrubbed(input) { output, _ in blackHole(output.count) } }
        }
    }

    for chunk in chunkSizes {
        let label = chunk >= 1024 ? "\(chunk / 1024)KiB" : "\(chunk)B"
        Benchmark("ScrubStream.chunk.\(label)", configuration: config) { benchmark in
            let worker = scrubber.makeWorker()
            // Checked before measuring: streaming must produce exactly the whole-input output size.
            precondition(stream(worker, chunk: chunk) == expectedOutput, "chunk \(chunk): output size differs from whole")
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(stream(worker, chunk: chunk)) }
        }
    }

    // Thread scheduling makes the pipeline's allocation count vary, so it is never gated.
    guard !thresholdMode else { return }
    let cores = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    for (set, jobs) in sets.flatMap({ set in Array(Set([1, 2, max(2, cores)])).sorted().map { (set, $0) } }) {
        let filterScrubber = Scrubber(patternSet: set)
        Benchmark(
            "ScrubStream.filter.\(set.name).jobs\(jobs)",
            configuration: .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(3), maxIterations: 20,
                                 setup: {
                                     let fd = open(filterPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
                                     precondition(fd >= 0, "cannot create \(filterPath)")
                                     filterText.bytes.withUnsafeBytes { precondition(write(fd, $0.baseAddress, $0.count) == $0.count) }
                                     close(fd)
                                 },
                                 teardown: { unlink(filterPath) })
        ) { benchmark in
            let null = open("/dev/null", O_WRONLY)
            defer { close(null) }
            let filter = TextFilter(scrubber: filterScrubber, jobs: jobs)
            for _ in benchmark.scaledIterations {
                do {
                    let stats = try filter.run(sources: [try ByteSource.open(filterPath)], sink: ByteSink(fd: null, name: "/dev/null"))
                    precondition(stats.counts.values.reduce(0, +) == filterText.values, "\(set.name) jobs \(jobs): wrong match count")
                    precondition(stats.failures == 0)
                } catch {
                    fatalError("filter failed: \(error)")
                }
            }
        }
    }
}
