#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
public import PIIScrub
import Synchronization

/// Processes blocks of whole lines on one worker thread (one instance per thread).
///
/// A block holds complete lines, each ending in `\n`, except that the last line of an input
/// without a final newline arrives without one. Lines are cut on the `\n` byte only.
public protocol LineBlockProcessor: AnyObject {
    /// Appends the output for `block` to `output`; appends the 0-based index (within the block) of
    /// each line to report to `flagged`. Returns the number of lines in the block, and `stop: true`
    /// to end the run after this block (the first flagged line is then the reason).
    func process(_ block: UnsafeRawBufferPointer, into output: inout [UInt8], flagged: inout [Int]) -> (lines: Int, stop: Bool)
}

/// A line of one input: `source` is the index in the `sources` array, `line` is 1-based.
public struct SourceLine: Sendable, Hashable {
    public var source: Int
    public var line: Int

    public init(source: Int, line: Int) {
        self.source = source
        self.line = line
    }
}

/// Totals of one ``LineFilter`` run. Counts and line numbers only; never a value.
public struct LineFilterStatistics: Sendable {
    public var bytesIn = 0
    public var bytesOut = 0
    public var lines = 0
    /// Lines the processors flagged, in input order (the first ``maxFlaggedLines``).
    public var flagged: [SourceLine] = []
    /// All flagged lines, including those beyond ``maxFlaggedLines``.
    public var flaggedCount = 0
    /// How many flagged line numbers are kept (memory stays bounded on a file of garbage).
    public static let maxFlaggedLines = 100_000
    /// The line a processor stopped at, if one did.
    public var stoppedAt: SourceLine?
    public var seconds = 0.0
}

/// The ordered parallel pipeline of ``TextFilter`` (reader → `jobs` workers → writer, a ring of
/// `2 × jobs + 1` slots), framed by lines instead of scrub separators, with a pluggable per-worker
/// block processor. Used by `pii-scrub jsonl`.
///
/// Memory is bounded by the ring: each slot holds about `blockSize` bytes, or one whole line when a
/// line is longer (a 100 MB line is held whole, twice: in the reader's carry and in its slot).
/// A regular file is mapped instead and its blocks lent to the workers without a copy; their
/// pages are dropped once written.
///
/// ## Thread safety
/// `run` is synchronous and creates its own threads. Each processor is created, used and finished
/// on one worker thread.
public struct LineFilter: Sendable {
    public let jobs: Int
    public let blockSize: Int

    public init(jobs: Int = 1, blockSize: Int = 256 << 10) {
        self.jobs = max(1, jobs)
        self.blockSize = max(64, blockSize)
    }

