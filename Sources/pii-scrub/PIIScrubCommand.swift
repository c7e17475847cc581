import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PIIScrub
import PIIScrubStream
import Synchronization

@main
struct PIIScrubCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pii-scrub",
        abstract: "Remove PII and secrets from text and Langfuse trace exports.",
        version: "0.1.0",
        subcommands: [Scrub.self, JSONL.self, IngestBody.self, AuditConfig.self, Bench.self, LintPatterns.self],
        defaultSubcommand: Scrub.self
    )

    /// Runs the command with the project's exit codes: 0 ok, 2 on any error (usage errors
    /// included, where argument-parser would use 64); `--help`/`--version` exit 0.
    static func main() {
        do {
            if let plain = PlainCommand(CommandLine.arguments.dropFirst()) {
                plain.run()
                return
            }
            var command = try scrubFastPath() ?? parseAsRoot()
            try command.run()
        } catch {
            // --help/--version and explicit exit codes (audit-config's 1) keep argument-parser's handling.
            if exitCode(for: error) == .success || error is ExitCode { exit(withError: error) }
            writeStandardError(fullMessage(for: error) + "\n")
            Glibc.exit(2)
        }
    }
}

extension PIIScrubCommand {
    /// `pii-scrub scrub ...`, what pipelines start most, parsed by its own command: building the
    /// whole command tree costs 1 to 1.5 ms of argument-parser reflection at every start (5.9 ->
    /// 4.2 ms for a whole run on a small file). Whatever that parse does not accept cleanly
    /// (help, version, a bad option) goes through the full parser, so messages stay the same.
    static func scrubFastPath() -> (any ParsableCommand)? {
        let arguments = CommandLine.arguments.dropFirst()
        guard arguments.first == Scrub.configuration.commandName else { return nil }
        return try? Scrub.parse(Array(arguments.dropFirst()))
    }
}

/// Options shared by every subcommand that scrubs.
struct PatternOptions: ParsableArguments {
    @Option(name: .long, help: "Pattern set: a name (default, seed) or a path to a pattern file.")
    var patterns: String = "default"

    @Flag(name: .long, help: "Use the PCRE2 interpreter instead of the JIT (slow; for diagnosis).")
    var noJit = false

    @Option(name: .customLong("operator"),
            help: "Replacement for every pattern: token, numbered, mask, keyed (default: each pattern's own).")
    var replacementOperator: String?

    @Option(name: .long, help: "For --operator mask: letters/digits left visible at the end.")
    var maskKeep: Int = 4

    @Option(name: .long, help: "For --operator keyed: a file holding the secret HMAC-SHA256 key (at least 16 bytes).")
    var keyFile: String?

    @Option(name: .long, help: "For --operator keyed: the key id printed in pseudonyms.")
    var keyId: String = "k1"

    func validate() throws {
        if let replacementOperator, ReplacementOperator(name: replacementOperator, maskKeep: maskKeep) == nil {
            throw ValidationError("--operator must be token, numbered, mask or keyed")
        }
        if replacementOperator == "keyed" && keyFile == nil {
            throw ValidationError("--operator keyed needs --key-file")
        }
        if keyId.isEmpty || !keyId.utf8.allSatisfy({ isKeyIDByte($0) }) {
            throw ValidationError("--key-id must be letters, digits, '-' or '_'")
        }
    }

    func loadScrubber() throws -> Scrubber {
        try Self.loadScrubber(patterns: patterns, noJit: noJit, replacementOperator: replacementOperator,
                              maskKeep: maskKeep, keyFile: keyFile, keyId: keyId)
    }

    static func loadScrubber(patterns: String, noJit: Bool, replacementOperator: String? = nil, maskKeep: Int = 4,
                             keyFile: String? = nil, keyId: String = "k1") throws -> Scrubber {
        let set = try PatternSet.load(patterns)
        var configuration = Scrubber.Configuration(jit: !noJit)
        if let replacementOperator {
            configuration.operatorOverride = ReplacementOperator(name: replacementOperator, maskKeep: maskKeep)
        }
        if let keyFile {
            configuration.pseudonymKey = try PseudonymKeys.hmacSHA256(id: keyId, keyFile: keyFile)
        }
        return Scrubber(patternSet: set, configuration: configuration)
    }
}

/// `pii-scrub scrub` and `pii-scrub jsonl` with nothing but `--patterns NAME`, `--jobs N` (N >= 1),
/// `--no-jit`, file paths, and `--stats` (scrub) or `--flat` and `--strict` (jsonl): what
/// pipelines and batch jobs run, parsed by hand. argument-parser builds its argument set by
/// reflection at every start (Mirror, metadata and conformance lookups): about 2.5 ms of the 7-8
/// ms a seed run on empty input took, 3.5 ms for `jsonl`. Anything else (another option, `=`
/// forms of flags, a repeated option, `--`, `-`, a bad number, help, version) goes to
/// argument-parser unchanged, so its messages and checks stay the only ones.
struct PlainCommand {
    enum Kind { case scrub, jsonl }
    var kind: Kind
    var patterns = "default"
    var noJit = false
    var jobs = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
    var stats = false
    var flat = false
    var strict = false
    var files: [String] = []

