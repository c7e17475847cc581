import Foundation
import PIIScrub
import PIIScrubBench
import PIIScrubTestSupport
import Testing

private let repositoryRoot: String = {
    let parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    return parts.dropLast(3).joined(separator: "/")
}()

private func seedSet() throws -> PatternSet {
    try PatternSet.load(path: repositoryRoot + "/patterns/seed.json")
}

private func quickHarness(showValues: Bool = false) -> BenchHarness {
    var config = BenchHarness.Configuration()
    config.minimumSeconds = 0.001
    config.scaling = false
    config.showValues = showValues
    return BenchHarness(configuration: config)
}

/// Synthetic, clearly fake records; the expected counts below are worked out by hand against the
/// seed set (email, phone = 10 digits with optional -/. separators, ssn = ddd-dd-dddd).
private let handCorpus = """
    {"text": "mail a.b@example.com or 555-123-4567, ts 1700000000 and ssn 123-45-6789; card 4111 1111 1111 1111 on 2024-05-01", "pii": [{"type": "email", "value": "a.b@example.com"}, {"type": "phone", "value": "555-123-4567"}, {"type": "SSN", "value": "123-45-6789"}, {"type": "credit_card", "value": "4111 1111 1111 1111"}], "keep": ["1700000000", "2024-05-01"]}
    {"text": "ping x@example.org about order 42", "pii": [], "keep": ["order 42"]}
    {"text": "call (555) 123-4567 now", "pii": [{"type": "phone", "value": "(555) 123-4567"}]}

    """

@Suite struct ScoreArithmeticTests {
    struct Case: Sendable, CustomStringConvertible {
        var tp, fn, fp: Int
        var precision, recall, f1: Double?
        var description: String { "tp=\(tp) fn=\(fn) fp=\(fp)" }
    }

    // Worked by hand: P = tp/(tp+fp), R = tp/(tp+fn), F1 = 2PR/(P+R).
    static let cases: [Case] = [
        Case(tp: 3, fn: 1, fp: 2, precision: 0.6, recall: 0.75, f1: 2.0 / 3.0),
        Case(tp: 5, fn: 0, fp: 0, precision: 1, recall: 1, f1: 1),
        Case(tp: 1, fn: 3, fp: 1, precision: 0.5, recall: 0.25, f1: 1.0 / 3.0),
        Case(tp: 0, fn: 2, fp: 3, precision: 0, recall: 0, f1: 0),
        Case(tp: 0, fn: 4, fp: 0, precision: nil, recall: 0, f1: nil),
        Case(tp: 0, fn: 0, fp: 2, precision: 0, recall: nil, f1: nil),
        Case(tp: 0, fn: 0, fp: 0, precision: nil, recall: nil, f1: nil),
    ]

    @Test(arguments: cases)
    func scores(_ c: Case) {
        let score = TypeScore(type: "t", truePositives: c.tp, falseNegatives: c.fn, falsePositives: c.fp)
        #expect(close(score.precision, c.precision))
        #expect(close(score.recall, c.recall))
        #expect(close(score.f1, c.f1))
        #expect(score.labelled == c.tp + c.fn)
    }

    private func close(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case let (x?, y?): abs(x - y) < 1e-9
        default: false
        }
    }
}

