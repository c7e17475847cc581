/// A growable byte buffer with a stable base pointer between growths.
///
/// Used instead of `[UInt8]` for the per-level decode and output buffers so that a pointer into one
/// level's buffer can be held while deeper levels write to theirs (no exclusivity conflicts, no
/// copy-on-write checks in the hot loop).
///
/// ## Thread safety
/// Not `Sendable`; owned by one ``JSONScrubber/Worker``.
final class ByteBuffer {
    @exclusivity(unchecked) private(set) var base: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private(set) var capacity: Int
    @exclusivity(unchecked) var count = 0

    init(capacity: Int = 4096) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    @inline(__always)
    func reserve(_ extra: Int) {
        if count + extra > capacity { grow(count + extra) }
    }

    private func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        if count == capacity { grow(count + 1) }
        base[count] = byte
        count += 1
    }

    @inline(__always)
    func append(_ pointer: UnsafePointer<UInt8>, _ n: Int) {
        guard n > 0 else { return }
        reserve(n)
        if n <= 16 {
            // Short copies (string pieces between escapes, keys) are cheaper inline than a call:
            // two overlapping words (or halves, or three bytes) that cover the n bytes exactly.
            let to = UnsafeMutableRawPointer(base + count)
            let from = UnsafeRawPointer(pointer)
            if n >= 8 {
                let head = from.loadUnaligned(as: UInt64.self)
                let tail = from.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
                to.storeBytes(of: head, as: UInt64.self)
                to.storeBytes(of: tail, toByteOffset: n - 8, as: UInt64.self)
            } else if n >= 4 {
                let head = from.loadUnaligned(as: UInt32.self)
                let tail = from.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
                to.storeBytes(of: head, as: UInt32.self)
                to.storeBytes(of: tail, toByteOffset: n - 4, as: UInt32.self)
            } else {
                base[count] = pointer[0]
                base[count + n / 2] = pointer[n / 2]
                base[count + n - 1] = pointer[n - 1]
            }
        } else {
            (base + count).update(from: pointer, count: n)
        }
        count += n
    }

    @inline(__always)
    func append(_ raw: UnsafeRawBufferPointer) {
        guard let p = raw.baseAddress else { return }
        append(p.assumingMemoryBound(to: UInt8.self), raw.count)
    }

    func append(_ text: StaticString) {
        append(text.utf8Start, text.utf8CodeUnitCount)
    }

    /// Shrinks the allocation back after a very long document so one huge line does not pin memory.
    func trim(to limit: Int) {
        guard capacity > limit, count <= limit else { return }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: limit)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = limit
    }
}

/// An append-only list of plain values in one buffer, for what the walk records per key, string
/// and token (path segment ends, batch slots, entries): no uniqueness or copy-on-write check per
/// append, as an `Array` stored in a class has.
///
/// ## Thread safety
/// Not `Sendable`; owned by one ``JSONScrubber/Worker``.
final class PlainStack<Element: BitwiseCopyable> {
    @exclusivity(unchecked) private var base: UnsafeMutablePointer<Element>
    @exclusivity(unchecked) private var capacity: Int
    @exclusivity(unchecked) private(set) var count = 0

    init(capacity: Int = 64) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    var isEmpty: Bool { count == 0 }

    /// The elements, valid until the next append.
    var elements: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    @inline(__always)
    subscript(i: Int) -> Element {
        get {
            precondition(i >= 0 && i < count, "PlainStack index out of range")
            return base[i]
        }
        set {
            precondition(i >= 0 && i < count, "PlainStack index out of range")
            base[i] = newValue
        }
    }

    /// Elements `range`, valid until the next append.
    subscript(range: Range<Int>) -> Slice<UnsafeBufferPointer<Element>> {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "PlainStack range out of range")
        return elements[range]
    }

    @inline(__always)
    func append(_ value: Element) {
        if count == capacity { grow() }
        base[count] = value
        count += 1
    }

    func append(contentsOf values: UnsafeBufferPointer<Element>) {
        while count + values.count > capacity { grow() }
        if let from = values.baseAddress { (base + count).update(from: from, count: values.count) }
        count += values.count
    }

    /// Doubles the capacity.
    @inline(never)
    private func grow() {
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: 2 * capacity)
        grown.update(from: base, count: count)
        base.deallocate()
        base = grown
        capacity *= 2
    }

    /// Removes the last `k` elements (all of them must be there).
    @inline(__always)
    func removeLast(_ k: Int = 1) {
        precondition(k >= 0 && k <= count, "PlainStack has fewer elements")
        count -= k
    }

    func removeAll() { count = 0 }
}
