/// Checks the security-relevant settings of a self-hosted Langfuse (`.env` or docker-compose).
///
/// Covers the seed document's table, with its facts corrected against the Langfuse server source
/// (see `Tests/Data/fixtures/langfuse/FORMATS.md` §8):
///
/// | Setting | Finding |
/// |---|---|
/// | `AUTH_DISABLE_SIGNUP` | not `true`: open sign-up (high) |
/// | `AUTH_DOMAINS_WITH_SSO_ENFORCEMENT` | unset: password login for everyone (medium); set without any `AUTH_*_CLIENT_ID`: no provider here (medium) |
/// | `LANGFUSE_DEFAULT_PROJECT_ROLE` / `_ORG_ROLE` | invalid value (medium); `OWNER`/`ADMIN` for auto-provisioned users (high), `MEMBER` (medium) |
/// | `ENCRYPTION_KEY` | missing, not 64 hex characters, or a placeholder (high); it protects stored credentials (LLM API keys, integration and SSO secrets), **not** trace data |
/// | `SALT` | missing or a known placeholder (high), shorter than 16 characters (medium) |
/// | `NEXTAUTH_SECRET` | missing (medium), a known placeholder (high) |
/// | retention | `LANGFUSE_RETENTION_DAYS` does not exist (medium); `LANGFUSE_INIT_PROJECT_RETENTION` must be 0 or ≥ 3 and only applies to the headless-init project; none: traces are kept until deleted (low) |
///
/// Findings name variables and line numbers, never values.
public enum SelfHostingAudit {
    /// How bad a finding is. `high` makes `pii-scrub audit-config` exit 1.
    public enum Severity: Int, Sendable, Hashable, Comparable, CustomStringConvertible {
        case info, low, medium, high

        public static func < (a: Severity, b: Severity) -> Bool { a.rawValue < b.rawValue }

        public var description: String {
            switch self {
            case .info: "INFO"
            case .low: "LOW"
            case .medium: "MEDIUM"
            case .high: "HIGH"
            }
        }
    }

    /// One finding: a setting, its line (when it appears in the file) and what is wrong or notable.
    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        public var severity: Severity
        /// The variable the finding is about (a name, never a value).
        public var key: String
        /// 1-based line in the file, nil when the variable is absent.
        public var line: Int?
        /// Explanation; never contains a value from the file.
        public var message: String

