import PCRE2Wrapper
import Testing

// The manifest declares PCRE2WrapperTests; without a source file in it a fresh checkout does not
// build ("Source files for target PCRE2WrapperTests should be located under ..."). These cases
// also cover the leftmost-match loop the PCRE2Raw benchmark uses as its floor.
@Suite struct CompiledPatternSmokeTests {
    @Test(arguments: [
        ("\\d{3}-\\d{2}-\\d{4}", "a 123-45-6789 b 987-65-4321", 2),
        ("[a-z]+@[a-z]+\\.com", "x@y.com and z@w.com and q@r.org", 2),
        ("\\d{3}", "", 0),
    ])
    func leftmostMatchLoopCounts(pattern: String, subject: String, expected: Int) throws {
        let compiled = try CompiledPattern(pattern)
        var scratch = MatchScratch(maxCaptureCount: compiled.captureCount)
        var count = 0
        var bytes = Array(subject.utf8)
        try bytes.withUnsafeMutableBytes { raw in
            let buffer = UnsafeRawBufferPointer(raw)
            var at = 0
            while at <= buffer.count, let match = try compiled.firstMatch(in: buffer, from: at, scratch: &scratch) {
                count += 1
                at = match.upperBound
            }
        }
        #expect(count == expected, "pattern \(pattern)")
    }
}
