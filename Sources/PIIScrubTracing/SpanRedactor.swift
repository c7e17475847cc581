import PIIScrub
import Synchronization
import Tracing

/// Counters of a ``ScrubbingTracer``: values that could not be scrubbed and were replaced whole.
///
/// ## Thread safety
/// `Sendable`; updated with relaxed atomics from any thread.
public final class ScrubbingStatistics: Sendable {
    private let failureCount = Atomic<Int>(0)
    private let unsupportedCount = Atomic<Int>(0)

    init() {}

    /// Strings replaced by the scrubber's failure marker (PCRE2 match limit, JIT stack, ...).
    public var failures: Int { failureCount.load(ordering: .relaxed) }
    /// Attribute values of unknown `SpanAttribute` cases replaced by the unsupported-attribute marker.
    public var unsupportedAttributes: Int { unsupportedCount.load(ordering: .relaxed) }

    func recordFailure() { failureCount.add(1, ordering: .relaxed) }
    func recordUnsupported() { unsupportedCount.add(1, ordering: .relaxed) }
}

/// The scrubbing rules shared by ``ScrubbingTracer`` and its spans (one place, one contract).
struct SpanRedactor: Sendable {
    let scrubber: Scrubber
    let unsupportedMarker: String
    let statistics: ScrubbingStatistics

    init(scrubber: Scrubber, configuration: ScrubbingTracerConfiguration) {
        self.scrubber = scrubber
        self.unsupportedMarker = configuration.unsupportedAttributeMarker
        self.statistics = ScrubbingStatistics()
    }

    func scrub(_ text: String) -> String {
        let output = scrubber.scrub(text)
        // The engine replaces a payload it could not scrub by its failure marker (fail closed);
        // count it. Text that already was the marker is not a new failure.
        if output == scrubber.configuration.failureMarker, text != output {
            statistics.recordFailure()
        }
        return output
    }

    func scrub(_ attributes: SpanAttributes) -> SpanAttributes {
        var result = SpanAttributes()
        result.reserveCapacity(attributes.count)
        attributes.forEach { key, value in
            result.set(key, value: scrub(value))
        }
        return result
    }

    func scrub(_ value: SpanAttribute) -> SpanAttribute {
        switch value {
        case .string(let text):
            return .string(scrub(text))
        case .stringArray(let texts):
            return .stringArray(texts.map { scrub($0) })
        case .stringConvertible(let convertible):
            // Take the description once: a type may describe itself differently each time.
            return .string(scrub(convertible.description))
        case .stringConvertibleArray(let convertibles):
            return .stringArray(convertibles.map { scrub($0.description) })
        case .int32, .int64, .double, .bool, .int32Array, .int64Array, .doubleArray, .boolArray:
            return value
        default:
            // SpanAttribute is open for new cases: text we do not know how to scrub never passes.
            statistics.recordUnsupported()
            return .string(unsupportedMarker)
        }
    }

    func scrub(_ error: any Error) -> ScrubbedError {
        ScrubbedError(
            errorType: scrub(String(reflecting: type(of: error))),
            message: scrub(String(describing: error))
        )
    }
}
