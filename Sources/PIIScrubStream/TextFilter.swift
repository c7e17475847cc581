#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
public import PIIScrub
import Synchronization

/// Totals of one filter run. Counts only; never a value.
public struct FilterStatistics: Sendable, Hashable {
    public var bytesIn = 0
    public var bytesOut = 0
    /// Confirmed matches per pattern id.
    public var counts: [String: Int] = [:]
    /// Blocks or runs replaced by the failure marker (engine errors, over-long runs).
    public var failures = 0
    /// Per pattern id, what its searches cost, summed over the workers; empty unless the filter
    /// was made with `profileSearches` (``ScrubWorker/enableSearchProfile()``).
    public var searchProfiles: [String: SearchProfile] = [:]
    public var seconds = 0.0
    /// The run stopped early because ``TextFilter/isCancelled`` said so.
    public var interrupted = false

    public init() {}

    mutating func add(worker: ScrubWorker) {
        for (id, n) in worker.counts { counts[id, default: 0] += n }
        failures += worker.failureCount
        for (index, pattern) in worker.scrubber.patternSet.patterns.enumerated() {
            if let profile = worker.searchProfile(forPatternAt: index) {
                searchProfiles[pattern.id] = (searchProfiles[pattern.id] ?? SearchProfile()) + profile
            }
        }
    }
}

/// The `pii-scrub scrub` pipeline: read → scrub on `jobs` workers → write in order.
///
/// Input is cut into blocks at separators (``BlockFramer``), so the output is byte-identical to
/// scrubbing each source whole, whatever `jobs` and `blockSize` are. Memory is bounded: at most
/// `2 × jobs + 1` blocks are in flight, each `blockSize` plus the held-back run.
///
/// ## Thread safety
/// `run` is synchronous and creates its own threads; the filter itself holds no mutable state.
public struct TextFilter: Sendable {
    public let scrubber: Scrubber
    public let jobs: Int
    public let blockSize: Int
    public let maxHoldBack: Int
    /// Checked before each chunk is read: when it returns true the filter stops reading, finishes
    /// the blocks in flight (each ends at a separator, at a line end whenever lines fit in a
    /// block) and returns with ``FilterStatistics/interrupted`` set.
    public let isCancelled: @Sendable () -> Bool
    /// Every worker times its PCRE2 searches and validators (``FilterStatistics/searchProfiles``).
    public let profileSearches: Bool

    public init(scrubber: Scrubber, jobs: Int = 1, blockSize: Int = 1 << 20, maxHoldBack: Int = 1 << 20,
                profileSearches: Bool = false, isCancelled: @escaping @Sendable () -> Bool = { false }) {
        self.scrubber = scrubber
        self.jobs = max(1, jobs)
        self.blockSize = max(64, blockSize)
        self.maxHoldBack = maxHoldBack
        self.profileSearches = profileSearches
        self.isCancelled = isCancelled
    }

    /// Scrubs every source in turn (each one as a whole text) to `sink`.
    ///
    /// - Throws: ``FilterIOError`` for read and write failures (a broken pipe included: callers
    ///   decide to exit quietly). Output written before the error is complete blocks only.
    public func run(sources: [ByteSource], sink: ByteSink) throws -> FilterStatistics {
        let start = DispatchTime.now().uptimeNanoseconds
        // Numbered placeholders depend on everything before them: one worker, in order.
        let sequential = jobs == 1 || !scrubber.configuration.isStateless(for: scrubber.patternSet)
        var stats = sequential ? try runSequential(sources: sources, sink: sink)
                              : try runParallel(sources: sources, sink: sink)
        stats.interrupted = isCancelled()
        stats.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return stats
    }

    /// The most replacements a block may have and still be written in pieces: a `writev` of up
    /// to 129 pieces beats copying a MiB block (on dense text, with thousands, copying wins).
    static let gatheredReplacements = 64