    init?(_ arguments: ArraySlice<String>) {
        switch arguments.first {
        case Scrub.configuration.commandName: kind = .scrub
        case JSONL.configuration.commandName: kind = .jsonl
        default: return nil
        }
        var seen: Set<String> = []
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            if !argument.hasPrefix("-") {
                files.append(argument)
                continue
            }
            // Each option at most once; a repeat is argument-parser's to judge.
            guard seen.insert(argument).inserted else { return nil }
            switch (argument, kind) {
            case ("--patterns", _):
                guard let value = rest.popFirst(), !value.isEmpty, !value.hasPrefix("-") else { return nil }
                patterns = value
            case ("--jobs", _):
                guard let value = rest.popFirst(), let n = Int(value), n >= 1 else { return nil }
                jobs = n
            case ("--no-jit", _):
                noJit = true
            case ("--stats", .scrub):
                stats = true
            case ("--flat", .jsonl):
                flat = true
            case ("--strict", .jsonl):
                strict = true
            default:
                return nil
            }
        }
    }

    func run() {
        let load = { [patterns, noJit] in try PatternOptions.loadScrubber(patterns: patterns, noJit: noJit) }
        switch kind {
        case .scrub:
            Scrub.execute(jobs: jobs, stats: stats, files: files, loadScrubber: load)
        case .jsonl:
            JSONL.execute(JSONL.Settings(jobs: jobs, flat: flat, strict: strict, files: files), loadScrubber: load)
        }
    }
}

/// Exit codes: 0 ok, 2 error. A broken stdout pipe exits 0 quietly (ripgrep).
enum ExitStatus {
    static func fail(_ message: String) -> Never {
        writeStandardError("pii-scrub: \(message)\n")
        Glibc.exit(2)
    }
}

struct Scrub: ParsableCommand {
    // Every command names itself: otherwise argument-parser derives the name with
    // String(describing:) at each start, a measurable share of the ~6 ms start-up.
    static let configuration = CommandConfiguration(
        commandName: "scrub",
        abstract: "Scrub text from files or stdin to stdout.",
        discussion: """
            Every match is replaced by its pattern's token ([EMAIL], [PHONE], ...). Output is
            identical to scrubbing each input whole, whatever --jobs is. Exit status: 0 ok, 2 error.
            """
    )

    @OptionGroup var pattern: PatternOptions

    @Option(name: .long, help: "Worker threads (default: all cores).")
    var jobs: Int = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))

    @Flag(name: .long, help: "Print match counts per pattern to stderr (counts only, never values).")
    var stats = false

    @Flag(name: .long, help: ArgumentHelp(
        "Print what each pattern's PCRE2 searches and validator cost to stderr (counts and ticks, never values).",
        discussion: "Times every search (two counter reads each): for tuning pattern files, not for production."))
    var profile = false

    @Argument(help: "Input files (default: stdin).")
    var files: [String] = []

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        try pattern.validate()
    }

    func run() throws {
        Self.execute(jobs: jobs, stats: stats, profile: profile, files: files) { try pattern.loadScrubber() }
    }

    /// The command's work, shared with ``PlainScrub``.
    static func execute(jobs: Int, stats: Bool, profile: Bool = false, files: [String], loadScrubber: () throws -> Scrubber) {
        signal(SIGPIPE, SIG_IGN)
        Interrupt.install()
        let scrubber: Scrubber
        do { scrubber = try loadScrubber() } catch { ExitStatus.fail("\(error)") }
        var sources: [ByteSource] = []
        for file in files {
            do { sources.append(try ByteSource.open(file)) } catch { ExitStatus.fail("\(error)") }
        }
        if sources.isEmpty { sources = [.standardInput] }
        let filter = TextFilter(scrubber: scrubber, jobs: jobs, profileSearches: profile,
                                isCancelled: { Interrupt.flag.load(ordering: .relaxed) })
        let result: FilterStatistics
        do {
            result = try filter.run(sources: sources, sink: .standardOutput)
        } catch let error as FilterIOError where error.isBrokenPipe {
            Glibc.exit(0)
        } catch {
            ExitStatus.fail("\(error)")
        }
        if stats {
            var lines = ["pii-scrub: \(result.bytesIn) bytes in, \(result.bytesOut) bytes out, "
                         + "\(formatRate(bytes: result.bytesIn, seconds: result.seconds)) MB/s"]
            for p in scrubber.patternSet.patterns {
                lines.append("  \(p.id)\t\(result.counts[p.id] ?? 0)")
            }
            lines.append("  failures\t\(result.failures)")
            writeStandardError(lines.joined(separator: "\n") + "\n")
        }
        if profile { writeStandardError(searchProfileTable(scrubber.patternSet, result)) }
        if result.interrupted {
            writeStandardError("pii-scrub: interrupted; output ends at a block boundary (complete lines where lines fit in a block)\n")
            Glibc.exit(130)
        }
        if result.failures > 0 {
            writeStandardError("pii-scrub: \(result.failures) block(s) could not be scrubbed and were redacted whole\n")
        }
    }
}

