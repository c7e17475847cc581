import PIIScrub
public import Tracing

/// A span that scrubs every piece of text before handing it to the span it wraps.
///
/// Created by ``ScrubbingTracer``; see its contract. Reads (`operationName`, `attributes`) return
/// what the wrapped span holds, which is already scrubbed.
///
/// ## Thread safety
/// `Sendable`, like every `Span`: the wrapped span does its own locking and the scrubber is shared.
public struct ScrubbingSpan<Wrapped: Tracing.Span>: Tracing.Span {
    /// The span that receives scrubbed values.
    public let wrapped: Wrapped
    let redactor: SpanRedactor

    init(wrapping span: Wrapped, redactor: SpanRedactor) {
        self.wrapped = span
        self.redactor = redactor
    }

    public var context: InstrumentationContext { wrapped.context }

    public var operationName: String {
        get { wrapped.operationName }
        nonmutating set { wrapped.operationName = redactor.scrub(newValue) }
    }

    public var attributes: SpanAttributes {
        get { wrapped.attributes }
        nonmutating set { wrapped.attributes = redactor.scrub(newValue) }
    }

    public var isRecording: Bool { wrapped.isRecording }

    public func setStatus(_ status: SpanStatus) {
        wrapped.setStatus(SpanStatus(code: status.code, message: status.message.map(redactor.scrub)))
    }

    public func addEvent(_ event: SpanEvent) {
        wrapped.addEvent(
            SpanEvent(
                name: redactor.scrub(event.name),
                at: FixedInstant(nanosecondsSinceEpoch: event.nanosecondsSinceEpoch),
                attributes: redactor.scrub(event.attributes)
            )
        )
    }

    public func recordError<Instant: TracerInstant>(
        _ error: any Error,
        attributes: SpanAttributes,
        at instant: @autoclosure () -> Instant
    ) {
        wrapped.recordError(redactor.scrub(error), attributes: redactor.scrub(attributes), at: instant())
    }

    public func addLink(_ link: SpanLink) {
        wrapped.addLink(SpanLink(context: link.context, attributes: redactor.scrub(link.attributes)))
    }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        wrapped.end(at: instant())
    }
}

/// What a ``ScrubbingSpan`` records instead of an error: the error's type name and description,
/// both scrubbed. The original error value never reaches the wrapped tracer, because exporters
/// turn it into text (`exception.message`) with `"\(error)"`.
public struct ScrubbedError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// `String(reflecting: type(of: error))` of the original error, scrubbed.
    public var errorType: String
    /// `String(describing: error)` of the original error, scrubbed.
    public var message: String

    public init(errorType: String, message: String) {
        self.errorType = errorType
        self.message = message
    }

    /// The scrubbed description of the original error (what an exporter puts in `exception.message`).
    public var description: String { message }
    public var debugDescription: String { "ScrubbedError(\(errorType)): \(message)" }
}

/// A `TracerInstant` that replays a timestamp, so a rebuilt ``SpanEvent`` keeps its time.
struct FixedInstant: TracerInstant {
    var nanosecondsSinceEpoch: UInt64

    static func < (lhs: FixedInstant, rhs: FixedInstant) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }
}
