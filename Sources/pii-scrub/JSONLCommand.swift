import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PIIScrub
import PIIScrubJSON
import PIIScrubStream
import Synchronization

struct JSONL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jsonl",
        abstract: "Scrub JSONL (Langfuse exports) string by string, keeping every line valid JSON.",
        discussion: """
            Every string value and object key is decoded, scrubbed and re-encoded only when it
            changed; JSON text inside strings is scrubbed recursively. Lines are split on the \\n
            byte; one output line per input line (minus rows dropped by --max-age), in order.
            Malformed lines are scrubbed as escape-aware text and reported by line number
            (--strict: exit 2 instead). Field paths are dotted keys from the row root, `*` = any
            one key, array elements add no segment (e.g. metadata.customer.email).
            Exit status: 0 ok, 2 error.
            """
    )

    @OptionGroup var pattern: PatternOptions

    @Option(name: .long, help: "Worker threads (default: all cores).")
    var jobs: Int = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))

    @Flag(name: .long, help: "String values only: no key scrubbing, no decoding of JSON text inside strings.")
    var flat = false

    @Option(name: .long, help: "Never scrub this field path (repeatable), e.g. id, trace_id.")
    var keepField: [String] = []

    @Option(name: .long, help: "Scrub only these field paths (repeatable).")
    var onlyField: [String] = []

    @Flag(name: .long, help: "Also scrub JSON numbers (a matching number becomes a string token).")
    var scrubNumbers = false

    @Option(name: .long, help: "Drop rows older than now minus this duration (90d, 12h, 30m, 45s).")
    var maxAge: String?

    @Option(name: .long, help: "The time --max-age counts back from (ISO-8601; default: current time).")
    var now: String?

    @Flag(name: .long, help: "Stop at the first malformed line with exit status 2.")
    var strict = false

    @Option(name: .long, help: "Write a JSON report (counts, line numbers, rates; never a value) to this file.")
    var report: String?

    @Argument(help: "Input JSONL files (default: stdin).")
    var files: [String] = []

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if let maxAge, parseDuration(maxAge) == nil {
            throw ValidationError("--max-age must be a number followed by d, h, m or s (e.g. 90d)")
        }
        if let now, parseTimestampString(now) == nil {
            throw ValidationError("--now must be an ISO-8601 time such as 2025-01-31T00:00:00Z")
        }
        if now != nil && maxAge == nil { throw ValidationError("--now needs --max-age") }
        for path in keepField + onlyField where path.isEmpty || path.split(separator: ".", omittingEmptySubsequences: false).contains("") {
            throw ValidationError("field paths are dotted keys without empty segments")
        }
    }

    /// What a run needs of the command line (``PlainCommand`` fills it without argument-parser).
    struct Settings {
        var jobs: Int
        var flat = false
        var keepField: [String] = []
        var onlyField: [String] = []
        var scrubNumbers = false
        /// Rows older than this (seconds since the epoch) are dropped.
        var minimumTimestamp: Int64?
        var strict = false
        var report: String?
        var files: [String] = []
    }

    func run() throws {
        var minimum: Int64?
        if let maxAge, let age = parseDuration(maxAge) {
            let reference = now.flatMap(parseTimestampString) ?? Int64(time(nil))
            minimum = reference - age
        }
        Self.execute(Settings(jobs: jobs, flat: flat, keepField: keepField, onlyField: onlyField,
                              scrubNumbers: scrubNumbers, minimumTimestamp: minimum, strict: strict,
                              report: report, files: files),
                     loadScrubber: pattern.loadScrubber)
    }

    static func execute(_ settings: Settings, loadScrubber: () throws -> Scrubber) {
        signal(SIGPIPE, SIG_IGN)
        let scrubber: Scrubber
        do { scrubber = try loadScrubber() } catch { ExitStatus.fail("\(error)") }
        let flat = settings.flat, files = settings.files, report = settings.report, jobs = settings.jobs
        var options = JSONScrubber.Options(
            flat: flat, keepFields: settings.keepField.map(FieldPath.init),
            onlyFields: settings.onlyField.map(FieldPath.init), scrubNumbers: settings.scrubNumbers,
            minimumTimestamp: settings.minimumTimestamp)
        // Only the report shows per-field counts; without one, mapping each match back to its
        // field is work for nothing.
        options.countsFieldPaths = report != nil
        let json = JSONScrubber(scrubber: scrubber, options: options)

        var sources: [ByteSource] = []
        for file in files {
            do { sources.append(try ByteSource.open(file)) } catch { ExitStatus.fail("\(error)") }
        }
        if sources.isEmpty { sources = [.standardInput] }
        let names = files.isEmpty ? ["<stdin>"] : files
        let totalSize = sources.reduce(0) { $0 + ($1.regularFileSize ?? 0) }

        let totals = Mutex(JSONLTotals())
        let strict = settings.strict
        let showProgress = isatty(2) == 1
        var lastProgress = 0.0
        let startTime = monotonicSeconds()
        let result: LineFilterStatistics
        do {
            result = try LineFilter(jobs: jobs).run(
                sources: sources, sink: .standardOutput,
                makeProcessor: { JSONLBlockProcessor(worker: json.makeWorker(), strict: strict) },
                finish: { processor in totals.withLock { $0.add(processor.worker) } },
                progress: showProgress ? { bytes, lines in
                    let t = monotonicSeconds() - startTime
                    guard t - lastProgress >= 0.5 else { return }
                    lastProgress = t
                    let rate = Double(bytes) / max(t, 1e-9)
                    var line = "\rpii-scrub jsonl: \(bytes / 1_000_000) MB, \(lines) rows, \(formatRate(bytes: bytes, seconds: t)) MB/s"
                    if totalSize > bytes, rate > 0 { line += ", ETA \(Int(Double(totalSize - bytes) / rate))s" }
                    writeStandardError(line + "   ")
                } : nil)
        } catch let error as FilterIOError where error.isBrokenPipe {
            Glibc.exit(0)
        } catch {
            ExitStatus.fail("\(error)")
        }
        if showProgress { writeStandardError("\n") }
        let t = totals.withLock { $0 }
        if let report {
            let text = renderReport(result: result, totals: t, names: names, patterns: scrubber.patternSet, flat: flat)
            if !writeFile(report, text) { ExitStatus.fail("cannot write report \(report)") }
        }
        if let stop = result.stoppedAt {
            ExitStatus.fail("\(names[stop.source]):\(stop.line): malformed JSON (--strict)")
        }
        if !result.flagged.isEmpty {
            writeStandardError("pii-scrub jsonl: \(result.flaggedCount) malformed line(s) scrubbed as text"
                               + " (first: \(names[result.flagged[0].source]):\(result.flagged[0].line))\n")
        }
        if t.failures > 0 {
            writeStandardError("pii-scrub jsonl: \(t.failures) field(s) could not be scrubbed and were redacted whole\n")
        }
    }

    private static func renderReport(result: LineFilterStatistics, totals: JSONLTotals, names: [String],
                                     patterns: PatternSet, flat: Bool) -> String {
        var s = "{\n"
        s += "  \"inputs\": [\(names.map { jsonQuote($0) }.joined(separator: ", "))],\n"
        s += "  \"mode\": \(jsonQuote(flat ? "flat" : "default")),\n"
        s += "  \"patternSet\": \(jsonQuote(patterns.name)),\n"
        s += "  \"bytesIn\": \(result.bytesIn),\n  \"bytesOut\": \(result.bytesOut),\n"
        s += "  \"seconds\": \(result.seconds),\n"
        s += "  \"mbPerSecond\": \(formatRate(bytes: result.bytesIn, seconds: result.seconds)),\n"
        s += "  \"lines\": \(result.lines),\n  \"changedLines\": \(totals.changed),\n"
        s += "  \"droppedByRetention\": \(totals.dropped),\n"
        s += "  \"scrubFailures\": \(totals.failures),\n"
        let counts = patterns.patterns.map { "    \(jsonQuote($0.id)): \(totals.counts[$0.id] ?? 0)" }
        s += "  \"countsByPattern\": {\n\(counts.joined(separator: ",\n"))\n  },\n"
        let paths = totals.paths.sorted { $0.key < $1.key }.map { "    \(jsonQuote($0.key)): \($0.value)" }
        s += "  \"countsByField\": {\n\(paths.joined(separator: ",\n"))\n  },\n"
        s += "  \"malformedLineCount\": \(result.flaggedCount),\n"
        s += "  \"malformedLines\": [\(result.flagged.map { names.count > 1 ? "[\($0.source), \($0.line)]" : "\($0.line)" }.joined(separator: ", "))]"
        if let stop = result.stoppedAt { s += ",\n  \"stoppedAtLine\": \(stop.line)" }
        s += "\n}\n"
        return s
    }
}

