import Foundation
import PIIScrub
import PIIScrubTestSupport
import Testing

/// A table-driven case (Tests/Data/cases/*.json, regex-test style).
struct ScrubCase: Decodable, Sendable, CustomStringConvertible {
    struct Expect: Decodable, Sendable {
        var output: String?
        var spans: [[SpanValue]]?
    }
    enum SpanValue: Decodable, Sendable {
        case int(Int)
        case string(String)
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let i = try? c.decode(Int.self) { self = .int(i) } else { self = .string(try c.decode(String.self)) }
        }
    }
    var name: String
    var patterns: String
    var input: String
    var unescape: Bool?
    var expect: Expect
    var file = ""

    enum CodingKeys: String, CodingKey { case name, patterns, input, unescape, expect }

    var description: String { "\(file)/\(name)" }

    /// `\xFF` escapes become raw bytes when `unescape` is set (for non-UTF-8 inputs).
    static func bytes(_ text: String, unescape: Bool) -> [UInt8] {
        let raw = Array(text.utf8)
        guard unescape else { return raw }
        var out: [UInt8] = []
        var i = 0
        while i < raw.count {
            if raw[i] == UInt8(ascii: "\\"), i + 3 < raw.count, raw[i + 1] == UInt8(ascii: "x"),
               let v = UInt8(String(decoding: raw[(i + 2)...(i + 3)], as: UTF8.self), radix: 16) {
                out.append(v)
                i += 4
            } else {
                out.append(raw[i])
                i += 1
            }
        }
        return out
    }

    var inputBytes: [UInt8] { Self.bytes(input, unescape: unescape ?? false) }
    var outputBytes: [UInt8]? { expect.output.map { Self.bytes($0, unescape: unescape ?? false) } }
    var findings: [Finding]? {
        expect.spans?.map { triple in
            guard triple.count == 3, case .int(let a) = triple[0], case .int(let b) = triple[1],
                  case .string(let id) = triple[2] else { return Finding(patternID: "?", range: 0..<0) }
            return Finding(patternID: id, range: a..<b)
        }
    }

    /// All cases from Tests/Data/cases, filtered by PIISCRUB_TEST=substr,-substr.
    static func all() -> [ScrubCase] {
        struct File: Decodable { var cases: [ScrubCase] }
        let dir = TestPaths.data + "/cases"
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        var result: [ScrubCase] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: dir + "/" + file),
                  let decoded = try? JSONDecoder().decode(File.self, from: data)
            else {
                preconditionFailure("cannot decode case file \(file)")
            }
            let stem = String(file.dropLast(5))
            result += decoded.cases.map { var c = $0; c.file = stem; return c }
        }
        let filters = (ProcessInfo.processInfo.environment["PIISCRUB_TEST"] ?? "").split(separator: ",")
        return result.filter { c in
            filters.allSatisfy { f in
                f.hasPrefix("-") ? !c.description.contains(f.dropFirst()) : c.description.contains(f)
            }
        }
    }
}

@Suite("Table-driven cases × engine configurations")
struct CaseTests {
    @Test("case files decode and are not empty")
    func casesExist() {
        #expect(ScrubCase.all().count >= 20)
    }

    @Test("whole-input scrub", arguments: ScrubCase.all())
    func whole(_ testCase: ScrubCase) throws {
        let set = try TestSets.load(testCase.patterns)
        for configuration in EngineConfiguration.all {
            let scrubber = configuration.scrubber(set)
            let output = scrubber.scrub(testCase.inputBytes)
            if let expected = testCase.outputBytes {
                #expect(output == expected, "\(testCase) [\(configuration)]: \(escaped(output))")
            }
            if let expected = testCase.findings {
                let worker = scrubber.makeWorker()
                let input = testCase.inputBytes
                input.withUnsafeBytes { _ = worker.withScrubbed($0) { _, _ in 0 } }
                #expect(worker.lastFindings() == expected, "\(testCase) [\(configuration)]")
            }
        }
    }

    /// Shift the seeds (memchr style): pad with filler before and after so matches cross every
    /// chunk boundary, then stream with each chunk size.
    @Test("streamed in chunks of 1, 2, 3, 7, 64, 4096 with padding", arguments: ScrubCase.all())
    func streamedInChunks(_ testCase: ScrubCase) throws {
        let set = try TestSets.load(testCase.patterns)
        for configuration in [EngineConfiguration(jit: true, prefilter: true), EngineConfiguration(jit: false, prefilter: false)] {
            let scrubber = configuration.scrubber(set)
            for pad in [0, 1, 2, 5] {
                let filler = Array(repeating: UInt8(ascii: " "), count: pad)
                let input = filler + testCase.inputBytes + filler
                let whole = scrubber.scrub(input)
                var rng = SplitMix64(seed: 1)
                for chunkSize in [1, 2, 3, 7, 64, 4096] {
                    let output = streamed(chunked(input, size: chunkSize, rng: &rng), scrubber: scrubber)
                    #expect(output == whole, "\(testCase) pad \(pad) chunk \(chunkSize) [\(configuration)]")
                }
            }
        }
    }
}
