/// Counts for one PII kind and the scores derived from them.
///
/// - `truePositives`: labelled values of this kind that no longer appear in the scrubbed text.
/// - `falseNegatives`: labelled values of this kind that survived (leaks).
/// - `falsePositives`: matches of this kind's patterns that overlap no labelled value of any
///   kind (includes destroyed `keep` values and redactions the labels do not explain).
/// - `keepLost`: `keep` values that disappeared, attributed to the kind of the pattern that
///   covered them (a subset of the false positives unless that match also covered a label).
/// - `partial`: true positives that redactions covered only in part (`FR76 [CARD] 7890 189`):
///   the value as a whole is gone, pieces of it are not. Counted apart, not as leaks.
public struct TypeScore: Codable, Sendable, Hashable {
    public var type: String
    public var patterns: [String]
    public var truePositives: Int
    public var falseNegatives: Int
    public var falsePositives: Int
    public var keepLost: Int
    public var partial: Int

    public init(type: String, patterns: [String] = [], truePositives: Int = 0, falseNegatives: Int = 0,
                falsePositives: Int = 0, keepLost: Int = 0, partial: Int = 0) {
        self.type = type
        self.patterns = patterns
        self.truePositives = truePositives
        self.falseNegatives = falseNegatives
        self.falsePositives = falsePositives
        self.keepLost = keepLost
        self.partial = partial
    }

    private enum CodingKeys: String, CodingKey {
        case type, patterns, truePositives, falseNegatives, falsePositives, keepLost, partial
    }

    /// Reports written before `partial` existed decode with 0.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(type: try c.decode(String.self, forKey: .type), patterns: try c.decode([String].self, forKey: .patterns),
                  truePositives: try c.decode(Int.self, forKey: .truePositives),
                  falseNegatives: try c.decode(Int.self, forKey: .falseNegatives),
                  falsePositives: try c.decode(Int.self, forKey: .falsePositives),
                  keepLost: try c.decode(Int.self, forKey: .keepLost),
                  partial: try c.decodeIfPresent(Int.self, forKey: .partial) ?? 0)
    }

    /// Labelled values of this kind.
    public var labelled: Int { truePositives + falseNegatives }
    /// TP / (TP + FP); nil when the kind's patterns redacted nothing.
    public var precision: Double? {
        truePositives + falsePositives == 0 ? nil : Double(truePositives) / Double(truePositives + falsePositives)
    }
    /// TP / (TP + FN); nil when nothing of this kind is labelled.
    public var recall: Double? {
        labelled == 0 ? nil : Double(truePositives) / Double(labelled)
    }
    /// Harmonic mean of precision and recall; nil when either is nil, 0 when both are 0.
    public var f1: Double? {
        guard let p = precision, let r = recall else { return nil }
        return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }
}

/// How one pattern's cost grows on generated near-miss input.
public struct ScalingResult: Codable, Sendable, Hashable {
    /// The generator (``PathologicalInput``'s raw value: `digits`, `digit-groups`, ...).
    public var input: String
    public var smallBytes: Int
    public var largeBytes: Int
    public var smallSeconds: Double
    public var largeSeconds: Double
    /// Payloads that hit a PCRE2 limit (match limit, JIT stack) and were redacted whole.
    public var failures: Int

    public init(input: String, smallBytes: Int, largeBytes: Int, smallSeconds: Double, largeSeconds: Double, failures: Int) {
        self.input = input
        self.smallBytes = smallBytes
        self.largeBytes = largeBytes
        self.smallSeconds = smallSeconds
        self.largeSeconds = largeSeconds
        self.failures = failures
    }

    /// Time ratio divided by size ratio: 1 is linear.
    public var growth: Double {
        let sizeRatio = Double(largeBytes) / Double(max(smallBytes, 1))
        return largeSeconds / max(smallSeconds, 1e-9) / sizeRatio
    }
}

/// One pattern's cost and yield.
public struct PatternReport: Codable, Sendable, Hashable {
    public var id: String
    public var type: String
    public var strategy: String
    public var jit: Bool
    /// Throughput of this pattern alone over the corpus, 1e6 bytes per second.
    public var megabytesPerSecond: Double
    /// Seconds per corpus pass for this pattern alone.
    public var secondsPerPass: Double
    /// This pattern's share of the sum of all patterns' alone times.
    public var timeShare: Double
    /// PCRE2 calls the prefilter let through (in the full set, one corpus pass).
    public var candidates: Int
    /// Confirmed matches (in the full set, one corpus pass).
    public var matches: Int
    /// Corpus records that failed (PCRE2 limit) when the pattern ran alone.
    public var failures: Int
    /// Worst scaling over the generated inputs (largest growth).
    public var scaling: ScalingResult?
    /// `match-limit`, `super-linear` (growth above the threshold), `slow-pathological`.
    public var flags: [String]

