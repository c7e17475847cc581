import Foundation
import PIIScrub
import PIIScrubTestSupport
import Testing

@testable import PIIScrubJSON

/// `--flat` pass 1 in C (``CPIIScan_jsonCollectFlat``) against the recursive walk it replaces:
/// same output bytes, same outcome (valid or malformed, with the same error offset), and the same
/// counts per pattern and per field path, on documents built to reach every branch of both.
@Suite("flat pass 1 in C")
struct FlatCollectTests {
    static let defaultSet: Scrubber = Scrubber(patternSet: try! TestSets.load("default"))

    /// Lines of every golden input, as the base the mutations start from.
    static let baseLines: [[UInt8]] = {
        var lines: [[UInt8]] = []
        for golden in JSONTestSupport.goldens {
            guard let input = try? JSONTestSupport.read(golden.inputPath) else { continue }
            for line in input.split(separator: 0x0A) where !line.isEmpty { lines.append(Array(line)) }
        }
        return lines
    }()

    /// Pieces inserted at random offsets: JSON structure, escapes (valid, invalid, lone and paired
    /// surrogates), control bytes, invalid UTF-8, whitespace, PII the seed set matches, and keys
    /// that label a bare number.
    static let pieces: [[UInt8]] = [
        "\"", "\\", "{", "}", "[", "]", ",", ":", " ", "\n", "\t", "\r", "0", "-", "1e5", "e", ".", "true", "nul",
        "\\u00e9", "\\ud83d\\ude00", "\\ud800", "\\udc00x", "\\u00", "\\x", "\\/", "\\n555-123-4567", "\\u0040",
        "x@example.com", "555.123.4567", "123-45-6789", "{\"k\":\"y@example.org\"}", "[\"a\",1,null]",
        "\"\":\"\"", "\"k\\u0062\":\"z@example.net\"",
        // Keys that label a bare number for the default set, as members and as OTLP attributes.
        "\"ssn\":\"078051120\"", "\"tel\":9611022", "{\"key\":\"user.phone\",\"value\":{\"stringValue\":\"5471897133\"}}",
        "\"key\":\"app.ssn\",\"value\":{\"intValue\":\"078051120\"",
    ].map { Array($0.utf8) } + [[0x00], [0x1F], [0x7F], [0x80], [0xC3], [0xC3, 0xA9], [0xED, 0xA0, 0x80], [0xFF],
                               [0xE2, 0x80, 0xA8], [0xD9, 0xA5, 0xD9, 0xA5]]

