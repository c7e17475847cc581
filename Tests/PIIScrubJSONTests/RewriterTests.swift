import Foundation
import PIIScrub
import PIIScrubJSON
import PIIScrubTestSupport
import Testing

/// One document in, one document out (synthetic values only).
struct RewriteCase: CustomStringConvertible, Sendable {
    var name: String
    var input: String
    var expected: String
    var options: JSONScrubber.Options = .init()
    var description: String { name }
}

@Suite("JSON rewriter")
struct RewriterTests {
    static let cases: [RewriteCase] = [
        .init(name: "clean document is byte-identical",
              input: #" { "a" : [1, 2.5e3, -0, true, false, null, "x\ty"] , "b":{} } "#,
              expected: #" { "a" : [1, 2.5e3, -0, true, false, null, "x\ty"] , "b":{} } "#),
        .init(name: "plain string", input: #"{"a":"mail x@example.com"}"#, expected: #"{"a":"mail [EMAIL]"}"#),
        .init(name: "escaped at sign is decoded", input: #"{"a":"x\u0040example.com"}"#, expected: #"{"a":"[EMAIL]"}"#),
        .init(name: "newline escape is a boundary", input: #"{"a":"call\n555-123-4567\nnow"}"#,
              expected: #"{"a":"call\n[PHONE]\nnow"}"#),
        .init(name: "ensure_ascii style is kept", input: #"{"a":"caf\u00e9 \ud83d\ude00 x@example.com"}"#,
              expected: #"{"a":"caf\u00e9 \ud83d\ude00 [EMAIL]"}"#),
        .init(name: "raw non-ASCII stays raw", input: #"{"a":"café 😀 x@example.com"}"#,
              expected: #"{"a":"café 😀 [EMAIL]"}"#),
        .init(name: "escaped slash style is kept", input: #"{"a":"http:\/\/h\/ x@example.com"}"#,
              expected: #"{"a":"http:\/\/h\/ [EMAIL]"}"#),
        .init(name: "unchanged strings keep their escapes", input: #"{"a":"\u0041\/b","b":"x@example.com"}"#,
              expected: #"{"a":"\u0041\/b","b":"[EMAIL]"}"#),
        .init(name: "nested JSON text", input: #"{"input":"{\"m\": \"x\\u0040example.com\", \"n\": 1}"}"#,
              expected: #"{"input":"{\"m\": \"[EMAIL]\", \"n\": 1}"}"#),
        .init(name: "double-encoded JSON text",
              input: #"{"o":"\"{\\\"e\\\":\\\"x@example.com\\\"}\""}"#,
              expected: #"{"o":"\"{\\\"e\\\":\\\"[EMAIL]\\\"}\""}"#),
        .init(name: "nested text that does not parse is scrubbed as text",
              input: #"{"o":"{\"e\": \"x@example.com\", trunc"}"#, expected: #"{"o":"{\"e\": \"[EMAIL]\", trunc"}"#),
        .init(name: "keys are scrubbed", input: #"{"x@example.com":{"555-123-4567":1}}"#,
              expected: #"{"[EMAIL]":{"[PHONE]":1}}"#),
        .init(name: "flat: keys kept", input: #"{"x@example.com":"y@example.com"}"#,
              expected: #"{"x@example.com":"[EMAIL]"}"#, options: .init(flat: true)),
        .init(name: "flat: nested JSON scrubbed as text only",
              input: #"{"i":"{\"m\":\"x\\u0040example.com y@example.com\"}"}"#,
              expected: #"{"i":"{\"m\":\"x\\u0040example.com [EMAIL]\"}"}"#, options: .init(flat: true)),
        .init(name: "numbers untouched by default", input: #"{"n":5551234567}"#, expected: #"{"n":5551234567}"#),
        .init(name: "--scrub-numbers", input: #"{"n":5551234567,"m":12}"#, expected: #"{"n":"[PHONE]","m":12}"#,
              options: .init(scrubNumbers: true)),
        .init(name: "keep field", input: #"{"id":"x@example.com","b":{"id":"y@example.com"}}"#,
              expected: #"{"id":"x@example.com","b":{"id":"[EMAIL]"}}"#, options: .init(keepFields: [FieldPath("id")])),
        .init(name: "keep field with wildcard and arrays",
              input: #"{"m":[{"c":"x@example.com","d":"y@example.com"}]}"#,
              expected: #"{"m":[{"c":"x@example.com","d":"[EMAIL]"}]}"#, options: .init(keepFields: [FieldPath("*.c")])),
        .init(name: "only field reaches into nested JSON text",
              input: #"{"metadata":"{\"customer\":{\"email\":\"x@example.com\"},\"n\":\"y@example.com\"}","o":"z@example.com"}"#,
              expected: #"{"metadata":"{\"customer\":{\"email\":\"[EMAIL]\"},\"n\":\"y@example.com\"}","o":"z@example.com"}"#,
              options: .init(onlyFields: [FieldPath("metadata.customer.email")])),
        .init(name: "keep and only rules with a wildcard, inside sibling JSON texts",
              input: #"{"a":{"x":"{\"k\":\"p@example.com\",\"q\":\"r@example.com\"}","y":"{\"k\":\"s@example.com\"}","z":"{\"k\":\"u@example.com\"}"},"b":"t@example.com"}"#,
              expected: #"{"a":{"x":"{\"k\":\"[EMAIL]\",\"q\":\"r@example.com\"}","y":"{\"k\":\"s@example.com\"}","z":"{\"k\":\"[EMAIL]\"}"},"b":"t@example.com"}"#,
              options: .init(keepFields: [FieldPath("a.y")], onlyFields: [FieldPath("a.*.k")])),
        .init(name: "U+2028 inside a string is content", input: "{\"a\":\"x\u{2028}y@example.com\"}",
              expected: "{\"a\":\"x\u{2028}[EMAIL]\"}"),
        .init(name: "a string holding the batch separator is scrubbed on its own",
              input: #"{"a":"x\u0000y@example.com","b":"z@example.com"}"#,
              expected: #"{"a":"x\u0000[EMAIL]","b":"[EMAIL]"}"#),
        .init(name: "control characters in a rewritten string are escaped",
              input: #"{"a":"\u0001\b x@example.com"}"#, expected: #"{"a":"\u0001\b [EMAIL]"}"#),
    ]

    @Test("rewrite", arguments: cases)
    func rewrite(_ c: RewriteCase) {
        let json = JSONScrubber(scrubber: JSONTestSupport.seed, options: c.options)
        let (output, outcome) = JSONTestSupport.scrubDocument(c.input, json)
        // Compared into a Bool first: a failure names the case, never prints document text.
        let equal = output == c.expected
        #expect(equal, "case \(c.name)")
        #expect(outcome.kind == (c.input == c.expected ? .unchanged : .changed))
    }

    @Test("every rewritten document parses to the input tree with strings scrubbed", arguments: cases)
    func parses(_ c: RewriteCase) throws {
        let json = JSONScrubber(scrubber: JSONTestSupport.seed, options: c.options)
        let (output, _) = JSONTestSupport.scrubDocument(c.input, json)
        #expect((try? JSONSerialization.jsonObject(with: Data(output.utf8), options: [.fragmentsAllowed])) != nil)
    }

    @Test("one engine call per string gives the same output as the batched path", arguments: cases)
    func unbatchedAgrees(_ c: RewriteCase) throws {
        var options = c.options
        options.batching = false
        let json = JSONScrubber(scrubber: JSONTestSupport.seed, options: options)
        let (output, _) = JSONTestSupport.scrubDocument(c.input, json)
        let equal = output == c.expected
        #expect(equal, "case \(c.name)")
    }

    @Test("batched and unbatched agree on every golden input")
    func unbatchedGoldens() throws {
        var options = JSONScrubber.Options()
        options.batching = false
        for golden in JSONTestSupport.goldens where golden.args == nil {
            let input = try JSONTestSupport.read(golden.inputPath)
            let result = JSONTestSupport.scrubLines(input, JSONScrubber(scrubber: JSONTestSupport.seed, options: options))
            #expect(result.output == (try JSONTestSupport.read(golden.outputPath)), "\(golden.name)")
        }
    }

    @Test("per-field counts name paths, never values")
    func fieldCounts() {
        let json = JSONScrubber(scrubber: JSONTestSupport.seed)
        let worker = json.makeWorker()
        var out: [UInt8] = []
        let doc = #"{"x@example.com":"y@example.com","m":[{"c":"555-123-4567 z@example.com"}],"i":"{\"k\":\"w@example.com\"}"}"#
        _ = Array(doc.utf8).withUnsafeBytes { worker.scrubDocument($0, appendingTo: &out) }
        let counts = worker.fieldCounts
        #expect(counts["m.c"] == 2)
        #expect(counts["i.k"] == 1)
        #expect(counts["[EMAIL]"] == 2)  // the key and its value; the key itself scrubbed out of the path
        #expect(!counts.keys.contains { $0.contains("@") })
    }

    @Test("timestamps: ClickHouse and ISO-8601 forms",
          arguments: [("2025-01-02 03:04:05.123", Int64(1_735_787_045)), ("2025-01-02 03:04:05.123456", 1_735_787_045),
                      ("2025-01-02T03:04:05Z", 1_735_787_045), ("2025-01-02T05:04:05+02:00", 1_735_787_045),
                      ("2025-01-02T03:04:05.5-0100", 1_735_790_645), ("1970-01-01", 0)])
    func timestamps(_ text: String, _ expected: Int64) {
        var text = text
        #expect(text.withUTF8 { parseTimestamp(UnsafeRawBufferPointer($0)) } == expected)
    }

    @Test("timestamps: rejected forms", arguments: ["2025-13-01", "2025-01-02 3:04:05", "yesterday", "2025-01-02T03:04:05Q"])
    func badTimestamps(_ text: String) {
        var text = text
        #expect(text.withUTF8 { parseTimestamp(UnsafeRawBufferPointer($0)) } == nil)
    }

    /// Also with one engine call per string, where a validating walk reads the timestamp column
    /// before the scrubbing walk.
    @Test("retention drops rows older than the cut-off, by the preferred timestamp column", arguments: [true, false])
    func retention(_ batching: Bool) {
        let cutoff: Int64 = 1_735_787_045  // 2025-01-02 03:04:05
        var options = JSONScrubber.Options(minimumTimestamp: cutoff)
        options.batching = batching
        let json = JSONScrubber(scrubber: JSONTestSupport.seed, options: options)
        let rows: [(String, JSONScrubber.Outcome.Kind)] = [
            (#"{"id":"1","timestamp":"2025-01-01 00:00:00.000"}"#, .dropped),
            (#"{"id":"2","timestamp":"2025-01-03 00:00:00.000","n":"x@example.com"}"#, .changed),
            (#"{"start_time":"2025-01-01 00:00:00.000000","created_at":"2025-02-01 00:00:00.000"}"#, .dropped),
            (#"{"startTime":"2025-02-01T00:00:00.000Z"}"#, .unchanged),
            (#"{"name":"no timestamp"}"#, .unchanged),
            (#"{"m":{"timestamp":"2020-01-01 00:00:00"}}"#, .unchanged),
        ]
        for (row, kind) in rows {
            let (output, outcome) = JSONTestSupport.scrubDocument(row, json)
            #expect(outcome.kind == kind, "row \(row)")
            if kind == .dropped { #expect(output.isEmpty) }
        }
    }

    @Test("a document deeper than the limit is malformed, not a crash")
    func deep() {
        let doc = String(repeating: "[", count: 10_000) + "\"x@example.com\"" + String(repeating: "]", count: 10_000)
        let (output, outcome) = JSONTestSupport.scrubDocument(doc, JSONScrubber(scrubber: JSONTestSupport.seed))
        #expect(outcome.kind == .malformed)
        #expect(!output.contains("@example.com"))
    }

    @Test("an 8 MiB string with PII at the end")
    func longString() {
        let doc = "{\"a\":\"" + String(repeating: "lorem ipsum ", count: 700_000) + "x@example.com\"}"
        let (output, outcome) = JSONTestSupport.scrubDocument(doc, JSONScrubber(scrubber: JSONTestSupport.seed))
        #expect(outcome.kind == .changed)
        #expect(output.hasSuffix(" [EMAIL]\"}"))
    }
}
