import Foundation
import PIIScrub
import PIIScrubJSON
import PIIScrubLangfuse
import PIIScrubTestSupport
import Testing

// MARK: - Fixture discovery and JSON helpers (Foundation is fine in tests)

/// Every captured request body in the Langfuse fixtures (JSON ones; protobuf captures have an
/// `.otlp.json` re-encoding next to them), relative to the fixtures folder.
let capturedBodies: [String] = {
    let root = TestPaths.fixtures
    guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
    var files: [String] = []
    while let path = walker.nextObject() as? String {
        guard path.hasPrefix("sdk-python-") else { continue }
        let name = (path as NSString).lastPathComponent
        if name.hasSuffix(".body.json") || name.hasSuffix(".body.wire.json") || name.hasSuffix(".otlp.json")
            || name.hasSuffix(".derived.json")
        {
            files.append(path)
        }
    }
    return files.sorted()
}()

/// Pattern sets available in this checkout: `seed` always, `default` once patterns/default.json exists.
let availableSets: [String] = ["seed"]
    + (FileManager.default.fileExists(atPath: TestPaths.patterns + "/default.json") ? ["default"] : [])

func loadBytes(_ relativePath: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: TestPaths.fixtures + "/" + relativePath)))
}

func parseJSON(_ bytes: [UInt8]) -> Any? {
    try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
}

/// Parses a string's content as JSON when it looks like an object, array or string literal.
func nestedJSON(_ text: String) -> Any? {
    guard let first = text.first(where: { !$0.isWhitespace }), first == "{" || first == "[" || first == "\"" else {
        return nil
    }
    return parseJSON(Array(text.utf8))
}

/// Every string (values and keys) in a JSON tree, also inside JSON text inside strings.
///
/// With `textOnly`, a string holding a JSON object or array is not itself a leaf, only its
/// decoded contents are: scanning JSON text as text is what corrupts it (FORMATS.md §6.4: an
/// email regex over `\u592a\u90ce@example.jp` matches `u90ce@example.jp`).
func stringLeaves(_ value: Any, into leaves: inout [String], level: Int = 0, textOnly: Bool = false) {
    switch value {
    case let s as String:
        if level < 8, let inner = nestedJSON(s) {
            if !textOnly || !(inner is [Any] || inner is [String: Any]) { leaves.append(s) }
            stringLeaves(inner, into: &leaves, level: level + 1, textOnly: textOnly)
        } else {
            leaves.append(s)
        }
    case let a as [Any]:
        for v in a { stringLeaves(v, into: &leaves, level: level, textOnly: textOnly) }
    case let d as [String: Any]:
        for (k, v) in d {
            leaves.append(k)
            stringLeaves(v, into: &leaves, level: level, textOnly: textOnly)
        }
    default:
        break
    }
}

/// The texts the scrubber matches in `text` (synthetic fixture PII only).
func matchedTexts(_ text: String, _ scrubber: Scrubber) -> [String] {
    let utf8 = Array(text.utf8)
    return scrubber.findings(in: text).map { String(decoding: utf8[$0.range], as: UTF8.self) }
}

/// Compares two JSON trees: same structure, same keys, numbers and booleans, and each string
/// either equal or one the scrubber has something to change in (directly or in nested JSON).
/// Returns paths of violations (paths only, no values).
func structuralDifferences(_ input: Any, _ output: Any, _ scrubber: Scrubber, path: String = "$") -> [String] {
    switch (input, output) {
    case let (a as [String: Any], b as [String: Any]):
        guard Set(a.keys) == Set(b.keys) else { return ["\(path): keys differ"] }
        return a.keys.sorted().flatMap { structuralDifferences(a[$0]!, b[$0]!, scrubber, path: path + "." + $0) }
    case let (a as [Any], b as [Any]):
        guard a.count == b.count else { return ["\(path): array length differs"] }
        return zip(a, b).enumerated().flatMap { i, pair in
            structuralDifferences(pair.0, pair.1, scrubber, path: "\(path)[\(i)]")
        }
    case let (a as String, b as String):
        if a == b { return [] }
        var leaves: [String] = []
        stringLeaves(a, into: &leaves, textOnly: true)
        guard leaves.contains(where: { scrubber.scrub($0) != $0 }) else { return ["\(path): changed without a match"] }
        if let inner = nestedJSON(a), inner is [Any] || inner is [String: Any] {
            guard let scrubbedInner = nestedJSON(b) else { return ["\(path): JSON text no longer parses"] }
            return structuralDifferences(inner, scrubbedInner, scrubber, path: path + "<json>")
        }
        return []
    case let (a as NSNumber, b as NSNumber):
        return a == b ? [] : ["\(path): number changed"]
    case (is NSNull, is NSNull):
        return []
    default:
        return ["\(path): type changed"]
    }
}

