public import PIIScrub

/// Runs the measurements of `pii-scrub bench`: speed per pattern, yield against labels, scaling
/// on generated near-miss input.
public struct BenchHarness: Sendable {
    public struct Configuration: Sendable {
        /// Minimum measured time per throughput figure (the corpus is passed over repeatedly).
        public var minimumSeconds: Double = 0.2
        /// Run the pathological scaling ladder.
        public var scaling: Bool = true
        /// The two largest sizes of the scaling ladder; the ladder starts at 16 KiB and multiplies by 4.
        public var scalingLargest: Int = 4 << 20
        /// Growth (time ratio / size ratio) above which a pattern is flagged.
        public var growthThreshold: Double = 2.5
        /// Stop climbing the ladder when one step takes longer than this.
        public var stepBudgetSeconds: Double = 1.0
        /// Include escaped context for misses and false positives.
        public var showValues: Bool = false
        /// Examples kept per list.
        public var maxExamples: Int = 10
        public var engine: Scrubber.Configuration = .init()

        public init() {}
    }

    public var configuration: Configuration

    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// Measures `set` on `corpus`.
    public func run(set: PatternSet, source: String, corpus: Corpus) throws -> SetReport {
        let scrubber = Scrubber(patternSet: set, configuration: configuration.engine)
        let worker = scrubber.makeWorker()
        // One pass with the whole set: outputs, findings, counts, scores.
        let evaluator = Evaluator(patternSet: set, showValues: configuration.showValues)
        var tally = Evaluator.Tally()
        for record in corpus.records {
            let scrubbed: [UInt8] = record.bytes.withUnsafeBytes { input in
                worker.withScrubbed(input) { output, _ in Array(output) }
            }
            if corpus.isLabelled {
                let findings = worker.lastFindings()
                evaluator.score(record: record, scrubbed: scrubbed, findings: findings, into: &tally)
            }
        }
        let failures = worker.failureCount
        let candidates = set.patterns.indices.map { worker.searches(forPatternAt: $0) }
        let matches = set.patterns.indices.map { worker.count(forPatternAt: $0) }
        let whole = time(worker: scrubber.makeWorker(), corpus: corpus)

        // The whole set on the same ladders: patterns alone cannot show what they cost together
        // (a deferred pattern searches the gaps the others' matches leave).
        var setScaling: ScalingResult?
        var setFlags: [String] = []
        if configuration.scaling {
            for input in PathologicalInput.allCases {
                let result = ladder(scrubber, input)
                Self.flag(result, worst: &setScaling, flags: &setFlags)
            }
            if let setScaling, setScaling.growth > configuration.growthThreshold { setFlags.append("super-linear") }
        }

        var patterns: [PatternReport] = []
        for (index, pattern) in set.patterns.enumerated() {
            let alone = try PatternSet(name: pattern.id, definitions: [pattern.definition])
            let aloneScrubber = Scrubber(patternSet: alone, configuration: configuration.engine)
            let aloneWorker = aloneScrubber.makeWorker()
            let timing = time(worker: aloneWorker, corpus: corpus)
            var flags: [String] = []
            if timing.failures > 0 { flags.append("match-limit") }
            var worst: ScalingResult?
            if configuration.scaling {
                for input in PathologicalInput.allCases {
                    Self.flag(ladder(aloneScrubber, input), worst: &worst, flags: &flags)
                }
                if let worst, worst.growth > configuration.growthThreshold { flags.append("super-linear") }
            }
            patterns.append(PatternReport(
                id: pattern.id, type: PIITypes.type(of: pattern.definition), strategy: "\(pattern.strategy)",
                jit: pattern.isJITCompiled, megabytesPerSecond: rate(corpus.byteCount, timing.secondsPerPass),
                secondsPerPass: timing.secondsPerPass, timeShare: 0, candidates: candidates[index],
                matches: matches[index], failures: timing.failures, scaling: worst, flags: flags))
        }
        let total = patterns.reduce(0) { $0 + $1.secondsPerPass }
        for i in patterns.indices { patterns[i].timeShare = total > 0 ? patterns[i].secondsPerPass / total : 0 }

        let order: (ErrorExample, ErrorExample) -> Bool = { ($0.type, $0.line, $0.start) < ($1.type, $1.line, $1.start) }
        return SetReport(
            name: set.name, source: source, megabytesPerSecond: rate(corpus.byteCount, whole.secondsPerPass),
            secondsPerPass: whole.secondsPerPass, failures: failures, patterns: patterns,
            types: corpus.isLabelled ? evaluator.finish(tally) : [],
            misses: worstFirst(tally.misses, by: order), falsePositives: worstFirst(tally.falsePositives, by: order),
            scaling: setScaling, flags: setFlags)
    }

