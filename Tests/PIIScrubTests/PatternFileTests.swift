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
        for regex in ["a^b", "ab$", #"\Aab"#, #"ab\z"#, #"\Gab"#, "a(?=b)", "(?<=a)b", "(*UCP)ab", "(*plb:a)b", "(*positive_lookahead:a)a"] {
            let set = try PatternSet(name: "t", definitions: [definition(regex)])
            #expect(!set.isCuttable, "\(regex) is context syntax")
        }
        for regex in ["a[$^]b", "a(?!b)", "(?<!a)b", #"a\^b"#, #"ab\Kc"#, "(*sr:[a-z]+)b", "(?>(*script_run:a+))b",
                      "(*atomic:a+)b", "(*asr:a+)"] {
            let set = try PatternSet(name: "t", definitions: [definition(regex)])
            #expect(set.isCuttable, "\(regex) is not context syntax")
        }
        #expect(definition(#"ab\Kc"#).resetsMatchStart)
        #expect(!definition(#"ab[\K]c"#).resetsMatchStart)
        #expect(!definition(#"ab\\Kc"#).resetsMatchStart)
    }

    @Test("keyLabels are checked at load: \\K, the context, the words, a bare number read after the context")
    func keyLabelsAreChecked() {
        func load(_ regex: String, _ labels: PatternDefinition.KeyLabels) -> PIIScrubError.Code? {
            do {
                _ = try PatternSet(name: "t", definitions: [PatternDefinition(
                    id: "employee-id", regex: regex, replacement: "[EMPLOYEE]",
                    examples: .init(match: ["EMP 1234567"], nomatch: ["x"]), keyLabels: labels)])
                return nil
            } catch {
                return error.code
            }
        }
        let regex = #"(?i:emp)[ :]{1,2}\K[0-9]{7}(?![0-9])"#
        #expect(load(regex, .init(context: "EMP: ", suffixes: ["employeeid"], keys: ["emp"])) == nil)
        #expect(load(regex, .init(context: "emp ", keys: ["emp"])) == nil)
        // No \K: the context would be part of the match (and of what replaces it).
        #expect(load(#"(?i:emp)[ :]{1,2}[0-9]{7}(?![0-9])"#, .init(context: "EMP: ", keys: ["emp"])) == .invalidPatternFile)
        // A context after which the regex reads no bare number, or only part of one.
        #expect(load(regex, .init(context: "ID: ", keys: ["emp"])) == .invalidPatternFile)
        #expect(load(#"(?i:emp)[ :]{1,2}\K[0-9]{5}"#, .init(context: "EMP: ", keys: ["emp"])) == .invalidPatternFile)
        // Malformed contexts and words.
        #expect(load(regex, .init(context: "", keys: ["emp"])) == .invalidPatternFile)
        #expect(load(regex, .init(context: "EMP:\n", keys: ["emp"])) == .invalidPatternFile)
        #expect(load(regex, .init(context: "EMP: ")) == .invalidPatternFile)
        #expect(load(regex, .init(context: "EMP: ", suffixes: ["employee_id"])) == .invalidPatternFile)
        #expect(load(regex, .init(context: "EMP: ", keys: ["Emp"])) == .invalidPatternFile)
        #expect(load(regex, .init(context: "EMP: ", keys: ["emp"], value: "date")) == .invalidPatternFile)
        // IPv4 values: the regex and its validator must take 10.0.0.8 after the context.
        func loadAddress(_ regex: String, validate: String?, _ labels: PatternDefinition.KeyLabels) -> PIIScrubError.Code? {
            do {
                _ = try PatternSet(name: "t", definitions: [PatternDefinition(
                    id: "ip", regex: regex, replacement: "[IP]", examples: .init(match: ["203.0.113.5"], nomatch: ["x"]),
                    validate: validate, keyLabels: labels)])
                return nil
            } catch {
                return error.code
            }
        }
        let address = #"(?<![0-9.])[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?![0-9])"#
        #expect(loadAddress(address, validate: "ipv4", .init(context: "ip: ", keys: ["ip"], value: "ipv4")) == nil)
        #expect(loadAddress(address, validate: nil, .init(context: "ip: ", keys: ["ip"], value: "ipv4")) == nil)
        // A context the validator does not read as an address word, or a regex that takes no address.
        #expect(loadAddress(address, validate: "ipv4", .init(context: "id: ", keys: ["ip"], value: "ipv4")) == .invalidPatternFile)
        #expect(loadAddress(#"[0-9]{1,3}(?:\.[0-9]{1,3}){2}"#, validate: nil, .init(context: "ip: ", keys: ["ip"], value: "ipv4"))
                    == .invalidPatternFile)
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
