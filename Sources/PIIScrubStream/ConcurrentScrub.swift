public import PIIScrub

extension Scrubber {
    /// Scrubs one large payload on up to `jobs` cores.
    ///
    /// The payload is cut into segments at separators (see ``PatternSet/isCuttable``), so no match
    /// can straddle a cut and the result is byte-identical to ``Scrubber/scrub(_:)-([UInt8])``.
    /// Sets that cannot be cut, and payloads below `minimumSegment`, are scrubbed on the calling
    /// task. Each segment's task makes its own worker (PCRE2 scratch); segments are at least
    /// `minimumSegment` bytes so that cost stays small.
    public func scrubConcurrently(_ bytes: [UInt8], jobs: Int, minimumSegment: Int = 256 << 10) async -> [UInt8] {
        let jobs = max(1, jobs)
        let bounds = bytes.withUnsafeBufferPointer { buffer in
            segmentBounds(buffer, count: jobs, minimumSegment: minimumSegment)
        }
        if bounds.count <= 1 { return scrub(bytes) }
        let parts = await withTaskGroup(of: (Int, [UInt8]).self) { group in
            for (index, range) in bounds.enumerated() {
                group.addTask {
                    let worker = self.makeWorker()
                    var output: [UInt8] = []
                    output.reserveCapacity(range.count + 64)
                    bytes.withUnsafeBytes { raw in
                        _ = worker.scrub(UnsafeRawBufferPointer(rebasing: raw[range]), appendingTo: &output)
                    }
                    return (index, output)
                }
            }
            var parts = [[UInt8]](repeating: [], count: bounds.count)
            for await (index, part) in group { parts[index] = part }
            return parts
        }
        var result: [UInt8] = []
        result.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { result += part }
        return result
    }

    /// Cut points for about `count` segments of at least `minimumSegment` bytes, each ending right
    /// after a separator.
    func segmentBounds(_ buffer: UnsafeBufferPointer<UInt8>, count: Int, minimumSegment: Int) -> [Range<Int>] {
        let n = buffer.count
        guard count > 1, patternSet.isCuttable, n >= 2 * minimumSegment, let base = buffer.baseAddress else {
            return [0..<n]
        }
        let target = max(minimumSegment, n / count)
        var bounds: [Range<Int>] = []
        var start = 0
        while start < n {
            guard n - start > target + target / 2,
                  let cut = patternSet.cut(in: base, near: start + target, end: n)
            else {
                bounds.append(start..<n)
                break
            }
            bounds.append(start..<cut)
            start = cut
        }
        return bounds
    }

    /// Scrubs many payloads (for example all messages of a trace) on up to `jobs` cores, in order.
    ///
    /// Payloads are split into `jobs` contiguous runs; each run is scrubbed by one worker, so
    /// PCRE2 scratch is created once per task, not per payload.
    public func scrubBatch(_ texts: [String], jobs: Int) async -> [String] {
        let jobs = max(1, min(jobs, texts.count))
        if jobs <= 1 {
            let worker = makeWorker()
            return texts.map { worker.scrub($0) }
        }
        let per = (texts.count + jobs - 1) / jobs
        return await withTaskGroup(of: (Int, [String]).self) { group in
            for job in 0..<jobs {
                let range = (job * per)..<min(texts.count, (job + 1) * per)
                if range.isEmpty { continue }
                group.addTask {
                    let worker = self.makeWorker()
                    return (job, texts[range].map { worker.scrub($0) })
                }
            }
            var parts = [[String]](repeating: [], count: jobs)
            for await (job, part) in group { parts[job] = part }
            return parts.flatMap { $0 }
        }
    }
}

/// An `AsyncSequence` of scrubbed chunks over an `AsyncSequence` of byte chunks (for example an
/// LLM token stream), with the output of ``StreamScrubber``: identical to scrubbing the whole
/// stream at once, emitted as soon as it is final.
public struct ScrubbedChunks<Base: AsyncSequence>: AsyncSequence where Base.Element == [UInt8] {
    public typealias Element = [UInt8]

    let base: Base
    let scrubber: Scrubber
    let minimumBlock: Int

    public init(_ base: Base, scrubber: Scrubber, minimumBlock: Int = 4096) {
        self.base = base
        self.scrubber = scrubber
        self.minimumBlock = minimumBlock
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let stream: StreamScrubber
        var finished = false

        public mutating func next() async throws -> [UInt8]? {
            while !finished {
                var output: [UInt8] = []
                if let chunk = try await base.next() {
                    stream.feed(chunk) { output.append(contentsOf: $0) }
                } else {
                    finished = true
                    stream.finish { output.append(contentsOf: $0) }
                }
                if !output.isEmpty { return output }
            }
            return nil
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(),
                      stream: StreamScrubber(worker: scrubber.makeWorker(), minimumBlock: minimumBlock))
    }
}

extension AsyncSequence where Element == [UInt8] {
    /// Scrubs this stream of byte chunks; see ``ScrubbedChunks``.
    public func scrubbed(with scrubber: Scrubber, minimumBlock: Int = 4096) -> ScrubbedChunks<Self> {
        ScrubbedChunks(self, scrubber: scrubber, minimumBlock: minimumBlock)
    }
}