/// Values planted by the capture (tools/fake_pii.py) that pattern sets must find: emails, phones,
/// SSNs, cards, IBANs, IPs. Names, street addresses and dates of birth need NER (out of scope).
func plantedValues() throws -> [String] {
    let source = try String(contentsOfFile: TestPaths.fixtures + "/tools/fake_pii.py", encoding: .utf8)
    let outOfScope = ["STREET", "PERSON", "DOB"]
    var values: [String] = []
    for line in source.split(separator: "\n") {
        let parts = line.split(separator: "=", maxSplits: 1)
        guard parts.count == 2 else { continue }
        let name = parts[0].trimmingCharacters(in: .whitespaces)
        guard name.allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" }),
              !outOfScope.contains(where: { name.hasPrefix($0) }) else { continue }
        let rhs = parts[1].trimmingCharacters(in: .whitespaces)
        guard rhs.hasPrefix("\""), let close = rhs.dropFirst().firstIndex(of: "\"") else { continue }
        values.append(String(rhs[rhs.index(after: rhs.startIndex)..<close]))
    }
    // The capture's fake Langfuse keys (README: `pk-lf-test` / `sk-lf-test`).
    return values + ["pk-lf-test", "sk-lf-test"]
}

// MARK: - Captured requests

@Suite("Langfuse bodies: captured SDK requests")
struct CapturedBodyTests {
    static let seed = Scrubber(patternSet: try! TestSets.load("seed"))

    @Test("the fixture list covers every capture folder")
    func coverage() {
        for folder in ["sdk-python-v2-ingestion/plain", "sdk-python-v2-ingestion/masked", "sdk-python-current-otel/plain",
                       "sdk-python-current-otel/masked", "sdk-python-v3-otel"] {
            #expect(capturedBodies.contains { $0.hasPrefix(folder + "/") && $0.hasSuffix(".otlp.json") || $0.hasPrefix(folder + "/") && $0.hasSuffix(".body.json") })
        }
        #expect(capturedBodies.count >= 14)
    }

    @Test("valid JSON, same structure, unchanged fields untouched, seed matches gone", arguments: capturedBodies)
    func seedSet(_ file: String) throws {
        let input = try loadBytes(file)
        let body = LangfuseBodyScrubber(scrubber: Self.seed)
        let (output, outcome) = body.scrub(input)
        #expect(outcome.kind == .changed)
        let parsedIn = try #require(parseJSON(input))
        let parsedOut = try #require(parseJSON(output), "output is not valid JSON")
        let differences = structuralDifferences(parsedIn, parsedOut, Self.seed)
        #expect(differences.isEmpty, "\(differences.prefix(5))")

        // Everything the seed set matches in the decoded input (also inside JSON text) is gone,
        // from the raw output and from every decoded string of it.
        var inLeaves: [String] = []
        stringLeaves(parsedIn, into: &inLeaves, textOnly: true)
        let matched = Set(inLeaves.flatMap { matchedTexts($0, Self.seed) })
        #expect(!matched.isEmpty)
        var outLeaves: [String] = []
        stringLeaves(parsedOut, into: &outLeaves)
        let rawOut = String(decoding: output, as: UTF8.self)
        for (index, value) in matched.sorted().enumerated() {
            #expect(!rawOut.contains(value), "match #\(index) of \(file) in raw output")
            #expect(!outLeaves.contains { $0.contains(value) }, "match #\(index) of \(file) in a decoded string")
        }
    }

