#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the engine finds the text PCRE2 must look at, chosen per pattern when the set is built.
///
/// Exposed for tests and `lint-patterns`; see the type docs of ``PrefilterDefinition`` for the
/// contract. A prefilter may report text that holds no match (PCRE2 then finds nothing), but it
/// must never hide a match: a missed match is a leak.
public struct Strategy: Sendable, Hashable, CustomStringConvertible {
    enum Base: Sendable, Hashable {
        /// PCRE2 searches the whole buffer.
        case pcre2Only
        /// `memchr` for a single trigger byte, then PCRE2 inside the span run around it.
        case byteTriggerRuns
        /// A SIMD scan for a set of trigger bytes (and Unicode digit lead bytes), then PCRE2 inside
        /// span runs holding at least `minTriggers` triggers.
        case classTriggerRuns
    }
    let base: Base

    public static let pcre2Only = Strategy(base: .pcre2Only)
    public static let byteTriggerRuns = Strategy(base: .byteTriggerRuns)
    public static let classTriggerRuns = Strategy(base: .classTriggerRuns)

    public var description: String {
        switch base {
        case .pcre2Only: "pcre2-only"
        case .byteTriggerRuns: "byte-trigger-runs"
        case .classTriggerRuns: "class-trigger-runs"
        }
    }
}

/// Immutable byte tables for one prefilter.
// SAFETY: the tables are written only in `init` and freed in `deinit`; after `init` they are
// read-only, so sharing across threads is safe.
final class PrefilterTables: @unchecked Sendable {
    /// 256 entries: 1 if the ASCII byte is a trigger.
    let trigger: UnsafeMutablePointer<UInt8>
    /// 256 entries: 1 if the ASCII byte is a span character.
    let span: UnsafeMutablePointer<UInt8>

    init(trigger triggerSet: Set<UInt8>, span spanSet: Set<UInt8>) {
        trigger = .allocate(capacity: 256)
        trigger.initialize(repeating: 0, count: 256)
        span = .allocate(capacity: 256)
        span.initialize(repeating: 0, count: 256)
        for b in triggerSet { trigger[Int(b)] = 1 }
        for b in spanSet { span[Int(b)] = 1 }
    }

    deinit {
        trigger.deallocate()
        span.deallocate()
    }
}

/// The compiled form of a ``PrefilterDefinition``.
struct Prefilter: Sendable {
    enum UnicodeClass: Sendable, Hashable {
        case none
        case digits
        case any
        case list([UInt32])

        @inline(__always)
        func contains(_ scalar: UInt32) -> Bool {
            switch self {
            case .none: false
            case .digits: isDecimalDigit(scalar)
            case .any: true
            case .list(let values): values.contains(scalar)
            }
        }
    }

