public import PIIScrub
public import Tracing

/// A `Tracer` that scrubs every piece of text before it reaches the tracer it wraps.
///
/// swift-otel keeps its span processors and exporters internal, so the only public place to scrub
/// in Swift is in front of the `Tracer` itself: wrap the tracer you bootstrap with, and every span
/// the application starts through this wrapper is a ``ScrubbingSpan``.
///
/// ## Contract (implementation requirements)
/// Everything a span can carry to a backend goes through the ``Scrubber`` first:
///
/// | What | Treatment |
/// |---|---|
/// | operation name (at start and on rename) | scrubbed |
/// | attribute `.string`, `.stringArray` | every string scrubbed |
/// | attribute `.stringConvertible`, `.stringConvertibleArray` | `description` taken once and scrubbed, stored as `.string` / `.stringArray` |
/// | attribute `.int32`, `.int64`, `.double`, `.bool` and their arrays | kept as they are, except below |
/// | attribute `.string`, `.int32`, `.int64` of 7 to 12 digits under a key that labels a bare number for a pattern of the set (``PIIScrub/PatternDefinition/keyLabels``: `user.phone`, `customer_ssn` in the `default` set) | scrubbed with the key's context before it, as `SSN: 078051120` is in text; a changed number is stored as `.string` (`[PHONE]`) |
/// | any other attribute case (the enum is open) | fails closed: replaced by ``Configuration/unsupportedAttributeMarker`` |
/// | event name and event attributes | scrubbed as above; the event's timestamp is kept |
/// | recorded error | becomes a ``ScrubbedError``: scrubbed type name and scrubbed `description`; attributes scrubbed |
/// | status message | scrubbed; the code is kept |
/// | link attributes | scrubbed as above; the linked context is kept |
/// | values injected into outgoing carriers (baggage headers) | scrubbed |
/// | attribute keys, span kind, instants, ids, contexts | kept (keys are names chosen by code, not data) |
///
/// A scrub failure (PCRE2 match limit, JIT stack) replaces that one value by the scrubber's failure
/// marker and is counted in ``statistics``; original text is never passed through.
///
/// The test that every change to this type must pass is `ScrubbingTracerContractTests`
/// (`Tests/PIIScrubTracingTests/ScrubbingTracerTests.swift`):
///
/// ```swift
/// let backend = InMemoryTracer()
/// let tracer = ScrubbingTracer(wrapping: backend, scrubber: scrubber)
/// let span = tracer.startSpan("lookup jane@example.com")
/// span.attributes["user.email"] = "jane@example.com"
/// span.attributes["retries"] = 3
/// span.recordError(LookupError(email: "jane@example.com"))
/// span.setStatus(.init(code: .error, message: "no user jane@example.com"))
/// span.end()
/// let finished = backend.finishedSpans[0]
/// #expect(finished.operationName == "lookup [EMAIL]")
/// #expect(finished.attributes.get("user.email") == .string("[EMAIL]"))
/// #expect(finished.attributes.get("retries") == .int64(3))
/// let recorded = finished.errors[0].error as! ScrubbedError          // never the original error
/// #expect(recorded.message == "LookupError: no account for [EMAIL]")
/// #expect(finished.status?.message == "no user [EMAIL]")
/// ```
///
/// ## Thread safety
/// `Sendable` when the wrapped tracer is (it always is: `Tracer` refines `Instrument: Sendable`).
/// The ``Scrubber`` is shared; each call checks pooled PCRE2 scratch out and back in.
///
/// ## Performance
/// One scrub per string per call. Setting `attributes` scrubs the whole set again, so prefer
/// `span.attributes[key] = value`-style single updates in hot code, or one `updateAttributes`
/// call. Text without matches is returned without copying.
public struct ScrubbingTracer<Wrapped: Tracer>: Tracer {
    public typealias Span = ScrubbingSpan<Wrapped.Span>

    /// What the wrapper does with values it cannot scrub.
    public typealias Configuration = ScrubbingTracerConfiguration

    /// The tracer that receives scrubbed spans.
    public let wrapped: Wrapped
    let redactor: SpanRedactor

    /// Wraps `tracer`: spans started through the result reach `tracer` only with scrubbed text.
    ///
    /// - Parameters:
    ///   - tracer: The tracer to forward to (for example the one from swift-otel).
    ///   - scrubber: The scrubber to run over every string.
    ///   - configuration: Markers for values that cannot be scrubbed.
    public init(wrapping tracer: Wrapped, scrubber: Scrubber, configuration: Configuration = .init()) {
        self.wrapped = tracer
        self.redactor = SpanRedactor(scrubber: scrubber, configuration: configuration)
    }

    /// Failure and fail-closed counters shared by every span of this tracer.
    public var statistics: ScrubbingStatistics { redactor.statistics }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String,
        context: @autoclosure () -> InstrumentationContext,
        ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant,
        function: String,
        file fileID: String,
        line: UInt
    ) -> ScrubbingSpan<Wrapped.Span> {
        let span = wrapped.startSpan(
            redactor.scrub(operationName),
            context: context(),
            ofKind: kind,
            at: instant(),
            function: function,
            file: fileID,
            line: line
        )
        return ScrubbingSpan(wrapping: span, redactor: redactor)
    }

    public func activeSpan(identifiedBy context: InstrumentationContext) -> ScrubbingSpan<Wrapped.Span>? {
        wrapped.activeSpan(identifiedBy: context).map { ScrubbingSpan(wrapping: $0, redactor: redactor) }
    }

    public func forceFlush() {
        wrapped.forceFlush()
    }

    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier,
        into context: inout InstrumentationContext,
        using extractor: Extract
    ) where Extract.Carrier == Carrier {
        // Incoming values only enter the local context; what leaves again goes through inject.
        wrapped.extract(carrier, into: &context, using: extractor)
    }

    public func inject<Carrier, Inject: Injector>(
        _ context: InstrumentationContext,
        into carrier: inout Carrier,
        using injector: Inject
    ) where Inject.Carrier == Carrier {
        wrapped.inject(context, into: &carrier, using: ScrubbingInjector(base: injector, redactor: redactor))
    }
}

/// Scrubs every value a tracer injects into an outgoing carrier (trace context, baggage).
struct ScrubbingInjector<Base: Injector>: Injector {
    typealias Carrier = Base.Carrier
    let base: Base
    let redactor: SpanRedactor

    func inject(_ value: String, forKey key: String, into carrier: inout Base.Carrier) {
        base.inject(redactor.scrub(value), forKey: key, into: &carrier)
    }
}

/// What a ``ScrubbingTracer`` does with values it cannot scrub.
public struct ScrubbingTracerConfiguration: Sendable, Hashable {
    /// Replaces an attribute value of a `SpanAttribute` case the wrapper does not know.
    public var unsupportedAttributeMarker: String

    public init(unsupportedAttributeMarker: String = "[REDACTED:UNSUPPORTED-ATTRIBUTE]") {
        self.unsupportedAttributeMarker = unsupportedAttributeMarker
    }
}
