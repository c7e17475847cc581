/// Langfuse API credentials loaded from the environment, validated, and safe to print.
///
/// Langfuse authenticates with HTTP Basic auth: user name = public key (`pk-lf-…`, identifies
/// the project, not secret), password = secret key (`sk-lf-…`, grants write access). Validation
/// uses the full `pk-lf-`/`sk-lf-` prefixes, not `pk-`/`sk-` (which Stripe and OpenAI keys
/// share), and refuses to send a secret over plain HTTP to anything but the local machine.
///
/// Every textual form of this value (`description`, `debugDescription`, `dump`/`Mirror`,
/// string interpolation, logging) shows the secret only as `sk-lf-…` plus its last 4
/// characters, and only when the secret is long enough for that to reveal little (Langfuse's own
/// `getDisplaySecretKey` shows first 6 + last 4). Errors never contain any key value.
///
/// ## Example
/// ```swift
/// let credentials = try LangfuseCredentials.fromEnvironment(environment)
/// print(credentials)  // LangfuseCredentials(publicKey: pk-lf-…, secretKey: sk-lf-…1a2b, baseURL: https://cloud.langfuse.com)
/// request.setValue(credentials.basicAuthorization(), forHTTPHeaderField: "Authorization")
/// ```
public struct LangfuseCredentials: Sendable, Hashable {
    /// The default API origin (`LANGFUSE_BASE_URL` unset).
    public static let defaultBaseURL = "https://cloud.langfuse.com"

    /// The project's public key (`pk-lf-…`). Not a secret, printed in full.
    public let publicKey: String
    /// The project's secret key. Its textual forms are redacted.
    public let secretKey: LangfuseSecretKey
    /// API origin without a trailing slash, e.g. `https://cloud.langfuse.com`.
    public let baseURL: String
    /// Non-fatal remarks (e.g. the deprecated `LANGFUSE_HOST` was used). Never contain key values.
    public let warnings: [String]

    /// Validates the three values.
    ///
    /// - Throws: ``LangfuseCredentialsError`` when a key is missing, has the wrong prefix, the
    ///   keys are swapped, or `baseURL` is not HTTPS and not loopback.
    public init(publicKey: String, secretKey: String, baseURL: String = defaultBaseURL) throws(LangfuseCredentialsError) {
        try self.init(publicKey: publicKey, secretKey: secretKey, baseURL: baseURL, warnings: [],
                      names: .init(publicKey: "public key", secretKey: "secret key", baseURL: "base URL"))
    }

    /// Loads credentials from environment variables, as the Langfuse SDKs do.
    ///
    /// Reads `LANGFUSE_PUBLIC_KEY`, `LANGFUSE_SECRET_KEY` and `LANGFUSE_BASE_URL`; when
    /// `LANGFUSE_BASE_URL` is unset, the deprecated alias `LANGFUSE_HOST` (with a warning);
    /// when neither is set, ``defaultBaseURL``. Empty values count as unset.
    ///
    /// - Parameter environment: Variables, e.g. `ProcessInfo.processInfo.environment`.
    /// - Throws: ``LangfuseCredentialsError``; its message names variables, never values.
    public static func fromEnvironment(_ environment: [String: String]) throws(LangfuseCredentialsError) -> LangfuseCredentials {
        func value(_ name: String) -> String? {
            guard let v = environment[name], !v.isEmpty else { return nil }
            return v
        }
        var warnings: [String] = []
        let urlName: String
        let url: String
        if let v = value("LANGFUSE_BASE_URL") {
            urlName = "LANGFUSE_BASE_URL"
            url = v
            if value("LANGFUSE_HOST") != nil {
                warnings.append("LANGFUSE_HOST is ignored because LANGFUSE_BASE_URL is set; remove LANGFUSE_HOST")
            }
        } else if let v = value("LANGFUSE_HOST") {
            urlName = "LANGFUSE_HOST"
            url = v
            warnings.append("LANGFUSE_HOST is deprecated; rename it to LANGFUSE_BASE_URL")
        } else {
            urlName = "LANGFUSE_BASE_URL"
            url = defaultBaseURL
        }
        return try LangfuseCredentials(
            publicKey: value("LANGFUSE_PUBLIC_KEY") ?? "",
            secretKey: value("LANGFUSE_SECRET_KEY") ?? "",
            baseURL: url,
            warnings: warnings,
            names: .init(publicKey: "LANGFUSE_PUBLIC_KEY", secretKey: "LANGFUSE_SECRET_KEY", baseURL: urlName)
        )
    }

    struct Names {
        var publicKey: String
        var secretKey: String
        var baseURL: String
    }

