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
/// neighbours (the bytes just before and after it) are ASCII or the subject's ends
/// (``PrefilterCore/Window/asciiContext``). Every match of the Unicode pattern lies inside a
/// window (the prefilter contract), and `\b` there looks at most one character outside. For
/// the variant to find something else, an attempt must examine a character >= U+0080, so it
/// must first have consumed the ASCII neighbour after the window; then:
/// - if that attempt matches, the match ends past the window: the engine sees that and searches
///   the window again with the Unicode pattern;
/// - if it fails in both compilations, both go on the same way.
/// An attempt can fail in one compilation and succeed in the other only by matching past the
/// window, which the check above catches. What breaks this argument is anything that can look
/// at characters without consuming them or commit to a path it cannot undo: lookaround, `\K`,
/// atomic groups, possessive quantifiers, backtracking verbs and callouts. Patterns that may
/// contain any of them (a plain substring test on the source, erring on the side of "no") keep
/// the Unicode pattern for every window.
enum ASCIIVariant {
    /// Source fragments that may mean lookaround, `\K`, atomic or possessive matching,
    /// backtracking verbs, option-setting verbs like `(*UCP)`, or callouts.
    static let unsafeFragments = [
        "(?=", "(?!", "(?<=", "(?<!", "(?*", "(*", "\\K", "(?>", "(?C", "++", "*+", "?+", "}+",
    ]

    /// What PCRE2_UCP changes: without one of these the variant would be the same code.
    static let unicodeClassFragments = ["\\d", "\\D", "\\w", "\\W", "\\s", "\\S", "\\b", "\\B", "[:"]

    /// Whether the ASCII-class variant of `regex` is exact inside ASCII windows (see above).
    static func isExact(_ regex: String) -> Bool {
        !unsafeFragments.contains { regex.contains($0) }
    }

    /// Whether to compile the variant: it is exact and differs from the Unicode pattern.
    static func isWorthCompiling(_ regex: String) -> Bool {
        isExact(regex) && unicodeClassFragments.contains { regex.contains($0) }
    }
}