@Suite struct EvaluatorTests {
    @Test func handComputedCorpusWithSeed() throws {
        let corpus = try Corpus.parse(Array(handCorpus.utf8), name: "hand")
        #expect(corpus.isLabelled)
        #expect(corpus.records.count == 3)
        let report = try quickHarness().run(set: try seedSet(), source: "seed", corpus: corpus)
        let byType = Dictionary(uniqueKeysWithValues: report.types.map { ($0.type, $0) })
        // email: a.b@ labelled and removed (TP); x@example.org unlabelled but redacted (FP).
        #expect(byType["email"] == TypeScore(type: "email", patterns: ["email"], truePositives: 1, falsePositives: 1))
        // phone: 555-123-4567 removed (TP); 1700000000 is a keep value the phone pattern destroys
        // (FP, keep lost); "(555) 123-4567" survives the seed regex (FN).
        #expect(byType["phone"] == TypeScore(type: "phone", patterns: ["phone"], truePositives: 1, falseNegatives: 1,
                                             falsePositives: 1, keepLost: 1))
        // "SSN" label normalised to ssn; removed by the ssn pattern.
        #expect(byType["ssn"] == TypeScore(type: "ssn", patterns: ["ssn"], truePositives: 1))
        // credit_card -> card; no seed pattern, and the spaced groups survive.
        #expect(byType["card"] == TypeScore(type: "card", patterns: [], falseNegatives: 1))
        let all = report.overall
        #expect((all.truePositives, all.falseNegatives, all.falsePositives, all.keepLost) == (3, 2, 2, 1))
        #expect(report.misses.count == 2)
        #expect(report.falsePositives.map(\.kind).sorted() == ["keep", "unlabelled"])
        #expect(report.misses.allSatisfy { $0.context == nil })
        #expect(report.patterns.map(\.matches) == [2, 2, 1])
        #expect(report.patterns.allSatisfy { $0.candidates >= $0.matches })
    }

    @Test func pureScoringOnGivenFindings() throws {
        let evaluator = Evaluator(patternSet: try seedSet())
        // Text "aa 111 bb": label "111" as ssn, keep "bb"; findings: ssn over 111, phone over "bb".
        let record = CorpusRecord(bytes: Array("aa 111 bb".utf8), pii: [Label(type: "ssn", value: "111")], keep: ["bb"], line: 1)
        var tally = Evaluator.Tally()
        evaluator.score(record: record, scrubbed: Array("aa [SSN] [PHONE]".utf8),
                        findings: [Finding(patternID: "ssn", range: 3 ..< 6), Finding(patternID: "phone", range: 7 ..< 9)],
                        into: &tally)
        let scores = Dictionary(uniqueKeysWithValues: evaluator.finish(tally).map { ($0.type, $0) })
        #expect(scores["ssn"]?.truePositives == 1)
        #expect(scores["ssn"]?.falsePositives == 0)
        #expect(scores["phone"]?.falsePositives == 1)
        #expect(scores["phone"]?.keepLost == 1)
        #expect(scores["email"] == TypeScore(type: "email", patterns: ["email"]))
        #expect(scores["ssn"]?.partial == 0)
    }

    /// A value gone as a whole but covered only in part (an IBAN whose middle a card pattern
    /// took) counts as a true positive and as partial; two findings that meet cover it whole.
    @Test func partiallyCoveredValues() throws {
        let evaluator = Evaluator(patternSet: try seedSet())
        // Text: "x FR76 3000 6000 0112 3456 7890 y 12345 a@[192.0.2.1]"; a bracket left is no piece.
        let record = CorpusRecord(bytes: Array("x FR76 3000 6000 0112 3456 7890 y 12345 a@[192.0.2.1]".utf8),
                                  pii: [Label(type: "iban", value: "FR76 3000 6000 0112 3456 7890"),
                                        Label(type: "phone", value: "12345"), Label(type: "email", value: "a@[192.0.2.1]")],
                                  keep: [], line: 1)
        var tally = Evaluator.Tally()
        evaluator.score(record: record, scrubbed: Array("x FR76 [CARD] 7890 y [PHONE] [EMAIL]]".utf8),
                        findings: [Finding(patternID: "card", range: 7 ..< 26), Finding(patternID: "phone", range: 34 ..< 36),
                                   Finding(patternID: "phone", range: 36 ..< 39), Finding(patternID: "email", range: 40 ..< 52)],
                        into: &tally)
        let scores = Dictionary(uniqueKeysWithValues: evaluator.finish(tally).map { ($0.type, $0) })
        #expect(scores["iban"]?.truePositives == 1)
        #expect(scores["iban"]?.partial == 1)
        #expect(scores["phone"]?.partial == 0)
        #expect(scores["email"]?.partial == 0)
        #expect(tally.misses.map(\.kind) == ["partial"])
    }

    @Test(arguments: [
        ("email", "email"), ("phone-e164", "phone"), ("us-ssn", "ssn"), ("credit-card", "card"),
        ("iban", "iban"), ("ipv4", "ip"), ("openai-api-key", "secret"), ("aws-access-key", "secret"),
        ("github-token", "secret"), ("jwt", "secret"), ("zip-code", "zip"),
    ])
    func typeOfPatternID(id: String, expected: String) {
        #expect(PIITypes.type(forPatternID: id) == expected)
    }

    @Test func plainTextCorpusIsSpeedOnly() throws {
        let corpus = try Corpus.parse(Array("one a@example.com\ntwo 555-123-4567\n".utf8), name: "plain")
        #expect(!corpus.isLabelled)
        let report = try quickHarness().run(set: try seedSet(), source: "seed", corpus: corpus)
        #expect(report.types.isEmpty)
        #expect(report.patterns.map(\.matches) == [1, 1, 0])
    }

    /// Hard negatives as strings or as `{"type", "value"}` objects (the form of the shipped
    /// `samples/*.jsonl` corpora); a keep entry of another shape is an error with the line number.
    @Test func keepEntriesAreStringsOrTypedValues() throws {
        let input = #"{"text": "ts 1700000000 sha 687b1683b9", "keep": ["1700000000", {"type": "git_sha", "value": "687b1683b9"}]}"#
        let corpus = try Corpus.parse(Array(input.utf8), name: "k.jsonl")
        #expect(corpus.records.map(\.keep) == [["1700000000", "687b1683b9"]])
        #expect {
            _ = try Corpus.parse(Array("{\"text\": \"x\"}\n{\"text\": \"y\", \"keep\": [5]}\n".utf8), name: "k.jsonl")
        } throws: { error in "\(error)".contains("k.jsonl:2") }
    }

    @Test func shippedCorporaLoad() throws {
        for name in ["eval-default.jsonl", "holdout-default.jsonl"] {
            let corpus = try Corpus.load(path: TestPaths.repositoryRoot + "/samples/" + name)
            #expect(corpus.isLabelled && corpus.records.count >= 3000, "\(name)")
            #expect(corpus.records.contains { !$0.keep.isEmpty }, "\(name) has hard negatives")
        }
    }

    @Test func badLineIsReportedByNumberOnly() {
        let input = "{\"text\": \"ok\"}\n{\"text\": 5, \"secret\": \"hunter2\"}\n"
        #expect {
            _ = try Corpus.parse(Array(input.utf8), name: "c.jsonl")
        } throws: { error in
            let text = "\(error)"
            return text.contains("c.jsonl:2") && !text.contains("hunter2")
        }
    }
}