struct LintPatterns: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint-patterns",
        abstract: "Compile a pattern set and print each pattern, its strategy and JIT state."
    )

    @OptionGroup var pattern: PatternOptions

    func run() throws {
        let set: PatternSet
        do { set = try PatternSet.load(pattern.patterns) } catch { ExitStatus.fail("\(error)") }
        print("set \(set.name): \(set.patterns.count) patterns, cuttable: \(set.isCuttable)")
        for p in set.patterns {
            print("\(p.id)\tstage \(p.stage)\tpriority \(p.priority)\t\(p.strategy)\tjit \(p.isJITCompiled)"
                  + "\tminLength \(p.minLength)\t\(p.definition.regex)")
        }
        let warnings = set.lint()
        for warning in warnings { print(warning) }
        if warnings.contains(where: { $0.severity == .error }) { Glibc.exit(1) }
    }
}

/// SIGINT: stop reading, finish the blocks in flight, exit 130 (never cut a block in half).
enum Interrupt {
    static let flag = Atomic<Bool>(false)

    static func install() {
        // A parent may hand us SIGINT blocked (test harnesses do); unblock it before any thread
        // starts, so ^C always reaches the handler.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        signal(SIGINT) { _ in
            // Lock-free atomic store: async-signal-safe. A second ^C kills as usual.
            Interrupt.flag.store(true, ordering: .relaxed)
            signal(SIGINT, SIG_DFL)
        }
    }
}

@inline(__always)
func isKeyIDByte(_ b: UInt8) -> Bool {
    (b &- 0x30) < 10 || ((b | 0x20) &- 0x61) < 26 || b == UInt8(ascii: "-") || b == UInt8(ascii: "_")
}

/// Diagnostics go to stderr, unbuffered. Never called with subject text.
func writeStandardError(_ text: String) {
    var text = text
    text.withUTF8 { buffer in
        var p = buffer.baseAddress
        var remaining = buffer.count
        while remaining > 0, let base = p {
            let n = Glibc.write(2, base, remaining)
            if n <= 0 { break }
            p = base + n
            remaining -= n
        }
    }
}

/// Megabytes (1e6 bytes) per second with one decimal.
func formatRate(bytes: Int, seconds: Double) -> String {
    formatTenths(Double(bytes) / max(seconds, 1e-9) / 1e6)
}

/// A non-negative number with one decimal.
func formatTenths(_ value: Double) -> String {
    let tenths = Int((value * 10).rounded())
    return "\(tenths / 10).\(tenths % 10)"
}

/// The `scrub --profile` table: per pattern, confirmed matches, PCRE2 searches, regex matches
/// (before validation), ticks in searches and in the validator, ticks a search, share of all
/// ticks; most expensive first. Counts and times only, never text.
func searchProfileTable(_ set: PatternSet, _ result: FilterStatistics) -> String {
    let rows = set.patterns.map { ($0.id, result.counts[$0.id] ?? 0, result.searchProfiles[$0.id] ?? SearchProfile()) }
    func cost(_ p: SearchProfile) -> Int { p.searchTicks + p.validatorTicks }
    let total = max(1, rows.reduce(0) { $0 + cost($1.2) })
    var lines = ["pii-scrub: search profile (ticks: the time-stamp counter on x86-64, the virtual counter on arm64; "
                 + "all searches and validators \(total) ticks)",
                 "  pattern\tmatches\tsearches\tregex-matches\tsearch-ticks\tvalidator-ticks\tticks/search\tshare"]
    for (id, matches, p) in rows.sorted(by: { cost($0.2) > cost($1.2) }) {
        let perSearch = p.searches == 0 ? 0 : p.searchTicks / p.searches
        lines.append("  \(id)\t\(matches)\t\(p.searches)\t\(p.regexMatches)\t\(p.searchTicks)\t\(p.validatorTicks)"
                     + "\t\(perSearch)\t\(formatTenths(Double(cost(p)) * 100 / Double(total))) %")
    }
    return lines.joined(separator: "\n") + "\n"
}