    /// Runs every source through processors made by `makeProcessor` and writes the output in order.
    ///
    /// - Parameters:
    ///   - finish: called on each worker thread with its processor when the input is exhausted
    ///     (collect statistics here).
    ///   - progress: called on the writing thread after each block with input bytes and lines done.
    /// - Throws: ``FilterIOError`` for read and write failures (broken pipe included).
    public func run<P: LineBlockProcessor>(
        sources: [ByteSource], sink: ByteSink,
        makeProcessor: @escaping @Sendable () -> P,
        finish: @escaping @Sendable (P) -> Void,
        progress: ((_ bytes: Int, _ lines: Int) -> Void)? = nil
    ) throws -> LineFilterStatistics {
        let start = DispatchTime.now().uptimeNanoseconds
        let ring = SlotRing(count: 2 * jobs + 1, blockSize: blockSize)
        let readError = Mutex<FilterIOError?>(nil)
        let cancelled = Atomic<Bool>(false)
        let claims = Atomic<Int>(0)
        let mappings = LockedBox<[FileMapping]>([])

        var threads: [JoinableThread] = []
        for _ in 0..<jobs {
            threads.append(JoinableThread {
                let processor = makeProcessor()
                while true {
                    let seq = claims.add(1, ordering: .relaxed).oldValue
                    let slot = ring.slot(seq)
                    slot.filled.wait()
                    if slot.kind == .end {
                        finish(processor)
                        slot.done.signal()
                        return
                    }
                    if slot.kind == .data, !cancelled.load(ordering: .relaxed) {
                        slot.process { processor.process($0, into: &$1, flagged: &$2) }
                    } else {
                        slot.process { _, _, _ in (0, false) }
                    }
                    slot.done.signal()
                }
            })
        }

        let blockSize = self.blockSize
        let jobs = self.jobs
        let reader = JoinableThread {
            var seq = 0
            func submit(_ kind: Slot.Kind, _ bytes: UnsafeRawBufferPointer?, source: Int, mapping: FileMapping? = nil) {
                let slot = ring.slot(seq)
                seq += 1
                slot.free.wait()
                if let bytes, let mapping, mapping.contains(bytes) {
                    slot.lend(bytes, from: mapping)
                } else {
                    slot.load(kind, bytes)
                }
                slot.sourceIndex = source
                slot.filled.signal()
            }
            var carry: [UInt8] = []
            let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64)
            defer { readBuffer.deallocate() }
            do {
                for (index, source) in sources.enumerated() where !cancelled.load(ordering: .relaxed) {
                    if let mapping = source.mapRemainder() {
                        // Zero-copy, as in TextFilter: blocks of whole lines are lent to the
                        // workers straight from the mapping (copying them was 4 % of `jsonl
                        // --flat`'s instructions); the writer drops their pages once written.
                        mappings.withLock { $0.append(mapping) }
                        let bytes = mapping.bytes
                        let base = bytes.baseAddress!
                        var at = 0
                        while at < bytes.count && !cancelled.load(ordering: .relaxed) {
                            var end = min(bytes.count, at + blockSize)
                            if end < bytes.count {
                                if let last = lastNewline(base + at, end - at) {
                                    end = at + last + 1
                                } else if let hit = memchr(base + end, 0x0A, bytes.count - end) {
                                    end = UnsafeRawPointer(hit) - base + 1  // one line longer than a block
                                } else {
                                    end = bytes.count
                                }
                            }
                            submit(.data, UnsafeRawBufferPointer(rebasing: bytes[at..<end]), source: index, mapping: mapping)
                            at = end
                        }
                        continue
                    }
                    let feed: (UnsafeRawBufferPointer) throws -> Void = { chunk in
                        guard !cancelled.load(ordering: .relaxed), let base = chunk.baseAddress else { return }
                        var rest = chunk
                        if !carry.isEmpty {
                            // Finish the line carried over from the previous chunk.
                            guard let hit = memchr(base, 0x0A, chunk.count) else {
                                carry.append(contentsOf: chunk)
                                return
                            }
                            let cut = UnsafeRawPointer(hit) - base + 1
                            carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[..<cut]))
                            carry.withUnsafeBytes { submit(.data, $0, source: index) }
                            carry.removeAll(keepingCapacity: carry.capacity <= 4 * blockSize)
                            rest = UnsafeRawBufferPointer(rebasing: chunk[cut...])
                        }
                        guard let restBase = rest.baseAddress, rest.count > 0 else { return }
                        if let last = lastNewline(restBase, rest.count) {
                            let cut = last + 1
                            submit(.data, UnsafeRawBufferPointer(rebasing: rest[..<cut]), source: index)
                            carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[cut...]))
                        } else {
                            carry.append(contentsOf: rest)
                        }
                    }
                    try source.forEachChunk(sliceSize: blockSize, readBuffer: readBuffer,
                                            isCancelled: { cancelled.load(ordering: .relaxed) }, feed)
                    if !carry.isEmpty {
                        carry.withUnsafeBytes { submit(.data, $0, source: index) }
                        carry.removeAll(keepingCapacity: carry.capacity <= 4 * blockSize)
                    }
                }
            } catch let error as FilterIOError {
                readError.withLock { $0 = error }
            } catch {
                readError.withLock { $0 = FilterIOError(operation: .read, path: "input", errno: EIO) }
            }
            for _ in 0..<jobs { submit(.end, nil, source: 0) }
        }

        // Writer (this thread): blocks in sequence order.
        var stats = LineFilterStatistics()
        var lineBase = [Int](repeating: 0, count: max(1, sources.count))
        var writeError: FilterIOError?
        var ended = 0
        var seq = 0
        var stopped = false
        var releaser = PageReleaser()
        while ended < jobs {
            let slot = ring.slot(seq)
            seq += 1
            slot.done.wait()
            switch slot.kind {
            case .end:
                ended += 1
            case .overflow:
                break
            case .data:
                if writeError == nil && !stopped {
                    let source = slot.sourceIndex
                    for index in slot.flagged {
                        stats.flaggedCount += 1
                        if stats.flagged.count < LineFilterStatistics.maxFlaggedLines {
                            stats.flagged.append(SourceLine(source: source, line: lineBase[source] + index + 1))
                        }
                    }
                    if slot.stop, let index = slot.flagged.last {
                        stopped = true
                        stats.stoppedAt = SourceLine(source: source, line: lineBase[source] + index + 1)
                        cancelled.store(true, ordering: .relaxed)
                    }
                    do {
                        stats.bytesOut += try slot.withOutput { bytes in
                            try sink.write(bytes)
                            return bytes.count
                        }
                    } catch let error as FilterIOError {
                        writeError = error
                        cancelled.store(true, ordering: .relaxed)
                    } catch {}
                    lineBase[source] += slot.lineCount
                    stats.lines += slot.lineCount
                    stats.bytesIn += slot.inputByteCount
                    progress?(stats.bytesIn, stats.lines)
                }
                releaser.add(slot.takeLoan())
            }
            slot.free.signal()
        }
        reader.join()
        threads.forEach { $0.join() }
        releaser.flush()
        mappings.withLock { $0.forEach { $0.unmap() } }
        if let writeError { throw writeError }
        if !stopped, let error = readError.withLock({ $0 }) { throw error }
        stats.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return stats
    }
}

/// Offset of the last `\n` in `p[0..<n]` (memrchr is a GNU extension).
@inline(__always)
func lastNewline(_ p: UnsafeRawPointer, _ n: Int) -> Int? {
    let bytes = p.assumingMemoryBound(to: UInt8.self)
    var i = n - 1
    while i >= 0 {
        if bytes[i] == 0x0A { return i }
        i -= 1
    }
    return nil
}