@Suite struct ReportRenderingTests {
    private func report(showValues: Bool) throws -> BenchReport {
        let corpus = try Corpus.parse(Array(handCorpus.utf8), name: "hand")
        let harness = quickHarness(showValues: showValues)
        let a = try harness.run(set: try seedSet(), source: "seed", corpus: corpus)
        var b = try harness.run(set: try seedSet(), source: "seed", corpus: corpus)
        b.name = "seed-b"
        return BenchReport(corpus: "hand", records: corpus.records.count, bytes: corpus.byteCount, labelled: true,
                           showValues: showValues, growthThreshold: 2.5, runs: [a, b])
    }

    @Test func htmlIsWellFormedSelfContainedAndHasTheFigures() throws {
        let report = try report(showValues: false)
        let page = report.renderHTML()
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        let problems = TagChecker.check(page)
        #expect(problems.isEmpty, "\(problems)")
        #expect(!page.contains("<script"))
        #expect(!page.contains("src="))
        #expect(!page.contains("<link"))
        #expect(page.components(separatedBy: "<svg").count - 1 == 4)  // throughput, P/R, score deltas, speed deltas
        for run in report.runs {
            for p in run.patterns { #expect(page.contains("<code>\(p.id)</code>")) }
            for t in run.types {
                if let precision = t.precision { #expect(page.contains(String(format: "%.3f", precision))) }
                if let recall = t.recall { #expect(page.contains(String(format: "%.3f", recall))) }
            }
            #expect(page.contains(String(format: "%.1f MB/s", run.megabytesPerSecond)))
        }
        // The hand corpus overall: precision 3/5, recall 3/5.
        #expect(page.contains("precision 0.600 &#183; recall 0.600"))
    }

    @Test func valuesStayOutUnlessAskedFor() throws {
        let values = ["a.b@example.com", "555-123-4567", "123-45-6789", "4111 1111 1111 1111", "x@example.org", "1700000000"]
        let hidden = try report(showValues: false)
        let outputs = [hidden.renderHTML(), hidden.renderText(), String(decoding: try hidden.renderJSON(), as: UTF8.self)]
        // A number counts where it stands alone: timings such as 6.791700000000001e-06 hold
        // "1700000000" by chance (this test failed once on that).
        func leaks(_ output: String, _ value: String) -> Bool {
            guard value.allSatisfy(\.isNumber) else { return output.contains(value) }
            let text = Array(output.utf8), v = Array(value.utf8)
            guard text.count >= v.count else { return false }
            func isNumeric(_ i: Int) -> Bool { i >= 0 && i < text.count && (text[i] &- 0x30 < 10 || text[i] == 0x2E) }
            return (0...(text.count - v.count)).contains { i in
                text[i..<i + v.count].elementsEqual(v) && !isNumeric(i - 1) && !isNumeric(i + v.count)
            }
        }
        for output in outputs {
            for value in values {
                let leaked = leaks(output, value)
                #expect(!leaked, "a corpus value leaked into a report")
            }
        }
        let shown = try report(showValues: true)
        #expect(shown.renderText().contains("(555) 123-4567"))
        #expect(shown.renderHTML().contains("x@example.org"))
    }

    @Test func wholeSetScalingIsMeasuredAndShown() throws {
        var config = BenchHarness.Configuration()
        config.minimumSeconds = 0.001
        config.scalingLargest = 64 << 10
        let corpus = try Corpus.parse(Array(handCorpus.utf8), name: "hand")
        let run = try BenchHarness(configuration: config).run(set: try seedSet(), source: "seed", corpus: corpus)
        let scaling = try #require(run.scaling)
        #expect(PathologicalInput(rawValue: scaling.input) != nil)
        #expect(scaling.smallBytes == 16 << 10 && scaling.largeBytes == 64 << 10)
        #expect(run.flags != nil)
        let report = BenchReport(corpus: "hand", records: corpus.records.count, bytes: corpus.byteCount, labelled: true,
                                 showValues: false, growthThreshold: config.growthThreshold, runs: [run])
        #expect(report.renderText().contains("growth \(String(format: "%.2f", scaling.growth))x \(scaling.input)"))
        #expect(report.renderHTML().contains("scaling \(String(format: "%.2f", scaling.growth))&#215; (\(scaling.input)"))
        #expect(try JSONDecoder().decode(BenchReport.self, from: Data(try report.renderJSON())) == report)
    }

    @Test func spacedGroupsAreFourDigitGroups() {
        let bytes = PathologicalInput.spacedGroups.generate(size: 1000)
        #expect(bytes.count == 1000)
        let groups = bytes.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        #expect(groups.dropLast().allSatisfy { $0.count == 4 && $0.allSatisfy { $0 &- 0x30 < 10 } })
    }

    @Test func jsonRoundTrips() throws {
        let report = try report(showValues: false)
        let decoded = try JSONDecoder().decode(BenchReport.self, from: Data(try report.renderJSON()))
        #expect(decoded == report)
    }
}

/// A small well-formedness checker: every non-void element is closed in order, attributes are
/// quoted, and no raw `<` or `&` appears in text.
enum TagChecker {
    static let void: Set<String> = ["meta", "br", "hr", "img", "input", "link"]

    static func check(_ page: String) -> [String] {
        var problems: [String] = []
        var stack: [String] = []
        let bytes = Array(page.utf8)
        var i = 0
        if page.hasPrefix("<!DOCTYPE html>") { i = "<!DOCTYPE html>".utf8.count }
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "<") {
                guard let close = bytes[i...].firstIndex(of: UInt8(ascii: ">")) else {
                    problems.append("unterminated tag at \(i)")
                    break
                }
                var tag = String(decoding: bytes[(i + 1) ..< close], as: UTF8.self)
                let selfClosing = tag.hasSuffix("/")
                if selfClosing { tag.removeLast() }
                if tag.hasPrefix("/") {
                    let name = String(tag.dropFirst())
                    if stack.last == name { stack.removeLast() } else {
                        problems.append("</\(name)> at \(i) closes <\(stack.last ?? "nothing")>")
                    }
                } else {
                    let name = String(tag.prefix { $0 != " " })
                    if tag.components(separatedBy: "\"").count % 2 == 0 { problems.append("odd quotes in <\(name)> at \(i)") }
                    if !selfClosing && !void.contains(name) { stack.append(name) }
                    if name == "style" {
                        // Skip raw text to </style>.
                        if let end = page.utf8.indices(of: "</style>").first { i = end; continue }
                    }
                }
                i = close + 1
            } else {
                if bytes[i] == UInt8(ascii: "&") {
                    let rest = bytes[i...].prefix(8)
                    if !rest.contains(UInt8(ascii: ";")) { problems.append("bare & at \(i)") }
                }
                i += 1
            }
        }
        if !stack.isEmpty { problems.append("unclosed: \(stack)") }
        return problems
    }
}

private extension String.UTF8View {
    func indices(of needle: String) -> [Int] {
        let hay = Array(self), n = Array(needle.utf8)
        guard n.count <= hay.count else { return [] }
        return (0 ... hay.count - n.count).filter { Array(hay[$0 ..< $0 + n.count]) == n }
    }
}
