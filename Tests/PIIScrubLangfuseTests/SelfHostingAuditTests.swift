import Foundation
import PIIScrubLangfuse
import PIIScrubTestSupport
import Testing

@Suite("SelfHostingAudit")
struct SelfHostingAuditTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var file: String
        var kind: ConfigFile.Kind
        var high: Set<String>
        var medium: Set<String>
        var testDescription: String { file }
    }

    static let cases: [Case] = [
        Case(file: "seed-compose.yml", kind: .compose,
             high: ["SALT"],
             medium: ["AUTH_DOMAINS_WITH_SSO_ENFORCEMENT", "NEXTAUTH_SECRET", "LANGFUSE_RETENTION_DAYS"]),
        Case(file: "langfuse-quickstart-compose.yml", kind: .compose,
             high: ["AUTH_DISABLE_SIGNUP", "ENCRYPTION_KEY", "SALT", "NEXTAUTH_SECRET"],
             medium: ["AUTH_DOMAINS_WITH_SSO_ENFORCEMENT"]),
        Case(file: "hardened.env", kind: .dotenv, high: [], medium: []),
        Case(file: "risky.env", kind: .dotenv,
             high: ["AUTH_DISABLE_SIGNUP", "LANGFUSE_DEFAULT_PROJECT_ROLE", "ENCRYPTION_KEY", "NEXTAUTH_SECRET"],
             medium: ["AUTH_DOMAINS_WITH_SSO_ENFORCEMENT", "LANGFUSE_DEFAULT_ORG_ROLE", "SALT",
                      "LANGFUSE_RETENTION_DAYS", "LANGFUSE_INIT_PROJECT_RETENTION"]),
        Case(file: "empty.env", kind: .dotenv,
             high: ["AUTH_DISABLE_SIGNUP", "ENCRYPTION_KEY", "SALT"],
             medium: ["AUTH_DOMAINS_WITH_SSO_ENFORCEMENT", "NEXTAUTH_SECRET"]),
    ]

    static func text(_ file: String) throws -> String {
        try String(contentsOfFile: TestPaths.data + "/audit/" + file, encoding: .utf8)
    }

    @Test("findings per sample file", arguments: cases)
    func findings(_ c: Case) throws {
        let config = ConfigFile(parsing: try Self.text(c.file))
        #expect(config.kind == c.kind)
        let findings = SelfHostingAudit.audit(config)
        #expect(Set(findings.filter { $0.severity == .high }.map(\.key)) == c.high)
        #expect(Set(findings.filter { $0.severity == .medium }.map(\.key)) == c.medium)
        #expect(SelfHostingAudit.hasHighSeverity(findings) == !c.high.isEmpty)
        // The correction the seed needs is always stated: ENCRYPTION_KEY does not cover traces.
        #expect(findings.contains { $0.key == "ENCRYPTION_KEY" && $0.message.contains("not trace data") })
    }

    @Test("reports never contain a value from the file", arguments: cases)
    func noValues(_ c: Case) throws {
        let config = ConfigFile(parsing: try Self.text(c.file))
        let report = SelfHostingAudit.report(SelfHostingAudit.audit(config), kind: config.kind,
                                             variables: config.entries.count)
        let secretLike = config.entries.values.filter { entry in
            ["SECRET", "SALT", "KEY", "PASSWORD", "DATABASE_URL"].contains { entry.key.contains($0) }
        }
        #expect(!secretLike.isEmpty || c.file == "empty.env")
        for entry in secretLike {
            guard let value = entry.value.effective, value.count >= 6 else { continue }
            #expect(!report.contains(value), "value of \(entry.key) printed")
        }
    }

    @Test("compose parsing: list items, map entries, anchors, merge keys, quotes, comments, interpolation")
    func composeParsing() throws {
        let config = ConfigFile(parsing: try Self.text("langfuse-quickstart-compose.yml"))
        #expect(config["SALT"]?.value == .interpolated(variable: "SALT", default: "mysalt"))
        #expect(config["SALT"]?.line == 10)
        #expect(config["NEXTAUTH_SECRET"]?.value == .interpolated(variable: "NEXTAUTH_SECRET", default: "mysecret"))
        #expect(config["POSTGRES_PASSWORD"]?.value == .literal("postgres"))
        #expect(config["image"] == nil)
        #expect(config["<<"] == nil)
        let seed = ConfigFile(parsing: try Self.text("seed-compose.yml"))
        #expect(seed["AUTH_DISABLE_SIGNUP"]?.value == .literal("true"))
        #expect(seed["ENCRYPTION_KEY"]?.value == .interpolated(variable: "ENCRYPTION_KEY", default: nil))
        let env = ConfigFile(parsing: try Self.text("hardened.env"))
        #expect(env["AUTH_DISABLE_SIGNUP"]?.value == .literal("true"))
        #expect(env["AUTH_DOMAINS_WITH_SSO_ENFORCEMENT"]?.value == .literal("example.com,example.org"))
        #expect(env.entries.count == 14)
    }

    @Test("retention facts: LANGFUSE_RETENTION_DAYS does not exist; init retention is 0 or >= 3", arguments: [
        ("LANGFUSE_RETENTION_DAYS=30", "LANGFUSE_RETENTION_DAYS", SelfHostingAudit.Severity.medium),
        ("LANGFUSE_INIT_PROJECT_ID=p\nLANGFUSE_INIT_PROJECT_RETENTION=3", "LANGFUSE_INIT_PROJECT_RETENTION", .info),
        ("LANGFUSE_INIT_PROJECT_ID=p\nLANGFUSE_INIT_PROJECT_RETENTION=0", "LANGFUSE_INIT_PROJECT_RETENTION", .low),
        ("LANGFUSE_INIT_PROJECT_RETENTION=1", "LANGFUSE_INIT_PROJECT_RETENTION", .medium),
        ("LANGFUSE_INIT_PROJECT_RETENTION=ninety", "LANGFUSE_INIT_PROJECT_RETENTION", .medium),
        ("LANGFUSE_INIT_PROJECT_RETENTION=30", "LANGFUSE_INIT_PROJECT_RETENTION", .low),
        ("", "retention", .low),
    ])
    func retention(_ text: String, _ key: String, _ severity: SelfHostingAudit.Severity) {
        let findings = SelfHostingAudit.audit(text)
        #expect(findings.contains { $0.key == key && $0.severity == severity })
    }

    @Test("ENCRYPTION_KEY must be 64 hex characters and not a placeholder", arguments: [
        (String(repeating: "ab", count: 32), SelfHostingAudit.Severity.high),  // two repeated digits
        ("3f9c1b7e5a2d4c8f0e6b1a9d7c5e3f2a4b6c8d0e1f2a3b4c5d6e7f8091a2b3c4", .info),
        (String(repeating: "0", count: 64), .high),
        (String(repeating: "a", count: 63), .high),
        (String(repeating: "g", count: 64), .high),
        ("c2VjcmV0LWJhc2U2NC1rZXktbm90LWhleA==", .high),
    ])
    func encryptionKey(_ value: String, _ severity: SelfHostingAudit.Severity) {
        let findings = SelfHostingAudit.audit("ENCRYPTION_KEY=\(value)").filter {
            $0.key == "ENCRYPTION_KEY" && !$0.message.contains("not trace data")
        }
        #expect(findings.map(\.severity) == [severity])
    }
}
