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
        let labels = scrubber.patternSet.keyLabels
        attributes.forEach { key, value in
            result.set(key, value: labels.isEmpty ? scrub(value) : scrub(value, key: key, labels: labels))
        }
        return result
    }

    /// A value under a key that labels a bare value for the set's patterns
    /// (``PIIScrub/PatternDefinition/keyLabels``: `user.phone`, `customer_ssn`, `client.ip`): a
    /// `.string`, `.int32` or `.int64` of 7 to 12 digits, or a `.string` IPv4 address, is scrubbed
    /// with the key's context before it (`phone: 5471897133`), as `jsonl` does with a member key; a
    /// changed number becomes a `.string` (`[PHONE]`). Any other value is scrubbed as under any key.
    func scrub(_ value: SpanAttribute, key: String, labels: KeyLabelTable) -> SpanAttribute {
        // The value's shape first (no String made for the small numbers most attributes hold),
        // then the key.
        let number: String
        switch value {
        case .string(let text) where KeyLabelTable.isLabelledValue(text.utf8): number = text
        case .int32(let n) where n >= 1_000_000: number = String(n)
        case .int64(let n) where (1_000_000...999_999_999_999).contains(n): number = String(n)
        default: return scrub(value)
        }
        var name = key
        guard let index = name.withUTF8({ labels.context(forKey: UnsafeRawBufferPointer($0)) }) else { return scrub(value) }
        let context = labels.contexts[index]
        let input = String(decoding: context + Array(number.utf8), as: UTF8.self)
        let output = scrub(input)
        if output == input { return value }
        // The context holds nothing to match; were it changed (or the whole input replaced by the
        // failure marker), the whole output goes in: it holds no more of the number than its own
        // output would.
        let kept = output.utf8.starts(with: context)
        return .string(kept ? String(decoding: output.utf8.dropFirst(context.count), as: UTF8.self) : output)
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