    /// Adds a ladder's `match-limit` and `slow-pathological` flags and keeps the largest growth.
    private static func flag(_ ladder: LadderResult, worst: inout ScalingResult?, flags: inout [String]) {
        if ladder.result.failures > 0, !flags.contains("match-limit") { flags.append("match-limit") }
        if ladder.stoppedEarly, !flags.contains("slow-pathological") { flags.append("slow-pathological") }
        if worst == nil || ladder.result.growth > worst!.growth { worst = ladder.result }
    }

    /// Keeps `maxExamples`, round-robin over the kinds, the kind with the most errors first, so one
    /// kind with many errors does not hide the others.
    private func worstFirst(_ examples: [ErrorExample], by order: (ErrorExample, ErrorExample) -> Bool) -> [ErrorExample] {
        var byType: [String: [ErrorExample]] = [:]
        for e in examples { byType[e.type, default: []].append(e) }
        let types = byType.keys.sorted { a, b in
            let (ca, cb) = (byType[a]!.count, byType[b]!.count)
            return ca != cb ? ca > cb : a < b
        }
        let queues = types.map { byType[$0]!.sorted(by: order) }
        var result: [ErrorExample] = []
        var round = 0
        while result.count < configuration.maxExamples {
            var took = false
            for queue in queues where round < queue.count && result.count < configuration.maxExamples {
                result.append(queue[round])
                took = true
            }
            if !took { break }
            round += 1
        }
        return result
    }

    private struct Timing {
        var secondsPerPass: Double
        var failures: Int
    }

    /// One warm-up pass, then three rounds of passes over the corpus, each lasting at least a third
    /// of `minimumSeconds`; the best round's time per pass counts (the machine may be shared).
    private func time(worker: ScrubWorker, corpus: Corpus) -> Timing {
        let clock = ContinuousClock()
        var sink = 0
        func pass() {
            for record in corpus.records {
                record.bytes.withUnsafeBytes { input in
                    worker.withScrubbed(input) { output, _ in sink &+= output.count }
                }
            }
        }
        worker.resetCounts()
        pass()
        let failures = worker.failureCount
        var best = Double.infinity
        for _ in 0 ..< 3 {
            var passes = 0
            let start = clock.now
            var elapsed = 0.0
            repeat {
                pass()
                passes += 1
                elapsed = seconds(clock.now - start)
            } while elapsed < configuration.minimumSeconds / 3
            best = min(best, elapsed / Double(passes))
        }
        blackHole(sink)
        return Timing(secondsPerPass: best, failures: failures)
    }

    private struct LadderResult {
        var result: ScalingResult
        var stoppedEarly: Bool
    }

    /// Times one generated input at 16 KiB, 64 KiB, ... up to `scalingLargest`, and returns the
    /// last pair measured (by default 1 MiB -> 4 MiB). Climbing stops early when a pair grows faster
    /// than the threshold and the next step, extrapolated, would exceed the step budget, or when a
    /// step is over budget; `stoppedEarly` then flags the pattern `slow-pathological`.
    private func ladder(_ scrubber: Scrubber, _ input: PathologicalInput) -> LadderResult {
        let worker = scrubber.makeWorker()
        var sizes: [Int] = []
        var size = 16 << 10
        while size <= configuration.scalingLargest {
            sizes.append(size)
            size *= 4
        }
        if sizes.count < 2 { sizes = [configuration.scalingLargest / 4, configuration.scalingLargest] }
        var previous: (bytes: Int, seconds: Double)?
        var last = ScalingResult(input: input.rawValue, smallBytes: 0, largeBytes: 0, smallSeconds: 0, largeSeconds: 0, failures: 0)
        var failures = 0
        for size in sizes {
            let bytes = input.generate(size: size)
            worker.resetCounts()
            let seconds = timeOne(worker, bytes)
            failures += worker.failureCount
            if let previous {
                last = ScalingResult(input: input.rawValue, smallBytes: previous.bytes, largeBytes: size,
                                     smallSeconds: previous.seconds, largeSeconds: seconds, failures: failures)
                // Stop climbing when the next step, extrapolated at this pair's rate, would exceed the
                // budget: a quadratic pattern would take hours at 4 MiB. Otherwise keep climbing, so a
                // one-off step (a cache level, a window size) is judged by the pairs after it.
                let projected = seconds * seconds / max(previous.seconds, 1e-9)
                if last.growth > configuration.growthThreshold && projected > configuration.stepBudgetSeconds
                    && size < sizes.last! {
                    return LadderResult(result: last, stoppedEarly: true)
                }
            }
            if seconds > configuration.stepBudgetSeconds {
                return LadderResult(result: last, stoppedEarly: size < sizes.last!)
            }
            previous = (size, seconds)
        }
        return LadderResult(result: last, stoppedEarly: false)
    }

