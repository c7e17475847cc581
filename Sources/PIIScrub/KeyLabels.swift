/// The key labels of a pattern set (``PatternDefinition/keyLabels``): which keys (JSON member
/// names, OTLP attribute names, span attribute keys) label a bare number or IPv4 address, and the
/// context an adapter writes before such a value so that the pattern reads it as it reads
/// `SSN: 078051120` or `ip 10.0.0.8` in text. The patterns are tried by priority (then position
/// in the set), as overlapping matches are resolved; the first whose words the key's letters end
/// in (or are) gives the context.
///
/// Used by `jsonl` and `ingest-body` (member keys and OTLP attributes) and by the tracing
/// adapter (span attribute keys).
public struct KeyLabelTable: Sendable {
    /// The contexts' bytes (`SSN: `), indexed by what ``context(forKey:)`` returns; at most 256
    /// (the first by priority).
    public let contexts: [[UInt8]]
    private let rules: [(suffixes: [[UInt8]], keys: [[UInt8]])]
    /// Bit k: some word ends in the letter `a` + k.
    private let finalLetters: UInt32

    init(_ patterns: [Pattern]) {
        let labelled = patterns.filter { $0.definition.keyLabels != nil }
            .sorted { ($0.priority, $0.index) < ($1.priority, $1.index) }.prefix(256)
        contexts = labelled.map { Array($0.definition.keyLabels!.context.utf8) }
        rules = labelled.map { pattern in
            let labels = pattern.definition.keyLabels!
            return ((labels.suffixes ?? []).map { Array($0.utf8) }, (labels.keys ?? []).map { Array($0.utf8) })
        }
        // Words are 1 to 40 lower-case letters (checked at load).
        finalLetters = rules.flatMap { $0.suffixes + $0.keys }.reduce(0) { $0 | 1 << ($1.last! &- UInt8(ascii: "a")) }
    }

    public var isEmpty: Bool { contexts.isEmpty }

    /// The index in ``contexts`` of the context `key` gives, if any. A key is compared by its ASCII
    /// letters, lower-cased (`customerPhone`, `user_ssn`, `PHONE_NUMBER`, `user.phone`); keys
    /// longer than 40 bytes give none. Asked for every OTLP attribute name with a bare number:
    /// no allocation, and a key whose last letter ends no word is turned down first.
    public func context(forKey key: UnsafeRawBufferPointer) -> Int? {
        guard key.count <= 40 else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { buffer -> Int? in
            var n = 0
            for b in key where b &- UInt8(ascii: "a") < 26 || b &- UInt8(ascii: "A") < 26 {
                buffer[n] = b | 0x20
                n += 1
            }
            guard n > 0, finalLetters & (1 << (buffer[n - 1] &- UInt8(ascii: "a"))) != 0 else { return nil }
            let letters = UnsafeBufferPointer(rebasing: buffer[0..<n])
            return rules.firstIndex { rule in
                rule.keys.contains { $0.elementsEqual(letters) }
                    || rule.suffixes.contains { $0.count <= n && letters.suffix($0.count).elementsEqual($0) }
            }
        }
    }

    /// Whether `value` is what a key's context is for: 7 to 12 ASCII digits.
    @inlinable
    public static func isBareNumber(_ value: some Collection<UInt8>) -> Bool {
        (7...12).contains(value.count) && value.allSatisfy { $0 &- UInt8(ascii: "0") < 10 }
    }

    /// Whether `value` is what an `ipv4` key label is for: four dotted groups of 1 to 3 ASCII
    /// digits (`10.0.0.8`; the validator decides the rest). Inlinable, as the other shape tests:
    /// called from other modules unspecialised, it cost ~1,500 instructions a value.
    @inlinable
    public static func isDottedQuad(_ value: some Collection<UInt8>) -> Bool {
        guard (7...15).contains(value.count) else { return false }
        var dots = 0, digits = 0
        for b in value {
            if b &- UInt8(ascii: "0") < 10 {
                digits += 1
                if digits > 3 { return false }
            } else if b == UInt8(ascii: "."), digits > 0 {
                dots += 1
                digits = 0
            } else {
                return false
            }
        }
        return dots == 3 && digits > 0
    }

    /// Whether `value` may take a key's context: ``isBareNumber(_:)`` or ``isDottedQuad(_:)``.
    @inlinable
    public static func isLabelledValue(_ value: some Collection<UInt8>) -> Bool {
        isBareNumber(value) || isDottedQuad(value)
    }
}
