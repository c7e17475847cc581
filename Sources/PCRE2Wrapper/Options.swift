internal import CPCRE2

/// How a pattern is compiled.
public struct CompileOptions: Sendable, Hashable {
    /// Case-insensitive matching (`PCRE2_CASELESS`), with Unicode case folding when ``unicode`` is set.
    public var caseless: Bool = false
    /// UTF-8 mode with Unicode properties for `\d`, `\w`, `\b` (`PCRE2_UTF | PCRE2_UCP`), plus
    /// `PCRE2_MATCH_INVALID_UTF` so invalid subjects are matched safely (invalid sequences never
    /// match any pattern item) instead of being undefined behaviour.
    public var unicode: Bool = true
    /// With ``unicode``: leave out `PCRE2_UCP`, so `\d`, `\w`, `\s`, `\b` and the POSIX classes
    /// know only ASCII (the subject is still UTF-8, case folding still Unicode). On text whose
    /// examined characters are all ASCII this matches exactly what the UCP pattern matches, and
    /// the JIT code is several times faster for `\d` (no property lookup per character).
    public var asciiClasses: Bool = false
    /// Free-spacing syntax (`PCRE2_EXTENDED`).
    public var extended: Bool = false
    /// Whether to JIT-compile the pattern.
    public var jit: JITMode = .attempt

    public init(caseless: Bool = false, unicode: Bool = true, extended: Bool = false, jit: JITMode = .attempt) {
        self.caseless = caseless
        self.unicode = unicode
        self.extended = extended
        self.jit = jit
    }

    var compileFlags: UInt32 {
        // USE_OFFSET_LIMIT: the prefilter bounds each search's start positions with an offset
        // limit; the JIT ignores that limit unless the pattern was compiled with this flag.
        var flags: UInt32 = PCRE2_USE_OFFSET_LIMIT
        if caseless { flags |= PCRE2_CASELESS }
        if extended { flags |= PCRE2_EXTENDED }
        if unicode { flags |= PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (asciiClasses ? 0 : PCRE2_UCP) }
        return flags
    }
}

/// Whether a pattern is JIT-compiled (rust-pcre2's three-way choice).
public struct JITMode: Sendable, Hashable, CustomStringConvertible {
    private enum Base: Sendable, Hashable { case never, attempt, always }
    private let base: Base
    private init(_ base: Base) { self.base = base }

    /// Use the interpreter only.
    public static let never = JITMode(.never)
    /// JIT-compile when the platform supports it, fall back to the interpreter otherwise.
    public static let attempt = JITMode(.attempt)
    /// JIT-compile or fail.
    public static let always = JITMode(.always)

    var wantsJIT: Bool { base != .never }
    var requiresJIT: Bool { base == .always }

    public var description: String {
        switch base {
        case .never: "never"
        case .attempt: "attempt"
        case .always: "always"
        }
    }
}

/// Limits applied to every match through a ``MatchScratch``.
public struct MatchLimits: Sendable, Hashable {
    /// `pcre2_set_match_limit`: bounds backtracking work per match call; applies to the JIT too.
    /// This is the ReDoS guard. Hitting it is reported as an error, which callers fail closed on.
    public var matchLimit: UInt32 = 10_000_000
    /// `pcre2_set_depth_limit` (interpreter only).
    public var depthLimit: UInt32 = 100_000
    /// JIT stack sizes in bytes.
    public var jitStackStart: Int = 32 * 1024
    public var jitStackMax: Int = 1024 * 1024

    public init(matchLimit: UInt32 = 10_000_000, depthLimit: UInt32 = 100_000,
                jitStackStart: Int = 32 * 1024, jitStackMax: Int = 1024 * 1024) {
        self.matchLimit = matchLimit
        self.depthLimit = depthLimit
        self.jitStackStart = jitStackStart
        self.jitStackMax = jitStackMax
    }
}