    @Test("scrubbing is idempotent: scrubbed output comes back byte-identical", arguments: capturedBodies)
    func idempotent(_ file: String) throws {
        let body = LangfuseBodyScrubber(scrubber: Self.seed)
        let once = body.scrub(try loadBytes(file)).output
        let (twice, outcome) = body.scrub(once)
        #expect(outcome.kind == .unchanged)
        #expect(twice == once)
    }

    @Test("no planted email, phone, SSN, card, IBAN, IP or key remains (default set)",
          arguments: availableSets.filter { $0 != "seed" }, capturedBodies)
    func defaultSet(_ set: String, _ file: String) throws {
        let scrubber = Scrubber(patternSet: try TestSets.load(set))
        let input = try loadBytes(file)
        let (output, _) = LangfuseBodyScrubber(scrubber: scrubber).scrub(input)
        let parsedIn = try #require(parseJSON(input))
        let parsedOut = try #require(parseJSON(output), "output is not valid JSON")
        #expect(structuralDifferences(parsedIn, parsedOut, scrubber).isEmpty)
        var outLeaves: [String] = []
        stringLeaves(parsedOut, into: &outLeaves)
        let rawOut = String(decoding: output, as: UTF8.self)
        for (index, value) in try plantedValues().enumerated() {
            #expect(!rawOut.contains(value), "planted value #\(index) in raw output of \(file)")
            #expect(!outLeaves.contains { $0.contains(value) }, "planted value #\(index) decoded in \(file)")
        }
    }
}

// MARK: - Event types and kept fields

@Suite("Langfuse bodies: event types and kept fields")
struct LangfuseBodyFieldTests {
    static let seed = Scrubber(patternSet: try! TestSets.load("seed"))
    static let mail = "jane.doe@example.com"