    private func runSequential(sources: [ByteSource], sink: ByteSink) throws -> FilterStatistics {
        let worker = scrubber.makeWorker()
        if profileSearches { worker.enableSearchProfile() }
        let stream = StreamScrubber(worker: worker, maxHoldBack: maxHoldBack, minimumBlock: 4096)
        // Blocks with few replacements go out as pieces (their text between the tokens, and the
        // tokens), one `writev` a block; the stream ends each block's pieces with an empty one.
        stream.gatherPieces(maxReplacements: Self.gatheredReplacements)
        let writer = GatheringWriter(sink: sink)
        var stats = FilterStatistics()
        let emit: (UnsafeRawBufferPointer) throws -> Void = { bytes in
            if bytes.isEmpty {
                try writer.flush()
                return
            }
            try writer.append(bytes)
            stats.bytesOut += bytes.count
        }
        let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64)
        defer { readBuffer.deallocate() }
        for source in sources {
            try forEachChunk(of: source, readBuffer: readBuffer) { chunk in
                stats.bytesIn += chunk.count
                try stream.feed(chunk, emit)
            }
            // When interrupted, the held-back tail (an unfinished line) is dropped, not emitted.
            if isCancelled() { break }
            try stream.finish(emit)
        }
        // Every block's pieces end with an empty one (flushed there): this is for safety only.
        try writer.flush()
        stats.add(worker: worker)
        return stats
    }

    /// ``ByteSource/forEachChunk(sliceSize:readBuffer:isCancelled:_:)`` with this filter's block size.
    func forEachChunk(of source: ByteSource, readBuffer: UnsafeMutableRawBufferPointer,
                      _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try source.forEachChunk(sliceSize: blockSize, readBuffer: readBuffer, isCancelled: isCancelled, body)
    }

    private func runParallel(sources: [ByteSource], sink: ByteSink) throws -> FilterStatistics {
        let ring = SlotRing(count: 2 * jobs + 1, blockSize: blockSize)
        let totals = LockedBox(FilterStatistics())
        let readError = LockedBox<FilterIOError?>(nil)
        let cancelled = Atomic<Bool>(false)
        let claims = Atomic<Int>(0)
        let mappings = LockedBox<[FileMapping]>([])

        // Workers: claim sequence numbers in order, scrub the slot, mark it done.
        var threads: [JoinableThread] = []
        for _ in 0..<jobs {
            let scrubber = self.scrubber
            let profileSearches = self.profileSearches
            threads.append(JoinableThread {
                let worker = scrubber.makeWorker()
                if profileSearches { worker.enableSearchProfile() }
                while true {
                    let seq = claims.add(1, ordering: .relaxed).oldValue
                    let slot = ring.slot(seq)
                    slot.filled.wait()
                    if slot.kind == .end {
                        totals.withLock { $0.add(worker: worker) }
                        slot.done.signal()
                        return
                    }
                    if slot.kind == .data {
                        slot.scrub(with: worker)
                    }
                    slot.done.signal()
                }
            })
        }

        // Reader: frame the sources into blocks and hand them to the ring.
        let maxHoldBack = self.maxHoldBack
        let blockSize = self.blockSize
        let patternSet = scrubber.patternSet
        let jobs = self.jobs
        let filter = self
        let reader = JoinableThread {
            var seq = 0
            func submit(_ kind: Slot.Kind, _ bytes: UnsafeRawBufferPointer?, mapping: FileMapping?) {
                let slot = ring.slot(seq)
                seq += 1
                slot.free.wait()
                if let bytes, let mapping, mapping.contains(bytes) {
                    slot.lend(bytes, from: mapping)
                } else {
                    slot.load(kind, bytes)
                }
                slot.filled.signal()
            }
            let framer = BlockFramer(patternSet: patternSet, maxHoldBack: maxHoldBack, minimumBlock: 4096)
            let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 64)
            defer { readBuffer.deallocate() }
            var bytesIn = 0
            do {
                for source in sources where !cancelled.load(ordering: .relaxed) {
                    // Blocks go to workers at most `blockSize` at a time, so all cores get work.
                    func feed(_ chunk: UnsafeRawBufferPointer, borrowFrom mapping: FileMapping?) {
                        var at = 0
                        while at < chunk.count && !cancelled.load(ordering: .relaxed) && !filter.isCancelled() {
                            let end = min(chunk.count, at + blockSize)
                            framer.feed(UnsafeRawBufferPointer(rebasing: chunk[at..<end]),
                                        block: { submit(.data, $0, mapping: mapping) },
                                        overflow: { submit(.overflow, nil, mapping: nil) })
                            at = end
                        }
                    }
                    if let mapping = source.mapRemainder() {
                        // Zero-copy: blocks that lie inside the mapping are lent to the workers.
                        mappings.withLock { $0.append(mapping) }
                        bytesIn += mapping.bytes.count
                        feed(mapping.bytes, borrowFrom: mapping)
                    } else {
                        try filter.forEachChunk(of: source, readBuffer: readBuffer) { chunk in
                            guard !cancelled.load(ordering: .relaxed) else { return }
                            bytesIn += chunk.count
                            feed(chunk, borrowFrom: nil)
                        }
                    }
                    if filter.isCancelled() { break }
                    framer.finish { submit(.data, $0, mapping: nil) }
                }
            } catch let error as FilterIOError {
                readError.withLock { $0 = error }
            } catch {
                readError.withLock { $0 = FilterIOError(operation: .read, path: "input", errno: EIO) }
            }
            totals.withLock { $0.bytesIn += bytesIn }
            for _ in 0..<jobs { submit(.end, nil, mapping: nil) }
        }

        // Writer (this thread): write blocks in sequence order.
        var writeError: FilterIOError?
        var bytesOut = 0
        var ended = 0
        var releaser = PageReleaser()
        var seq = 0
        var overflows = 0
        let marker = Array(scrubber.configuration.failureMarker.utf8)
        while ended < jobs {
            let slot = ring.slot(seq)
            seq += 1
            slot.done.wait()
            switch slot.kind {
            case .end:
                ended += 1
            case .overflow:
                overflows += 1
                if writeError == nil {
                    do {
                        try marker.withUnsafeBytes { try sink.write($0) }
                        bytesOut += marker.count
                    } catch let error as FilterIOError {
                        writeError = error
                        cancelled.store(true, ordering: .relaxed)
                    } catch {}
                }
            case .data:
                if writeError == nil {
                    do {
                        let n = try slot.withOutput { bytes in
                            try sink.write(bytes)
                            return bytes.count
                        }
                        bytesOut += n
                    } catch let error as FilterIOError {
                        writeError = error
                        cancelled.store(true, ordering: .relaxed)
                    } catch {}
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
        if let error = readError.withLock({ $0 }) { throw error }
        var stats = totals.withLock { $0 }
        stats.bytesOut = bytesOut
        stats.failures += overflows
        return stats
    }
}

/// One block in flight between reader, worker and writer.
// SAFETY: a slot's mutable fields are touched by one thread at a time, handed over by its
// semaphores: reader (after `free`) → worker (after `filled`) → writer (after `done`) → reader.
// Each semaphore signal/wait pair is a happens-before edge.
final class Slot: @unchecked Sendable {
    enum Kind { case data, overflow, end }

    let free = DispatchSemaphore(value: 1)
    let filled = DispatchSemaphore(value: 0)
    let done = DispatchSemaphore(value: 0)
    var kind: Kind = .end
    /// Line mode (``LineFilter``): which source the block came from, how many lines it held,
    /// lines the processor flagged (0-based within the block) and whether it asked to stop.
    var sourceIndex = 0
    var lineCount = 0
    var flagged: [Int] = []
    var stop = false
    private var input: UnsafeMutablePointer<UInt8>
    private var inputCapacity: Int
    private var inputCount = 0
    private var output: [UInt8] = []
    private var outputChanged = false
    /// Text mode: the scrubbed block, handed over by the worker without a copy.
    private let scrubbed = ScrubOutput()
    private var scrubbedChanged = false
    /// A block lent from a file mapping instead of copied into `input`.
    private var loan: UnsafeRawBufferPointer?
    private var loanMapping: FileMapping?

    private var inputView: UnsafeRawBufferPointer {
        loan ?? UnsafeRawBufferPointer(start: input, count: inputCount)
    }

    init(capacity: Int) {
        inputCapacity = capacity
        input = .allocate(capacity: capacity)
    }

    deinit { input.deallocate() }

    /// Lends `bytes` (inside `mapping`) to the worker instead of copying them.
    func lend(_ bytes: UnsafeRawBufferPointer, from mapping: FileMapping) {
        kind = .data
        inputCount = 0
        loan = bytes
        loanMapping = mapping
    }

    /// After the block is written: the lent bytes and their mapping (the writer drops the pages).
    func takeLoan() -> (bytes: UnsafeRawBufferPointer, mapping: FileMapping)? {
        defer {
            loan = nil
            loanMapping = nil
        }
        if let loan, let loanMapping { return (loan, loanMapping) }
        return nil
    }

    func load(_ kind: Kind, _ bytes: UnsafeRawBufferPointer?) {
        self.kind = kind
        inputCount = 0
        loan = nil
        loanMapping = nil
        guard let bytes, let base = bytes.baseAddress else { return }
        if bytes.count > inputCapacity || (inputCapacity > 8 << 20 && bytes.count <= 1 << 20) {
            // Grow for a long line; give a huge allocation back once lines are short again.
            input.deallocate()
            inputCapacity = max(bytes.count, 256 << 10)
            input = .allocate(capacity: inputCapacity)
        }
        input.update(from: base.assumingMemoryBound(to: UInt8.self), count: bytes.count)
        inputCount = bytes.count
    }

    func scrub(with worker: ScrubWorker) {
        // The worker's result buffer is swapped into the slot, not copied (1 MiB per block).
        scrubbedChanged = worker.scrubBlock(inputView, into: scrubbed).changed
        outputChanged = false
    }

    /// Line mode: runs a block processor over the input, which appends to the slot's output.
    func process(_ body: (UnsafeRawBufferPointer, inout [UInt8], inout [Int]) -> (lines: Int, stop: Bool)) {
        if output.capacity > 8 << 20 && inputCount <= 1 << 20 { output = [] }
        output.removeAll(keepingCapacity: true)
        flagged.removeAll(keepingCapacity: true)
        let result = body(inputView, &output, &flagged)
        outputChanged = true
        scrubbedChanged = false
        lineCount = result.lines
        stop = result.stop
    }

    var inputByteCount: Int { inputView.count }

    func withOutput<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if scrubbedChanged { return try body(scrubbed.bytes) }
        if outputChanged { return try output.withUnsafeBytes(body) }
        return try body(inputView)
    }
}

/// A fixed ring of slots indexed by sequence number.
final class SlotRing: Sendable {
    let slots: [Slot]

    init(count: Int, blockSize: Int) {
        slots = (0..<count).map { _ in Slot(capacity: blockSize) }
    }

    @inline(__always)
    func slot(_ seq: Int) -> Slot { slots[seq % slots.count] }
}