    let tables: PrefilterTables
    let triggerDigits: Bool
    let minTriggers: Int
    let spanUnicode: UnicodeClass
    let strategy: Strategy
    /// The single trigger byte for the memchr strategy.
    let triggerByte: UInt8
    /// Up to three contiguous ASCII trigger ranges for the SIMD scan: (low, count); count 0 = unused.
    let ranges: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8)
    /// Bytes at or above this value are possible Unicode-digit lead bytes (0xD9: the smallest lead
    /// byte of a non-ASCII Nd character, U+0660). 0 when disabled (no byte is >= 256).
    let highLead: UInt8
    let highEnabled: Bool

    init(_ definition: PrefilterDefinition, patternID: String) throws(PIIScrubError) {
        let triggers = try parseASCIIClass(definition.trigger, patternID: patternID, field: "trigger")
        let span = try parseASCIIClass(definition.span, patternID: patternID, field: "span")
        guard !triggers.isEmpty else {
            throw PIIScrubError(.invalidPatternFile, "prefilter.trigger is empty", patternID: patternID)
        }
        guard triggers.isSubset(of: span) else {
            throw PIIScrubError(.invalidPatternFile, "prefilter.trigger must be a subset of prefilter.span",
                                patternID: patternID)
        }
        switch definition.triggerUnicode ?? "none" {
        case "none": triggerDigits = false
        case "digits": triggerDigits = true
        case let other:
            throw PIIScrubError(.invalidPatternFile, "prefilter.triggerUnicode must be none or digits, not \(other)",
                                patternID: patternID)
        }
        switch definition.spanUnicode ?? "none" {
        case "none": spanUnicode = .none
        case "digits": spanUnicode = .digits
        case "any": spanUnicode = .any
        case "list":
            var values: [UInt32] = []
            for text in definition.spanCodePoints ?? [] {
                guard text.hasPrefix("U+"), let v = UInt32(text.dropFirst(2), radix: 16), v >= 0x80,
                      Unicode.Scalar(v) != nil
                else {
                    throw PIIScrubError(.invalidPatternFile, "prefilter.spanCodePoints: bad code point \(text)",
                                        patternID: patternID)
                }
                values.append(v)
            }
            spanUnicode = .list(values)
        case let other:
            throw PIIScrubError(.invalidPatternFile, "prefilter.spanUnicode must be none, digits, any or list, not \(other)",
                                patternID: patternID)
        }
        if triggerDigits {
            switch spanUnicode {
            case .digits, .any: break
            default:
                throw PIIScrubError(.invalidPatternFile, "prefilter: Unicode digit triggers need spanUnicode digits or any",
                                    patternID: patternID)
            }
        }
        minTriggers = max(1, definition.minTriggers ?? 1)
        tables = PrefilterTables(trigger: triggers, span: span)

        var runs: [(UInt8, UInt8)] = []
        for b in triggers.sorted() {
            if let last = runs.last, Int(last.0) + Int(last.1) == Int(b) {
                runs[runs.count - 1].1 += 1
            } else {
                runs.append((b, 1))
            }
        }
        if triggers.count == 1 && !triggerDigits {
            strategy = .byteTriggerRuns
        } else {
            strategy = .classTriggerRuns
        }
        guard runs.count <= 3 else {
            throw PIIScrubError(.invalidPatternFile, "prefilter.trigger may hold at most three ranges",
                                patternID: patternID)
        }
        while runs.count < 3 { runs.append((0, 0)) }
        ranges = (runs[0].0, runs[0].1, runs[1].0, runs[1].1, runs[2].0, runs[2].1)
        triggerByte = triggers.min()!
        highEnabled = triggerDigits
        highLead = triggerDigits ? 0xD9 : 0xFF
    }

    /// Whether the byte at `i` starts a trigger character; returns its length, or 0 if not.
    @inline(__always)
    func triggerLength(_ p: UnsafePointer<UInt8>, at i: Int, count n: Int) -> Int {
        let b = p[i]
        if b < 0x80 { return Int(tables.trigger[Int(b)]) }
        guard triggerDigits, let (scalar, length) = decodeScalar(p, at: i, count: n), isDecimalDigit(scalar) else {
            return 0
        }
        return length
    }

    /// Finds the next byte at or after `from` that may start a trigger character.
    @inline(__always)
    func nextCandidate(_ p: UnsafePointer<UInt8>, from: Int, count n: Int) -> Int? {
        if strategy == .byteTriggerRuns {
            guard from < n, let hit = memchr(p + from, Int32(triggerByte), n - from) else { return nil }
            return UnsafeRawPointer(hit) - UnsafeRawPointer(p)
        }
        var i = from
        let lo0 = SIMD16<UInt8>(repeating: ranges.0), n0 = SIMD16<UInt8>(repeating: ranges.1)
        let lo1 = SIMD16<UInt8>(repeating: ranges.2), n1 = SIMD16<UInt8>(repeating: ranges.3)
        let lo2 = SIMD16<UInt8>(repeating: ranges.4), n2 = SIMD16<UInt8>(repeating: ranges.5)
        let high = SIMD16<UInt8>(repeating: highLead)
        let raw = UnsafeRawPointer(p)
        while i + 16 <= n {
            let v = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
            var hit = ((v &- lo0) .< n0) .| ((v &- lo1) .< n1) .| ((v &- lo2) .< n2)
            if highEnabled { hit = hit .| (v .>= high) }
            if any(hit) {
                for lane in 0..<16 where hit[lane] { return i + lane }
            }
            i += 16
        }
        while i < n {
            let b = p[i]
            if tables.trigger[Int(b)] != 0 || (highEnabled && b >= highLead) { return i }
            i += 1
        }
        return nil
    }

    /// Whether the character at `i` is a span character; returns its length, or 0.
    @inline(__always)
    func spanLength(_ p: UnsafePointer<UInt8>, at i: Int, count n: Int, triggers: inout Int) -> Int {
        let b = p[i]
        if b < 0x80 {
            if tables.span[Int(b)] == 0 { return 0 }
            triggers &+= Int(tables.trigger[Int(b)])
            return 1
        }
        if case .none = spanUnicode { return 0 }
        guard let (scalar, length) = decodeScalar(p, at: i, count: n), spanUnicode.contains(scalar) else { return 0 }
        if triggerDigits && isDecimalDigit(scalar) { triggers &+= 1 }
        return length
    }

    /// Like ``spanLength(_:at:count:triggers:)`` for the character that ends at `end`.
    @inline(__always)
    func spanLengthBefore(_ p: UnsafePointer<UInt8>, end: Int, count n: Int, triggers: inout Int) -> Int {
        let b = p[end - 1]
        if b < 0x80 {
            if tables.span[Int(b)] == 0 { return 0 }
            triggers &+= Int(tables.trigger[Int(b)])
            return 1
        }
        if case .none = spanUnicode { return 0 }
        guard let (scalar, length) = decodeScalarBefore(p, end: end, count: n), spanUnicode.contains(scalar) else {
            return 0
        }
        if triggerDigits && isDecimalDigit(scalar) { triggers &+= 1 }
        return length
    }

    /// Finds the next window at or after `position`: a maximal run of span characters holding at
    /// least `minTriggers` triggers. Every match of the pattern that starts at or after
    /// `position` lies inside one of the windows this returns, in order.
    @inline(__always)
    func nextWindow(_ p: UnsafePointer<UInt8>, from position: inout Int, count n: Int) -> Range<Int>? {
        while let t = nextCandidate(p, from: position, count: n) {
            let tLen = triggerLength(p, at: t, count: n)
            if tLen == 0 {
                position = t + 1
                continue
            }
            var triggers = 1
            var lo = t
            while lo > 0 {
                let l = spanLengthBefore(p, end: lo, count: n, triggers: &triggers)
                if l == 0 { break }
                lo -= l
            }
            var hi = t + tLen
            while hi < n {
                let l = spanLength(p, at: hi, count: n, triggers: &triggers)
                if l == 0 { break }
                hi += l
            }
            position = hi
            if triggers >= minTriggers { return lo..<hi }
        }
        position = n
        return nil
    }
}