    public init(id: String, type: String, strategy: String, jit: Bool, megabytesPerSecond: Double,
                secondsPerPass: Double, timeShare: Double, candidates: Int, matches: Int, failures: Int,
                scaling: ScalingResult?, flags: [String]) {
        self.id = id
        self.type = type
        self.strategy = strategy
        self.jit = jit
        self.megabytesPerSecond = megabytesPerSecond
        self.secondsPerPass = secondsPerPass
        self.timeShare = timeShare
        self.candidates = candidates
        self.matches = matches
        self.failures = failures
        self.scaling = scaling
        self.flags = flags
    }
}

/// A miss or a false positive: where, which kind/pattern; the text only with `--show-values`.
public struct ErrorExample: Codable, Sendable, Hashable {
    /// 1-based line of the corpus.
    public var line: Int
    public var type: String
    /// The pattern that redacted (false positives); nil for misses.
    public var patternID: String?
    /// Byte range in the record's text.
    public var start: Int
    public var end: Int
    /// `keep` (a hard negative destroyed) or `unlabelled` (a redaction no label explains), or `miss`.
    public var kind: String
    /// Escaped text around the span; present only with `--show-values`.
    public var context: String?

    public init(line: Int, type: String, patternID: String?, start: Int, end: Int, kind: String, context: String?) {
        self.line = line
        self.type = type
        self.patternID = patternID
        self.start = start
        self.end = end
        self.kind = kind
        self.context = context
    }
}

/// The measurements of one pattern set on one corpus.
public struct SetReport: Codable, Sendable, Hashable {
    public var name: String
    /// The argument given (`seed`, a path).
    public var source: String
    /// Whole set over the corpus, 1e6 bytes per second.
    public var megabytesPerSecond: Double
    public var secondsPerPass: Double
    /// Corpus records replaced by the failure marker.
    public var failures: Int
    public var patterns: [PatternReport]
    /// Per kind, sorted by name; empty for an unlabelled corpus.
    public var types: [TypeScore]
    public var misses: [ErrorExample]
    public var falsePositives: [ErrorExample]
    /// The whole set's worst scaling over the generated inputs (nil without the ladder, and in
    /// reports written before it was measured).
    public var scaling: ScalingResult?
    /// The whole set's scaling flags, as a pattern's (nil as ``scaling``).
    public var flags: [String]?

    public init(name: String, source: String, megabytesPerSecond: Double, secondsPerPass: Double, failures: Int,
                patterns: [PatternReport], types: [TypeScore], misses: [ErrorExample], falsePositives: [ErrorExample],
                scaling: ScalingResult? = nil, flags: [String]? = nil) {
        self.name = name
        self.source = source
        self.megabytesPerSecond = megabytesPerSecond
        self.secondsPerPass = secondsPerPass
        self.failures = failures
        self.patterns = patterns
        self.types = types
        self.misses = misses
        self.falsePositives = falsePositives
        self.scaling = scaling
        self.flags = flags
    }

    /// Micro-averaged scores over all kinds.
    public var overall: TypeScore {
        types.reduce(into: TypeScore(type: "all")) {
            $0.truePositives += $1.truePositives
            $0.falseNegatives += $1.falseNegatives
            $0.falsePositives += $1.falsePositives
            $0.keepLost += $1.keepLost
            $0.partial += $1.partial
        }
    }
}

/// A bench run: one set, or set A against set B.
public struct BenchReport: Codable, Sendable, Hashable {
    public var corpus: String
    public var records: Int
    public var bytes: Int
    public var labelled: Bool
    public var showValues: Bool
    /// Growth (time ratio / size ratio) above which a pattern is flagged super-linear.
    public var growthThreshold: Double
    public var runs: [SetReport]

    public init(corpus: String, records: Int, bytes: Int, labelled: Bool, showValues: Bool,
                growthThreshold: Double, runs: [SetReport]) {
        self.corpus = corpus
        self.records = records
        self.bytes = bytes
        self.labelled = labelled
        self.showValues = showValues
        self.growthThreshold = growthThreshold
        self.runs = runs
    }
}