    /// Best of several runs of one payload, each run repeated to at least 5 ms.
    private func timeOne(_ worker: ScrubWorker, _ bytes: [UInt8]) -> Double {
        let clock = ContinuousClock()
        var best = Double.infinity
        var sink = 0
        for _ in 0 ..< 3 {
            var reps = 0
            let start = clock.now
            var elapsed = 0.0
            repeat {
                bytes.withUnsafeBytes { input in worker.withScrubbed(input) { output, _ in sink &+= output.count } }
                reps += 1
                elapsed = seconds(clock.now - start)
            } while elapsed < 0.005
            best = min(best, elapsed / Double(reps))
            if elapsed > configuration.stepBudgetSeconds { break }
        }
        blackHole(sink)
        return best
    }
}

/// Near-miss inputs that make badly written patterns backtrack, generated deterministically.
public enum PathologicalInput: String, CaseIterable, Sendable {
    /// One run of digits with no separator: `0123456789012...`.
    case digits
    /// Digit groups one digit short of phone/SSN/card shapes: `123-45-678 1234-567-89 ...`.
    case digitGroups = "digit-groups"
    /// A long e-mail local part (`ab.cd_ef-...`) with a lone `@` at the very end and no domain.
    case localPart = "local-part"
    /// Mixed-case letters and digits with no separator (token/key shaped).
    case alnumRun = "alnum-run"
    /// Dotted numbers one part short of an address: `12.345.67.8901.2...`.
    case dottedNumbers = "dotted-numbers"
    /// Four-digit groups between spaces, `1234 5678 9012 ...` (a column of numbers): the phone
    /// readings of its runs leave a gap between each two for the deferred patterns.
    case spacedGroups = "spaced-groups"

    /// Exactly `size` bytes of this input, on one line.
    public func generate(size: Int) -> [UInt8] {
        var state: UInt64 = 0x5EED_0000 &+ UInt64(size)
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var out: [UInt8] = []
        out.reserveCapacity(size)
        let digits = Array("0123456789".utf8)
        let alnum = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
        switch self {
        case .digits:
            while out.count < size { out.append(digits[Int(next() % 10)]) }
        case .digitGroups:
            let shapes: [[Int]] = [[3, 2, 3], [4, 3, 2], [3, 3, 3], [2, 2, 4, 4, 3]]
            while out.count < size {
                let shape = shapes[Int(next() % UInt64(shapes.count))]
                for (i, n) in shape.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: "-")) }
                    for _ in 0 ..< n { out.append(digits[Int(next() % 10)]) }
                }
                out.append(UInt8(ascii: " "))
            }
        case .localPart:
            let separators = Array("._-+".utf8)
            while out.count < size - 1 {
                out.append(alnum[Int(next() % 26)])
                out.append(alnum[Int(next() % 26)])
                out.append(separators[Int(next() % 4)])
            }
            out.removeLast(max(0, out.count - (size - 1)))
            out.append(UInt8(ascii: "@"))
        case .alnumRun:
            while out.count < size { out.append(alnum[Int(next() % UInt64(alnum.count))]) }
        case .spacedGroups:
            while out.count < size {
                for _ in 0 ..< 4 { out.append(digits[Int(next() % 10)]) }
                out.append(UInt8(ascii: " "))
            }
        case .dottedNumbers:
            while out.count < size {
                out.append(contentsOf: Array(String(next() % 1000).utf8))
                out.append(UInt8(ascii: "."))
            }
        }
        out.removeLast(max(0, out.count - size))
        return out
    }
}

func seconds(_ duration: Duration) -> Double {
    let c = duration.components
    return Double(c.seconds) + Double(c.attoseconds) * 1e-18
}

func rate(_ bytes: Int, _ seconds: Double) -> Double {
    seconds > 0 ? Double(bytes) / seconds / 1e6 : 0
}

@inline(never)
func blackHole(_ value: Int) {
    if value == -1 { print("") }
}
