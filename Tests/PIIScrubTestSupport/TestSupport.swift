import Foundation
public import PIIScrub
import PCRE2Wrapper

/// Paths relative to this file (swift-crypto style), not Bundle.module.
public enum TestPaths {
    public static let repositoryRoot: String = {
        let parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        return parts.dropLast(3).joined(separator: "/")
    }()
    public static let patterns = repositoryRoot + "/patterns"
    public static let data = repositoryRoot + "/Tests/Data"
    public static let fixtures = data + "/fixtures/langfuse"
}

/// Loads and caches pattern sets by name.
public enum TestSets {
    public static func load(_ name: String) throws -> PatternSet {
        try PatternSet.load(path: TestPaths.patterns + "/" + name + ".json")
    }

    /// The seed's email pattern and a catastrophic one, `(?:a+)+b` (prefiltered on `b`), under a
    /// match limit of 100,000: a text holding `aaaa…acb` fails, any other text scrubs normally.
    public static func withCatastrophicPattern() throws -> Scrubber {
        let evil = PatternDefinition(id: "evil", regex: "(?:a+)+b", replacement: "[X]",
                                     prefilter: PrefilterDefinition(trigger: "b", span: "abc"),
                                     examples: .init(match: ["ab"], nomatch: ["c"]))
        let email = try load("seed").patterns[0].definition
        var config = Scrubber.Configuration()
        config.limits.matchLimit = 100_000
        return Scrubber(patternSet: try PatternSet(name: "t", definitions: [email, evil]), configuration: config)
    }
}

/// One engine configuration of the test matrix (STYLE B6: one corpus, many configurations).
public struct EngineConfiguration: CustomStringConvertible, Sendable {
    public var jit: Bool
    public var prefilter: Bool

    public init(jit: Bool, prefilter: Bool) {
        self.jit = jit
        self.prefilter = prefilter
    }

    public static let all: [EngineConfiguration] = [
        .init(jit: true, prefilter: true), .init(jit: true, prefilter: false),
        .init(jit: false, prefilter: true), .init(jit: false, prefilter: false),
    ]

    public var description: String { "jit=\(jit) prefilter=\(prefilter)" }

    public func scrubber(_ set: PatternSet) -> Scrubber {
        Scrubber(patternSet: set, configuration: .init(jit: jit, prefilter: prefilter))
    }
}

/// Escapes text for failure messages: only structure, ASCII printable kept, everything else as
/// \u{..}. Used for generated test inputs only, never for user data.
public func escaped(_ bytes: [UInt8]) -> String {
    var out = ""
    for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
        if scalar.value >= 0x20 && scalar.value < 0x7F { out.unicodeScalars.append(scalar) }
        else { out += "\\u{\(String(scalar.value, radix: 16))}" }
    }
    return out
}

/// A small deterministic PRNG (SplitMix64) so generated corpora are reproducible from a seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generates text that stresses the seed's semantics: ASCII, digits, separators, '@', dots,
/// CJK, Arabic-Indic and full-width digits, combining marks, Kelvin sign, long s, dotted and
/// dotless i, NBSP, emoji, newlines, and PII-shaped pieces that get mutated.
public struct SeedTextGenerator: Sendable {
    public var rng: SplitMix64

    public init(rng: SplitMix64) { self.rng = rng }

    public static let atoms: [String] = [
        "a", "b", "z", "Q", "x", "e", "M", "_", "0", "1", "5", "9", "3", "7",
        "-", ".", "@", " ", "%", "+", ",", ":", "/", "(", ")", "\n", "\r\n", "\t",
        "中", "文", "字", "は", "ก", "\u{0660}", "\u{0665}", "\u{0669}", "\u{06F5}", "\u{0967}", "\u{FF11}", "\u{FF15}",
        "\u{1D7CE}", "\u{0301}", "\u{212A}", "\u{017F}", "\u{0130}", "\u{0131}", "\u{00A0}", "😀", "é", "ß", "Ω", "\u{2028}",
        "\u{200D}", "\u{FE0F}", "[", "]", "'", "\"", "<", ">", "=",
    ]
    public static let pieces: [String] = [
        "john.doe@example.com", "a@b.co", "x_y%z+w@sub.example.ORG", "bob@example.c0m", "u@d.\u{212A}\u{017F}",
        "u@x.i\u{0131}", "u@x.\u{0130}o", "555-123-4567", "555.123.4567", "5551234567", "555-1234567",
        "123-45-6789", "123-45-67890", "1234567890123", "(555) 123-4567", "\u{0665}\u{0665}\u{0665}-\u{0661}\u{0662}\u{0663}-7890",
        "\u{FF15}\u{FF15}\u{FF15}1234567", "-7890@x.om", "mailto:j@x.io", "192.168.0.1", "2024-01-15",
        "ab12@cd.ef", "@@", "..", "--", "1.2.3", "sk-lf-1234", "x@y", "a.b@c.d.ee", "\u{0669}\u{0669}\u{0669}-99-9999",
    ]

