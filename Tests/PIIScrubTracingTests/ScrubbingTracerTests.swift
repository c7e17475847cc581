import InMemoryTracing
import PCRE2Wrapper
import PIIScrub
import PIIScrubTestSupport
@testable import PIIScrubTracing
import Testing
import Tracing

// Synthetic PII (fixtures' tools/fake_pii.py values that the seed set matches).
private let email = "jane.doe@example.com"
private let phone = "555-013-9921"
private let ssn = "078-05-1120"

private let scrubber: Scrubber = {
    // A missing pattern file is a broken checkout: fail loudly in every test.
    Scrubber(patternSet: try! TestSets.load("seed"))
}()

private func makeTracer() -> (InMemoryTracer, ScrubbingTracer<InMemoryTracer>) {
    let backend = InMemoryTracer()
    return (backend, ScrubbingTracer(wrapping: backend, scrubber: scrubber))
}

/// Describes itself with PII, like an id type or a request value would.
private struct Customer: CustomStringConvertible, Sendable {
    var mail: String
    var description: String { "Customer<\(mail)>" }
}

private struct LookupError: Error, CustomStringConvertible {
    var email: String
    var description: String { "LookupError: no account for \(email)" }
}

/// The contract every change to ``ScrubbingTracer`` must keep (its doc comment shows the same test).
@Suite("ScrubbingTracer contract")
struct ScrubbingTracerContractTests {
    @Test("everything that reaches the wrapped tracer is scrubbed; non-text is kept")
    func contract() throws {
        let (backend, tracer) = makeTracer()
        let span = tracer.startSpan("lookup \(email)")
        span.attributes["user.email"] = "\(email)"
        span.attributes["retries"] = 3
        span.attributes["customer"] = SpanAttribute.stringConvertible(Customer(mail: email))
        span.addEvent(SpanEvent(name: "called \(phone)", attributes: ["ssn": .string(ssn)]))
        span.recordError(LookupError(email: email))
        span.setStatus(.init(code: .error, message: "no user \(email)"))
        span.end()

        let finished = try #require(backend.finishedSpans.first)
        #expect(finished.operationName == "lookup [EMAIL]")
        #expect(finished.attributes.get("user.email") == .string("[EMAIL]"))
        #expect(finished.attributes.get("retries") == .int64(3))
        #expect(finished.attributes.get("customer") == .string("Customer<[EMAIL]>"))
        #expect(finished.events.map(\.name) == ["called [PHONE]"])
        #expect(finished.events.first?.attributes.get("ssn") == .string("[SSN]"))
        let recorded = try #require(finished.errors.first?.error as? ScrubbedError)
        #expect(recorded.message == "LookupError: no account for [EMAIL]")
        #expect(recorded.errorType.hasSuffix("LookupError"))
        #expect(finished.status == SpanStatus(code: .error, message: "no user [EMAIL]"))
        #expect(tracer.statistics.failures == 0)
        #expect(tracer.statistics.unsupportedAttributes == 0)
    }
}

