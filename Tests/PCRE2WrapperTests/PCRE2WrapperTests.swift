import PCRE2Wrapper
import Testing

@Suite("PCRE2 wrapper: compile, JIT, errors, limits, invalid UTF-8")
struct PCRE2WrapperTests {
    func matches(_ pattern: CompiledPattern, _ subject: [UInt8], useJIT: Bool = true,
                 limits: MatchLimits = .init()) throws(PCRE2Error) -> [Range<Int>] {
        var scratch = MatchScratch(maxCaptureCount: pattern.captureCount, limits: limits, useJIT: useJIT)
        var result: [Range<Int>] = []
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, subject.count), alignment: 1)
        defer { raw.deallocate() }
        raw.copyBytes(from: subject)
        let view = UnsafeRawBufferPointer(start: raw.baseAddress, count: subject.count)
        var at = 0
        while at <= view.count, let m = try pattern.firstMatch(in: view, from: at, scratch: &scratch) {
            result.append(m)
            at = m.upperBound > m.lowerBound ? m.upperBound : m.upperBound + 1
        }
        return result
    }

    @Test("JIT is available and used; results equal the interpreter's")
    func jitEqualsInterpreter() throws {
        #expect(CompiledPattern.jitAvailable)
        let p = try CompiledPattern("\\b\\d{3}-\\d{2}-\\d{4}\\b")
        #expect(p.isJITCompiled)
        let subject = Array("ssn 123-45-6789, \u{0661}\u{0662}\u{0663}-45-6789 and 9123-45-6789".utf8)
        let jit = try matches(p, subject)
        #expect(jit == (try matches(p, subject, useJIT: false)))
        #expect(jit.count == 2)
    }

    @Test("a compile error carries the pattern offset and PCRE2's message")
    func compileError() {
        do {
            _ = try CompiledPattern("ab(c")
            Issue.record("compiled an invalid pattern")
        } catch {
            #expect(error.kind == .compile)
            #expect(error.offset == 4)
            #expect(error.description.contains("missing closing parenthesis"))
        }
    }

    @Test("MINLENGTH and capture count are reported")
    func info() throws {
        let p = try CompiledPattern("(a)(b)?c{2}")
        #expect(p.minLength == 3)
        #expect(p.captureCount == 2)
    }

    @Test("the start limit bounds where a match may start, with context before the start visible")
    func startLimitAndContext() throws {
        let p = try CompiledPattern("\\bab")
        let subject = Array("xab ab ab".utf8)
        var scratch = MatchScratch(maxCaptureCount: 0)
        var results: [Range<Int>?] = []
        try subject.withUnsafeBytes { raw in
            // Starting at 1, \b sees the 'x' before: no boundary, so the first match is at 4.
            results.append(try p.firstMatch(in: raw, from: 1, scratch: &scratch))
            results.append(try p.firstMatch(in: raw, from: 1, startLimit: 3, scratch: &scratch))
            results.append(try p.firstMatch(in: raw, from: 5, startLimit: 7, scratch: &scratch))
        }
        #expect(results == [4..<6, nil, 7..<9])
    }

    @Test("the start limit holds after invalid UTF-8 at the start; a \\K match may end past it")
    func startLimitAfterInvalidUTF8() throws {
        // PCRE2 10.42's JIT steps over invalid bytes at the start position without checking the
        // offset limit (it reported 3..<6 for the first search).
        let digits = try CompiledPattern("\\d+")
        let keep = try CompiledPattern("a\\K\\d+")
        for jit in [true, false] {
            var scratch = MatchScratch(maxCaptureCount: 0, useJIT: jit)
            var results: [Range<Int>?] = []
            let invalid: [UInt8] = [0x8F, 0x8F, 0x8F, 0x31, 0x32, 0x33]
            try invalid.withUnsafeBytes { raw in
                results.append(try digits.firstMatch(in: raw, from: 0, startLimit: 1, scratch: &scratch))
                results.append(try digits.firstMatch(in: raw, from: 0, startLimit: 3, scratch: &scratch))
            }
            // `\K` reports a start past the limit where the match started within it.
            try Array(" a123".utf8).withUnsafeBytes { raw in
                results.append(try keep.firstMatch(in: raw, from: 0, startLimit: 1, scratch: &scratch))
                results.append(try keep.firstMatch(in: raw, from: 0, startLimit: 0, scratch: &scratch))
            }
            #expect(results == [nil, 3..<6, 2..<5, nil], "jit \(jit)")
        }
    }

    @Test("invalid UTF-8 never matches and never crashes, JIT and interpreter alike")
    func invalidUTF8() throws {
        let p = try CompiledPattern("\\w+")
        let subject: [UInt8] = [0x61, 0xFF, 0x62, 0xC3, 0x28, 0x63, 0xED, 0xA0, 0x80, 0x64]
        for jit in [true, false] {
            #expect(try matches(p, subject, useJIT: jit) == [0..<1, 2..<3, 5..<6, 9..<10])
        }
    }

    @Test("hitting the match limit is an error (callers fail closed), for JIT and interpreter")
    func matchLimit() throws {
        let p = try CompiledPattern("(?:a+)+b")
        let subject = Array((String(repeating: "a", count: 32) + "c b").utf8)
        for jit in [true, false] {
            do {
                _ = try matches(p, subject, useJIT: jit, limits: MatchLimits(matchLimit: 10_000))
                Issue.record("no limit error with jit=\(jit)")
            } catch {
                #expect(error.kind == .match)
                #expect(error.isResourceLimit)
                #expect(!error.description.contains("aaaa"))
            }
        }
    }

    @Test("an empty subject is passed as a valid pointer")
    func emptySubject() throws {
        let p = try CompiledPattern("a")
        #expect(try matches(p, []).isEmpty)
        var scratch = MatchScratch(maxCaptureCount: 0)
        #expect(try p.firstMatch(in: UnsafeRawBufferPointer(start: nil, count: 0), from: 0, scratch: &scratch) == nil)
    }

    @Test("requiredByte is PCRE2's last literal, never a letter (inline (?i) makes letters caseless)")
    func requiredByte() throws {
        #expect(try CompiledPattern(#"\b\d{3}-\d{2}-\d{4}\b"#).requiredByte == UInt8(ascii: "-"))
        #expect(try CompiledPattern(#"[a-z]+@[a-z]+\.[a-z]{2,}"#).requiredByte == UInt8(ascii: "."))
        #expect(try CompiledPattern(#"(?i:secret_?key)[:=]\d+"#).requiredByte == nil)
        #expect(try CompiledPattern(#"\d{3}[-.]?\d{4}"#).requiredByte == nil)
    }
}