    private init(publicKey: String, secretKey: String, baseURL: String, warnings: [String], names: Names)
        throws(LangfuseCredentialsError)
    {
        let publicKind = KeyKind(publicKey)
        let secretKind = KeyKind(secretKey)
        // Order matters: the most specific explanation first.
        if publicKind == .secret && secretKind == .public {
            throw LangfuseCredentialsError(.swappedKeys,
                "\(names.publicKey) holds a secret key (sk-lf-) and \(names.secretKey) holds a public key (pk-lf-): the keys are swapped")
        }
        if secretKey.isEmpty {
            throw LangfuseCredentialsError(.missingSecretKey, "\(names.secretKey) is missing or empty")
        }
        if secretKind == .public {
            throw LangfuseCredentialsError(.secretKeyIsPublicKey,
                "\(names.secretKey) holds a public key (pk-lf-); use the project's secret key (sk-lf-)")
        }
        if publicKind == .secret {
            throw LangfuseCredentialsError(.publicKeyIsSecretKey,
                "\(names.publicKey) holds a secret key (sk-lf-); a secret key must never be used where a public key goes")
        }
        if hasSurroundingWhitespace(secretKey) {
            throw LangfuseCredentialsError(.malformedSecretKey,
                "\(names.secretKey) has leading or trailing whitespace (a quoting or copy error?)")
        }
        if secretKind != .secret {
            throw LangfuseCredentialsError(.malformedSecretKey,
                "\(names.secretKey) does not start with sk-lf- (is it another service's key?)")
        }
        if publicKey.isEmpty {
            throw LangfuseCredentialsError(.missingPublicKey, "\(names.publicKey) is missing or empty")
        }
        if publicKind != .public || hasSurroundingWhitespace(publicKey) {
            throw LangfuseCredentialsError(.malformedPublicKey,
                "\(names.publicKey) does not start with pk-lf- or has surrounding whitespace")
        }
        let origin: String
        switch BaseURL.check(baseURL) {
        case .success(let normalized):
            origin = normalized
        case .failure(let problem):
            throw LangfuseCredentialsError(problem.code, "\(names.baseURL): \(problem.message)")
        }
        self.publicKey = publicKey
        self.secretKey = LangfuseSecretKey(secretKey)
        self.baseURL = origin
        self.warnings = warnings
    }

    /// The `Authorization` header value, `Basic base64(publicKey:secretKey)`.
    ///
    /// The result contains the secret: send it, never log it.
    public func basicAuthorization() -> String {
        secretKey.withUnredactedValue { secret in
            "Basic " + Base64.encode(Array("\(publicKey):\(secret)".utf8))
        }
    }
}

extension LangfuseCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "LangfuseCredentials(publicKey: \(publicKey), secretKey: \(secretKey.redacted), baseURL: \(baseURL))"
    }

    public var debugDescription: String { description }

    /// `dump`, `Mirror` and reflection-based loggers see only the redacted secret.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "publicKey": publicKey,
            "secretKey": secretKey.redacted,
            "baseURL": baseURL,
            "warnings": warnings,
        ], displayStyle: .struct)
    }
}

/// A Langfuse secret key whose every textual form is redacted.
///
/// Use ``withUnredactedValue(_:)`` to read the secret, for the one place that sends it.
public struct LangfuseSecretKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let value: String

    init(_ value: String) { self.value = value }

    /// `sk-lf-…` plus the last 4 characters, or `sk-lf-…` alone when the part after the prefix
    /// is shorter than 16 characters (then 4 characters would be a large share of it).
    public var redacted: String {
        let body = value.utf8.count - KeyKind.prefixLength
        guard body >= 16 else { return "sk-lf-…" }
        return "sk-lf-…" + String(value.unicodeScalars.suffix(4).map(Character.init))
    }

    /// Calls `body` with the secret. Do not let it escape into logs or errors.
    public func withUnredactedValue<R>(_ body: (String) throws -> R) rethrows -> R {
        try body(value)
    }

    public var description: String { redacted }
    public var debugDescription: String { redacted }
    public var customMirror: Mirror { Mirror(self, children: ["redacted": redacted], displayStyle: .struct) }
}

