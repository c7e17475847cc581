#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The keep and only field rules, flattened for the per-key step of the field-rule frames
/// (``RuleFrames``): plain buffers, so comparing a key with a rule's segment
/// costs no reference counting, and each segment's length and first 8 bytes reject most keys in
/// one comparison. A Langfuse OTLP body checks ~20 rules at each of tens of thousands of keys.
///
/// Rules are numbered keep rules first (0 ..< ``keepCount``), then only rules.
///
/// ## Thread safety
/// Immutable after `init`; owned by one worker.
final class RuleTable {
    let ruleCount: Int
    let keepCount: Int
    /// Per rule: its number of segments and the index of its first segment.
    private let segmentCounts: UnsafeMutableBufferPointer<Int>
    private let firstSegments: UnsafeMutableBufferPointer<Int>
    /// Per segment: byte length (-1 for `*`), offset in `bytes`, and its first 8 bytes
    /// little-endian, zero-padded.
    private let lengths: UnsafeMutableBufferPointer<Int>
    private let offsets: UnsafeMutableBufferPointer<Int>
    private let heads: UnsafeMutableBufferPointer<UInt64>
    private let bytes: UnsafeMutableBufferPointer<UInt8>

    init(keep: [FieldPath], only: [FieldPath]) {
        let rules = keep + only
        ruleCount = rules.count
        keepCount = keep.count
        let segmentTotal = rules.reduce(0) { $0 + $1.segments.count }
        let byteTotal = rules.reduce(0) { $0 + $1.segments.reduce(0) { $0 + $1.count } }
        segmentCounts = .allocate(capacity: max(1, rules.count))
        firstSegments = .allocate(capacity: max(1, rules.count))
        lengths = .allocate(capacity: max(1, segmentTotal))
        offsets = .allocate(capacity: max(1, segmentTotal))
        heads = .allocate(capacity: max(1, segmentTotal))
        bytes = .allocate(capacity: max(1, byteTotal))
        var segment = 0
        var offset = 0
        for (r, rule) in rules.enumerated() {
            segmentCounts[r] = rule.segments.count
            firstSegments[r] = segment
            for part in rule.segments {
                let wildcard = part == [UInt8(ascii: "*")]
                lengths[segment] = wildcard ? -1 : part.count
                offsets[segment] = offset
                heads[segment] = part.withUnsafeBytes { Self.head($0) }
                for b in part {
                    bytes[offset] = b
                    offset += 1
                }
                segment += 1
            }
        }
    }

    deinit {
        segmentCounts.deallocate()
        firstSegments.deallocate()
        lengths.deallocate()
        offsets.deallocate()
        heads.deallocate()
        bytes.deallocate()
    }

    /// The first 8 bytes of `key`, little-endian, zero-padded.
    @inline(__always)
    static func head(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<min(8, key.count) { value |= UInt64(key[i]) << (8 * UInt64(i)) }
        return value
    }

    @inline(__always)
    func segmentCount(_ rule: Int) -> Int { segmentCounts[rule] }

    /// Whether segment `i` of `rule` is `*` or equals `key` (whose ``head(_:)`` is `keyHead`).
    @inline(__always)
    func segmentMatches(_ rule: Int, _ i: Int, key: UnsafeRawBufferPointer, keyHead: UInt64) -> Bool {
        let s = firstSegments[rule] + i
        let length = lengths[s]
        if length < 0 { return true }
        guard length == key.count, heads[s] == keyHead else { return false }
        return length <= 8 || memcmp(bytes.baseAddress! + offsets[s] + 8, key.baseAddress! + 8, length - 8) == 0
    }
}

/// The field rules alive along the current path, by depth (see ``JSONScrubber/Worker``): frame d
/// holds the rules whose first d segments match the path's, `rule(at:)` for k in `frame(d)`.
/// Frame 0 holds every rule. Plain buffers: a key push costs no array bookkeeping.
///
/// ## Thread safety
/// Not `Sendable`; owned by one worker.
final class RuleFrames {
    private var rules: UnsafeMutablePointer<Int32>
    private var ruleCapacity: Int
    private var bounds: UnsafeMutablePointer<Int>
    /// Per frame: ``keepEnds``, ``onlyEnds``, ``onlyContinues`` bits of the rules in it.
    private var flags: UnsafeMutablePointer<UInt8>
    private var boundCapacity: Int
    /// Frames 0 ..< `count` are stored (`bounds` has `count + 1` entries).
    private var count = 1
    private var top: Int

    /// A keep rule ends at this depth (the field is kept).
    static let keepEnds: UInt8 = 1
    /// An only rule ends at this depth (the field is selected).
    static let onlyEnds: UInt8 = 2
    /// An only rule goes deeper than this depth.
    static let onlyContinues: UInt8 = 4

    init(table: RuleTable) {
        let ruleCount = table.ruleCount
        ruleCapacity = max(64, 4 * ruleCount)
        rules = .allocate(capacity: ruleCapacity)
        for r in 0..<ruleCount { rules[r] = Int32(r) }
        boundCapacity = 64
        bounds = .allocate(capacity: boundCapacity)
        flags = .allocate(capacity: boundCapacity)
        bounds[0] = 0
        bounds[1] = ruleCount
        // Every rule has at least one segment: at the root only "only rules go deeper" can hold.
        flags[0] = ruleCount > table.keepCount ? Self.onlyContinues : 0
        top = ruleCount
    }

    deinit {
        rules.deallocate()
        bounds.deallocate()
        flags.deallocate()
    }

    @inline(__always)
    func flags(_ depth: Int) -> UInt8 { flags[depth] }

    @inline(__always)
    func frame(_ depth: Int) -> Range<Int> { bounds[depth]..<bounds[depth + 1] }

    @inline(__always)
    func rule(at k: Int) -> Int { Int(rules[k]) }

    /// Drops frames `depth` and deeper (frames 0 ..< `depth` must be stored) and starts frame
    /// `depth`, empty.
    @inline(__always)
    func startFrame(_ depth: Int) {
        precondition(depth >= 1 && depth <= count, "rule frame out of order")
        count = depth
        top = bounds[depth]
    }

    @inline(__always)
    func append(_ rule: Int) {
        if top == ruleCapacity {
            let bigger = UnsafeMutablePointer<Int32>.allocate(capacity: 2 * ruleCapacity)
            bigger.update(from: rules, count: top)
            rules.deallocate()
            rules = bigger
            ruleCapacity *= 2
        }
        rules[top] = Int32(rule)
        top += 1
    }

    /// Closes the frame started by ``startFrame(_:)``, with the ``keepEnds``... bits of its rules.
    @inline(__always)
    func endFrame(flags frameFlags: UInt8) {
        if count + 2 > boundCapacity {
            let bigger = UnsafeMutablePointer<Int>.allocate(capacity: 2 * boundCapacity)
            bigger.update(from: bounds, count: count + 1)
            bounds.deallocate()
            bounds = bigger
            let biggerFlags = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * boundCapacity)
            biggerFlags.update(from: flags, count: count)
            flags.deallocate()
            flags = biggerFlags
            boundCapacity *= 2
        }
        bounds[count + 1] = top
        flags[count] = frameFlags
        count += 1
    }
}
