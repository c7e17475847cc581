import Foundation
import PIIScrub
import PIIScrubTestSupport
import Testing

/// Every pattern file tests itself: each pattern compiles (MINLENGTH > 0, prefilter claims hold for
/// its examples, checked at load), matches each `examples.match` in full (from after its context to its end, for a
/// pattern with `\K`), and matches nothing in
/// each `examples.nomatch`, under every engine configuration.
@Suite("Pattern files")
struct PatternFileTests {
    static func patternFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: TestPaths.patterns)
            .filter { $0.hasSuffix(".json") }.sorted()
    }

    @Test("every shipped set loads")
    func setsLoad() throws {
        let files = try Self.patternFiles()
        #expect(files.contains("seed.json"))
        for file in files {
            let set = try PatternSet.load(path: TestPaths.patterns + "/" + file)
            #expect(!set.patterns.isEmpty, "\(file) has patterns")
        }
    }

    @Test("lexical regex checks: context syntax makes a set uncuttable, `\\K` marks a context, classes are skipped")
    func lexicalChecks() throws {
        func definition(_ regex: String) -> PatternDefinition {
            PatternDefinition(id: "t", regex: regex, replacement: "[T]",
                              prefilter: PrefilterDefinition(trigger: "a", span: "a-z"))
        }
        for regex in ["a^b", "ab$", #"\Aab"#, #"ab\z"#, #"\Gab"#, "a(?=b)", "(?<=a)b", "(*UCP)ab"] {
            let set = try PatternSet(name: "t", definitions: [definition(regex)])
            #expect(!set.isCuttable, "\(regex) is context syntax")
        }
        for regex in ["a[$^]b", "a(?!b)", "(?<!a)b", #"a\^b"#, #"ab\Kc"#] {
            let set = try PatternSet(name: "t", definitions: [definition(regex)])
            #expect(set.isCuttable, "\(regex) is not context syntax")
        }
        #expect(definition(#"ab\Kc"#).resetsMatchStart)
        #expect(!definition(#"ab[\K]c"#).resetsMatchStart)
        #expect(!definition(#"ab\\Kc"#).resetsMatchStart)
    }

    @Test("examples of every pattern, every configuration")
    func examples() throws {
        for file in try Self.patternFiles() {
            let set = try PatternSet.load(path: TestPaths.patterns + "/" + file)
            for pattern in set.patterns {
                var single = pattern.definition
                single.stage = 0
                let alone = try PatternSet(name: pattern.id, definitions: [single])
                let examples = pattern.definition.examples
                let matchCount = examples?.match?.count ?? 0
                let nomatchCount = examples?.nomatch?.count ?? 0
                #expect(matchCount > 0, "\(file)/\(pattern.id) has match examples")
                #expect(nomatchCount > 0, "\(file)/\(pattern.id) has nomatch examples")
                for configuration in EngineConfiguration.all {
                    let scrubber = configuration.scrubber(alone)
                    for (i, example) in (examples?.match ?? []).enumerated() {
                        let findings = scrubber.findings(in: example)
                        let n = example.utf8.count
                        if pattern.definition.resetsMatchStart {
                            // `\K`: the context before the match stays (where the branch that matched
                            // has one); the match runs to the end.
                            #expect(findings.count == 1 && findings[0].patternID == pattern.id
                                        && findings[0].range.upperBound == n,
                                    "\(file)/\(pattern.id) match example #\(i) [\(configuration)]: \(findings)")
                        } else {
                            #expect(findings == [Finding(patternID: pattern.id, range: 0..<n)],
                                    "\(file)/\(pattern.id) match example #\(i) [\(configuration)]: \(findings)")
                        }
                    }
                    for (i, example) in (examples?.nomatch ?? []).enumerated() {
                        let findings = scrubber.findings(in: example)
                        #expect(findings.isEmpty, "\(file)/\(pattern.id) nomatch example #\(i) [\(configuration)]: \(findings)")
                    }
                }
            }
        }
    }
}
