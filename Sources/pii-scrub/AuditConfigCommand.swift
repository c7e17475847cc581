import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PIIScrubLangfuse
import PIIScrubStream

/// `pii-scrub audit-config FILE`: the self-hosting checks of ``SelfHostingAudit``.
struct AuditConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit-config",
        abstract: "Check a self-hosted Langfuse .env or docker-compose file for risky settings.",
        discussion: "Reports open sign-up (AUTH_DISABLE_SIGNUP), SSO enforcement "
            + "(AUTH_DOMAINS_WITH_SSO_ENFORCEMENT), default roles (LANGFUSE_DEFAULT_PROJECT_ROLE / "
            + "_ORG_ROLE), ENCRYPTION_KEY (64 hex characters; it protects stored credentials, not trace "
            + "data), SALT, NEXTAUTH_SECRET and retention (per project; LANGFUSE_RETENTION_DAYS does not "
            + "exist, LANGFUSE_INIT_PROJECT_RETENTION covers the headless-init project). Prints variable "
            + "names, line numbers and findings, never values.\n\nExit status: 0 no high-severity "
            + "finding, 1 at least one, 2 error."
    )

    @Argument(help: "A .env or docker-compose file.")
    var file: String

    func run() throws {
        let bytes: [UInt8]
        do { bytes = try readAllBytes(try ByteSource.open(file)) } catch { ExitStatus.fail("\(error)") }
        let config = ConfigFile(parsing: String(decoding: bytes, as: UTF8.self))
        let findings = SelfHostingAudit.audit(config)
        print(SelfHostingAudit.report(findings, kind: config.kind, variables: config.entries.count), terminator: "")
        if SelfHostingAudit.hasHighSeverity(findings) { throw ExitCode(1) }
    }
}

/// Reads a source to its end and closes it (files it opened).
func readAllBytes(_ source: ByteSource) throws -> [UInt8] {
    defer { source.close() }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = try chunk.withUnsafeMutableBytes { buffer in
            try source.read(into: buffer.baseAddress!, count: buffer.count)
        }
        if n == 0 { break }
        bytes.append(contentsOf: chunk[0..<n])
    }
    return bytes
}
