import Foundation
import PIIScrub
import PIIScrubTestSupport
import Testing

/// Runs the built `pii-scrub` binary (end to end), next to this test bundle in the build folder.
enum Binary {
    static let path: String = {
        let bundleDir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path
        for dir in [bundleDir, TestPaths.repositoryRoot + "/.build/debug"] where
            FileManager.default.isExecutableFile(atPath: dir + "/pii-scrub") {
            return dir + "/pii-scrub"
        }
        return bundleDir + "/pii-scrub"
    }()

    struct Result {
        var status: Int32
        var stdout: [UInt8]
        var stderr: String
    }

    /// Runs the tool with `arguments`, `stdin` from a file (or empty), stdout to `stdoutPath` (or a
    /// temporary file).
    static func run(_ arguments: [String], stdin: [UInt8] = [], stdoutPath: String? = nil,
                    environment: [String: String]? = nil) throws -> Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pii-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let inURL = dir.appendingPathComponent("in")
        try Data(stdin).write(to: inURL)
        let outPath = stdoutPath ?? dir.appendingPathComponent("out").path
        if stdoutPath == nil { _ = FileManager.default.createFile(atPath: outPath, contents: nil) }
        let errURL = dir.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = try FileHandle(forReadingFrom: inURL)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
        process.waitUntilExit()
        let out = stdoutPath == nil ? [UInt8](try Data(contentsOf: URL(fileURLWithPath: outPath))) : []
        let err = String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        return Result(status: process.terminationStatus, stdout: out, stderr: err)
    }
}

@Suite("pii-scrub command line, end to end")
struct CLITests {
    @Test("scrub of the Langfuse export sample equals the library, for --jobs 1 and 4")
    func endToEnd() throws {
        let path = TestPaths.fixtures + "/export-sample.jsonl"
        let input = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let expected = Scrubber(patternSet: try TestSets.load("seed")).scrub(input)
        #expect(expected != input)
        for jobs in ["1", "4"] {
            let fromFile = try Binary.run(["scrub", "--patterns", "seed", "--jobs", jobs, path])
            #expect(fromFile.status == 0)
            #expect(fromFile.stdout == expected, "file input, jobs \(jobs)")
            let fromStdin = try Binary.run(["scrub", "--patterns", "seed", "--jobs", jobs], stdin: input)
            #expect(fromStdin.stdout == expected, "stdin, jobs \(jobs)")
        }
    }

    @Test("empty input gives empty output; a last line without newline stays without one")
    func emptyAndTruncated() throws {
        let empty = try Binary.run(["scrub", "--patterns", "seed"], stdin: [])
        #expect(empty.status == 0)
        #expect(empty.stdout.isEmpty)
        let truncated = try Binary.run(["scrub", "--patterns", "seed"], stdin: Array("a\nlast a@b.io".utf8))
        #expect(String(decoding: truncated.stdout, as: UTF8.self) == "a\nlast [EMAIL]")
    }

    @Test("a 100 MB single line (no newline) streams with bounded memory and equals the library")
    func hundredMegabyteLine() throws {
        var line: [UInt8] = []
        line.reserveCapacity(100_000_000)
        let unit = Array("words and more words mail a@b.io tel 555-123-4567 ssn 123-45-6789 ".utf8)
        while line.count + unit.count <= 100_000_000 { line += unit }
        let result = try Binary.run(["scrub", "--patterns", "seed", "--jobs", "2"], stdin: line)
        #expect(result.status == 0)
        let expected = Scrubber(patternSet: try TestSets.load("seed")).scrub(line)
        #expect(result.stdout.count == expected.count)
        #expect(result.stdout == expected)
    }

    @Test("`scrub --help` matches its snapshot")
    func helpSnapshot() throws {
        let result = try Binary.run(["scrub", "--help"])
        #expect(result.status == 0)
        let snapshot = try String(contentsOfFile: TestPaths.data + "/cli/scrub-help.txt", encoding: .utf8)
        #expect(String(decoding: result.stdout, as: UTF8.self) == snapshot)
    }

