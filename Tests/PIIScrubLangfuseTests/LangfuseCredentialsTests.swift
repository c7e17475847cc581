import PIIScrubLangfuse
import Testing

// Planted, obviously fake keys (UUID-shaped like real ones, so the last-4 display applies).
private let secret = "sk-lf-0badc0de-1111-4222-8333-feedfacec0ffee"
private let secret2 = "sk-lf-99999999-aaaa-4bbb-8ccc-dddddddd5eed"
private let publicKey = "pk-lf-12345678-90ab-4cde-8f01-234567890abc"

@Suite("LangfuseCredentials")
struct LangfuseCredentialsTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var environment: [String: String]
        /// nil: valid.
        var error: LangfuseCredentialsError.Code?
        var baseURL: String = LangfuseCredentials.defaultBaseURL
        var warnings = 0
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "valid-default-url", environment: ["LANGFUSE_PUBLIC_KEY": publicKey, "LANGFUSE_SECRET_KEY": secret]),
        Case(name: "valid-base-url", environment: ["LANGFUSE_PUBLIC_KEY": publicKey, "LANGFUSE_SECRET_KEY": secret,
                                                   "LANGFUSE_BASE_URL": "https://us.cloud.langfuse.com/"],
             baseURL: "https://us.cloud.langfuse.com"),
        Case(name: "deprecated-host-alias", environment: ["LANGFUSE_PUBLIC_KEY": publicKey, "LANGFUSE_SECRET_KEY": secret,
                                                          "LANGFUSE_HOST": "https://langfuse.internal.example"],
             baseURL: "https://langfuse.internal.example", warnings: 1),
        Case(name: "base-url-wins-over-host", environment: ["LANGFUSE_PUBLIC_KEY": publicKey, "LANGFUSE_SECRET_KEY": secret,
                                                            "LANGFUSE_BASE_URL": "https://a.example", "LANGFUSE_HOST": "http://b.example"],
             baseURL: "https://a.example", warnings: 1),
        Case(name: "http-localhost", environment: ["LANGFUSE_PUBLIC_KEY": publicKey, "LANGFUSE_SECRET_KEY": secret,
                                                   "LANGFUSE_BASE_URL": "http://localhost:3000"],
             baseURL: "http://localhost:3000"),
        Case(name: "http-127", environment: ["LANGFUSE_PUBLIC_KEY": publicKey, "LANGFUSE_SECRET_KEY": secret,
                                             "LANGFUSE_BASE_URL": "http://127.0.0.1:3000"], baseURL: "http://127.0.0.1:3000"),
        Case(name: "http-ipv6-loopback", environment: ["LANGFUSE_PUBLIC_KEY": publicKey, "LANGFUSE_SECRET_KEY": secret,
                                                       "LANGFUSE_BASE_URL": "http://[::1]:3000"], baseURL: "http://[::1]:3000"),
        Case(name: "missing-secret", environment: ["LANGFUSE_PUBLIC_KEY": publicKey], error: .missingSecretKey),
        Case(name: "empty-secret", environment: ["LANGFUSE_PUBLIC_KEY": publicKey, "LANGFUSE_SECRET_KEY": ""],
             error: .missingSecretKey),
        Case(name: "secret-is-public-key", environment: ["LANGFUSE_PUBLIC_KEY": publicKey, "LANGFUSE_SECRET_KEY": publicKey],
             error: .secretKeyIsPublicKey),
        Case(name: "swapped", environment: ["LANGFUSE_PUBLIC_KEY": secret, "LANGFUSE_SECRET_KEY": publicKey],
             error: .swappedKeys),
        Case(name: "public-is-secret", environment: ["LANGFUSE_PUBLIC_KEY": secret2, "LANGFUSE_SECRET_KEY": secret],
             error: .publicKeyIsSecretKey),
        Case(name: "public-key-wrong-prefix", environment: ["LANGFUSE_PUBLIC_KEY": "pk-test-123", "LANGFUSE_SECRET_KEY": secret],
             error: .malformedPublicKey),
        Case(name: "missing-public", environment: ["LANGFUSE_SECRET_KEY": secret], error: .missingPublicKey),
        Case(name: "secret-stripe-like", environment: ["LANGFUSE_PUBLIC_KEY": publicKey, "LANGFUSE_SECRET_KEY": "sk-live-0000111122223333"],
             error: .malformedSecretKey),
        Case(name: "secret-trailing-newline", environment: ["LANGFUSE_PUBLIC_KEY": publicKey, "LANGFUSE_SECRET_KEY": secret + "\n"],
             error: .malformedSecretKey),
        Case(name: "http-remote", environment: ["LANGFUSE_PUBLIC_KEY": publicKey, "LANGFUSE_SECRET_KEY": secret,
                                                "LANGFUSE_BASE_URL": "http://langfuse.example.com"], error: .insecureBaseURL),
        Case(name: "http-remote-via-host", environment: ["LANGFUSE_PUBLIC_KEY": publicKey, "LANGFUSE_SECRET_KEY": secret,
                                                         "LANGFUSE_HOST": "HTTP://10.0.0.5:3000"], error: .insecureBaseURL),
        Case(name: "http-localhost-lookalike", environment: ["LANGFUSE_PUBLIC_KEY": publicKey, "LANGFUSE_SECRET_KEY": secret,
                                                             "LANGFUSE_BASE_URL": "http://localhost.evil.example"],
             error: .insecureBaseURL),
        Case(name: "http-127-lookalike", environment: ["LANGFUSE_PUBLIC_KEY": publicKey, "LANGFUSE_SECRET_KEY": secret,
                                                       "LANGFUSE_BASE_URL": "http://127.0.0.1.nip.io"], error: .insecureBaseURL),
        Case(name: "no-scheme", environment: ["LANGFUSE_PUBLIC_KEY": publicKey, "LANGFUSE_SECRET_KEY": secret,
                                              "LANGFUSE_BASE_URL": "cloud.langfuse.com"], error: .invalidBaseURL),
        Case(name: "userinfo-in-url", environment: ["LANGFUSE_PUBLIC_KEY": publicKey, "LANGFUSE_SECRET_KEY": secret,
                                                    "LANGFUSE_BASE_URL": "https://\(publicKey):\(secret)@cloud.langfuse.com"],
             error: .invalidBaseURL),
    ]

    @Test("environment table", arguments: cases)
    func environment(_ c: Case) throws {
        do {
            let credentials = try LangfuseCredentials.fromEnvironment(c.environment)
            #expect(c.error == nil, "accepted, expected \(c.error.map(String.init(describing:)) ?? "")")
            #expect(credentials.baseURL == c.baseURL)
            #expect(credentials.warnings.count == c.warnings)
            #expect(credentials.publicKey == c.environment["LANGFUSE_PUBLIC_KEY"])
            credentials.secretKey.withUnredactedValue { #expect($0 == c.environment["LANGFUSE_SECRET_KEY"]) }
        } catch {
            #expect(error.code == c.error, "got \(error.code)")
            // The error names variables, never values.
            for value in c.environment.values where value.count > 8 {
                #expect(!"\(error)".contains(value))
                #expect(!error.message.contains(value))
            }
            for planted in [secret, secret2, "sk-live-0000111122223333"] {
                #expect(!String(reflecting: error).contains(planted))
            }
        }
    }

    @Test("description, debugDescription, dump and interpolation show only sk-lf-… and the last 4")
    func redaction() throws {
        let credentials = try LangfuseCredentials.fromEnvironment(
            ["LANGFUSE_PUBLIC_KEY": publicKey, "LANGFUSE_SECRET_KEY": secret])
        var dumped = ""
        dump(credentials, to: &dumped)
        var dumpedKey = ""
        dump(credentials.secretKey, to: &dumpedKey)
        let mirrored = Mirror(reflecting: credentials).children.map { "\($0.label ?? ""): \($0.value)" }.joined()
        let forms = [
            credentials.description, credentials.debugDescription, "\(credentials)", String(reflecting: credentials),
            dumped, dumpedKey, mirrored, "\(credentials.secretKey)", String(reflecting: credentials.secretKey),
            "\([credentials])", "\(Optional(credentials) as Any)",
        ]
        for form in forms {
            #expect(!form.contains(secret))
            #expect(!form.contains("0badc0de"))
        }
        #expect(credentials.secretKey.redacted == "sk-lf-…ffee")
        #expect(credentials.description.contains("sk-lf-…ffee"))
        #expect(credentials.description.contains(publicKey))
        #expect(dumped.contains("sk-lf-…ffee"))
    }

    @Test("a short secret shows no characters at all")
    func shortSecret() throws {
        let credentials = try LangfuseCredentials(publicKey: "pk-lf-test", secretKey: "sk-lf-test")
        #expect(credentials.secretKey.redacted == "sk-lf-…")
        #expect(!credentials.description.contains("sk-lf-test"))
    }

    @Test("Basic authorization header is base64(public:secret)")
    func basicAuthorization() throws {
        let credentials = try LangfuseCredentials(publicKey: "pk-lf-test", secretKey: "sk-lf-test")
        // printf 'pk-lf-test:sk-lf-test' | base64
        #expect(credentials.basicAuthorization() == "Basic cGstbGYtdGVzdDpzay1sZi10ZXN0")
    }
}
