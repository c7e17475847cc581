#if canImport(Glibc)
import Glibc
#endif

/// Storage for `capacity` bytes. From 1 MiB up (the CLI's blocks and their stage buffers) it
/// is 2 MiB-aligned, rounded up to whole 2 MiB, and marked for transparent huge pages where
/// Linux has them: the first touch of a fresh buffer then costs one page fault per 2 MiB
/// instead of 512 (on this project's VM ~2 µs each, 2,300 of them per `--jobs 2` run).
@inline(__always)
func allocateBuffer(capacity: Int) -> (base: UnsafeMutablePointer<UInt8>, capacity: Int) {
    let huge = 2 << 20
    guard capacity >= 1 << 20 else { return (.allocate(capacity: capacity), capacity) }
    let rounded = (capacity + huge - 1) / huge * huge
    let raw = UnsafeMutableRawPointer.allocate(byteCount: rounded, alignment: huge)
    #if os(Linux)
    _ = madvise(raw, rounded, MADV_HUGEPAGE)
    #endif
    return (raw.bindMemory(to: UInt8.self, capacity: rounded), rounded)
}

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
        (base, self.capacity) = allocateBuffer(capacity: max(capacity, 16))
    }

    deinit { base.deallocate() }

    /// Ensures room for `needed` bytes; the contents are not preserved.
    @inline(__always)
    func reserveDiscarding(_ needed: Int) {
        if needed <= capacity { return }
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        base.deallocate()
        (base, capacity) = allocateBuffer(capacity: newCapacity)
    }

    /// Ensures room for `needed` bytes, keeping the first ``count`` bytes.
    @inline(__always)
    func reserveKeeping(_ needed: Int) {
        if needed <= capacity { return }
        var newCapacity = capacity
        while newCapacity < needed { newCapacity *= 2 }
        let (newBase, allocated) = allocateBuffer(capacity: newCapacity)
        if count > 0 { newBase.update(from: base, count: count) }
        base.deallocate()
        base = newBase
        capacity = allocated
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

/// A prefilter window of a group with deferred patterns (``PatternDefinition/deferred``), kept
/// while the stage's other patterns are searched: `group` indexes the stage's groups;
/// `triggers` is `Int.max` for the whole text searched without a prefilter.
struct DeferredWindow {
    var group: Int
    var start: Int
    var end: Int
    var triggers: Int
    var asciiContext: Bool
}
