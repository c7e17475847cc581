/// A growable byte buffer with a stable base pointer between growths; reused across calls.
///
/// Internal to the engine, owned by one ``ScrubState``.
@usableFromInline
final class ByteBuffer {
    // Owned by one worker or stream at a time and never accessed re-entrantly: the dynamic
    // exclusivity checks are turned off (they dominated appending 4-byte LLM tokens).
    @usableFromInline @exclusivity(unchecked) private(set) var base: UnsafeMutablePointer<UInt8>
    @usableFromInline @exclusivity(unchecked) private(set) var capacity: Int
    @usableFromInline @exclusivity(unchecked) var count: Int = 0

    init(capacity: Int = 4096) {
        self.capacity = max(capacity, 16)
        self.base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Ensures room for `needed` bytes; the contents are not preserved.
    @inline(__always)
    func reserveDiscarding(_ needed: Int) {
        if needed <= capacity { return }
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        base.deallocate()
        base = .allocate(capacity: newCapacity)
        capacity = newCapacity
    }

    /// Ensures room for `needed` bytes, keeping the first ``count`` bytes.
    @inline(__always)
    func reserveKeeping(_ needed: Int) {
        if needed <= capacity { return }
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        if count > 0 { newBase.update(from: base, count: count) }
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// Appends bytes, growing as needed.
    @inline(__always)
    func append(_ bytes: UnsafeRawBufferPointer) {
        guard let src = bytes.baseAddress, !bytes.isEmpty else { return }
        reserveKeeping(count + bytes.count)
        (base + count).update(from: src.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        count += bytes.count
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}

/// A match (or accepted redaction) in the text of one stage: byte offsets, half-open.
struct Span: Sendable, Hashable {
    var start: Int
    var end: Int
    var pattern: Int
}
