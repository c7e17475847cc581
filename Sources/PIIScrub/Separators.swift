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
    /// or nil. Looks for a newline first, so text cuts at line ends when it can.
    func lastCut(_ p: UnsafePointer<UInt8>, in range: Range<Int>) -> Int? {
        guard !isEmpty, !range.isEmpty else { return nil }
        var i = range.upperBound
        while i > range.lowerBound {
            if table[Int(p[i - 1])] != 0 { return i }
            i -= 1
        }
        return nil
    }

    /// The smallest cut position at or after `from` in `p[..<end]`, or nil.
    func firstCut(_ p: UnsafePointer<UInt8>, from: Int, end: Int) -> Int? {
        guard !isEmpty else { return nil }
        if newlineIsSeparator, from < end, let hit = memchr(p + from, 0x0A, end - from) {
            let nl = UnsafeRawPointer(hit) - UnsafeRawPointer(p)
            // Prefer the newline unless another separator comes much earlier (keeps segments near
            // their target size without scanning byte by byte in the common case).
            if nl - from < 4096 { return nl + 1 }
        }
        var i = from
        while i < end {
            if table[Int(p[i])] != 0 { return i + 1 }
            i += 1
        }
        return nil
    }
}
