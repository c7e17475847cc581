import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PIIScrub
import PIIScrubBench

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure what a pattern set costs (speed) and buys (precision/recall), optionally against another.",
        discussion: """
            CORPUS is plain text (one record per line: speed and match counts only) or labelled JSONL,
            one {"text": ..., "pii": [{"type": ..., "value": ...}], "keep": [...]} per line (docs/BENCH.md).
            Values from the corpus are never printed unless --show-values is given.
            Exit status: 0 ok, 2 error.
            """
    )

    @Option(name: .long, help: "Pattern set A: a name (seed, default) or a path to a pattern file.")
    var patterns: String = "seed"

    @Option(name: .long, help: "Pattern set B to compare against A.")
    var against: String?

    @Option(name: .long, help: "Write the report as JSON to this file.")
    var json: String?

    @Option(name: .long, help: "Write a self-contained HTML report (inline SVG charts) to this file.")
    var html: String?

    @Flag(name: .long, help: "Include escaped context of misses and false positives (the corpus may be real data).")
    var showValues = false

    @Option(name: .long, help: "Minimum measured seconds per throughput figure.")
    var minTime: Double = 0.2

    @Flag(name: .long, help: "Skip the pathological scaling check.")
    var noScaling = false

    @Option(name: .long, help: "Largest pathological input in KiB (the ladder starts at 16 KiB, x4 per step).")
    var scalingMax: Int = 4096

    @Option(name: .long, help: "Misses and false positives listed per set.")
    var examples: Int = 10

    @Flag(name: .long, help: "Use the PCRE2 interpreter instead of the JIT.")
    var noJit = false

    @Argument(help: "Corpus file.")
    var corpus: String

    func validate() throws {
        guard minTime > 0 else { throw ValidationError("--min-time must be positive") }
        guard scalingMax >= 64 else { throw ValidationError("--scaling-max must be at least 64 (KiB)") }
        guard examples >= 0 else { throw ValidationError("--examples must not be negative") }
    }

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        var config = BenchHarness.Configuration()
        config.minimumSeconds = minTime
        config.scaling = !noScaling
        config.scalingLargest = scalingMax << 10
        config.showValues = showValues
        config.maxExamples = examples
        config.engine = .init(jit: !noJit)
        let harness = BenchHarness(configuration: config)
        do {
            let data = try Corpus.load(path: corpus)
            var runs: [SetReport] = []
            for source in [patterns] + (against.map { [$0] } ?? []) {
                let set = try PatternSet.load(source)
                writeStandardError("pii-scrub bench: measuring set \(set.name) (\(set.patterns.count) patterns)\n")
                runs.append(try harness.run(set: set, source: source, corpus: data))
            }
            let report = BenchReport(corpus: corpus, records: data.records.count, bytes: data.byteCount,
                                     labelled: data.isLabelled, showValues: showValues,
                                     growthThreshold: config.growthThreshold, runs: runs)
            if let json { try writeFile(json, try report.renderJSON()) }
            if let html { try writeFile(html, Array(report.renderHTML().utf8)) }
            print(report.renderText(), terminator: "")
        } catch {
            ExitStatus.fail("\(error)")
        }
    }

    private func writeFile(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw BenchError("cannot write \(path)") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw BenchError("cannot write \(path)") }
            offset += n
        }
    }
}
