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
/// ## Thread safety
/// `Sendable`: share it. Each thread or task makes its own worker with ``makeWorker()``.
///
/// ## Performance
/// Copy-on-change: a body without matches is returned as is; otherwise only the rewritten
/// string tokens are re-encoded. Nothing is allocated per body after a worker's warm-up.
public struct LangfuseBodyScrubber: Sendable {
    /// The JSON scrubber, configured with ``keepFields`` (plus any extra paths).
    public let json: JSONScrubber

    /// - Parameters:
    ///   - scrubber: The pattern engine.
    ///   - additionalKeepFields: More paths to keep verbatim (``FieldPath`` syntax).
    public init(scrubber: Scrubber, additionalKeepFields: [FieldPath] = []) {
        json = JSONScrubber(scrubber: scrubber, options: .init(keepFields: Self.keepFields + additionalKeepFields))
    }

    /// A worker for one thread or task.
    public func makeWorker() -> JSONScrubber.Worker { json.makeWorker() }

    /// Scrubs one body; returns the output and what happened (`.malformed`: not JSON, scrubbed
    /// as escape-aware text, never passed through).
    public func scrub(_ body: [UInt8]) -> (output: [UInt8], outcome: JSONScrubber.Outcome) {
        let worker = makeWorker()
        var output: [UInt8] = []
        output.reserveCapacity(body.count)
        let outcome = body.withUnsafeBytes { worker.scrubDocument($0, appendingTo: &output) }
        return (output, outcome)
    }

    /// Paths (from the document root; array elements add no segment) kept verbatim.
    public static let keepFields: [FieldPath] = {
        var paths: [String] = []
        // Legacy ingestion batch: envelope and entity ids, times, types, model and usage.
        paths += ["batch.id", "batch.timestamp", "batch.type"]
        let bodyFields = [
            "id", "traceId", "parentObservationId", "observationId", "timestamp", "startTime", "endTime",
            "completionStartTime", "model", "usage", "usageDetails", "costDetails", "level", "environment",
            "dataType", "configId", "queueId", "datasetRunId", "promptVersion",
        ]
        paths += bodyFields.map { "batch.body." + $0 }
        // Score arrays (POST /api/public/scores): the root is an array of score objects.
        paths += ["id", "traceId", "observationId", "timestamp", "dataType", "configId", "queueId",
                  "datasetRunId", "environment"]
        // OTLP/JSON request. (Numbers such as `kind`, `flags`, `status.code` are never changed, so
        // they need no rule; every rule is checked per key, so the list stays short.)
        let spans = "resourceSpans.scopeSpans.spans."
        paths += ["traceId", "spanId", "parentSpanId", "startTimeUnixNano", "endTimeUnixNano",
                  "events.timeUnixNano", "links.traceId", "links.spanId"].map { spans + $0 }
        let attributeLists = [
            "resourceSpans.resource.attributes", "resourceSpans.scopeSpans.scope.attributes", spans + "attributes",
            spans + "events.attributes", spans + "links.attributes",
        ]
        for list in attributeLists {
            paths += [list + ".value.intValue", list + ".value.arrayValue.values.intValue",
                      list + ".value.kvlistValue.values.value.intValue"]
        }
        return paths.map(FieldPath.init)
    }()
}
