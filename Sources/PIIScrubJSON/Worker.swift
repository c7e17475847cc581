public import PIIScrub

extension JSONScrubber {
    /// Scrubs documents on one thread: owns a ``ScrubWorker`` and every buffer it needs.
    ///
    /// ## Thread safety
    /// Not `Sendable`: one per thread or task.
    ///
    /// ## Performance
    /// After warm-up nothing is allocated per document or per string except when a field path is
    /// counted for the first time. Strings without escapes are handed to the engine in place;
    /// strings with escapes are decoded into a reused buffer. The worst case is linear in the
    /// document size times the nesting levels of JSON text inside strings (at most
    /// ``Options/maxNestedLevels``).
    public final class Worker {
        public let engine: ScrubWorker
        public let options: Options
        let hasFieldRules: Bool

        /// Per nesting level of JSON text: decode buffer (string content) and output buffer.
        var decode: [ByteBuffer] = []
        var output: [ByteBuffer] = []

        /// The current field path: decoded keys joined by `.`, and the end offset of each segment.
        let pathBytes = ByteBuffer(capacity: 256)
        var pathEnds: [Int] = []

        /// Matches per field path (paths are scrubbed before they leave the worker, see
        /// ``fieldCounts``). Capped in size: see ``maxDistinctPaths``.
        var pathCounts: [[UInt8]: Int] = [:]
        /// Distinct paths kept before further ones are counted under `(other)`.
        public var maxDistinctPaths = 4096

        /// Documents by outcome since creation.
        public private(set) var documents = 0
        public private(set) var changedDocuments = 0
        public private(set) var malformedDocuments = 0
        public private(set) var droppedDocuments = 0

        // Per-document state.
        var rewrites = 0
        var pendingTimestampRank: Int?
        var rowTimestamp: Int64?
        var rowTimestampRank = Int.max
        /// Engine matches (plus failures) at the last rewrite, for per-path deltas.
        var matchTotal = 0
        let patternCount: Int

        init(scrubber: JSONScrubber) {
            engine = scrubber.scrubber.makeWorker()
            options = scrubber.options
            hasFieldRules = !options.keepFields.isEmpty || !options.onlyFields.isEmpty
            patternCount = scrubber.scrubber.patternSet.patterns.count
            for _ in 0...(options.maxNestedLevels + 1) {
                decode.append(ByteBuffer())
                output.append(ByteBuffer())
            }
            pathEnds.reserveCapacity(64)
        }

        /// Matches per field path (dotted, array elements add no segment). Keys that are
        /// themselves PII are scrubbed out of the path before it is returned, so the result never
        /// contains a value. Malformed lines count under `(malformed)`.
        public var fieldCounts: [String: Int] {
            let pathWorker = engine.scrubber.makeWorker()
            var result: [String: Int] = [:]
            for (path, n) in pathCounts {
                let clean = path.withUnsafeBytes { raw in
                    pathWorker.withScrubbed(raw) { out, _ in String(decoding: out, as: UTF8.self) }
                }
                result[clean, default: 0] += n
            }
            return result
        }

        /// Scrubs one document and appends the result to `output` (nothing for a dropped row).
        ///
        /// The input is one JSON text without its line terminator (a trailing `\r` is JSON
        /// whitespace and kept). A malformed document is scrubbed as escape-aware text.
        @discardableResult
        public func scrubDocument(_ input: UnsafeRawBufferPointer, appendingTo result: inout [UInt8]) -> Outcome {
            withScrubbedDocument(input) { bytes, outcome in
                result.append(contentsOf: bytes)
                return outcome
            }
        }

        /// Scrubs one document and calls `body` with the output: the input itself when unchanged
        /// (or blank), a worker-owned buffer valid only inside `body` otherwise; empty when dropped.
        public func withScrubbedDocument<R>(
            _ input: UnsafeRawBufferPointer,
            _ body: (UnsafeRawBufferPointer, Outcome) throws -> R
        ) rethrows -> R {
            documents += 1
            let count = input.count
            guard count > 0, let raw = input.baseAddress else {
                return try body(input, Outcome(kind: .blank))
            }
            let base = raw.assumingMemoryBound(to: UInt8.self)
            var c = Cursor(base: base, end: count)
            c.skipWhitespace()
            if c.pos == count { return try body(input, Outcome(kind: .blank)) }

            let out = output[0]
            out.count = 0
            rewrites = 0
            pendingTimestampRank = nil
            rowTimestamp = nil
            rowTimestampRank = Int.max
            pathBytes.count = 0
            pathEnds.removeAll(keepingCapacity: true)

            let ok = value(&c, out, level: 0, depth: 0, scope: rootScope) && {
                c.skipWhitespace()
                return c.pos == count
            }()
            if !ok {
                malformedDocuments += 1
                let errorOffset = c.pos
                out.count = 0
                pathBytes.count = 0
                pathEnds.removeAll(keepingCapacity: true)
                pathBytes.append("(malformed)")
                pathEnds.append(pathBytes.count)
                lenientScrub(base, count, into: out)
                defer { if out.capacity > (64 << 20) { out.count = 0; out.trim(to: 1 << 20) } }
                return try body(out.bytes, Outcome(kind: .malformed, errorOffset: errorOffset))
            }
            if let minimum = options.minimumTimestamp, let ts = rowTimestamp, ts < minimum {
                droppedDocuments += 1
                out.count = 0
                return try body(UnsafeRawBufferPointer(start: base, count: 0),
                                Outcome(kind: .dropped, timestamp: ts))
            }
            if rewrites == 0 {
                return try body(input, Outcome(kind: .unchanged, timestamp: rowTimestamp))
            }
            changedDocuments += 1
            // Copy the tail after the last rewritten token.
            out.append(base + c.copied, count - c.copied)
            defer { if out.capacity > (64 << 20) { out.count = 0; out.trim(to: 1 << 20) } }
            return try body(out.bytes, Outcome(kind: .changed, timestamp: rowTimestamp))
        }
    }
}

/// A read position in one document, plus how far the input has been copied to the output.
struct Cursor {
    let base: UnsafePointer<UInt8>
    let end: Int
    var pos = 0
    /// Input bytes before this offset are already in the output (copy-on-change).
    var copied = 0

    init(base: UnsafePointer<UInt8>, end: Int) {
        self.base = base
        self.end = end
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while pos < end {
            let b = base[pos]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { pos += 1 } else { return }
        }
    }
}

/// Whether strings under the current path are scrubbed.
struct Scope {
    var kept: Bool
    var inOnly: Bool
    var scrubs: Bool { !kept && inOnly }
}

/// How a string was written, so a rewritten string keeps its style.
struct StringStyle {
    /// Non-ASCII was written as `\uXXXX` (Python `ensure_ascii`).
    var asciiOnly = false
    /// `/` was written as `\/` (ClickHouse, PHP).
    var escapeSlash = false
}