/// Parses a class body of ASCII characters with `a-z` ranges and `\` escapes.
func parseASCIIClass(_ text: String, patternID: String, field: String) throws(PIIScrubError) -> Set<UInt8> {
    var chars: [UInt8] = []
    var escaped: [Bool] = []
    var iterator = Array(text.utf8).makeIterator()
    while let c = iterator.next() {
        guard c < 0x80 else {
            throw PIIScrubError(.invalidPatternFile, "prefilter.\(field) must be ASCII", patternID: patternID)
        }
        if c == UInt8(ascii: "\\") {
            guard let next = iterator.next(), next < 0x80 else {
                throw PIIScrubError(.invalidPatternFile, "prefilter.\(field): dangling escape", patternID: patternID)
            }
            chars.append(next)
            escaped.append(true)
        } else {
            chars.append(c)
            escaped.append(false)
        }
    }
    var result = Set<UInt8>()
    var i = 0
    while i < chars.count {
        if i + 2 < chars.count, chars[i + 1] == UInt8(ascii: "-"), !escaped[i + 1] {
            guard chars[i] <= chars[i + 2] else {
                throw PIIScrubError(.invalidPatternFile, "prefilter.\(field): reversed range", patternID: patternID)
            }
            for b in chars[i]...chars[i + 2] { result.insert(b) }
            i += 3
        } else {
            result.insert(chars[i])
            i += 1
        }
    }
    return result
}
