public import PIIScrub

/// Scrubs JSON documents (one JSONL line, an ingestion batch, an OTLP/JSON body) string by string.
///
/// Every string value, and by default every object key, is decoded (all escapes, surrogate pairs),
/// scrubbed with the pattern set, and re-encoded only when it changed, so a document without PII
/// comes out byte-identical. Strings whose content is JSON text (Langfuse stores `input`, `output`,
/// `metadata` values and `tool_calls` arguments that way, sometimes double-encoded) are scrubbed
/// recursively and written back in the same escaping style. A document that does not parse is
/// scrubbed as text in an escape-aware way (``Worker/scrubDocument(_:appendingTo:)`` reports it as
/// ``Outcome/Kind-swift.enum/malformed``); it is never passed through unscrubbed.
///
/// ## Thread safety
/// `JSONScrubber` is `Sendable` and immutable: share it. ``Worker`` is not: make one per thread
/// or task with ``makeWorker()``.
///
/// ## Example
/// ```swift
/// let json = JSONScrubber(scrubber: Scrubber(patternSet: try PatternSet.load("seed")))
/// let worker = json.makeWorker()
/// var out: [UInt8] = []
/// let line = Array(#"{"user":"jane@example.com"}"#.utf8)
/// let outcome = line.withUnsafeBytes { worker.scrubDocument($0, appendingTo: &out) }
/// // out == {"user":"[EMAIL]"}, outcome.kind == .changed
/// ```
public struct JSONScrubber: Sendable {
    public let scrubber: Scrubber
    public let options: Options

    public init(scrubber: Scrubber, options: Options = Options()) {
        self.scrubber = scrubber
        self.options = options
    }

    /// A worker for one thread or task (owns the engine scratch and all decode buffers).
    public func makeWorker() -> Worker {
        Worker(scrubber: self)
    }

    /// What to scrub.
    public struct Options: Sendable {
        /// String values only: keys are not scrubbed and JSON text inside strings is scrubbed as
        /// plain text instead of being parsed (the `--flat` mode, equal to a `json.loads` +
        /// scrub-every-string reference).
        public var flat: Bool
        /// Fields never scrubbed, with everything below them (`id`, `trace_id`, `timestamp`).
        public var keepFields: [FieldPath]
        /// When non-empty, only these fields (and everything below them) are scrubbed.
        public var onlyFields: [FieldPath]
        /// Also scrub numbers (a JSON number that matches becomes a JSON string token).
        public var scrubNumbers: Bool
        /// Drop top-level objects whose timestamp column is older than this (seconds since epoch).
        public var minimumTimestamp: Int64?
        /// Levels of JSON text inside strings that are parsed (deeper levels are scrubbed as text).
        public var maxNestedLevels: Int
        /// Object/array nesting allowed in one document before it counts as malformed.
        public var maxDepth: Int
        /// Scrub all strings of a document in one engine call when the pattern set has a separator
        /// byte (the default). Off: one engine call per string (same output; for differential tests).
        public var batching: Bool = true
        /// With ``flat``, batching, and no field rules, retention or number scrubbing: validate
        /// and collect each document in one C loop (the default). Off: the recursive walk (same
        /// output; for differential tests).
        public var collectInC: Bool = true
        /// Count matches per field path (``Worker/fieldCounts``, the report's `countsByField`).
        /// Off: the counts stay empty and no field path is built for a changed string. Same
        /// output; for callers that do not report per-field counts (`jsonl` without `--report`).
        public var countsFieldPaths: Bool = true

        public init(flat: Bool = false, keepFields: [FieldPath] = [], onlyFields: [FieldPath] = [],
                    scrubNumbers: Bool = false, minimumTimestamp: Int64? = nil,
                    maxNestedLevels: Int = 8, maxDepth: Int = 256) {
            self.flat = flat
            self.keepFields = keepFields
            self.onlyFields = onlyFields
            self.scrubNumbers = scrubNumbers
            self.minimumTimestamp = minimumTimestamp
            self.maxNestedLevels = max(0, maxNestedLevels)
            self.maxDepth = max(1, maxDepth)
        }
    }

    /// What happened to one document.
    public struct Outcome: Sendable, Hashable {
        public enum Kind: Sendable, Hashable {
            /// Valid JSON, nothing matched: the output is the input, byte for byte.
            case unchanged
            /// Valid JSON, at least one string (or key, or number) rewritten.
            case changed
            /// Not valid JSON (or not UTF-8): scrubbed as escape-aware text.
            case malformed
            /// Older than ``Options/minimumTimestamp``: nothing written.
            case dropped
            /// Blank (whitespace only): copied unchanged.
            case blank
        }

        public var kind: Kind
        /// Byte offset of the first syntax error for ``Kind-swift.enum/malformed`` documents.
        public var errorOffset: Int?
        /// The row's timestamp (seconds since epoch), when a known timestamp column was found.
        public var timestamp: Int64?
    }
}

/// A dotted field path, matched from the document root.
///
/// Syntax: segments separated by `.`; each segment is an object key (compared with the decoded
/// key) or `*` (any one key). Array elements add no segment, so `input.messages.content` matches
/// the `content` of every message. JSON text inside a string continues the path of that string:
/// `metadata.customer.email` reaches into a `metadata` value that holds JSON text. A path selects
/// the field and everything below it. A key containing a dot cannot be addressed (use `*`).
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    let segments: [[UInt8]]

    public init(_ text: String) {
        segments = text.split(separator: ".", omittingEmptySubsequences: false).map { Array($0.utf8) }
    }

    public var description: String {
        segments.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ".")
    }
}
