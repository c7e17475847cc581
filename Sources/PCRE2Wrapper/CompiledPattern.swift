internal import CPCRE2

/// A compiled (and, where possible, JIT-compiled) PCRE2 pattern.
///
/// ## Thread safety
/// Immutable after `init` and safe to share between any number of threads. Each concurrent
/// matcher brings its own ``MatchScratch``.
///
/// ## Performance
/// Compilation and JIT happen once, in `init`. Matching allocates nothing.
// SAFETY: pcre2api(3) "MULTITHREADING": a compiled pattern may be used by several threads at once
// because matching never modifies it; JIT compilation *does* write into the code object, so it is
// done here in `init`, before `self` can be shared. After `init` no field is mutated.
public final class CompiledPattern: @unchecked Sendable {
    /// The pattern source text.
    public let source: String
    /// The options it was compiled with.
    public let options: CompileOptions
    /// Whether the JIT compiled the pattern (matching then runs machine code).
    public let isJITCompiled: Bool
    /// `PCRE2_INFO_MINLENGTH`: a lower bound on the length in code units of any match.
    public let minLength: Int
    /// Number of capture groups.
    public let captureCount: Int
    /// An ASCII byte that every match contains (PCRE2's "last code unit", `PCRE2_INFO_LASTCODEUNIT`),
    /// or nil. Callers may skip a search of text that lacks it. Letters are left out: pattern_info
    /// does not say whether the unit is caseless (an inline `(?i)` makes it so).
    public let requiredByte: UInt8?
    /// Whether the source holds `\K`, so a match may be reported as starting after where its
    /// attempt started (and past a start limit).
    public let resetsMatchStart: Bool

    let code: OpaquePointer

    /// Compiles `source`.
    ///
    /// - Throws: ``PCRE2Error`` of kind `compile` (with the pattern offset), `jit` when
    ///   ``JITMode/always`` was asked for and JIT failed, or `info`.
    public init(_ source: String, options: CompileOptions = .init()) throws(PCRE2Error) {
        var errorCode: Int32 = 0
        var errorOffset: Int = 0
        let compiled: OpaquePointer? = source.utf8CString.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: UInt8.self) { bytes in
                pcre2_compile_8(bytes.baseAddress, bytes.count - 1, options.compileFlags,
                                &errorCode, &errorOffset, nil)
            }
        }
        guard let compiled else {
            throw PCRE2Error(kind: .compile, code: errorCode, offset: errorOffset)
        }
        var jitOK = false
        if options.jit.wantsJIT {
            let rc = pcre2_jit_compile_8(compiled, PCRE2_JIT_COMPLETE)
            jitOK = rc == 0
            if !jitOK && options.jit.requiresJIT {
                pcre2_code_free_8(compiled)
                throw PCRE2Error(kind: .jit, code: rc)
            }
        }
        var minLength: UInt32 = 0
        var captures: UInt32 = 0
        let rc1 = pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_MINLENGTH), &minLength)
        let rc2 = pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_CAPTURECOUNT), &captures)
        guard rc1 == 0, rc2 == 0 else {
            pcre2_code_free_8(compiled)
            throw PCRE2Error(kind: .info, code: rc1 != 0 ? rc1 : rc2)
        }
        self.source = source
        self.options = options
        self.code = compiled
        self.isJITCompiled = jitOK
        self.minLength = Int(minLength)
        self.captureCount = Int(captures)
        self.resetsMatchStart = Self.holdsBackslashK(source)
        var lastType: UInt32 = 0
        var lastUnit: UInt32 = 0
        if pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_LASTCODETYPE), &lastType) == 0, lastType == 1,
           pcre2_pattern_info_8(compiled, UInt32(PCRE2_INFO_LASTCODEUNIT), &lastUnit) == 0, lastUnit < 0x80 {
            let isLetter = (lastUnit | 0x20) >= 0x61 && (lastUnit | 0x20) <= 0x7A
            self.requiredByte = isLetter ? nil : UInt8(lastUnit)
        } else {
            self.requiredByte = nil
        }
    }

    deinit {
        pcre2_code_free_8(code)
    }

    /// Whether `source` holds `\K` after an unescaped backslash (inside `\Q…\E` it is literal;
    /// counting it there only leaves a check out).
    static func holdsBackslashK(_ source: String) -> Bool {
        var escaped = false
        for byte in source.utf8 {
            if escaped {
                if byte == UInt8(ascii: "K") { return true }
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            }
        }
        return false
    }

    /// Whether this PCRE2 build has JIT support at all.
    public static var jitAvailable: Bool {
        var value: UInt32 = 0
        return pcre2_config_8(UInt32(PCRE2_CONFIG_JIT), &value) >= 0 && value == 1
    }

    /// Finds the leftmost match whose start lies in `start...startLimit`.
    ///
    /// `subject` is the whole buffer: characters before `start` and after the match are visible to
    /// `\b` and lookaround, exactly as in a search of the whole buffer. `startLimit` bounds where a
    /// match may *start* (PCRE2's offset limit), so a search costs time proportional to the window,
    /// not to the rest of the buffer.
    ///
    /// - Returns: the match as a half-open byte range, or `nil` when there is no match.
    /// - Throws: ``PCRE2Error`` of kind `match` for every negative return other than "no match"
    ///   (match limit, JIT stack limit, ...). Callers must treat that as "unknown", never as "clean".
    @inline(__always)
    public func firstMatch(
        in subject: UnsafeRawBufferPointer,
        from start: Int,
        startLimit: Int? = nil,
        scratch: inout MatchScratch
    ) throws(PCRE2Error) -> Range<Int>? {
        try unownedHandle.firstMatch(in: subject, from: start, startLimit: startLimit, scratch: &scratch)
    }

    /// A reference-count-free handle for hot loops (see ``UnownedPattern``).
    public var unownedHandle: UnownedPattern {
        UnownedPattern(code: code, isJITCompiled: isJITCompiled, resetsMatchStart: resetsMatchStart)
    }
}