@Suite("ScrubbingTracer attributes")
struct ScrubbingTracerAttributeTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var input: SpanAttribute
        var expected: SpanAttribute
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "string", input: .string("mail \(email)"), expected: .string("mail [EMAIL]")),
        Case(name: "string-clean", input: .string("GET /health"), expected: .string("GET /health")),
        Case(name: "string-empty", input: .string(""), expected: .string("")),
        Case(name: "stringArray", input: .stringArray([email, "ok", ssn]), expected: .stringArray(["[EMAIL]", "ok", "[SSN]"])),
        Case(name: "stringConvertible", input: .stringConvertible(Customer(mail: email)), expected: .string("Customer<[EMAIL]>")),
        Case(name: "stringConvertible-number", input: .stringConvertible(5550139921 as Int), expected: .string("[PHONE]")),
        Case(name: "stringConvertibleArray", input: .stringConvertibleArray([Customer(mail: email), 42 as Int]),
             expected: .stringArray(["Customer<[EMAIL]>", "42"])),
        // Numbers and booleans are not text: kept exactly, even when their digits look like a phone number.
        Case(name: "int64-kept", input: .int64(5_550_139_921), expected: .int64(5_550_139_921)),
        Case(name: "int32", input: .int32(7), expected: .int32(7)),
        Case(name: "double", input: .double(0.25), expected: .double(0.25)),
        Case(name: "bool", input: .bool(true), expected: .bool(true)),
        Case(name: "int32Array", input: .int32Array([1, 2]), expected: .int32Array([1, 2])),
        Case(name: "int64Array", input: .int64Array([5_550_139_921]), expected: .int64Array([5_550_139_921])),
        Case(name: "doubleArray", input: .doubleArray([1.5]), expected: .doubleArray([1.5])),
        Case(name: "boolArray", input: .boolArray([false, true]), expected: .boolArray([false, true])),
        // The enum is open: a case this wrapper does not know fails closed.
        Case(name: "unknown-case", input: .__DO_NOT_SWITCH_EXHAUSTIVELY_OVER_THIS_ENUM_USE_DEFAULT_INSTEAD,
             expected: .string("[REDACTED:UNSUPPORTED-ATTRIBUTE]")),
    ]

    @Test("span attributes", arguments: cases)
    func spanAttribute(_ c: Case) throws {
        let (backend, tracer) = makeTracer()
        let span = tracer.startSpan("op")
        span.attributes["value"] = c.input
        span.end()
        let finished = try #require(backend.finishedSpans.first)
        #expect(finished.attributes.get("value") == c.expected)
        let isUnknown = c.name == "unknown-case"
        #expect(tracer.statistics.unsupportedAttributes == (isUnknown ? 1 : 0))
    }

    @Test("event attributes", arguments: cases)
    func eventAttribute(_ c: Case) throws {
        let (backend, tracer) = makeTracer()
        let span = tracer.startSpan("op")
        span.addEvent(SpanEvent(name: "e", attributes: ["value": c.input]))
        span.end()
        let event = try #require(backend.finishedSpans.first?.events.first)
        #expect(event.attributes.get("value") == c.expected)
    }

    @Test("error attributes", arguments: cases)
    func errorAttribute(_ c: Case) throws {
        let (backend, tracer) = makeTracer()
        let span = tracer.startSpan("op")
        span.recordError(LookupError(email: "x"), attributes: ["value": c.input])
        span.end()
        let error = try #require(backend.finishedSpans.first?.errors.first)
        #expect(error.attributes.get("value") == c.expected)
    }

    @Test("link attributes", arguments: cases)
    func linkAttribute(_ c: Case) throws {
        let (backend, tracer) = makeTracer()
        let other = tracer.startSpan("other")
        let span = tracer.startSpan("op")
        span.addLink(SpanLink(context: other.context, attributes: ["value": c.input]))
        span.end()
        other.end()
        let link = try #require(backend.finishedSpans.first { $0.operationName == "op" }?.links.first)
        #expect(link.attributes.get("value") == c.expected)
    }

    @Test("bulk updates scrub every value and keep keys")
    func bulkUpdate() throws {
        let (backend, tracer) = makeTracer()
        let span = tracer.startSpan("op")
        span.updateAttributes { attributes in
            attributes["a.\(email)"] = "phone \(phone)"
            attributes["b"] = 1
        }
        span.attributes = ["c": .stringArray([ssn])]
        span.end()
        let finished = try #require(backend.finishedSpans.first)
        // Keys are names chosen by code; they are kept (documented in the contract).
        #expect(finished.attributes.get("c") == .stringArray(["[SSN]"]))
        #expect(finished.attributes.count == 1)
    }
}

@Suite("ScrubbingTracer spans")
struct ScrubbingTracerSpanTests {
    @Test("renaming a span scrubs the new name")
    func rename() throws {
        let (backend, tracer) = makeTracer()
        let span = tracer.startSpan("GET /users")
        span.operationName = "GET /users/\(email)"
        #expect(span.operationName == "GET /users/[EMAIL]")
        span.end()
        #expect(backend.finishedSpans.first?.operationName == "GET /users/[EMAIL]")
    }

    @Test("events keep their timestamp")
    func eventTime() throws {
        let (backend, tracer) = makeTracer()
        let span = tracer.startSpan("op")
        let event = SpanEvent(name: "sent to \(email)")
        span.addEvent(event)
        span.end()
        let recorded = try #require(backend.finishedSpans.first?.events.first)
        #expect(recorded.nanosecondsSinceEpoch == event.nanosecondsSinceEpoch)
        #expect(recorded.name == "sent to [EMAIL]")
    }

