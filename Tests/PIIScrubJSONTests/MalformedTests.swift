import Foundation
import PIIScrub
import PIIScrubJSON
import PIIScrubStream
import PIIScrubTestSupport
import Testing

struct MalformedCase: CustomStringConvertible, Sendable {
    var name: String
    var line: [UInt8]
    /// Synthetic values planted in the line; none may survive.
    var planted: [String]
    /// Bytes that must survive (context around the planted values).
    var kept: [String]
    var description: String { name }
}

@Suite("malformed lines")
struct MalformedTests {
    static let cases: [MalformedCase] = [
        .init(name: "truncated", line: Array(#"{"a":"x jane@example.org","b":"tru"#.utf8),
              planted: ["jane@example.org"], kept: [#"{"a":"x "#, #","b":"tru"#]),
        .init(name: "lone surrogate escape", line: Array(#"{"a":"\ud83d jane@example.org 555-123-4567"}"#.utf8),
              planted: ["jane@example.org", "555-123-4567"], kept: [#"\ud83d "#]),
        .init(name: "raw control character", line: Array("{\"a\":\"tab\there\u{1} bob@example.com\"}".utf8),
              planted: ["bob@example.com"], kept: ["tab\there\u{1} "]),
        .init(name: "invalid UTF-8", line: Array(#"{"a":""#.utf8) + [0xFF, 0xFE] + Array(#" ann@example.com"}"#.utf8),
              planted: ["ann@example.com"], kept: []),
        .init(name: "newline escape before the value", line: Array(#"{"a":"line\njohn@example.com\t555-12-3456","b":"#.utf8),
              planted: ["john@example.com", "555-12-3456"], kept: [#"line\n"#, #"\t"#]),
        .init(name: "escaped at sign, two levels down", line: Array(#"{"a":"{\"e\":\"e\\u0040example.com\"}""#.utf8),
              planted: ["e\\\\u0040example.com"], kept: [#"{\"e\":\""#]),
        .init(name: "not JSON at all", line: Array("plain text f@example.com".utf8),
              planted: ["f@example.com"], kept: ["plain text "]),
    ]

    @Test("scrubbed as text, counted, context kept", arguments: cases)
    func lenient(_ c: MalformedCase) {
        let json = JSONScrubber(scrubber: JSONTestSupport.seed)
        let worker = json.makeWorker()
        var out: [UInt8] = []
        let outcome = c.line.withUnsafeBytes { worker.scrubDocument($0, appendingTo: &out) }
        #expect(outcome.kind == .malformed)
        #expect(worker.malformedDocuments == 1)
        let text = String(decoding: out, as: UTF8.self)
        for value in c.planted { #expect(!text.contains(value), "\(c.name): a planted value survived") }
        for context in c.kept { #expect(text.contains(context), "\(c.name): context lost") }
        if c.name == "invalid UTF-8" { #expect(out[6...7] == [0xFF, 0xFE]) }
    }

    @Test("framing: one line out per line in, CRLF, U+2028, blank lines, no final newline")
    func framing() throws {
        let input = try JSONTestSupport.read(TestPaths.data + "/cli/malformed.in.jsonl")
        let result = JSONTestSupport.scrubLines(input, JSONScrubber(scrubber: JSONTestSupport.seed))
        #expect(result.malformed == [2, 3, 4, 5, 6, 9, 12])
        let inLines = input.split(separator: 0x0A, omittingEmptySubsequences: false)
        let outLines = result.output.split(separator: 0x0A, omittingEmptySubsequences: false)
        #expect(inLines.count == outLines.count)
        #expect(result.output.last != 0x0A)
        #expect(outLines[6].last == 0x0D)
        #expect(Array(outLines[7]) == Array("{\"a\":\"x\u{2028} [EMAIL]\u{2029}\"}".utf8))
        #expect(outLines[9].isEmpty && Array(outLines[10]) == Array("   ".utf8))
        #expect(!String(decoding: result.output, as: UTF8.self).contains("@example."))
    }

    @Test("--strict: exit 2 with the line number, nothing after it")
    func strict() throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("pii-scrub").path
        let candidates = [binary, TestPaths.repositoryRoot + "/.build-json/debug/pii-scrub",
                          TestPaths.repositoryRoot + "/.build/debug/pii-scrub"]
        let path = try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0) })
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["jsonl", "--patterns", "seed", "--strict", "--jobs", "2", TestPaths.data + "/cli/malformed.in.jsonl"]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 2)
        #expect(stderr.contains("malformed.in.jsonl:2:"))
        #expect(String(decoding: stdout, as: UTF8.self) == "{\"a\":\"ok [EMAIL]\"}\n")
    }
}

/// The line-framed pipeline: order, framing and long lines whatever jobs and block size are.
@Suite("LineFilter")
struct LineFilterTests {
    final class Processor: LineBlockProcessor {
        let worker: JSONScrubber.Worker
        init(_ worker: JSONScrubber.Worker) { self.worker = worker }

        func process(_ block: UnsafeRawBufferPointer, into output: inout [UInt8], flagged: inout [Int]) -> (lines: Int, stop: Bool) {
            var at = 0
            var index = 0
            while at < block.count {
                let end = block[at...].firstIndex(of: 0x0A) ?? block.count
                worker.withScrubbedDocument(UnsafeRawBufferPointer(rebasing: block[at..<end])) { bytes, outcome in
                    if outcome.kind == .malformed { flagged.append(index) }
                    output.append(contentsOf: bytes)
                    if end < block.count { output.append(0x0A) }
                }
                index += 1
                at = end + 1
            }
            return (index, false)
        }
    }

    /// Runs `inputs` through a ``LineFilter``: as files (mapped, blocks lent to the workers) or,
    /// with `viaPipe`, each through a pipe (read(2), lines carried across reads).
    static func run(_ inputs: [[UInt8]], jobs: Int, blockSize: Int,
                    viaPipe: Bool = false) throws -> ([UInt8], LineFilterStatistics) {
        let paths = try inputs.enumerated().map { try JSONTestSupport.temporaryFile($1, "in\($0).jsonl") }
        let outPath = try JSONTestSupport.temporaryFile([], "out.jsonl")
        defer { (paths + [outPath]).forEach { try? FileManager.default.removeItem(atPath: $0) } }
        let sources = try inputs.enumerated().map { index, input -> ByteSource in
            guard viaPipe else { return try ByteSource.open(paths[index]) }
            return ByteSource(fd: pipeFeeding(input), name: "pipe", ownsDescriptor: true)
        }
        defer { sources.forEach { $0.close() } }
        let fd = open(outPath, O_WRONLY | O_TRUNC)
        defer { close(fd) }
        let json = JSONScrubber(scrubber: JSONTestSupport.seed)
        let stats = try LineFilter(jobs: jobs, blockSize: blockSize).run(
            sources: sources, sink: ByteSink(fd: fd, name: outPath),
            makeProcessor: { Processor(json.makeWorker()) }, finish: { _ in })
        return (try JSONTestSupport.read(outPath), stats)
    }

    /// Malformed cases followed by the export sample, and the in-process loop's result (computed once).
    static let sample: ([UInt8], (output: [UInt8], malformed: [Int])) = {
        let input = try! JSONTestSupport.read(TestPaths.data + "/cli/malformed.in.jsonl")
            + (try! JSONTestSupport.read(TestPaths.fixtures + "/export-sample.jsonl"))
        let result = JSONTestSupport.scrubLines(input, JSONScrubber(scrubber: JSONTestSupport.seed))
        return (input, (result.output, result.malformed))
    }()

    @Test("same bytes as the in-process loop, from a file or a pipe",
          arguments: [(1, 64), (2, 4096), (3, 1 << 16), (2, 256 << 10)], [false, true])
    func ordered(_ size: (jobs: Int, blockSize: Int), _ viaPipe: Bool) throws {
        let (input, expected) = Self.sample
        let (output, stats) = try Self.run([input], jobs: size.jobs, blockSize: size.blockSize, viaPipe: viaPipe)
        #expect(output == expected.output)
        #expect(stats.flagged.map(\.line) == expected.malformed)
        let newlines = input.count { $0 == 0x0A }
        #expect(stats.lines == newlines + (input.last == 0x0A ? 0 : 1))
    }

    @Test("several inputs: line numbers per input, a missing final newline stays missing", arguments: [false, true])
    func sources(_ viaPipe: Bool) throws {
        let a = Array("{\"a\":1}\nbroken x@example.com".utf8)
        let b = Array("{\"b\":\"y@example.com\"}\n{oops\n".utf8)
        let (output, stats) = try Self.run([a, b], jobs: 2, blockSize: 64, viaPipe: viaPipe)
        #expect(String(decoding: output, as: UTF8.self) == "{\"a\":1}\nbroken [EMAIL]{\"b\":\"[EMAIL]\"}\n{oops\n")
        #expect(stats.flagged == [SourceLine(source: 0, line: 2), SourceLine(source: 1, line: 2)])
    }

    @Test("a 3 MiB line through 4 KiB blocks is held whole", arguments: [false, true])
    func longLine(_ viaPipe: Bool) throws {
        let long = Array(("{\"a\":\"" + String(repeating: "abc ", count: 800_000) + "x@example.com\"}\n").utf8)
        let input = Array("{\"b\":2}\n".utf8) + long + Array("{\"c\":3}\n".utf8)
        let (output, _) = try Self.run([input], jobs: 2, blockSize: 4096, viaPipe: viaPipe)
        let expected = JSONTestSupport.scrubLines(input, JSONScrubber(scrubber: JSONTestSupport.seed)).output
        #expect(output == expected)
        #expect(output.count == input.count - "x@example.com".utf8.count + "[EMAIL]".utf8.count)
    }
}