    static func mutate(_ line: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var doc = line
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            let at = doc.isEmpty ? 0 : Int.random(in: 0...doc.count, using: &rng)
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: doc.removeSubrange(at...)
            case 1 where at < doc.count: doc.remove(at: at)
            case 2 where at < doc.count: doc[at] = pieces.randomElement(using: &rng)!.first!
            default: doc.insert(contentsOf: pieces.randomElement(using: &rng)!, at: at)
            }
        }
        return doc
    }

    /// The golden lines, then 1,500 mutated ones (each passed through `wrap`; nil drops it).
    static func mutatedDocuments(seed: UInt64, _ wrap: ([UInt8]) -> [UInt8]? = { $0 }) -> [[UInt8]] {
        var rng = SplitMix64(seed: seed)
        var documents = baseLines
        for _ in 0..<1500 {
            if let document = wrap(mutate(baseLines.randomElement(using: &rng)!, &rng)) { documents.append(document) }
        }
        return documents
    }

    struct Result: Equatable {
        var output: [UInt8]
        var kinds: [JSONScrubber.Outcome]
        var patternCounts: [Int]
        var fieldCounts: [String: Int]
    }

    /// The result, and how many documents pass 1 collected in C.
    static func run(_ documents: [[UInt8]], scrubber: Scrubber, inC: Bool, vector: Bool = true,
                    maxDepth: Int = 256, flat: Bool = true, countsFields: Bool = true,
                    batching: Bool = true) -> (Result, Int) {
        var options = JSONScrubber.Options(flat: flat, maxDepth: maxDepth)
        options.collectInC = inC
        options.batching = batching
        options.countsFieldPaths = countsFields
        let worker = JSONScrubber(scrubber: scrubber, options: options).makeWorker()
        worker.vectorStringScan = vector
        var result = Result(output: [], kinds: [], patternCounts: [], fieldCounts: [:])
        for doc in documents {
            doc.withUnsafeBytes { raw in
                worker.withScrubbedDocument(raw) { bytes, outcome in
                    result.output.append(contentsOf: bytes)
                    result.output.append(0x0A)
                    result.kinds.append(outcome)
                }
            }
        }
        result.patternCounts = (0..<scrubber.patternSet.patterns.count).map { worker.engine.count(forPatternAt: $0) }
        result.fieldCounts = worker.fieldCounts
        return (result, worker.collectedInC)
    }

    @Test("C (both string scans) and the walk agree on mutated export lines",
          arguments: ["seed", "default"], [true, false])
    func mutatedLines(_ set: String, _ vector: Bool) {
        let scrubber = set == "seed" ? JSONTestSupport.seed : Self.defaultSet
        var rng = SplitMix64(seed: set == "seed" ? 41 : 42)
        var documents: [[UInt8]] = []
        for _ in 0..<(set == "seed" ? 6000 : 1500) {
            let line = Self.baseLines.randomElement(using: &rng)!
            documents.append(Self.mutate(line, &rng))
        }
        documents += Self.baseLines
        let (fast, usedC) = Self.run(documents, scrubber: scrubber, inC: true, vector: vector)
        let (walk, usedWalk) = Self.run(documents, scrubber: scrubber, inC: false)
        // Every valid line takes the C loop; with the option off, none does.
        let valid = fast.kinds.filter { $0.kind == .changed || $0.kind == .unchanged }.count
        #expect(usedC == valid && usedWalk == 0, "\(usedC) of \(valid) valid documents in C")
        let malformed = fast.kinds.filter { $0.kind == .malformed }.count
        let changed = fast.kinds.filter { $0.kind == .changed }.count
        // The mutations must reach both sides of validity, and scrubbing.
        #expect(malformed > documents.count / 10 && malformed < documents.count * 9 / 10)
        #expect(changed > documents.count / 10)
        for k in documents.indices where fast.kinds[k] != walk.kinds[k] {
            Issue.record("document \(k): outcome \(fast.kinds[k].kind) in C, \(walk.kinds[k].kind) by the walk")
            break
        }
        // Compared as Bools: a failure never prints document text.
        let sameOutput = fast.output == walk.output
        #expect(sameOutput)
        #expect(fast.patternCounts == walk.patternCounts)
        let sameFields = fast.fieldCounts == walk.fieldCounts
        #expect(sameFields)
    }

    /// Pass 1 walks JSON text inside a string once, collecting as it validates, and gives the
    /// strings back when the text turns out not to parse: against one engine call per string.
    @Test("default mode: the batched walk and one call per string agree on mutated nested JSON",
          arguments: ["seed", "default"])
    func batchedNested(_ set: String) {
        let scrubber = set == "seed" ? JSONTestSupport.seed : Self.defaultSet
        // Each mutated line as JSON text inside a string of another, so mutations land inside
        // nested documents that do or do not parse after strings were collected from them.
        let documents = Self.mutatedDocuments(seed: 44) { inner in
            let text = String(decoding: inner, as: UTF8.self)
            guard let quoted = try? JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed]) else {
                return nil
            }
            return Array(#"{"k":"#.utf8) + Array(quoted.dropFirst().dropLast()) + Array(#","n":"x@example.com"}"#.utf8)
        }
        let (batched, _) = Self.run(documents, scrubber: scrubber, inC: false, flat: false)
        let (single, _) = Self.run(documents, scrubber: scrubber, inC: false, flat: false, batching: false)
        let sameOutput = batched.output == single.output  // a Bool: never prints document text
        #expect(sameOutput)
        let sameKinds = batched.kinds == single.kinds
        #expect(sameKinds)
        #expect(batched.patternCounts == single.patternCounts)
        let sameFields = batched.fieldCounts == single.fieldCounts
        #expect(sameFields)
        #expect(batched.kinds.filter { $0.kind == .changed }.count > documents.count / 2)
    }

    @Test("without per-field counts: the same output and pattern counts, no field counts",
          arguments: ["seed", "default"], [true, false])
    func withoutFieldCounts(_ set: String, _ flat: Bool) {
        let scrubber = set == "seed" ? JSONTestSupport.seed : Self.defaultSet
        let documents = Self.mutatedDocuments(seed: 43)
        for inC in flat ? [true, false] : [false] {
            let (counted, _) = Self.run(documents, scrubber: scrubber, inC: inC, flat: flat)
            let (uncounted, _) = Self.run(documents, scrubber: scrubber, inC: inC, flat: flat, countsFields: false)
            let sameOutput = counted.output == uncounted.output  // a Bool: never prints document text
            #expect(sameOutput, "in C: \(inC)")
            let sameKinds = counted.kinds == uncounted.kinds
            #expect(sameKinds)
            #expect(counted.patternCounts == uncounted.patternCounts)
            #expect(!counted.fieldCounts.isEmpty && uncounted.fieldCounts.isEmpty)
        }
    }

    /// Every document scrubbed alone (``JSONScrubber/Worker/withScrubbedDocument(_:_:)``) or in
    /// groups (``JSONScrubber/Worker/withScrubbedDocuments(_:lines:_:)``): outputs, outcomes,
    /// pattern and failure counts and the document counters.
    static func compareGroups(_ documents: [[UInt8]], scrubber: Scrubber, stopAt: Int? = nil) -> (Bool, Bool, Bool) {
        var options = JSONScrubber.Options(flat: true)
        options.countsFieldPaths = false
        let json = JSONScrubber(scrubber: scrubber, options: options)
        let alone = json.makeWorker()
        var expected: [(Int, [UInt8], JSONScrubber.Outcome)] = []
        for (k, doc) in documents.enumerated() where stopAt.map({ k <= $0 }) ?? true {
            doc.withUnsafeBytes { raw in alone.withScrubbedDocument(raw) { expected.append((k, Array($0), $1)) } }
        }
        var block: [UInt8] = []
        var lines: [Range<Int>] = []
        for doc in documents {
            lines.append(block.count..<(block.count + doc.count))
            block += doc + [0x0A]
        }
        let grouped = json.makeWorker()
        var got: [(Int, [UInt8], JSONScrubber.Outcome)] = []
        block.withUnsafeBytes { raw in
            grouped.withScrubbedDocuments(raw, lines: lines) { k, bytes, outcome in
                got.append((k, Array(bytes), outcome))
                return k != stopAt
            }
        }
        let sameOutput = got.map(\.0) == expected.map(\.0) && got.map(\.1) == expected.map(\.1)
            && got.map(\.2) == expected.map(\.2)
        let sameCounts = (0..<scrubber.patternSet.patterns.count).allSatisfy {
            alone.engine.count(forPatternAt: $0) == grouped.engine.count(forPatternAt: $0)
        } && alone.engine.failureCount == grouped.engine.failureCount
        let sameCounters = alone.documents == grouped.documents && alone.changedDocuments == grouped.changedDocuments
            && alone.malformedDocuments == grouped.malformedDocuments
        return (sameOutput, sameCounts, sameCounters)
    }

    @Test("documents in groups: what one at a time gives (malformed, blank, long, separator, stop)",
          arguments: ["seed", "default"])
    func groups(_ set: String) {
        let scrubber = set == "seed" ? JSONTestSupport.seed : Self.defaultSet
        var documents = Self.mutatedDocuments(seed: 44)
        // A blank line, a string holding the separator (U+0000) beside PII, a document longer
        // than a group takes, and one without strings.
        documents.insert([], at: 7)
        documents.insert(Array("  ".utf8), at: 300)
        documents.insert(Array("{\"a\":\"x\\u0000 y@example.com 555-123-4567\"}".utf8), at: 40)
        documents.insert(Array(("{\"b\":\"" + String(repeating: "w ", count: 600_000) + "z@example.org\"}").utf8), at: 90)
        documents.insert(Array("[1,2,3]".utf8), at: 91)
        var rng = SplitMix64(seed: 45)
        documents.shuffle(using: &rng)
        let (sameOutput, sameCounts, sameCounters) = Self.compareGroups(documents, scrubber: scrubber)
        #expect(sameOutput)
        #expect(sameCounts)
        #expect(sameCounters)
        let stopped = Self.compareGroups(documents, scrubber: scrubber, stopAt: 1000)
        #expect(stopped.0, "stopping after document 1000")
    }

    @Test("a group whose engine call fails: each document alone, only the failing string redacted")
    func groupFailure() throws {
        let scrubber = try TestSets.withCatastrophicPattern()
        let bad = String(repeating: "a", count: 40) + "cb"
        let documents = ["{\"m\":\"one x@y.io\"}", "{\"m\":\"\(bad)\",\"n\":\"two\"}", "{\"m\":\"three z@w.io\"}"]
            .map { Array($0.utf8) }
        let (sameOutput, sameCounts, sameCounters) = Self.compareGroups(documents, scrubber: scrubber)
        #expect(sameOutput)
        #expect(sameCounts)
        #expect(sameCounters)
        var options = JSONScrubber.Options(flat: true)
        options.countsFieldPaths = false
        let worker = JSONScrubber(scrubber: scrubber, options: options).makeWorker()
        let block = Array(documents.joined(separator: [0x0A]))
        var lines: [Range<Int>] = []
        var at = 0
        for doc in documents {
            lines.append(at..<(at + doc.count))
            at += doc.count + 1
        }
        var output: [String] = []
        block.withUnsafeBytes { raw in
            worker.withScrubbedDocuments(raw, lines: lines) { _, bytes, _ in
                output.append(String(decoding: bytes, as: UTF8.self))
                return true
            }
        }
        #expect(output == ["{\"m\":\"one [EMAIL]\"}", "{\"m\":\"[REDACTED:SCRUB-ERROR]\",\"n\":\"two\"}",
                           "{\"m\":\"three [EMAIL]\"}"])
        #expect(worker.engine.failureCount == 1)
    }

    @Test("nesting at and past the depth limit", arguments: [1, 2, 3, 8])
    func depthLimit(_ maxDepth: Int) {
        var documents: [[UInt8]] = []
        for depth in 0...(maxDepth + 1) {
            for open in [("[", "]"), ("{\"k\":", "}")] {
                let inner = "\"x@example.com\""
                let text = String(repeating: open.0, count: depth) + inner + String(repeating: open.1, count: depth)
                documents.append(Array(text.utf8))
            }
        }
        let (fast, _) = Self.run(documents, scrubber: JSONTestSupport.seed, inC: true, maxDepth: maxDepth)
        let (walk, _) = Self.run(documents, scrubber: JSONTestSupport.seed, inC: false, maxDepth: maxDepth)
        let same = fast == walk  // a Bool: a failure never prints document text
        #expect(same)
        for (k, outcome) in fast.kinds.enumerated() {
            let depth = k / 2
            #expect(outcome.kind == (depth <= maxDepth ? .changed : .malformed), "depth \(depth)")
        }
    }

    @Test("buffers grow: many strings and keys, one long string")
    func growth() {
        var members: [String] = []
        for k in 0..<700 { members.append("\"k\(k)\":[\"v\(k)@example.com\",\"555-123-\(1000 + k)\"]") }
        let wide = "{" + members.joined(separator: ",") + "}"
        let long = "[\"" + String(repeating: "a 555.123.4567 b ", count: 20_000) + "\"]"
        let documents = [wide, long, wide].map { Array($0.utf8) }
        let (fast, _) = Self.run(documents, scrubber: JSONTestSupport.seed, inC: true)
        let (walk, _) = Self.run(documents, scrubber: JSONTestSupport.seed, inC: false)
        let same = fast == walk
        #expect(same)
        #expect(fast.kinds.allSatisfy { $0.kind == .changed })
        #expect(fast.fieldCounts["k699"] == 4)  // two values in each of two documents
    }

    @Test("a trigger at every offset of strings of every length up to 44 bytes")
    func triggerOffsets() {
        var documents: [[UInt8]] = []
        // The third: its only trigger byte (`@`) comes out of an escape.
        for pii in ["a@b.co", "555-123-4567", "a\\u0040b.co"] {
            for pad in 0...(44 - pii.utf8.count) {
                let filler = String(repeating: " ", count: pad)
                documents.append(Array("[\"\(filler)\(pii)\",\"\(pii)\(filler)\",\"\\n\(filler)\(pii)\"]".utf8))
            }
        }
        let (walk, _) = Self.run(documents, scrubber: JSONTestSupport.seed, inC: false)
        for vector in [true, false] {
            let (fast, _) = Self.run(documents, scrubber: JSONTestSupport.seed, inC: true, vector: vector)
            let same = fast == walk
            #expect(same, "vector scan: \(vector)")
            #expect(fast.patternCounts.reduce(0, +) == documents.count * 3)
        }
    }

    @Test("field paths of changed values are rebuilt from decoded keys")
    func keyPaths() {
        let doc = #"{"a\u0062":{"c":["x@example.com",{"d":"y@example.com"}]},"":"z@example.com","e":{"":{"f":"w@example.com"}}}"#
        let (fast, _) = Self.run([Array(doc.utf8)], scrubber: JSONTestSupport.seed, inC: true)
        #expect(fast.fieldCounts == ["ab.c": 1, "ab.c.d": 1, "": 1, "e..f": 1])
    }
}