    @Test("withSpan records a thrown error scrubbed and rethrows the original")
    func withSpanError() throws {
        let (backend, tracer) = makeTracer()
        #expect(throws: LookupError.self) {
            try tracer.withSpan("lookup") { _ in throw LookupError(email: email) }
        }
        let finished = try #require(backend.finishedSpans.first)
        let recorded = try #require(finished.errors.first?.error as? ScrubbedError)
        #expect("\(recorded)" == "LookupError: no account for [EMAIL]")
        #expect(finished.status?.code == .error)
    }

    @Test("status without a message keeps its code")
    func statusCode() throws {
        let (backend, tracer) = makeTracer()
        let span = tracer.startSpan("op")
        span.setStatus(.init(code: .ok))
        span.end()
        #expect(backend.finishedSpans.first?.status == SpanStatus(code: .ok, message: nil))
    }

    @Test("spans, kind, parent and active-span lookup go through to the wrapped tracer")
    func passThrough() throws {
        let (backend, tracer) = makeTracer()
        let parent = tracer.startSpan("parent")
        let child = tracer.startSpan("child", context: parent.context, ofKind: .client)
        #expect(tracer.activeSpan(identifiedBy: child.context)?.operationName == "child")
        child.end()
        parent.end()
        tracer.forceFlush()
        let spans = backend.finishedSpans
        #expect(spans.map(\.operationName) == ["child", "parent"])
        #expect(spans[0].parentSpanID == spans[1].spanID)
        #expect(spans[0].kind == .client)
        #expect(backend.numberOfForceFlushes == 1)
    }

    @Test("values injected into outgoing carriers are scrubbed")
    func injector() {
        struct DictionaryInjector: Injector {
            func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
                carrier[key] = value
            }
        }
        let redactor = SpanRedactor(scrubber: scrubber, configuration: .init())
        var headers: [String: String] = [:]
        ScrubbingInjector(base: DictionaryInjector(), redactor: redactor)
            .inject("user=\(email)", forKey: "baggage", into: &headers)
        #expect(headers == ["baggage": "user=[EMAIL]"])
    }

    @Test("a value the engine cannot scrub is replaced by the failure marker and counted")
    func failClosed() throws {
        // A match limit of 1 makes every PCRE2 call on a candidate fail.
        var limits = MatchLimits()
        limits.matchLimit = 1
        let failing = Scrubber(patternSet: try TestSets.load("seed"), configuration: .init(limits: limits))
        let backend = InMemoryTracer()
        let tracer = ScrubbingTracer(wrapping: backend, scrubber: failing)
        let span = tracer.startSpan("op")
        span.attributes["mail"] = "write to \(email) now"
        span.end()
        let finished = try #require(backend.finishedSpans.first)
        #expect(finished.attributes.get("mail") == .string(failing.configuration.failureMarker))
        #expect(tracer.statistics.failures == 1)
    }
}

/// Keys that label a bare number for the set's patterns (`keyLabels` in the pattern data): the
/// tracing adapter reads them as `jsonl` reads member keys, numbers included.
@Suite("ScrubbingTracer labelled keys")
struct ScrubbingTracerKeyLabelTests {
    static let defaultScrubber = Scrubber(patternSet: try! TestSets.load("default"))

    func finished(_ attributes: SpanAttributes, scrubber: Scrubber = defaultScrubber) throws -> SpanAttributes {
        let backend = InMemoryTracer()
        let tracer = ScrubbingTracer(wrapping: backend, scrubber: scrubber)
        let span = tracer.startSpan("op")
        span.attributes = attributes
        span.addEvent(SpanEvent(name: "e", attributes: attributes))
        span.end()
        let span0 = try #require(backend.finishedSpans.first)
        // Events go through the same redactor: they must agree with the span's attributes.
        #expect(span0.events.first?.attributes == span0.attributes)
        return span0.attributes
    }

    @Test("a bare number under a labelling key is scrubbed with its key, as a number or a string")
    func labelled() throws {
        let out = try finished([
            "user.phone": .int64(5_471_897_133), "customer_ssn": .string("078051120"), "tel": .int32(96_110_220),
        ])
        #expect(out.get("user.phone") == .string("[PHONE]"))
        #expect(out.get("customer_ssn") == .string("[SSN]"))
        #expect(out.get("tel") == .string("[PHONE]"))
        // An IPv4 address of four small octets under an address key; a version keeps its value.
        let addresses = try finished(["net.peer.ip": .string("10.0.0.8"), "client_address": .string("8.8.8.8"),
                                      "service.version": .string("10.4.22.1")])
        #expect(addresses.get("net.peer.ip") == .string("[IP]"))
        #expect(addresses.get("client_address") == .string("[IP]"))
        #expect(addresses.get("service.version") == .string("10.4.22.1"))
    }

    @Test("other keys, other values, and a set without labels keep numbers")
    func unlabelled() throws {
        let out = try finished([
            "order.id": .int64(5_471_897_133), "user.phone": .int64(42), "user.mobile": .int64(-5_471_897_133),
            "fax": .double(5_471_897_133), "phone": .string("n/a"),
        ])
        #expect(out.get("order.id") == .int64(5_471_897_133))
        #expect(out.get("user.phone") == .int64(42))
        #expect(out.get("user.mobile") == .int64(-5_471_897_133))
        #expect(out.get("fax") == .double(5_471_897_133))
        #expect(out.get("phone") == .string("n/a"))
        let seed = try finished(["user.phone": .int64(5_471_897_133)], scrubber: scrubber)
        #expect(seed.get("user.phone") == .int64(5_471_897_133))
    }
}
