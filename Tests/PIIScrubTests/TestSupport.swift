import Foundation
import PIIScrub

/// Paths relative to this file (swift-crypto style), not Bundle.module.
enum TestPaths {
    static let repositoryRoot: String = {
        let parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        return parts.dropLast(3).joined(separator: "/")
    }()
    static let patterns = repositoryRoot + "/patterns"
    static let data = repositoryRoot + "/Tests/Data"
    static let fixtures = data + "/fixtures/langfuse"
}

/// Loads and caches pattern sets by name.
enum TestSets {
    static func load(_ name: String) throws -> PatternSet {
        try PatternSet.load(path: TestPaths.patterns + "/" + name + ".json")
    }
}

/// One engine configuration of the test matrix (STYLE B6: one corpus, many configurations).
struct EngineConfiguration: CustomStringConvertible, Sendable {
    var jit: Bool
    var prefilter: Bool

    static let all: [EngineConfiguration] = [
        .init(jit: true, prefilter: true), .init(jit: true, prefilter: false),
        .init(jit: false, prefilter: true), .init(jit: false, prefilter: false),
    ]

    var description: String { "jit=\(jit) prefilter=\(prefilter)" }

    func scrubber(_ set: PatternSet) -> Scrubber {
        Scrubber(patternSet: set, configuration: .init(jit: jit, prefilter: prefilter))
    }
}

/// Escapes text for failure messages: only structure, ASCII printable kept, everything else as
/// \u{..}. Used for generated test inputs only, never for user data.
func escaped(_ bytes: [UInt8]) -> String {
    var out = ""
    for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
        if scalar.value >= 0x20 && scalar.value < 0x7F { out.unicodeScalars.append(scalar) }
        else { out += "\\u{\(String(scalar.value, radix: 16))}" }
    }
    return out
}

/// A small deterministic PRNG (SplitMix64) so generated corpora are reproducible from a seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
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
struct SeedTextGenerator {
    var rng: SplitMix64

    static let atoms: [String] = [
        "a", "b", "z", "Q", "x", "e", "M", "_", "0", "1", "5", "9", "3", "7",
        "-", ".", "@", " ", "%", "+", ",", ":", "/", "(", ")", "\n", "\r\n", "\t",
        "中", "文", "字", "は", "ก", "\u{0660}", "\u{0665}", "\u{0669}", "\u{06F5}", "\u{0967}", "\u{FF11}", "\u{FF15}",
        "\u{1D7CE}", "\u{0301}", "\u{212A}", "\u{017F}", "\u{0130}", "\u{0131}", "\u{00A0}", "😀", "é", "ß", "Ω", "\u{2028}",
        "\u{200D}", "\u{FE0F}", "[", "]", "'", "\"", "<", ">", "=",
    ]
    static let pieces: [String] = [
        "john.doe@example.com", "a@b.co", "x_y%z+w@sub.example.ORG", "bob@example.c0m", "u@d.\u{212A}\u{017F}",
        "u@x.i\u{0131}", "u@x.\u{0130}o", "555-123-4567", "555.123.4567", "5551234567", "555-1234567",
        "123-45-6789", "123-45-67890", "1234567890123", "(555) 123-4567", "\u{0665}\u{0665}\u{0665}-\u{0661}\u{0662}\u{0663}-7890",
        "\u{FF15}\u{FF15}\u{FF15}1234567", "-7890@x.om", "mailto:j@x.io", "192.168.0.1", "2024-01-15",
        "ab12@cd.ef", "@@", "..", "--", "1.2.3", "sk-lf-1234", "x@y", "a.b@c.d.ee", "\u{0669}\u{0669}\u{0669}-99-9999",
    ]

    mutating func next() -> String {
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