/// Statistics gathered from every worker at the end of a run.
struct JSONLTotals: Sendable {
    var counts: [String: Int] = [:]
    var paths: [String: Int] = [:]
    var changed = 0
    var dropped = 0
    var failures = 0

    mutating func add(_ worker: JSONScrubber.Worker) {
        for (id, n) in worker.engine.counts { counts[id, default: 0] += n }
        for (path, n) in worker.fieldCounts { paths[path, default: 0] += n }
        changed += worker.changedDocuments
        dropped += worker.droppedDocuments
        failures += worker.engine.failureCount
    }
}

/// Scrubs the lines of a block with one JSON worker.
final class JSONLBlockProcessor: LineBlockProcessor {
    let worker: JSONScrubber.Worker
    let strict: Bool
    /// The lines of the block being processed (kept across blocks).
    private var lines: [Range<Int>] = []

    init(worker: JSONScrubber.Worker, strict: Bool) {
        self.worker = worker
        self.strict = strict
    }

    func process(_ block: UnsafeRawBufferPointer, into output: inout [UInt8], flagged: inout [Int]) -> (lines: Int, stop: Bool) {
        guard let base = block.baseAddress else { return (0, false) }
        output.reserveCapacity(block.count + 64)
        lines.removeAll(keepingCapacity: true)
        var at = 0
        while at < block.count {
            let hit = memchr(base + at, 0x0A, block.count - at)
            let lineEnd = hit.map { UnsafeRawPointer($0) - base } ?? block.count
            lines.append(at..<lineEnd)
            at = lineEnd + 1
        }
        // The block's last line has no newline only at the end of an input without one.
        let lastHasNewline = block.last == 0x0A
        var stopped: Int?
        worker.withScrubbedDocuments(block, lines: lines) { index, bytes, outcome in
            switch outcome.kind {
            case .dropped:
                return true
            case .malformed:
                flagged.append(index)
                if strict {
                    stopped = index
                    return false
                }
            default:
                break
            }
            output.append(contentsOf: bytes)
            if index + 1 < lines.count || lastHasNewline { output.append(0x0A) }
            return true
        }
        if let stopped { return (stopped + 1, true) }
        return (lines.count, false)
    }
}

