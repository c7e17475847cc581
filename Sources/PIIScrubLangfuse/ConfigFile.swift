/// Environment variables read from a `.env` file or a docker-compose file, by simple line parsing.
///
/// Understood forms (anything else is ignored, never an error):
/// - `.env`: `KEY=VALUE`, `export KEY=VALUE`, `# comments`, values in `'…'` or `"…"` quotes,
///   unquoted values ending at ` #`.
/// - docker-compose: inside any `environment:` block (detected by indentation), list items
///   `- KEY=VALUE` / `- "KEY=VALUE"` and map entries `KEY: VALUE`; YAML merge keys (`<<: *x`) are
///   skipped, anchors (`environment: &env`) are fine. Entries of every service are merged, the
///   last one winning, because Langfuse's web and worker containers read the same variables.
///
/// Values of the form `${NAME}`, `${NAME:-default}`, `${NAME-default}` or `$NAME` are
/// ``Value/interpolated(variable:default:)``: set by the deployment, not by the file.
public struct ConfigFile: Sendable {
    /// Which syntax the file was read as.
    public enum Kind: String, Sendable { case dotenv, compose }

    /// A value as written in the file.
    public enum Value: Sendable, Hashable {
        /// A literal value.
        case literal(String)
        /// `${variable}` / `${variable:-default}`: comes from the deployment's environment.
        case interpolated(variable: String, default: String?)

        /// The value the container sees when the interpolated variable is unset.
        public var effective: String? {
            switch self {
            case .literal(let v): v
            case .interpolated(_, let d): d
            }
        }
    }

    /// One `KEY=VALUE` entry and its 1-based line number.
    public struct Entry: Sendable, Hashable {
        public var key: String
        public var value: Value
        public var line: Int
    }

    public let kind: Kind
    /// Entries by key, the last occurrence winning.
    public let entries: [String: Entry]

    public subscript(key: String) -> Entry? { entries[key] }

    /// Parses `text`. Compose syntax is chosen when a line is `environment:`.
    public init(parsing text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            var l = Substring(line)
            if l.hasSuffix("\r") { l = l.dropLast() }
            if l.hasPrefix("\u{FEFF}") { l = l.dropFirst() }
            return l
        }
        let isCompose = lines.contains { Self.environmentBlockIndent($0) != nil }
        kind = isCompose ? .compose : .dotenv
        var entries: [String: Entry] = [:]
        var blockIndent: Int? = nil
        for (index, line) in lines.enumerated() {
            let trimmed = Self.trimmed(line)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let indent = line.prefix { $0 == " " || $0 == "\t" }.count
            var parsed: (String, Value)? = nil
            if isCompose {
                if let open = blockIndent, indent <= open { blockIndent = nil }
                if let n = Self.environmentBlockIndent(line) {
                    blockIndent = n
                    continue
                }
                guard blockIndent != nil else { continue }
                if trimmed.hasPrefix("- ") || trimmed == "-" {
                    parsed = Self.assignment(Self.unquoted(Self.trimmed(trimmed.dropFirst())), separator: "=")
                } else {
                    parsed = Self.assignment(trimmed, separator: ":")
                }
            } else {
                var body = trimmed
                if body.hasPrefix("export ") { body = Self.trimmed(body.dropFirst(7)) }
                parsed = Self.assignment(body, separator: "=")
            }
            if let (key, value) = parsed {
                entries[key] = Entry(key: key, value: value, line: index + 1)
            }
        }
        self.entries = entries
    }

    /// The indentation of an `environment:` line (optionally with an anchor), else nil.
    static func environmentBlockIndent(_ line: Substring) -> Int? {
        let indent = line.prefix { $0 == " " || $0 == "\t" }.count
        var rest = trimmed(line)
        guard rest.hasPrefix("environment:") else { return nil }
        rest = trimmed(rest.dropFirst("environment:".count))
        if rest.hasPrefix("&") { rest = trimmed(rest.drop { $0 != " " && $0 != "\t" }) }
        return rest.isEmpty || rest.hasPrefix("#") ? indent : nil
    }

    static func trimmed(_ s: Substring) -> Substring {
        var s = s
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return s
    }

    static func unquoted(_ s: Substring) -> Substring {
        if s.count >= 2, let f = s.first, f == "\"" || f == "'", s.last == f { return s.dropFirst().dropLast() }
        return s
    }

    static func isKey(_ s: Substring) -> Bool {
        guard let first = s.first, first == "_" || (first.isASCII && first.isLetter) else { return false }
        return s.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }

    /// `KEY<sep>VALUE` → key and parsed value; nil when the left side is not a variable name.
    static func assignment(_ text: Substring, separator: Character) -> (String, Value)? {
        guard let sep = text.firstIndex(of: separator) else { return nil }
        let key = trimmed(unquoted(trimmed(text[..<sep])))
        guard isKey(key), key != "<<" else { return nil }
        return (String(key), value(trimmed(text[text.index(after: sep)...])))
    }

    static func value(_ raw: Substring) -> Value {
        var v = raw
        if let q = v.first, q == "\"" || q == "'" {
            // Quoted: up to the matching quote; anything after (a comment) is dropped.
            let body = v.dropFirst()
            v = body.firstIndex(of: q).map { body[..<$0] } ?? body
        } else if let hash = v.firstRange(of: " #") {
            v = trimmed(v[..<hash.lowerBound])
        }
        return interpolation(v) ?? .literal(String(v))
    }

    /// `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?err}`, `$NAME` (whole value only).
    static func interpolation(_ v: Substring) -> Value? {
        if v.hasPrefix("${"), v.hasSuffix("}") {
            let inner = v.dropFirst(2).dropLast()
            let name = inner.prefix { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
            guard !name.isEmpty else { return nil }
            var rest = inner.dropFirst(name.count)
            if rest.isEmpty { return .interpolated(variable: String(name), default: nil) }
            if rest.hasPrefix(":") { rest = rest.dropFirst() }
            if rest.hasPrefix("-") { return .interpolated(variable: String(name), default: String(rest.dropFirst())) }
            return .interpolated(variable: String(name), default: nil)
        }
        if v.hasPrefix("$"), isKey(v.dropFirst()) {
            return .interpolated(variable: String(v.dropFirst()), default: nil)
        }
        return nil
    }
}