/// Why credentials were rejected. `message` names variables and prefixes, never key values.
public struct LangfuseCredentialsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable, extensible error code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Value: String, Sendable, Hashable {
            case missingSecretKey = "missing-secret-key"
            case missingPublicKey = "missing-public-key"
            case secretKeyIsPublicKey = "secret-key-is-public-key"
            case publicKeyIsSecretKey = "public-key-is-secret-key"
            case swappedKeys = "swapped-keys"
            case malformedSecretKey = "malformed-secret-key"
            case malformedPublicKey = "malformed-public-key"
            case insecureBaseURL = "insecure-base-url"
            case invalidBaseURL = "invalid-base-url"
        }

        private let value: Value
        private init(_ value: Value) { self.value = value }

        public static let missingSecretKey = Code(.missingSecretKey)
        public static let missingPublicKey = Code(.missingPublicKey)
        /// The secret key variable holds a `pk-lf-` key.
        public static let secretKeyIsPublicKey = Code(.secretKeyIsPublicKey)
        /// The public key variable holds an `sk-lf-` key (the secret would be sent as a user name).
        public static let publicKeyIsSecretKey = Code(.publicKeyIsSecretKey)
        /// Public key variable holds `sk-lf-`, secret key variable holds `pk-lf-`.
        public static let swappedKeys = Code(.swappedKeys)
        /// The secret does not start with `sk-lf-` or has surrounding whitespace.
        public static let malformedSecretKey = Code(.malformedSecretKey)
        /// The public key does not start with `pk-lf-` or has surrounding whitespace.
        public static let malformedPublicKey = Code(.malformedPublicKey)
        /// `http://` to a host that is not loopback.
        public static let insecureBaseURL = Code(.insecureBaseURL)
        /// Not an `http(s)://host[:port][/path]` URL, or it embeds user info.
        public static let invalidBaseURL = Code(.invalidBaseURL)

        public var description: String { value.rawValue }
    }

    public let code: Code
    public let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "Langfuse credentials (\(code)): \(message)" }
}

/// What a key string looks like, by prefix.
enum KeyKind: Equatable {
    case `public`, secret, other

    static let prefixLength = 6  // "pk-lf-" / "sk-lf-"

    init(_ key: String) {
        if key.hasPrefix("pk-lf-") { self = .public }
        else if key.hasPrefix("sk-lf-") { self = .secret }
        else { self = .other }
    }
}

func hasSurroundingWhitespace(_ text: String) -> Bool {
    guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
    return first.properties.isWhitespace || last.properties.isWhitespace
}

/// Minimal URL checks for an API origin, without Foundation.
enum BaseURL {
    struct Problem: Error {
        var code: LangfuseCredentialsError.Code
        var message: String
    }

    /// Returns the URL without trailing slashes, or why it is not acceptable.
    static func check(_ url: String) -> Result<String, Problem> {
        guard !hasSurroundingWhitespace(url) else {
            return .failure(.init(code: .invalidBaseURL, message: "has leading or trailing whitespace"))
        }
        guard let schemeEnd = url.firstRange(of: "://") else {
            return .failure(.init(code: .invalidBaseURL, message: "is not an http:// or https:// URL"))
        }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "https" || scheme == "http" else {
            return .failure(.init(code: .invalidBaseURL, message: "scheme must be https (or http for loopback only)"))
        }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.contains("@") {
            // Never echo it: user info in a URL is a credential.
            return .failure(.init(code: .invalidBaseURL, message: "embeds user info (credentials) in the URL"))
        }
        guard let host = self.host(of: authority), !host.isEmpty else {
            return .failure(.init(code: .invalidBaseURL, message: "has no host"))
        }
        if scheme == "http" && !isLoopback(host) {
            return .failure(.init(code: .insecureBaseURL,
                message: "uses plain http to a non-loopback host; the secret key would travel unencrypted (use https)"))
        }
        var normalized = Substring(url)
        while normalized.hasSuffix("/") { normalized = normalized.dropLast() }
        return .success(String(normalized))
    }

    /// The host of `host[:port]` or `[v6][:port]`, lowercased.
    static func host(of authority: Substring) -> String? {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            return String(authority[authority.index(after: authority.startIndex)..<close]).lowercased()
        }
        return String(authority.prefix { $0 != ":" }).lowercased()
    }

    /// `localhost`, `*.localhost`, 127.0.0.0/8 and `::1`.
    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host.hasSuffix(".localhost") || host == "::1" || host == "0:0:0:0:0:0:0:1" {
            return true
        }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy(\.isASCII) && part.allSatisfy(\.isNumber)
                && (Int(part) ?? 256) <= 255
        }
    }
}

/// RFC 4648 base64 (standard alphabet, padded), for the Basic auth header.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], alphabet[Int(n & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], UInt8(ascii: "="), UInt8(ascii: "=")]
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], UInt8(ascii: "=")]
        }
        return String(decoding: out, as: UTF8.self)
    }
}
