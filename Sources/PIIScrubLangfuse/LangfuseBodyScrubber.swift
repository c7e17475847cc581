public import PIIScrub
public import PIIScrubJSON

/// Scrubs the request bodies a Langfuse client sends, before they are sent.
///
/// One scrubber handles every JSON body the SDKs produce, without being told which one it is:
///
/// - legacy ingestion batches, `POST /api/public/ingestion` (`{"batch": [event…], "metadata": …}`,
///   every event type: `trace-create`, `span-*`, `generation-*`, `event-create`, the typed
///   observation creates, `score-create`, `sdk-log`, …);
/// - score arrays, `POST /api/public/scores` (`[{"id", "traceId", "comment", …}]`);
/// - OTLP/JSON trace exports, `POST /api/public/otel/v1/traces` (`{"resourceSpans": […]}`). The bare
///   `resourceSpans` array the EE masking callback receives is scrubbed too, but without keep
///   rules (its ids are `Buffer` objects of numbers, which are never changed anyway).
///
/// It builds on ``JSONScrubber`` (the same code as `pii-scrub jsonl`): every string value and key is
/// decoded (all escapes), scrubbed, and re-encoded only when it changed, in the same escaping
/// style; strings holding JSON text (`langfuse.observation.input`, `gen_ai.input.messages`,
/// per-key metadata, double-encoded values) are scrubbed inside and stay valid JSON text. So
/// `input`, `output`, `metadata`, `name`, `statusMessage`, `userId`, `sessionId`, `tags`, score
/// `comment`, `sdk-log` bodies, span names, attribute values (string and array), resource and
/// scope attributes, events (`exception.message`, `exception.stacktrace`), links and status
/// messages are all scrubbed.
///
/// What is kept byte for byte (``keepFields``): ids (`id`, `traceId`, `parentObservationId`,
/// OTLP `traceId`/`spanId`/`parentSpanId`), timestamps (`timestamp`, `startTime`, `endTime`,
/// `completionStartTime`, `*UnixNano`), the event `type`, `model`, `usage`, `usageDetails`,
/// `costDetails`, `level`, `environment`, score `dataType`, and OTLP `intValue`s (int64 written as
/// decimal strings; numbers are not text, as in ``ScrubbingTracer``'s contract). JSON numbers
/// and booleans are never changed.
///
/// The body's format is told from its first bytes (`{"batch"`, `{"resourceSpans"`, `[`) only to
/// pick the smaller rule list; a body in another order gets all rules, with the same result.
///
/// ## Thread safety
/// `Sendable`: share it. Each thread or task makes its own worker with ``makeWorker()``.
///
/// ## Performance
/// Copy-on-change: a body without matches is returned as is; otherwise only the rewritten
/// string tokens are re-encoded. Nothing is allocated per body after a worker's warm-up.
public struct LangfuseBodyScrubber: Sendable {
    /// The JSON scrubber with every format's rules (``keepFields`` plus any extra paths); used for
    /// a body whose format is not recognised from its first bytes.
    public let json: JSONScrubber
    /// One scrubber per recognised format, with only that format's rules: rules are checked at
    /// every object key, so fewer rules is less work per key.
    let byFormat: [JSONScrubber]

    /// - Parameters:
    ///   - scrubber: The pattern engine.
    ///   - additionalKeepFields: More paths to keep verbatim (``FieldPath`` syntax).
    public init(scrubber: Scrubber, additionalKeepFields: [FieldPath] = []) {
        func make(_ paths: [String]) -> JSONScrubber {
            JSONScrubber(scrubber: scrubber, options: .init(keepFields: paths.map(FieldPath.init) + additionalKeepFields))
        }
        json = make(Self.batchPaths + Self.scorePaths + Self.otlpPaths)
        byFormat = [make(Self.batchPaths), make(Self.scorePaths), make(Self.otlpPaths)]
    }

    /// A worker for one thread or task.
    public func makeWorker() -> Worker { Worker(self) }

    /// Scrubs one body; returns the output and what happened (`.malformed`: not JSON, scrubbed
    /// as escape-aware text, never passed through).
    public func scrub(_ body: [UInt8]) -> (output: [UInt8], outcome: JSONScrubber.Outcome) {
        let worker = makeWorker()
        var output: [UInt8] = []
        output.reserveCapacity(body.count)
        let outcome = body.withUnsafeBytes { worker.scrubDocument($0, appendingTo: &output) }
        return (output, outcome)
    }

    /// Scrubs bodies on one thread: picks the format's JSON worker by the body's first bytes.
    ///
    /// ## Thread safety
    /// Not `Sendable`: one per thread or task.
    public final class Worker {
        let owner: LangfuseBodyScrubber
        /// JSON workers by ``Format`` raw value, made on first use.
        private var workers: [JSONScrubber.Worker?] = [nil, nil, nil, nil]