    @Test("errors exit 2 with a message naming the file or pattern, never the data")
    func errors() throws {
        let missing = try Binary.run(["scrub", "/nonexistent/input.txt"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("/nonexistent/input.txt"))

        let badFlag = try Binary.run(["scrub", "--jobs", "0"])
        #expect(badFlag.status == 2)
        // `scrub` is parsed on its own first (start-up fast path); what that rejects is parsed
        // again by the full command, so usage errors still name `pii-scrub scrub`.
        #expect(badFlag.stderr.contains("--jobs must be at least 1"))
        #expect(badFlag.stderr.contains("Usage: pii-scrub scrub "))
        let unknown = try Binary.run(["scrub", "--bogus"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("Unknown option '--bogus'"))
        #expect(unknown.stderr.contains("Usage: pii-scrub scrub "))

        let dir = FileManager.default.temporaryDirectory.path
        let badSet = dir + "/bad-set-\(UUID().uuidString).json"
        try Data(#"{"name":"bad","patterns":[{"id":"empty-one","regex":"a*","replacement":"[X]","examples":{"match":["a"],"nomatch":["b"]}}]}"#.utf8)
            .write(to: URL(fileURLWithPath: badSet))
        defer { try? FileManager.default.removeItem(atPath: badSet) }
        let empty = try Binary.run(["scrub", "--patterns", badSet], stdin: Array("secret a@b.io".utf8))
        #expect(empty.status == 2)
        #expect(empty.stderr.contains("empty-one"))
        #expect(empty.stderr.contains("empty string"))
        #expect(!empty.stderr.contains("a@b.io"))
        #expect(empty.stdout.isEmpty, "nothing is passed through when the patterns cannot load")

        let unreadable = try Binary.run(["scrub", "--patterns", dir + "/no-such-set.json"], stdin: Array("x".utf8))
        #expect(unreadable.status == 2)
        #expect(unreadable.stderr.contains("no-such-set.json"))
    }

    @Test("--stats prints counts per pattern and never a value")
    func stats() throws {
        let planted = ["planted.person@example.org", "555-867-5309", "078-05-1120"]
        let input = Array("x \(planted[0]) y \(planted[1]) z \(planted[2])\n".utf8)
        let result = try Binary.run(["scrub", "--patterns", "seed", "--stats"], stdin: input)
        #expect(result.status == 0)
        #expect(String(decoding: result.stdout, as: UTF8.self) == "x [EMAIL] y [PHONE] z [SSN]\n")
        for value in planted {
            #expect(!result.stderr.contains(value))
            #expect(!String(decoding: result.stdout, as: UTF8.self).contains(value))
        }
        #expect(result.stderr.contains("email\t1"))
        #expect(result.stderr.contains("phone\t1"))
        #expect(result.stderr.contains("ssn\t1"))
    }

    /// Runs each pair of command lines (one the hand parser takes, one argument-parser parses)
    /// and checks both succeed with the same stdout; returns the results for further checks.
    static func runBothParses(_ forms: [([String], [String])]) throws -> [([String], Binary.Result, Binary.Result)] {
        try forms.map { plain, full in
            let a = try Binary.run(plain)
            let b = try Binary.run(full)
            #expect(a.status == 0 && b.status == 0, "\(plain)")
            let sameOutput = a.stdout == b.stdout  // a Bool: never prints the output
            #expect(sameOutput, "\(plain)")
            return (plain, a, b)
        }
    }

    @Test("the hand-parsed `scrub` start-up path equals argument-parser's parse of the same options")
    func plainScrubEqualsFullParse() throws {
        let path = TestPaths.fixtures + "/export-sample.jsonl"
        // `scrub ...` with only these options takes PlainCommand; the same options without the
        // subcommand name (the default subcommand), or in `=` form, go through argument-parser.
        let forms: [([String], [String])] = [
            (["scrub", "--patterns", "seed", "--jobs", "2", "--stats", path], ["--patterns", "seed", "--jobs", "2", "--stats", path]),
            (["scrub", path, "--stats", "--no-jit", "--patterns", "seed"], ["scrub", path, "--stats", "--no-jit", "--patterns=seed"]),
            (["scrub", "--stats", path], ["--stats", path]),
        ]
        func counts(_ stderr: String) -> [Substring] {
            stderr.split(separator: "\n").filter { !$0.contains("MB/s") }
        }
        for (plain, a, b) in try Self.runBothParses(forms) {
            #expect(counts(a.stderr) == counts(b.stderr), "\(plain)")
            #expect(counts(a.stderr).count >= 3, "\(plain): --stats printed counts")
        }
        // Repeated options, `--`, and unknown options are argument-parser's to judge.
        let repeated = try Binary.run(["scrub", "--jobs", "1", "--jobs", "0"])
        #expect(repeated.status == 2)
        #expect(repeated.stderr.contains("--jobs must be at least 1"))
    }

    @Test("the hand-parsed `jsonl` start-up path equals argument-parser's parse of the same options")
    func plainJSONLEqualsFullParse() throws {
        let path = TestPaths.fixtures + "/export-sample.jsonl"
        // `jsonl` with only --patterns/--jobs/--no-jit/--flat/--strict takes PlainCommand; the
        // `=` forms, or an option it does not take (--report), go through argument-parser.
        let forms: [([String], [String])] = [
            (["jsonl", "--flat", "--patterns", "seed", "--jobs", "2", path], ["jsonl", "--flat", "--patterns=seed", "--jobs=2", path]),
            (["jsonl", path, "--no-jit", "--patterns", "seed"], ["jsonl", path, "--no-jit", "--patterns=seed"]),
            (["jsonl", "--patterns", "default", path], ["jsonl", "--patterns=default", "--report", "/dev/null", path]),
        ]
        for (plain, a, b) in try Self.runBothParses(forms) {
            #expect(a.stderr == b.stderr, "\(plain): the malformed-line summary")
            #expect(a.stderr.contains(":146"), "\(plain): names the malformed line")
        }
        let strict = try Binary.run(["jsonl", "--strict", "--patterns", "seed", path])
        let strictFull = try Binary.run(["jsonl", "--strict", "--patterns=seed", path])
        #expect(strict.status == 2 && strictFull.status == 2)
        #expect(strict.stderr == strictFull.stderr)
        let sameStrictOutput = strict.stdout == strictFull.stdout
        #expect(sameStrictOutput)
        let repeated = try Binary.run(["jsonl", "--jobs", "1", "--jobs", "0"])
        #expect(repeated.status == 2)
        #expect(repeated.stderr.contains("--jobs must be at least 1"))
    }

    @Test("an unwritable output (disk full) exits non-zero with a message")
    func diskFull() throws {
        guard FileManager.default.fileExists(atPath: "/dev/full") else {
            Issue.record("/dev/full is missing on this machine")
            return
        }
        let input = Array(String(repeating: "line with a@b.io\n", count: 20_000).utf8)
        let result = try Binary.run(["scrub", "--patterns", "seed"], stdin: input, stdoutPath: "/dev/full")
        #expect(result.status == 2)
        #expect(result.stderr.contains("No space left on device"))
    }

    @Test("a closed stdout pipe exits 0 quietly")
    func brokenPipe() throws {
        let input = String(repeating: "text with a@b.io and more text\n", count: 200_000)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pii-pipe-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let inPath = dir.appendingPathComponent("in").path
        try Data(input.utf8).write(to: URL(fileURLWithPath: inPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "set -o pipefail; '\(Binary.path)' scrub --patterns seed '\(inPath)' 2>'\(dir.path)/err' | head -c 100 >/dev/null"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let err = try String(contentsOfFile: dir.path + "/err", encoding: .utf8)
        #expect(err.isEmpty)
    }

    @Test("SIGINT mid-stream: exit 130, and what was written is complete lines")
    func interrupt() throws {
        // A slow producer keeps the pipeline reading from a pipe while we interrupt it.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pii-int-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = """
            (for i in $(seq 1 400); do printf 'row %d mail u%d@example.com phone 555-123-4567 end\\n' $i $i; \
              [ $i = 200 ] && sleep 2; done) | '\(Binary.path)' scrub --patterns seed --jobs 2 > '\(dir.path)/out' 2>'\(dir.path)/err' &
            pid=$!
            sleep 1
            kill -INT $pid
            wait $pid
            echo $? > '\(dir.path)/status'
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        try process.run()
        process.waitUntilExit()
        let status = try String(contentsOfFile: dir.path + "/status", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(status == "130")
        let out = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir.path + "/out")))
        #expect(out.isEmpty || out.last == 0x0A, "output ends with a complete line")
        let text = String(decoding: out, as: UTF8.self)
        #expect(!text.contains("@example.com"))
        #expect(!text.contains("555-123-4567"))
        for line in text.split(separator: "\n") {
            #expect(line.hasPrefix("row ") && line.hasSuffix(" end"))
        }
    }
}
