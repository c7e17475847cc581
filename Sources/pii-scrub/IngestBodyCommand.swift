import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PIIScrub
import PIIScrubJSON
import PIIScrubLangfuse
import PIIScrubStream

/// `pii-scrub ingest-body [FILE]`: scrubs one Langfuse request body (stdin → stdout).
struct IngestBody: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest-body",
        abstract: "Scrub one Langfuse ingestion batch, score array or OTLP/JSON trace export body.",
        discussion: "Reads one JSON request body (from FILE or stdin) and writes it scrubbed to stdout: every "
            + "string value and key, including JSON text inside strings, is scrubbed; ids, timestamps, "
            + "event types, model names, usage and OTLP int values are kept; numbers and booleans are "
            + "never changed. A body that is not JSON is scrubbed as text (and refused with "
            + "--strict).\n\nExit status: 0 ok, 2 error."
    )

    @OptionGroup var pattern: PatternOptions

    @Option(name: .customLong("keep-field"), help: "Also keep this field path verbatim (repeatable; dotted, * = any key).")
    var keepFields: [String] = []

    @Flag(name: .long, help: "Fail (exit 2, no output) when the body is not valid JSON.")
    var strict = false

    @Flag(name: .long, help: "Print match counts per field path to stderr (paths and counts only, never values).")
    var stats = false

    @Argument(help: "The body (default: stdin).")
    var file: String?

    func run() throws {
        signal(SIGPIPE, SIG_IGN)
        let scrubber: Scrubber
        do { scrubber = try pattern.loadScrubber() } catch { ExitStatus.fail("\(error)") }
        let body: [UInt8]
        do {
            body = try readAllBytes(try file.map { path throws(FilterIOError) in try ByteSource.open(path) } ?? .standardInput)
        } catch {
            ExitStatus.fail("\(error)")
        }
        let langfuse = LangfuseBodyScrubber(scrubber: scrubber, additionalKeepFields: keepFields.map(FieldPath.init))
        let worker = langfuse.makeWorker()
        let outcome: JSONScrubber.Outcome = body.withUnsafeBytes { input in
            worker.withScrubbedDocument(input) { output, outcome in
                if outcome.kind == .malformed && strict { return outcome }
                do {
                    try ByteSink.standardOutput.write(output)
                } catch let error as FilterIOError where error.isBrokenPipe {
                    Glibc.exit(0)
                } catch {
                    ExitStatus.fail("\(error)")
                }
                return outcome
            }
        }
        if stats {
            let lines = worker.fieldCounts.sorted { $0.key < $1.key }.map { "  \($0.key)\t\($0.value)" }
            writeStandardError((["pii-scrub: matches by field path"] + lines).joined(separator: "\n") + "\n")
        }
        if worker.failureCount > 0 {
            writeStandardError("pii-scrub: \(worker.failureCount) string(s) could not be scrubbed and were redacted whole\n")
        }
        if outcome.kind == .malformed {
            let at = outcome.errorOffset.map { " at byte \($0)" } ?? ""
            if strict { ExitStatus.fail("the body is not valid JSON (first error\(at)); nothing written") }
            writeStandardError("pii-scrub: the body is not valid JSON (first error\(at)); it was scrubbed as text\n")
        }
    }
}
