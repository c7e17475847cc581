import Foundation
import PIIScrub
import PIIScrubJSON
import PIIScrubTestSupport

/// Shared helpers: run the JSONL loop in-process, and run tools/json_reference.py.
enum JSONTestSupport {
    static let seed: Scrubber = {
        Scrubber(patternSet: try! TestSets.load("seed"))
    }()

    /// The `pii-scrub jsonl` line loop, in-process: split on `\n` only, one output line per
    /// input line (dropped rows excepted), final newline kept as it was.
    static func scrubLines(_ input: [UInt8], _ json: JSONScrubber) -> (output: [UInt8], malformed: [Int], worker: JSONScrubber.Worker) {
        let worker = json.makeWorker()
        var output: [UInt8] = []
        var malformed: [Int] = []
        input.withUnsafeBytes { raw in
            var at = 0
            var line = 1
            while at < raw.count {
                let end = raw[at...].firstIndex(of: 0x0A) ?? raw.count
                let hasNewline = end < raw.count
                worker.withScrubbedDocument(UnsafeRawBufferPointer(rebasing: raw[at..<end])) { bytes, outcome in
                    if outcome.kind == .malformed { malformed.append(line) }
                    if outcome.kind == .dropped { return }
                    output.append(contentsOf: bytes)
                    if hasNewline { output.append(0x0A) }
                }
                at = end + 1
                line += 1
            }
        }
        return (output, malformed, worker)
    }

    static func scrubDocument(_ text: String, _ json: JSONScrubber) -> (String, JSONScrubber.Outcome) {
        let worker = json.makeWorker()
        var out: [UInt8] = []
        let outcome = Array(text.utf8).withUnsafeBytes { worker.scrubDocument($0, appendingTo: &out) }
        return (String(decoding: out, as: UTF8.self), outcome)
    }

    static func read(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Runs `python3 tools/json_reference.py args...`; returns exit status and stdout (counts
    /// and line numbers only, by the script's contract).
    static func reference(_ args: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestPaths.repositoryRoot + "/tools/json_reference.py"] + args
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func temporaryFile(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("pii-scrub-json-\(UUID().uuidString)-\(name)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    struct Golden: Decodable, CustomStringConvertible {
        var name: String
        var input: String
        var args: [String]?
        var shape: String
        var description: String { name }

        /// The options the CLI arguments stand for (the manifest uses CLI spelling).
        var options: JSONScrubber.Options {
            var options = JSONScrubber.Options()
            var i = 0
            let a = args ?? []
            while i < a.count {
                switch a[i] {
                case "--flat": options.flat = true
                case "--scrub-numbers": options.scrubNumbers = true
                case "--keep-field":
                    i += 1
                    options.keepFields.append(FieldPath(a[i]))
                case "--only-field":
                    i += 1
                    options.onlyFields.append(FieldPath(a[i]))
                default: fatalError("unknown golden argument \(a[i])")
                }
                i += 1
            }
            return options
        }

        var inputPath: String { TestPaths.data + "/" + input }
        var outputPath: String { TestPaths.data + "/cli/" + name + ".out.jsonl" }
    }

    static let goldens: [Golden] = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: TestPaths.data + "/cli/goldens.json"))
        return try! JSONDecoder().decode([Golden].self, from: data)
    }()
}