/// `90d`, `12h`, `30m`, `45s` → seconds.
func parseDuration(_ text: String) -> Int64? {
    guard let unit = text.last, let value = Int64(text.dropLast()), value >= 0 else { return nil }
    switch unit {
    case "d": return value * 86_400
    case "h": return value * 3_600
    case "m": return value * 60
    case "s": return value
    default: return nil
    }
}

func parseTimestampString(_ text: String) -> Int64? {
    var text = text
    return text.withUTF8 { parseTimestamp(UnsafeRawBufferPointer($0)) }
}

func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// A JSON string literal for report keys (paths are scrubbed before they get here).
func jsonQuote(_ text: String) -> String {
    var s = "\""
    for u in text.unicodeScalars {
        switch u {
        case "\"": s += "\\\""
        case "\\": s += "\\\\"
        case "\n": s += "\\n"
        case "\r": s += "\\r"
        case "\t": s += "\\t"
        default:
            if u.value < 0x20 {
                let hex = String(u.value, radix: 16)
                s += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                s.unicodeScalars.append(u)
            }
        }
    }
    return s + "\""
}

func writeFile(_ path: String, _ text: String) -> Bool {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var text = text
    return text.withUTF8 { buffer in
        (try? ByteSink(fd: fd, name: path).write(UnsafeRawBufferPointer(buffer))) != nil
    }
}