        public var description: String {
            let place = line.map { "line \($0)" } ?? "absent"
            return "\(severity)\t\(key)\t\(place)\t\(message)"
        }
    }

    /// Placeholder values shipped in Langfuse's docker-compose file and common examples.
    static let placeholders: Set<String> = [
        "mysalt", "salt", "mysecret", "secret", "changeme", "change-me", "change_me", "password",
        "your-salt", "your-secret", "xxx", "todo",
    ]

    /// Audits the text of a `.env` or docker-compose file.
    public static func audit(_ text: String) -> [Finding] {
        audit(ConfigFile(parsing: text))
    }

    /// Audits parsed entries; findings are sorted by severity (highest first), then key.
    public static func audit(_ file: ConfigFile) -> [Finding] {
        var findings: [Finding] = []
        checkSignUp(file, &findings)
        checkSSO(file, &findings)
        checkDefaultRole(file, scope: "PROJECT", roles: ["OWNER", "ADMIN", "MEMBER", "VIEWER"], &findings)
        checkDefaultRole(file, scope: "ORG", roles: ["OWNER", "ADMIN", "MEMBER", "VIEWER", "NONE"], &findings)
        checkEncryptionKey(file, &findings)
        checkSecret(file, key: "SALT", purpose: "hashes API keys", missing: .high, &findings)
        checkSecret(file, key: "NEXTAUTH_SECRET", purpose: "signs login sessions", missing: .medium, &findings)
        checkRetention(file, &findings)
        return findings.sorted { ($0.severity, $1.key) > ($1.severity, $0.key) }
    }

    /// The value to judge, or nil after adding an "unverifiable" finding for `${VAR}` without default.
    private static func judgeable(_ entry: ConfigFile.Entry, _ findings: inout [Finding]) -> (value: String, note: String)? {
        switch entry.value {
        case .literal(let v):
            return (v, "")
        case .interpolated(let variable, let fallback?):
            return (fallback, " (the default used when \(variable) is unset)")
        case .interpolated(let variable, nil):
            findings.append(Finding(severity: .info, key: entry.key, line: entry.line,
                message: "set from the deployment's \(variable); cannot be checked from this file"))
            return nil
        }
    }

    static func checkSignUp(_ file: ConfigFile, _ findings: inout [Finding]) {
        let key = "AUTH_DISABLE_SIGNUP"
        let open = "open sign-up: anyone who can reach the web UI can create an account"
            + " (and an organization unless LANGFUSE_ALLOWED_ORGANIZATION_CREATORS is set); set \(key)=true"
        guard let entry = file[key] else {
            findings.append(Finding(severity: .high, key: key, line: nil, message: open))
            return
        }
        guard let (value, note) = judgeable(entry, &findings) else { return }
        if value.lowercased() == "true" {
            findings.append(Finding(severity: .info, key: key, line: entry.line, message: "sign-up disabled\(note)"))
        } else {
            findings.append(Finding(severity: .high, key: key, line: entry.line, message: "is not true\(note): " + open))
        }
    }

    static func checkSSO(_ file: ConfigFile, _ findings: inout [Finding]) {
        let key = "AUTH_DOMAINS_WITH_SSO_ENFORCEMENT"
        let providers = file.entries.keys.filter { $0.hasPrefix("AUTH_") && $0.hasSuffix("_CLIENT_ID") }
        let none = "no e-mail domain is forced to SSO: password login works for every account"
        guard let entry = file[key] else {
            findings.append(Finding(severity: .medium, key: key, line: nil, message: none))
            return
        }
        guard let (raw, note) = judgeable(entry, &findings) else { return }
        if raw.split(separator: ",").allSatisfy({ ConfigFile.trimmed($0).isEmpty }) {
            findings.append(Finding(severity: .medium, key: key, line: entry.line, message: "is empty\(note): " + none))
            return
        }
        let domains = raw.split(separator: ",").filter { !ConfigFile.trimmed($0).isEmpty }.count
        if providers.isEmpty {
            findings.append(Finding(severity: .medium, key: key, line: entry.line,
                message: "SSO is enforced for \(domains) domain(s) but no SSO provider (AUTH_<PROVIDER>_CLIENT_ID)"
                    + " is configured in this file: users of those domains cannot log in unless it is set elsewhere"))
        } else {
            findings.append(Finding(severity: .info, key: key, line: entry.line,
                message: "SSO enforced for \(domains) domain(s); provider(s): \(providers.sorted().joined(separator: ", "))"))
        }
    }

    static func checkDefaultRole(_ file: ConfigFile, scope: String, roles: [String], _ findings: inout [Finding]) {
        let roleKey = "LANGFUSE_DEFAULT_\(scope)_ROLE"
        let idKey = "LANGFUSE_DEFAULT_\(scope)_ID"
        let what = scope == "ORG" ? "organization" : "project"
        let idSet = isSet(file, idKey)
        guard let entry = file[roleKey] else {
            if idSet {
                findings.append(Finding(severity: .info, key: roleKey, line: nil,
                    message: "new users join the default \(what) (\(idKey)) as VIEWER, Langfuse's default"))
            }
            return
        }
        guard let (value, note) = judgeable(entry, &findings) else { return }
        let role = value.uppercased()
        guard roles.contains(value) else {
            findings.append(Finding(severity: .medium, key: roleKey, line: entry.line,
                message: "is not one of \(roles.joined(separator: ", ")) (case-sensitive)\(note);"
                    + " Langfuse's environment validation rejects it"))
            return
        }
        guard idSet else {
            findings.append(Finding(severity: .info, key: roleKey, line: entry.line,
                message: "has no effect: \(idKey) is not set, so new users are not added to a default \(what)"))
            return
        }
        let severity: Severity
        switch role {
        case "OWNER", "ADMIN": severity = .high
        case "MEMBER": severity = .medium
        default: severity = .info
        }
        let message = severity == .info
            ? "new users join the default \(what) as \(role)\(note) (least privilege)"
            : "every new (auto-provisioned or signed-up) user gets \(role) in the default \(what)\(note);"
                + " use VIEWER\(scope == "ORG" ? " or NONE" : "") and grant more per user"
        findings.append(Finding(severity: severity, key: roleKey, line: entry.line, message: message))
    }

    static func checkEncryptionKey(_ file: ConfigFile, _ findings: inout [Finding]) {
        let key = "ENCRYPTION_KEY"
        let scope = "ENCRYPTION_KEY encrypts stored credentials (LLM API keys, integration and SSO secrets),"
            + " not trace data: traces, prompts and outputs in Postgres, ClickHouse and S3 are not encrypted by it"
        findings.append(Finding(severity: .info, key: key, line: file[key]?.line, message: scope))
        guard let entry = file[key] else {
            findings.append(Finding(severity: .high, key: key, line: nil,
                message: "missing: Langfuse needs a 256-bit key as 64 hex characters (openssl rand -hex 32)"))
            return
        }
        guard let (value, note) = judgeable(entry, &findings) else { return }
        let isHex = value.utf8.count == 64 && value.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46)
        }
        if !isHex {
            findings.append(Finding(severity: .high, key: key, line: entry.line,
                message: "is not 64 hexadecimal characters\(note) (generate with openssl rand -hex 32)"))
        } else if Set(value.lowercased().utf8).count <= 2 {
            findings.append(Finding(severity: .high, key: key, line: entry.line,
                message: "is a placeholder (one or two repeated digits)\(note): anyone with this file can decrypt"))
        } else {
            findings.append(Finding(severity: .info, key: key, line: entry.line, message: "64 hex characters\(note)"))
        }
    }

    static func checkSecret(_ file: ConfigFile, key: String, purpose: String, missing: Severity,
                            _ findings: inout [Finding]) {
        guard let entry = file[key] else {
            findings.append(Finding(severity: missing, key: key, line: nil, message: "missing (it \(purpose))"))
            return
        }
        guard let (value, note) = judgeable(entry, &findings) else { return }
        if value.isEmpty || placeholders.contains(value.lowercased()) {
            findings.append(Finding(severity: .high, key: key, line: entry.line,
                message: "is empty or a well-known placeholder\(note); it \(purpose): generate one (openssl rand -base64 32)"))
        } else if value.unicodeScalars.count < 16 {
            findings.append(Finding(severity: .medium, key: key, line: entry.line,
                message: "is shorter than 16 characters\(note); it \(purpose)"))
        } else {
            findings.append(Finding(severity: .info, key: key, line: entry.line, message: "set\(note)"))
        }
    }

    static func checkRetention(_ file: ConfigFile, _ findings: inout [Finding]) {
        let perProject = "retention is a per-project setting (Project Settings > Data Retention, or `retention`"
            + " in the public projects API; 0 = keep forever or at least 3 days; needs the data-retention entitlement)"
        var configured = false
        if let entry = file["LANGFUSE_RETENTION_DAYS"] {
            findings.append(Finding(severity: .medium, key: entry.key, line: entry.line,
                message: "is not a Langfuse setting and has no effect (nothing is deleted); " + perProject))
        }
        let key = "LANGFUSE_INIT_PROJECT_RETENTION"
        if let entry = file[key], entry.value.effective != "", let (value, note) = judgeable(entry, &findings) {
            configured = true
            if let days = Int(value), days == 0 || days >= 3 {
                let initProject = isSet(file, "LANGFUSE_INIT_PROJECT_ID")
                findings.append(Finding(severity: initProject ? (days == 0 ? .low : .info) : .low, key: key, line: entry.line,
                    message: (days == 0 ? "keeps the init project's traces forever" : "sets retention for the init project")
                        + "\(note); applies once, only to the project created by headless initialization"
                        + (initProject ? "" : " (LANGFUSE_INIT_PROJECT_ID is not set here, so probably to none)")
                        + ", and only with the retention entitlement; other projects need their own setting"))
            } else {
                findings.append(Finding(severity: .medium, key: key, line: entry.line,
                    message: "must be 0 (keep forever) or a whole number of days of at least 3\(note)"))
            }
        } else if let entry = file[key], entry.value.effective != "" {
            configured = true
        }
        if !configured {
            findings.append(Finding(severity: .low, key: "retention", line: nil,
                message: "no retention configured in this file: traces are kept until deleted; " + perProject
                    + "; LANGFUSE_INIT_PROJECT_RETENTION sets it for the headless-init project"))
        }
    }

    /// Present with a non-empty value, or interpolated without a default (set by the deployment).
    static func isSet(_ file: ConfigFile, _ key: String) -> Bool {
        guard let entry = file[key] else { return false }
        return entry.value.effective.map { !$0.isEmpty } ?? true
    }

    /// True when any finding is ``Severity/high``.
    public static func hasHighSeverity(_ findings: [Finding]) -> Bool {
        findings.contains { $0.severity == .high }
    }
}

extension SelfHostingAudit {
    /// The text `pii-scrub audit-config` prints: a header, one tab-separated line per finding
    /// (severity, variable, line, message), and a summary. Contains no value from the file.
    public static func report(_ findings: [Finding], kind: ConfigFile.Kind, variables: Int) -> String {
        var lines = ["# \(kind == .compose ? "docker-compose" : ".env") file, \(variables) variable(s)"]
        lines += findings.map(\.description)
        let counts = [Severity.high, .medium, .low, .info].map { s in "\(findings.filter { $0.severity == s }.count) \(s)" }
        lines.append("# " + counts.joined(separator: ", "))
        return lines.joined(separator: "\n") + "\n"
    }
}