        init(_ owner: LangfuseBodyScrubber) { self.owner = owner }

        private func worker(for format: Format) -> JSONScrubber.Worker {
            if let worker = workers[format.rawValue] { return worker }
            let worker = format == .unknown ? owner.json.makeWorker() : owner.byFormat[format.rawValue].makeWorker()
            workers[format.rawValue] = worker
            return worker
        }

        /// Scrubs one body and calls `body` with the output: the input itself when unchanged, a
        /// worker-owned buffer valid only inside `body` otherwise.
        public func withScrubbedDocument<R>(
            _ input: UnsafeRawBufferPointer,
            _ body: (UnsafeRawBufferPointer, JSONScrubber.Outcome) throws -> R
        ) rethrows -> R {
            try worker(for: Format(input)).withScrubbedDocument(input, body)
        }

        /// Scrubs one body and appends the result to `output`.
        @discardableResult
        public func scrubDocument(_ input: UnsafeRawBufferPointer, appendingTo output: inout [UInt8]) -> JSONScrubber.Outcome {
            worker(for: Format(input)).scrubDocument(input, appendingTo: &output)
        }

        /// Matches per field path (paths only, never values), over every body so far.
        public var fieldCounts: [String: Int] {
            var result: [String: Int] = [:]
            for worker in workers.compactMap({ $0 }) {
                result.merge(worker.fieldCounts, uniquingKeysWith: +)
            }
            return result
        }

        /// Strings the engine could not scrub (replaced whole by its failure marker).
        public var failureCount: Int { workers.compactMap { $0?.engine.failureCount }.reduce(0, +) }
    }

    /// Which request a body is, from its first bytes (no parse).
    enum Format: Int {
        case batch, scores, otlp, unknown

        /// `{"batch"…` is an ingestion batch, `{"resourceSpans"…` an OTLP request, `[…` a score
        /// array (or the masking callback's bare `resourceSpans` array, which needs no rules).
        init(_ bytes: UnsafeRawBufferPointer) {
            var i = 0
            func skipSpace() {
                while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 {
                    i += 1
                }
            }
            skipSpace()
            guard i < bytes.count else { self = .unknown; return }
            if bytes[i] == UInt8(ascii: "[") { self = .scores; return }
            guard bytes[i] == UInt8(ascii: "{") else { self = .unknown; return }
            i += 1
            skipSpace()
            func key(_ name: StaticString) -> Bool {
                let n = name.utf8CodeUnitCount
                guard i + n + 2 <= bytes.count, bytes[i] == UInt8(ascii: "\""), bytes[i + n + 1] == UInt8(ascii: "\"") else {
                    return false
                }
                let p = name.utf8Start
                for k in 0..<n where bytes[i + 1 + k] != p[k] { return false }
                return true
            }
            if key("batch") { self = .batch } else if key("resourceSpans") { self = .otlp } else { self = .unknown }
        }
    }

    /// Paths (from the document root; array elements add no segment) kept verbatim: the union
    /// of the ingestion-batch, score-array and OTLP rules.
    public static var keepFields: [FieldPath] { (batchPaths + scorePaths + otlpPaths).map(FieldPath.init) }

    /// Legacy ingestion batch: envelope and entity ids, times, types, model and usage.
    static let batchPaths: [String] = ["batch.id", "batch.timestamp", "batch.type"] + [
        "id", "traceId", "parentObservationId", "observationId", "timestamp", "startTime", "endTime",
        "completionStartTime", "model", "usage", "usageDetails", "costDetails", "level", "environment",
        "dataType", "configId", "queueId", "datasetRunId", "promptVersion",
    ].map { "batch.body." + $0 }

    /// Score arrays (POST /api/public/scores): the root is an array of score objects.
    static let scorePaths = [
        "id", "traceId", "observationId", "timestamp", "dataType", "configId", "queueId", "datasetRunId", "environment",
    ]

    /// OTLP/JSON request. (Numbers such as `kind`, `flags`, `status.code` are never changed, so
    /// they need no rule.)
    static let otlpPaths: [String] = {
        let spans = "resourceSpans.scopeSpans.spans."
        var paths = ["traceId", "spanId", "parentSpanId", "startTimeUnixNano", "endTimeUnixNano",
                     "events.timeUnixNano", "links.traceId", "links.spanId"].map { spans + $0 }
        let attributeLists = [
            "resourceSpans.resource.attributes", "resourceSpans.scopeSpans.scope.attributes", spans + "attributes",
            spans + "events.attributes", spans + "links.attributes",
        ]
        for list in attributeLists {
            paths += [list + ".value.intValue", list + ".value.arrayValue.values.intValue",
                      list + ".value.kvlistValue.values.value.intValue"]
        }
        return paths
    }()
}