/// A compiled pattern without reference counting, for loops that run PCRE2 millions of times:
/// copying it costs nothing, where passing a ``CompiledPattern`` retains and releases it.
///
/// Valid only while the ``CompiledPattern`` it came from is alive; whoever stores one must also
/// keep that object (the engine keeps both in its immutable pattern set).
public struct UnownedPattern: @unchecked Sendable {
    // SAFETY: the code object is immutable after compilation (see CompiledPattern).
    let code: OpaquePointer
    let isJITCompiled: Bool
    let resetsMatchStart: Bool

    /// ``CompiledPattern/firstMatch(in:from:startLimit:scratch:)`` through the handle (same
    /// contract; the pattern's object must be alive).
    @inline(__always)
    public func firstMatch(
        in subject: UnsafeRawBufferPointer,
        from start: Int,
        startLimit: Int? = nil,
        scratch: inout MatchScratch
    ) throws(PCRE2Error) -> Range<Int>? {
        precondition(start >= 0 && start <= subject.count, "start offset outside the subject")
        let base = subject.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(emptySubject)
        // SAFETY: the match context belongs to `scratch`, which the caller owns exclusively (inout).
        let limit = startLimit.map { max($0, start) }
        pcre2_set_offset_limit_8(scratch.matchContext, limit ?? CPCRE2_unset())
        let rc: Int32
        if isJITCompiled && scratch.useJIT {
            // SAFETY: pcre2_jit_match skips argument and UTF checks (pcre2jit(3) "JIT FAST PATH API").
            // That is sound here: the pattern was compiled with PCRE2_MATCH_INVALID_UTF whenever UTF
            // is on (so invalid subjects are defined behaviour), `start` was checked above, and the
            // match data and context come from `scratch`. The offset limit is honoured because every
            // pattern is compiled with PCRE2_USE_OFFSET_LIMIT. Covered by the JIT on/off oracle tests.
            rc = pcre2_jit_match_8(code, base, subject.count, start, 0, scratch.matchData, scratch.matchContext)
        } else {
            rc = pcre2_match_8(code, base, subject.count, start, PCRE2_NO_JIT, scratch.matchData, scratch.matchContext)
        }
        if rc == PCRE2_ERROR_NOMATCH { return nil }
        if rc < 0 { throw PCRE2Error(kind: .match, code: rc) }
        // rc == 0 means "ovector too small"; the scratch is sized from the largest pattern, so that
        // is a programmer error. Group 0 is filled in either way.
        precondition(rc > 0, "PCRE2 ovector too small: scratch was not created for this pattern set")
        let ovector = pcre2_get_ovector_pointer_8(scratch.matchData)!
        let lower = ovector[0]
        let upper = ovector[1]
        // PCRE2 10.42's JIT steps over invalid UTF-8 at the start position without checking the
        // offset limit, and can report a match starting past it (`\d+` from 0, limit 1, on
        // `8F 8F 8F 31`: 3..<4); the interpreter does not. Without `\K` no match may start there.
        // (With it such starts are the rule; a quirk's match is then still the leftmost match
        // from `start`, only unbounded: the engine's deferred patterns, which need the bound, hold
        // no `\K`. Asking the interpreter instead made dense text 4x slower.)
        if !resetsMatchStart, let limit, lower > limit { return nil }
        // \K or lookbehind tricks can report start > end; treat as a programmer error in patterns.
        precondition(lower <= upper, "pattern reported a match that ends before it starts")
        return lower..<upper
    }
}

// rust-pcre2 #42: PCRE2 rejects a NULL subject even with length 0, so an empty subject is passed
// as a pointer to this one-byte buffer. It is never written.
nonisolated(unsafe) private let emptySubject: UnsafeMutablePointer<UInt8> = {
    let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
    p.initialize(to: 0)
    return p
}()
