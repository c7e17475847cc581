public import PIIScrub

/// The one place that decides which kind of PII a pattern finds and what a label's type means.
///
/// A pattern's kind is its file's optional `"type"` field; without one, it is derived from the id
/// by the rules in ``PIITypes/rules`` (first match wins), and otherwise it is the id's first
/// kebab segment. Label types are lower-cased and aliases folded (``PIITypes/normalize(label:)``).
/// docs/BENCH.md documents the same table.
public enum PIITypes {
    /// The canonical kinds the shipped corpus uses.
    public static let canonical = ["email", "phone", "ssn", "card", "iban", "ip", "secret"]

    /// `(kind, predicate over the pattern id)`, checked in order.
    public static let rules: [(type: String, matches: @Sendable (String) -> Bool)] = [
        ("email", { $0 == "email" || $0.hasPrefix("email-") || $0.hasSuffix("-email") }),
        ("ssn", { $0 == "ssn" || $0.hasPrefix("us-ssn") || $0.hasPrefix("ssn-") || $0.hasSuffix("-ssn") }),
        ("phone", { $0 == "phone" || $0.hasPrefix("phone-") || $0.hasSuffix("-phone") || $0.contains("-phone-") }),
        ("card", { $0 == "card" || $0 == "pan" || $0.hasPrefix("card-") || $0.hasPrefix("credit-card") || $0.hasSuffix("-card") }),
        ("iban", { $0 == "iban" || $0.hasPrefix("iban-") || $0.hasSuffix("-iban") }),
        ("ip", { $0 == "ip" || $0.hasPrefix("ip-") || $0.hasPrefix("ipv4") || $0.hasPrefix("ipv6") || $0.hasSuffix("-ip") }),
        ("secret", {
            $0.hasSuffix("-key") || $0.hasSuffix("-token") || $0.contains("secret") || $0.contains("api-key")
                || $0.contains("token") || $0 == "jwt" || $0.hasPrefix("jwt-") || $0.hasPrefix("aws-")
                || $0.hasPrefix("github-") || $0.hasPrefix("private-key") || $0.hasPrefix("bearer")
                || $0.hasPrefix("password")
        }),
    ]

    private static let aliases: [String: String] = [
        "e-mail": "email", "mail": "email", "email_address": "email",
        "phone_number": "phone", "telephone": "phone", "tel": "phone", "mobile": "phone",
        "us_ssn": "ssn", "social_security_number": "ssn",
        "credit_card": "card", "creditcard": "card", "credit-card": "card", "pan": "card", "card_number": "card",
        "ip_address": "ip", "ipv4": "ip", "ipv6": "ip",
        "api_key": "secret", "apikey": "secret", "api-key": "secret", "key": "secret", "token": "secret",
        "password": "secret", "jwt": "secret",
    ]

    /// The kind of PII a pattern finds.
    public static func type(of definition: PatternDefinition) -> String {
        if let explicit = definition.type, !explicit.isEmpty { return normalize(label: explicit) }
        return type(forPatternID: definition.id)
    }

    /// The kind derived from a pattern id alone.
    public static func type(forPatternID id: String) -> String {
        for rule in rules where rule.matches(id) { return rule.type }
        return id.split(separator: "-").first.map(String.init) ?? id
    }

    /// A label's type in canonical form.
    public static func normalize(label: String) -> String {
        let lower = label.lowercased()
        return aliases[lower] ?? lower
    }
}
