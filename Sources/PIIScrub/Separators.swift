internal import CPIIScan
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes after which a text may be cut without changing how it scrubs (see
/// ``PatternSet/separators``).
// SAFETY: written only in `init`, read-only afterwards.
final class SeparatorTable: @unchecked Sendable {
    let table: UnsafeMutablePointer<UInt8>
    let isEmpty: Bool
    /// `\n` is a separator (the common case): `memrchr` finds cuts fastest.
    let newlineIsSeparator: Bool

    init(_ bytes: Set<UInt8>) {
        table = .allocate(capacity: 256)
        table.initialize(repeating: 0, count: 256)
        for b in bytes { table[Int(b)] = 1 }
        isEmpty = bytes.isEmpty
        newlineIsSeparator = bytes.contains(0x0A)
    }

    deinit { table.deallocate() }

    /// The largest cut position in `lo..<hi` of `p` (a position right after a separator byte),
    /// or nil. A line end is preferred when the range holds one, so blocks (and whatever has been
    /// written when a run is interrupted) end with complete lines whenever lines are shorter than
    /// a block.
    func lastCut(_ p: UnsafePointer<UInt8>, in range: Range<Int>) -> Int? {
        guard !isEmpty, !range.isEmpty else { return nil }
        if newlineIsSeparator {
            let i = CPIIScan_lastIndex(p + range.lowerBound, range.count, 0x0A)
            if i < range.count { return range.lowerBound + i + 1 }
        }
        var i = range.upperBound
        while i > range.lowerBound {
            if table[Int(p[i - 1])] != 0 { return i }
            i -= 1
        }
        return nil
    }

    /// The smallest cut position at or after `from` in `p[..<end]` (right after the first
    /// separator byte), or nil.
    func firstCut(_ p: UnsafePointer<UInt8>, from: Int, end: Int) -> Int? {
        guard !isEmpty else { return nil }
        var i = from
        while i < end {
            if table[Int(p[i])] != 0 { return i + 1 }
            i += 1
        }
        return nil
    }

    /// A cut position at or after `from`, preferring a line end within 4 KiB (segments then end
    /// at line ends), else the first separator. For choosing segment bounds, where any cut works.
    func cutNear(_ p: UnsafePointer<UInt8>, from: Int, end: Int) -> Int? {
        guard !isEmpty else { return nil }
        if newlineIsSeparator, from < end, let hit = memchr(p + from, 0x0A, min(end - from, 4096)) {
            return UnsafeRawPointer(hit) - UnsafeRawPointer(p) + 1
        }
        return firstCut(p, from: from, end: end)
    }
}

/// Whether `range` of the `count` bytes at `p` stands alone: the bytes before and after it are
/// separators (`separators`: 256 entries, nonzero for a separator), or the text's edges. A text
/// cut after a separator starts right there, so the answer is the same in the piece.
@inline(__always)
func standsAlone(_ range: Range<Int>, in p: UnsafePointer<UInt8>, count: Int, separators: UnsafePointer<UInt8>) -> Bool {
    (range.lowerBound == 0 || separators[Int(p[range.lowerBound - 1])] != 0)
        && (range.upperBound == count || separators[Int(p[range.upperBound])] != 0)
}
