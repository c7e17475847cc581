import Foundation
import PIIScrub
import PIIScrubTestSupport
import Testing

/// No secret or PII in any output channel: known values are planted in every subcommand's
/// input; stdout (where the value must be scrubbed), stderr, reports and logs must not contain
/// them, on success paths (`--stats`, `--report`, `--json`, `--html`) and error paths.
@Suite("No planted value in any output channel, every subcommand")
struct NoLeakTests {
    static let planted = [
        "planted.person@example.org", "555-867-5309", "078-05-1120", "4111 1111 1111 1111",
        "sk-lf-0123456789abcdef0123", "pk-lf-0123456789abcdef0123",
    ]
    /// A decoy that must survive (no pattern matches it).
    static let decoy = "ORDER-ALPHA-7"

    func temp(_ name: String, _ text: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pii-noleak-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func assertClean(_ label: String, stdout: [UInt8], stderr: String, files: [String] = [], expectDecoy: Bool) throws {
        let out = String(decoding: stdout, as: UTF8.self)
        var channels = ["stdout": out, "stderr": stderr]
        for file in files where FileManager.default.fileExists(atPath: file) {
            channels[file] = try String(contentsOfFile: file, encoding: .utf8)
        }
        for (channel, text) in channels {
            for value in Self.planted {
                #expect(!text.contains(value), "\(label): a planted value appeared on \(channel)")
            }
        }
        if expectDecoy { #expect(out.contains(Self.decoy), "\(label): the decoy survives on stdout") }
    }

    var text: String {
        "user \(Self.planted[0]) tel \(Self.planted[1]) ssn \(Self.planted[2]) card \(Self.planted[3]) "
            + "key \(Self.planted[4]) pub \(Self.planted[5]) order \(Self.decoy)\n"
    }

    @Test("scrub with --stats, and its error paths")
    func scrub() throws {
        let result = try Binary.run(["scrub", "--stats"], stdin: Array(text.utf8))
        #expect(result.status == 0)
        try assertClean("scrub --stats", stdout: result.stdout, stderr: result.stderr, expectDecoy: true)
        let profiled = try Binary.run(["scrub", "--profile", "--jobs", "2"], stdin: Array(text.utf8))
        #expect(profiled.status == 0 && profiled.stdout == result.stdout)
        // The table: a header, then one row per pattern of the set (35 in `default`).
        let table = profiled.stderr.split(separator: "\n")
        #expect(table.first?.hasPrefix("pii-scrub: search profile") == true && table.count == 2 + 35)
        #expect(table.contains { $0.hasPrefix("  email\t1\t") } && table.contains { $0.hasPrefix("  phone-nanp\t") })
        try assertClean("scrub --profile", stdout: profiled.stdout, stderr: profiled.stderr, expectDecoy: true)
        let badFlag = try Binary.run(["scrub", "--jobs", "0", Self.planted[0]], stdin: Array(text.utf8))
        #expect(badFlag.status == 2)
        try assertClean("scrub bad flag", stdout: badFlag.stdout, stderr: badFlag.stderr, expectDecoy: false)
    }

    @Test("jsonl with --report, --strict and a malformed line")
    func jsonl() throws {
        let line = #"{"id":"t1","input":"\#(text.dropLast())","metadata":"{\"email\":\"\#(Self.planted[0])\"}"}"#
        let malformed = #"{"id":"t2","input":"\#(Self.planted[1]) and \#(Self.planted[0])"#
        let input = try temp("in.jsonl", line + "\n" + malformed + "\n")
        let report = input + ".report.json"
        let result = try Binary.run(["jsonl", "--report", report, input])
        #expect(result.status == 0)
        try assertClean("jsonl --report", stdout: result.stdout, stderr: result.stderr, files: [report], expectDecoy: true)
        let strict = try Binary.run(["jsonl", "--strict", input])
        #expect(strict.status == 2)
        try assertClean("jsonl --strict", stdout: strict.stdout, stderr: strict.stderr, expectDecoy: false)
    }

    @Test("ingest-body with --stats, valid and not JSON")
    func ingestBody() throws {
        let body = #"{"batch":[{"id":"e1","type":"trace-create","timestamp":"2026-01-01T00:00:00Z","body":{"id":"t1","name":"\#(Self.planted[0])","input":"\#(text.dropLast())","userId":"\#(Self.planted[1])"}}]}"#
        let result = try Binary.run(["ingest-body", "--stats"], stdin: Array(body.utf8))
        #expect(result.status == 0)
        try assertClean("ingest-body --stats", stdout: result.stdout, stderr: result.stderr, expectDecoy: true)
        let notJSON = try Binary.run(["ingest-body", "--stats"], stdin: Array(text.utf8))
        try assertClean("ingest-body not JSON", stdout: notJSON.stdout, stderr: notJSON.stderr, expectDecoy: false)
    }

    @Test("audit-config prints names and findings, never values")
    func auditConfig() throws {
        let env = try temp(".env", """
            LANGFUSE_SECRET_KEY=\(Self.planted[4])
            LANGFUSE_PUBLIC_KEY=\(Self.planted[5])
            SALT=\(Self.planted[0])
            ENCRYPTION_KEY=\(Self.planted[1])
            AUTH_DISABLE_SIGNUP=false
            """)
        let result = try Binary.run(["audit-config", env])
        #expect(result.status == 1, "open sign-up and a bad ENCRYPTION_KEY are high findings")
        try assertClean("audit-config", stdout: result.stdout, stderr: result.stderr, expectDecoy: false)
    }

    @Test("bench with --json and --html, values hidden by default")
    func bench() throws {
        let record = #"{"text":"\#(text.dropLast())","pii":[{"type":"email","value":"\#(Self.planted[0])"},{"type":"phone","value":"\#(Self.planted[1])"}],"keep":["\#(Self.decoy)"]}"#
        let corpus = try temp("corpus.jsonl", record + "\n")
        let json = corpus + ".json"
        let html = corpus + ".html"
        let result = try Binary.run(["bench", "--patterns", "seed", "--against", "default", "--no-scaling",
                                     "--min-time", "0.01", "--json", json, "--html", html, corpus])
        #expect(result.status == 0)
        // stdout is the report here, so the decoy need not appear on it.
        try assertClean("bench", stdout: result.stdout, stderr: result.stderr, files: [json, html], expectDecoy: false)
    }

    @Test("lint-patterns and a pattern file that fails to load")
    func lintAndBadPatterns() throws {
        let bad = try temp("bad.json", #"{"name":"x","patterns":[{"id":"bad","regex":"(\#(Self.planted[0])","replacement":"[X]"}]}"#)
        let result = try Binary.run(["scrub", "--patterns", bad], stdin: Array(text.utf8))
        #expect(result.status == 2)
        // The pattern text may be printed (it is not subject text); the subject must not be.
        #expect(result.stdout.isEmpty)
        for value in Self.planted.dropFirst() { #expect(!result.stderr.contains(value)) }
        let lint = try Binary.run(["lint-patterns", "--patterns", "default"])
        #expect(lint.status == 0)
    }
}
