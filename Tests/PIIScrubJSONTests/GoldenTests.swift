import Foundation
import PIIScrub
import PIIScrubJSON
import PIIScrubTestSupport
import Testing

/// Golden input/output pairs for every export shape (Tests/Data/cli/goldens.json), run in-process.
@Suite("jsonl goldens")
struct GoldenTests {
    @Test("golden output, byte for byte", arguments: JSONTestSupport.goldens)
    func golden(_ golden: JSONTestSupport.Golden) throws {
        let input = try JSONTestSupport.read(golden.inputPath)
        let expected = try JSONTestSupport.read(golden.outputPath)
        let json = JSONScrubber(scrubber: JSONTestSupport.seed, options: golden.options)
        let result = JSONTestSupport.scrubLines(input, json)
        #expect(result.output == expected, "\(golden.name): output differs from \(golden.name).out.jsonl")
        let lines = input.split(separator: 0x0A, omittingEmptySubsequences: false).count
        #expect(result.output.split(separator: 0x0A, omittingEmptySubsequences: false).count == lines)
    }

    @Test("every output line parses iff its input line does, with the same shape", arguments: JSONTestSupport.goldens)
    func structure(_ golden: JSONTestSupport.Golden) throws {
        var args = ["structure", golden.inputPath, golden.outputPath]
        if golden.options.scrubNumbers { args.append("--numbers") }
        let (status, output) = try JSONTestSupport.reference(args)
        #expect(status == 0, "\(golden.name): \(output)")
    }

    @Test("goldens change something and keep lines without PII identical")
    func goldensAreNotTrivial() throws {
        for golden in JSONTestSupport.goldens {
            let input = try JSONTestSupport.read(golden.inputPath)
            let output = try JSONTestSupport.read(golden.outputPath)
            #expect(input != output, "\(golden.name): nothing was scrubbed")
            // Lines the seed finds nothing in, in any decoded string, are byte-identical.
            let inLines = input.split(separator: 0x0A, omittingEmptySubsequences: false)
            let outLines = output.split(separator: 0x0A, omittingEmptySubsequences: false)
            #expect(inLines.count == outLines.count, "\(golden.name): line count")
            let json = JSONScrubber(scrubber: JSONTestSupport.seed)
            let worker = json.makeWorker()
            for (i, line) in inLines.enumerated() where i < outLines.count {
                let kind = Array(line).withUnsafeBytes { worker.withScrubbedDocument($0) { $1.kind } }
                if kind == .unchanged || kind == .blank {
                    #expect(Array(line) == Array(outLines[i]), "\(golden.name):\(i + 1) unchanged line rewritten")
                }
            }
        }
    }

    @Test("end to end: the built binary with 3 jobs gives the golden bytes")
    func binary() throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("pii-scrub").path
        let candidates = [binary, TestPaths.repositoryRoot + "/.build-json/debug/pii-scrub",
                          TestPaths.repositoryRoot + "/.build/debug/pii-scrub"]
        let path = try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0) },
                                "pii-scrub binary not built")
        for golden in JSONTestSupport.goldens where golden.args == nil {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = ["jsonl", "--jobs", "3", golden.inputPath]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(golden.name): exit \(process.terminationStatus)")
            #expect([UInt8](data) == (try JSONTestSupport.read(golden.outputPath)), "\(golden.name): CLI output differs")
        }
    }
}

/// Ground truth on the synthetic export, and equality with the Python json-re reference.
@Suite("jsonl ground truth and reference")
struct GroundTruthTests {
    static let sample = TestPaths.fixtures + "/export-sample.jsonl"

    @Test("every seed-matchable planted value is gone, every decoy kept")
    func truth() throws {
        let input = try JSONTestSupport.read(Self.sample)
        let result = JSONTestSupport.scrubLines(input, JSONScrubber(scrubber: JSONTestSupport.seed))
        let out = try JSONTestSupport.temporaryFile(result.output, "truth.jsonl")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (status, report) = try JSONTestSupport.reference(
            ["truth", Self.sample, out, TestPaths.fixtures + "/export-sample.truth.jsonl"])
        #expect(status == 0, "\(report)")
        // The check must have had something to check (313 planted values are seed-matchable).
        let parsed = try JSONSerialization.jsonObject(with: Data(report.utf8)) as? [String: Any]
        let checked = parsed?["checked"] as? [String: Int]
        #expect((checked?["redact"] ?? 0) >= 300, "\(report)")
        #expect((checked?["keep"] ?? 0) >= 100, "\(report)")
    }

    @Test("--flat equals the json.loads + seed + json.dumps reference, row by row",
          arguments: ["export-sample.jsonl", "export-sample.observations_v2.jsonl", "export-sample.scores.jsonl",
                      "export-sample.ui-observations.jsonl"])
    func flatEqualsReference(_ file: String) throws {
        let path = TestPaths.fixtures + "/" + file
        let input = try JSONTestSupport.read(path)
        let result = JSONTestSupport.scrubLines(input, JSONScrubber(scrubber: JSONTestSupport.seed,
                                                                    options: .init(flat: true)))
        #expect(result.output != input)
        let ours = try JSONTestSupport.temporaryFile(result.output, "flat.jsonl")
        defer { try? FileManager.default.removeItem(atPath: ours) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestPaths.repositoryRoot + "/tools/json_reference.py", "scrub", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let reference = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let theirs = try JSONTestSupport.temporaryFile([UInt8](reference), "ref.jsonl")
        defer { try? FileManager.default.removeItem(atPath: theirs) }
        let (status, report) = try JSONTestSupport.reference(["compare", theirs, ours])
        #expect(status == 0, "\(file): \(report)")
    }

    @Test("default mode finds everything --flat finds, and more")
    func defaultFindsMore() throws {
        let input = try JSONTestSupport.read(Self.sample)
        let flat = JSONTestSupport.scrubLines(input, JSONScrubber(scrubber: JSONTestSupport.seed, options: .init(flat: true)))
        let full = JSONTestSupport.scrubLines(input, JSONScrubber(scrubber: JSONTestSupport.seed))
        let flatCounts = flat.worker.engine.counts
        let fullCounts = full.worker.engine.counts
        for (id, n) in flatCounts {
            #expect(fullCounts[id, default: 0] >= n, "\(id): default \(fullCounts[id, default: 0]) < flat \(n)")
        }
        #expect(fullCounts.values.reduce(0, +) > flatCounts.values.reduce(0, +))
    }
}
