#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import PIIScrub

/// SplitMix64: a tiny seeded PRNG so every input is the same on every run and machine.
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

/// How often generated text carries PII (rebar groups inputs the same way).
public enum Density: String, CaseIterable, Sendable {
    /// No PII at all.
    case none
    /// About one value per 16 KiB.
    case rare
    /// About one value per 512 bytes.
    case common
    /// About one value per 48 bytes.
    case dense

    /// Mean bytes of filler between two values (nil: no values).
    var gap: Int? {
        switch self {
        case .none: nil
        case .rare: 16 << 10
        case .common: 512
        case .dense: 48
        }
    }
}

/// Generated text plus the number of PII values it holds, which every set under test must find.
///
/// The values are the canonical forms every pattern set catches (`a.b@example.com`,
/// `555-123-4567`, `123-45-6789`); filler is lower-case words with no digits or `@`, split into
/// lines of about 100 bytes. So the expected match count is exactly `values` for any set.
public struct GeneratedText: Sendable {
    public var bytes: [UInt8]
    public var values: Int

    public init(bytes: [UInt8], values: Int) {
        self.bytes = bytes
        self.values = values
    }
}

private let words = ("the customer asked about invoice and wants callback regarding refund for order please update "
    + "ticket after meeting our team reviewed logs from last night found nothing unusual except deployment notes "
    + "mention retry agent replied that shipping takes three business days").split(separator: " ").map { Array($0.utf8) }
private let firstNames = ["john", "maria", "wei", "aisha", "olga", "carlos", "priya", "lena"].map { Array($0.utf8) }

/// A synthetic value of one of the three canonical kinds.
func value(_ rng: inout SplitMix64) -> [UInt8] {
    func digits(_ n: Int, _ rng: inout SplitMix64) -> [UInt8] { (0 ..< n).map { _ in UInt8(ascii: "0") + UInt8(rng.next() % 10) } }
    switch rng.next() % 3 {
    case 0:
        return firstNames[Int(rng.next() % UInt64(firstNames.count))] + Array(".x@example.com".utf8)
    case 1:
        return Array("555-".utf8) + digits(3, &rng) + [UInt8(ascii: "-")] + digits(4, &rng)
    default:
        return [UInt8(ascii: "1")] + digits(2, &rng) + [UInt8(ascii: "-")] + digits(2, &rng) + [UInt8(ascii: "-")] + digits(4, &rng)
    }
}

/// `size` bytes (about) of text at `density`, lines of ~100 bytes unless `singleLine`.
public func generateText(size: Int, density: Density, seed: UInt64 = 42, singleLine: Bool = false) -> GeneratedText {
    var rng = SplitMix64(seed: seed)
    var out: [UInt8] = []
    out.reserveCapacity(size + 64)
    var values = 0
    var lineStart = 0
    var untilValue = density.gap.map { Int(rng.next() % UInt64(2 * $0)) } ?? Int.max
    while out.count < size {
        if untilValue <= 0, let gap = density.gap {
            out.append(contentsOf: value(&rng))
            values += 1
            untilValue = 1 + Int(rng.next() % UInt64(2 * gap))
        } else {
            let word = words[Int(rng.next() % UInt64(words.count))]
            out.append(contentsOf: word)
            untilValue -= word.count + 1
        }
        if !singleLine && out.count - lineStart > 100 {
            out.append(0x0A)
            lineStart = out.count
        } else {
            out.append(0x20)
        }
    }
    return GeneratedText(bytes: out, values: values)
}

/// The `pathological` input: a 1 MiB digit run, a 1 MiB e-mail local-part run without `@`, and
/// 8 MiB of common-density text, all on one 10 MiB line. Only the text part holds values.
public func pathologicalText(seed: UInt64 = 42) -> GeneratedText {
    var rng = SplitMix64(seed: seed)
    var out: [UInt8] = []
    out.reserveCapacity(10 << 20)
    for _ in 0 ..< (1 << 20) { out.append(UInt8(ascii: "0") + UInt8(rng.next() % 10)) }
    out.append(0x20)
    let local = Array("abcdefghijklmnopqrstuvwxyz".utf8), separators = Array("._-+".utf8)
    while out.count < 2 << 20 {
        out.append(local[Int(rng.next() % 26)])
        out.append(local[Int(rng.next() % 26)])
        out.append(separators[Int(rng.next() % 4)])
    }
    out.append(0x20)
    let text = generateText(size: (10 << 20) - out.count, density: .common, seed: seed, singleLine: true)
    out += text.bytes
    return GeneratedText(bytes: out, values: text.values)
}

/// Pattern sets to measure: `seed`, and `default` when the repository has one.
public func benchmarkSets() -> [PatternSet] {
    var sets: [PatternSet] = []
    for name in ["seed", "default"] {
        guard let directory = PatternSet.patternsDirectory(),
              FileManager.default.fileExists(atPath: directory + "/\(name).json") else { continue }
        do { sets.append(try PatternSet.load(name)) } catch {
            fatalError("pattern set \(name) does not load: \(error)")
        }
    }
    precondition(!sets.isEmpty, "no pattern sets found; set PII_SCRUB_PATTERNS")
    return sets
}

/// Scrubs `text` once with a fresh worker and checks the match count before anything is measured
/// (rebar: a fast wrong engine must fail). Prints counts only, never text.
public func checkMatches(_ scrubber: Scrubber, _ text: GeneratedText, _ name: String) {
    let worker = scrubber.makeWorker()
    text.bytes.withUnsafeBytes { input in worker.withScrubbed(input) { _, _ in } }
    let found = worker.counts.values.reduce(0, +)
    precondition(worker.failureCount == 0, "\(name): \(worker.failureCount) engine failures while checking")
    precondition(found == text.values, "\(name): expected \(text.values) matches, found \(found) \(worker.counts)")
}

/// True when only deterministic metrics should be collected (threshold update/check runs, set by
/// scripts/bench-check.sh): suites then measure mallocCountTotal only, with few iterations.
public let thresholdMode: Bool = ProcessInfo.processInfo.environment["PII_BENCH_THRESHOLDS"] == "1"
