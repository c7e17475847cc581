import Foundation
import PIIScrub
import PIIScrubTestSupport
import Testing

/// The `seed` set against the seed's own Python function (tools/seed_oracle.py), byte for byte.
@Suite("Differential: seed set vs Python scrub_pii")
struct DifferentialTests {
    /// Runs the oracle over `inputs` in one python3 process.
    static func oracle(_ inputs: [[UInt8]]) throws -> [[UInt8]] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pii-scrub-diff-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var request = Data()
        for input in inputs {
            var n = UInt32(input.count).littleEndian
            withUnsafeBytes(of: &n) { request.append(contentsOf: $0) }
            request.append(contentsOf: input)
        }
        let inURL = dir.appendingPathComponent("in.bin")
        let outURL = dir.appendingPathComponent("out.bin")
        try request.write(to: inURL)
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestPaths.repositoryRoot + "/tools/seed_oracle.py"]
        process.standardInput = try FileHandle(forReadingFrom: inURL)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "python3 oracle failed"])
        }
        let reply = [UInt8](try Data(contentsOf: outURL))
        var results: [[UInt8]] = []
        var at = 0
        while at + 4 <= reply.count {
            let n = Int(reply[at]) | Int(reply[at + 1]) << 8 | Int(reply[at + 2]) << 16 | Int(reply[at + 3]) << 24
            results.append(Array(reply[(at + 4)..<(at + 4 + n)]))
            at += 4 + n
        }
        return results
    }

    static func compare(_ inputs: [[UInt8]], label: String) throws {
        let expected = try oracle(inputs)
        #expect(expected.count == inputs.count, "oracle answered \(expected.count) of \(inputs.count)")
        let set = try TestSets.load("seed")
        for configuration in EngineConfiguration.all {
            let scrubber = configuration.scrubber(set)
            var mismatches = 0
            for (i, input) in inputs.enumerated() where i < expected.count {
                let actual = scrubber.scrub(input)
                if actual != expected[i] {
                    mismatches += 1
                    if mismatches == 1 {
                        // Generated or fixture (fake) data only: printing the escaped case is safe.
                        Issue.record("""
                            \(label) [\(configuration)] case \(i) differs
                              input:    \(escaped(input))
                              expected: \(escaped(expected[i]))
                              actual:   \(escaped(actual))
                            """)
                    }
                }
            }
            #expect(mismatches == 0, "\(label) [\(configuration)]: \(mismatches) mismatches of \(inputs.count)")
        }
    }

    @Test("100,000 generated inputs, every engine configuration")
    func generated() throws {
        var generator = SeedTextGenerator(rng: SplitMix64(seed: 0x5EED_2024))
        let inputs = (0..<100_000).map { _ in Array(generator.next().utf8) }
        try Self.compare(inputs, label: "generated")
    }

    @Test("every line of the Langfuse fixtures")
    func fixtures() throws {
        let files = [
            "export-sample.jsonl", "export-sample.observations_v2.jsonl", "export-sample.scores.jsonl",
            "export-sample.ui-observations.jsonl", "leak_matrix.md", "README.md", "FORMATS.md",
        ]
        var inputs: [[UInt8]] = []
        for file in files {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestPaths.fixtures + "/" + file)))
            inputs += bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
            inputs.append(bytes)  // and each file whole
        }
        try Self.compare(inputs, label: "fixtures")
    }
}