    func scrubbed(_ json: String) throws -> (Any, JSONScrubber.Outcome) {
        let (output, outcome) = LangfuseBodyScrubber(scrubber: Self.seed).scrub(Array(json.utf8))
        return (try #require(parseJSON(output)), outcome)
    }

    static let eventTypes = [
        "trace-create", "span-create", "span-update", "generation-create", "generation-update", "event-create",
        "agent-create", "tool-create", "chain-create", "retriever-create", "evaluator-create", "embedding-create",
        "guardrail-create", "observation-create", "observation-update", "score-create", "sdk-log",
    ]

    @Test("every free-text field of every event type is scrubbed; ids, times, model and usage kept",
          arguments: eventTypes)
    func eventType(_ type: String) throws {
        let m = Self.mail
        // Ids and timestamps deliberately look like PII: keep-field paths must keep them anyway.
        let json = """
            {"batch":[{"id":"\(m)","timestamp":"555-013-9921","type":"\(type)","body":{
              "id":"\(m)","traceId":"555-013-9921","parentObservationId":"078-05-1120",
              "startTime":"2024-01-01T00:00:00.000Z","model":"m-555-013-9921",
              "usage":{"input":5550139921,"unit":"555-013-9921"},
              "name":"call \(m)","userId":"\(m)","sessionId":"s:\(m)","tags":["\(m)","ok"],
              "input":{"messages":[{"content":"ssn 078-05-1120"}]},"output":"{\\"reply\\":\\"to \(m)\\"}",
              "metadata":{"note":"\(m)"},"statusMessage":"failed for \(m)","comment":"by \(m)",
              "value":"\(m)","version":"\(m)","release":"\(m)","log":{"msg":"user \(m)"},
              "modelParameters":{"stop":"\(m)"}}}],
             "metadata":{"public_key":"pk-lf-test","note":"\(m)"}}
            """
        let (parsed, outcome) = try scrubbed(json)
        #expect(outcome.kind == .changed)
        let root = try #require(parsed as? [String: Any])
        let event = try #require((root["batch"] as? [[String: Any]])?.first)
        let body = try #require(event["body"] as? [String: Any])
        // Kept verbatim.
        #expect(event["id"] as? String == m)
        #expect(event["timestamp"] as? String == "555-013-9921")
        #expect(event["type"] as? String == type)
        #expect(body["id"] as? String == m)
        #expect(body["traceId"] as? String == "555-013-9921")
        #expect(body["parentObservationId"] as? String == "078-05-1120")
        #expect(body["model"] as? String == "m-555-013-9921")
        #expect((body["usage"] as? [String: Any])?["unit"] as? String == "555-013-9921")
        #expect((body["usage"] as? [String: Any])?["input"] as? Int == 5550139921)
        // Scrubbed.
        #expect(body["name"] as? String == "call [EMAIL]")
        #expect(body["userId"] as? String == "[EMAIL]")
        #expect(body["sessionId"] as? String == "s:[EMAIL]")
        #expect(body["tags"] as? [String] == ["[EMAIL]", "ok"])
        #expect(((body["input"] as? [String: Any])?["messages"] as? [[String: Any]])?.first?["content"] as? String == "ssn [SSN]")
        #expect(body["output"] as? String == #"{"reply":"to [EMAIL]"}"#)
        #expect((body["metadata"] as? [String: Any])?["note"] as? String == "[EMAIL]")
        #expect(body["statusMessage"] as? String == "failed for [EMAIL]")
        #expect(body["comment"] as? String == "by [EMAIL]")
        #expect(body["value"] as? String == "[EMAIL]")
        #expect(body["version"] as? String == "[EMAIL]")
        #expect(body["release"] as? String == "[EMAIL]")
        #expect((body["log"] as? [String: Any])?["msg"] as? String == "user [EMAIL]")
        #expect((body["modelParameters"] as? [String: Any])?["stop"] as? String == "[EMAIL]")
        #expect((root["metadata"] as? [String: Any])?["note"] as? String == "[EMAIL]")
    }

    @Test("OTLP: ids, times and intValues kept; names, attributes, arrays, events, links, status, resource scrubbed")
    func otlp() throws {
        let m = Self.mail
        let attr = #"{"key":"k","value":{"stringValue":"to \#(m)"}}"#
        let json = """
            {"resourceSpans":[{"resource":{"attributes":[\(attr),{"key":"n","value":{"intValue":"5550139921"}}]},
             "scopeSpans":[{"scope":{"name":"s","attributes":[\(attr)]},"spans":[{
               "traceId":"5550139921","spanId":"555-013-9921","parentSpanId":"078-05-1120","name":"lookup \(m)",
               "kind":1,"startTimeUnixNano":"5550139921","endTimeUnixNano":"5550139921",
               "attributes":[\(attr),
                 {"key":"langfuse.trace.tags","value":{"arrayValue":{"values":[{"stringValue":"\(m)"},{"intValue":"5550139921"}]}}},
                 {"key":"langfuse.observation.input","value":{"stringValue":"{\\"args\\":[\\"\(m)\\"]}"}},
                 {"key":"kv","value":{"kvlistValue":{"values":[{"key":"x","value":{"stringValue":"\(m)"}}]}}}],
               "events":[{"timeUnixNano":"5550139921","name":"exception",
                 "attributes":[{"key":"exception.stacktrace","value":{"stringValue":"at /home/\(m)/app.py"}}]}],
               "links":[{"traceId":"5550139921","spanId":"5550139921","attributes":[\(attr)]}],
               "status":{"code":2,"message":"failed for \(m)"}}]}]}]}
            """
        let (parsed, outcome) = try scrubbed(json)
        #expect(outcome.kind == .changed)
        let text = String(decoding: try JSONSerialization.data(withJSONObject: parsed, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
        #expect(!text.contains(m))
        let resource = try #require((parsed as? [String: Any])?["resourceSpans"] as? [[String: Any]]).first!
        let span = try #require(((resource["scopeSpans"] as? [[String: Any]])?.first?["spans"] as? [[String: Any]])?.first)
        #expect(span["traceId"] as? String == "5550139921")
        #expect(span["spanId"] as? String == "555-013-9921")
        #expect(span["parentSpanId"] as? String == "078-05-1120")
        #expect(span["startTimeUnixNano"] as? String == "5550139921")
        #expect(span["name"] as? String == "lookup [EMAIL]")
        #expect((span["status"] as? [String: Any])?["message"] as? String == "failed for [EMAIL]")
        #expect((span["events"] as? [[String: Any]])?.first?["timeUnixNano"] as? String == "5550139921")
        #expect((span["links"] as? [[String: Any]])?.first?["spanId"] as? String == "5550139921")
        // intValue kept (resource and array), string values scrubbed.
        #expect(text.contains(#"{"intValue":"5550139921"}"#))
        #expect(text.contains(#""stringValue":"to [EMAIL]""#))
        #expect(text.contains(#"{\"args\":[\"[EMAIL]\"]}"#))
        #expect(text.contains("at /home/[EMAIL]/app.py"))
    }

    @Test("OTLP with the default set: an attribute's key labels its bare-number stringValue; intValue stays valid OTLP")
    func otlpLabelledAttributes() throws {
        let json = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"a","spanId":"b","name":"s","attributes":["#
            + #"{"key":"user.phone","value":{"stringValue":"5471897133"}},{"key":"app.ssn","value":{"intValue":"078051120"}},"#
            + #"{"key":"order.id","value":{"stringValue":"5471897133"}}]}]}]}]}"#
        let scrubber = LangfuseBodyScrubber(scrubber: Scrubber(patternSet: try TestSets.load("default")))
        let output = String(decoding: scrubber.scrub(Array(json.utf8)).0, as: UTF8.self)
        // Compared whole, as a Bool: the phone is gone, the key and the other values stay.
        let expected = json.replacingOccurrences(of: #""user.phone","value":{"stringValue":"5471897133"}"#,
                                                 with: #""user.phone","value":{"stringValue":"[PHONE]"}"#)
        let same = output == expected
        #expect(same && expected != json)
    }

    @Test("score arrays (POST /api/public/scores) keep ids and scrub comments and metadata")
    func scores() throws {
        let m = Self.mail
        let (parsed, _) = try scrubbed(
            #"[{"id":"\#(m)","traceId":"555-013-9921","name":"q","value":1,"comment":"by \#(m)","metadata":{"a":"\#(m)"}}]"#)
        let score = try #require((parsed as? [[String: Any]])?.first)
        #expect(score["id"] as? String == m)
        #expect(score["traceId"] as? String == "555-013-9921")
        #expect(score["comment"] as? String == "by [EMAIL]")
        #expect((score["metadata"] as? [String: Any])?["a"] as? String == "[EMAIL]")
    }

    @Test("the format is only a rule-list choice: keys in another order give the same kept fields")
    func formatFallback() throws {
        let m = Self.mail
        let event = #"{"id":"\#(m)","type":"trace-create","body":{"id":"\#(m)","userId":"\#(m)"}}"#
        for json in [#"{"batch":[\#(event)],"metadata":{"a":"\#(m)"}}"#, #"{"metadata":{"a":"\#(m)"},"batch":[\#(event)]}"#,
                     " \n" + #"{ "batch" :[\#(event)]}"#] {
            let (parsed, _) = try scrubbed(json)
            let root = try #require(parsed as? [String: Any])
            let first = try #require((root["batch"] as? [[String: Any]])?.first)
            #expect(first["id"] as? String == m)
            #expect((first["body"] as? [String: Any])?["id"] as? String == m)
            #expect((first["body"] as? [String: Any])?["userId"] as? String == "[EMAIL]")
        }
    }

    @Test("a body that is not JSON is scrubbed as text, never passed through")
    func malformed() throws {
        let input = Array(#"{"batch":[{"body":{"input":"mail \#(Self.mail)"#.utf8)
        let (output, outcome) = LangfuseBodyScrubber(scrubber: Self.seed).scrub(input)
        #expect(outcome.kind == .malformed)
        #expect(!String(decoding: output, as: UTF8.self).contains(Self.mail))
    }

    @Test("a body without PII comes back byte-identical")
    func untouched() throws {
        let input = Array(#"{"batch":[{"id":"a","type":"trace-create","body":{"name":"ok \u00e9 \/"}}]}"#.utf8)
        let (output, outcome) = LangfuseBodyScrubber(scrubber: Self.seed).scrub(input)
        #expect(outcome.kind == .unchanged)
        #expect(output == input)
    }
}
