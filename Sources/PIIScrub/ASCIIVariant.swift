/// When a pattern may be searched with its ASCII-class variant
/// (``PCRE2Wrapper/CompileOptions/asciiClasses``: UTF-8, no `PCRE2_UCP`), and why that is exact.
///
/// PCRE2's JIT code for `\d`, `\w` and `\b` under `PCRE2_UCP` looks up each character's Unicode
/// properties; without UCP it is one table test. On the seed's phone and SSN patterns that is a
/// factor of 3 to 4 per search (measured: 220 against 74 ns per window for phone, 202 against
/// 50 for SSN, on dense text in cache).
///
/// ## Why the variant finds the same matches
///
/// The two compilations differ only in how they classify characters >= U+0080 (for ASCII
/// characters `\d`, `\w`, `\s`, `\b` and the POSIX classes agree; case folding is Unicode in
/// both, since the subject is UTF-8 either way). So on an attempt that examines only ASCII
/// characters the two take the same path.
///
/// The engine uses the variant only for a prefilter window whose bytes are all ASCII and whose
/// neighbours (the two bytes just before and the two after it) are ASCII or the subject's ends
/// (``PrefilterCore/Window/asciiContext`` and `Scrubber.hasWideASCIIContext`; the second byte
/// is for declared copies, ``PatternDefinition/asciiRegex``, whose lookaround may read two
/// characters). Every match of the Unicode pattern lies inside a
/// window (the prefilter contract), and `\b` there looks at most one character outside. For
/// the variant to find something else, an attempt must examine a character >= U+0080, so it
/// must first have consumed the ASCII neighbour after the window; then:
/// - if that attempt matches, the match ends past the window: the engine sees that and searches
///   the window again with the Unicode pattern;
/// - if it fails in both compilations, both go on the same way.
/// An attempt can fail in one compilation and succeed in the other only by matching past the
/// window, which the check above catches. What breaks this argument is anything that can look
/// at characters without consuming them or commit to a path it cannot undo: lookaround, `\K`,
/// atomic groups, possessive quantifiers, backtracking verbs and callouts. So do constructs
/// whose compiled form differs between the two beyond character classification (found by a
/// review with exhaustive and random search against PCRE2 10.42):
/// - caseless `[:upper:]`/`[:lower:]`: under UCP they become `\p{Lu}`/`\p{Ll}`, which ignore
///   case; without UCP they match every letter;
/// - `\R`, `\p`, `\P`: PCRE2 auto-possessifies next to them differently in the two modes;
/// - possessive quantifiers spelt so that a substring test cannot see them: a comment
///   `(?#...)`, an empty `\Q\E`, or extended-mode space between the quantifier and its `+`.
/// Patterns that may contain any of these (a plain substring test on the source, erring on the
/// side of "no"; the caller refuses patterns compiled in extended mode) keep the Unicode
/// pattern for every window. Like the rest of the engine, the argument assumes the prefilter
/// contract: a match of the Unicode pattern never reaches past its window.
enum ASCIIVariant {
    /// Source fragments that may mean lookaround, `\K`, atomic or possessive matching,
    /// backtracking verbs, option-setting verbs like `(*UCP)`, callouts, or the constructs
    /// listed above.
    static let unsafeFragments = [
        "(?=", "(?!", "(?<=", "(?<!", "(?*", "(*", "\\K", "(?>", "(?C", "++", "*+", "?+", "}+",
        "upper:", "lower:", "\\R", "\\p", "\\P", "(?#", "\\Q", "\\E",
    ]

    /// What PCRE2_UCP changes: without one of these the variant would be the same code.
    static let unicodeClassFragments = ["\\d", "\\D", "\\w", "\\W", "\\s", "\\S", "\\b", "\\B", "[:"]

    /// Whether the ASCII-class variant of `regex` is exact inside ASCII windows (see above).
    /// The caller must also refuse patterns compiled with the extended flag.
    ///
    /// The fragments are looked for by bytes (``PatternSet/containsLiteral(_:_:)``), not with
    /// `String.contains`, which compares characters and misses a fragment followed by a combining
    /// mark; bytes find every fragment characters find, so the answer errs towards "no".
    static func isExact(_ regex: String) -> Bool {
        let bytes = Array(regex.utf8)
        return !unsafeFragments.contains { PatternSet.containsLiteral(bytes, Array($0.utf8)) } && !setsExtendedMode(regex)
    }

    /// Whether an inline option group (`(?x)`, `(?ix:`, `(?xx)`, ...) may turn on extended mode.
    static func setsExtendedMode(_ regex: String) -> Bool {
        let bytes = Array(regex.utf8)
        func isOptionLetter(_ b: UInt8) -> Bool {
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
                || b == UInt8(ascii: "-") || b == UInt8(ascii: "^")
        }
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == UInt8(ascii: "("), bytes[i + 1] == UInt8(ascii: "?") {
                var j = i + 2
                var hasX = false
                while j < bytes.count, isOptionLetter(bytes[j]) {
                    if bytes[j] == UInt8(ascii: "x") { hasX = true }
                    j += 1
                }
                if hasX, j < bytes.count, bytes[j] == UInt8(ascii: ")") || bytes[j] == UInt8(ascii: ":") { return true }
            }
            i += 1
        }
        return false
    }

    /// Whether to compile the variant: it is exact and differs from the Unicode pattern.
    static func isWorthCompiling(_ regex: String) -> Bool {
        let bytes = Array(regex.utf8)
        return isExact(regex) && unicodeClassFragments.contains { PatternSet.containsLiteral(bytes, Array($0.utf8)) }
    }
}