    public mutating func next() -> String {
        let count = Int(rng.next() % 24)
        var text = ""
        for _ in 0..<count {
            let r = rng.next() % 10
            if r < 4 {
                var piece = Self.pieces[Int(rng.next() % UInt64(Self.pieces.count))]
                if rng.next() % 3 == 0, !piece.isEmpty {
                    // Mutate: drop or duplicate one scalar.
                    var scalars = Array(piece.unicodeScalars)
                    let i = Int(rng.next() % UInt64(scalars.count))
                    if rng.next() % 2 == 0 { scalars.remove(at: i) } else { scalars.insert(scalars[i], at: i) }
                    piece = String(String.UnicodeScalarView(scalars))
                }
                text += piece
            } else {
                text += Self.atoms[Int(rng.next() % UInt64(Self.atoms.count))]
            }
        }
        return text
    }
}

/// Splits `bytes` into chunks: a fixed size, or random sizes in 1...maxRandom when size is 0.
public func chunked(_ bytes: [UInt8], size: Int, rng: inout SplitMix64, maxRandom: Int = 97) -> [[UInt8]] {
    var chunks: [[UInt8]] = []
    var at = 0
    while at < bytes.count {
        let n = size > 0 ? size : 1 + Int(rng.next() % UInt64(maxRandom))
        let end = min(bytes.count, at + n)
        chunks.append(Array(bytes[at..<end]))
        at = end
    }
    return chunks
}

/// Streams `chunks` through a fresh ``StreamScrubber`` and returns the concatenated output.
public func streamed(_ chunks: [[UInt8]], scrubber: Scrubber, minimumBlock: Int = 1) -> [UInt8] {
    let stream = StreamScrubber(worker: scrubber.makeWorker(), minimumBlock: minimumBlock)
    var output: [UInt8] = []
    for chunk in chunks { stream.feed(chunk) { output.append(contentsOf: $0) } }
    stream.finish { output.append(contentsOf: $0) }
    return output
}

/// Shrinks a failing input: repeatedly drops slices while `fails` stays true (delta debugging).
public func shrink(_ input: [UInt8], _ fails: ([UInt8]) -> Bool) -> [UInt8] {
    var current = input
    var granularity = max(1, current.count / 2)
    while granularity >= 1 {
        var progressed = false
        var at = 0
        while at < current.count {
            var candidate = current
            candidate.removeSubrange(at..<min(current.count, at + granularity))
            if fails(candidate) {
                current = candidate
                progressed = true
            } else {
                at += granularity
            }
        }
        if !progressed { granularity /= 2 }
    }
    return current
}

/// The read end of a pipe that a thread of its own fills with `bytes`, 1000 bytes per write
/// (a pipe is not mappable: readers take their read(2) path), then closes.
public func pipeFeeding(_ bytes: [UInt8]) -> Int32 {
    var fds: [Int32] = [0, 0]
    precondition(pipe(&fds) == 0, "pipe failed")
    let writeEnd = fds[1]
    let writer = Thread {
        bytes.withUnsafeBytes { raw in
            var at = 0
            while at < raw.count {
                let n = write(writeEnd, raw.baseAddress! + at, min(raw.count - at, 1000))
                if n <= 0 { break }
                at += n
            }
        }
        close(writeEnd)
    }
    writer.start()
    return fds[0]
}
