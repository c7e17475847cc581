import Foundation
import PIIScrub
import PIIScrubTestSupport
import Testing

/// Outputs are compared into a Bool first, so a failure never prints scrubbed text.
@Suite("Replacement operators and validators")
struct OperatorTests {
    func scrubber(_ op: ReplacementOperator, key: PseudonymKey? = nil) throws -> Scrubber {
        Scrubber(patternSet: try TestSets.load("seed"),
                 configuration: .init(operatorOverride: op, pseudonymKey: key))
    }

    @Test("numbered: same value, same number, within one payload; restarts per payload")
    func numbered() throws {
        let s = try scrubber(.numbered)
        let text = "a@b.io x@y.io a@b.io 555-123-4567 555-123-4567 123-45-6789"
        let ok1 = s.scrub(text) == "[EMAIL_1] [EMAIL_2] [EMAIL_1] [PHONE_1] [PHONE_1] [SSN_1]"
        #expect(ok1)
        let ok2 = s.scrub("x@y.io") == "[EMAIL_1]"
        #expect(ok2)
    }

    @Test("numbered: a scope keeps numbers across payloads (one trace)")
    func numberedScope() throws {
        let worker = try scrubber(.numbered).makeWorker()
        let outputs = worker.withScope { ["a@b.io", "c@d.io a@b.io", "c@d.io"].map { worker.scrub($0) } }
        let sameOutputs = outputs == ["[EMAIL_1]", "[EMAIL_2] [EMAIL_1]", "[EMAIL_2]"]
        #expect(sameOutputs)
        let ok3 = worker.scrub("c@d.io") == "[EMAIL_1]"
        #expect(ok3)
    }

    @Test("numbered: streaming equals whole input")
    func numberedStreaming() throws {
        let s = try scrubber(.numbered)
        let input = Array(String(repeating: "a@b.io q@r.io 555-123-4567 x ", count: 40).utf8)
        var rng = SplitMix64(seed: 5)
        for size in [1, 3, 64] {
            let ok4 = streamed(chunked(input, size: size, rng: &rng), scrubber: s) == s.scrub(input)
            #expect(ok4)
        }
    }

    @Test("mask keeps the last 4 letters/digits and the separators")
    func mask() throws {
        let s = try scrubber(.mask(keepLast: 4))
        let ok5 = s.scrub("call 555-123-4567 or 123-45-6789") == "call ***-***-4567 or ***-**-6789"
        #expect(ok5)
        let ok6 = s.scrub("john.doe@example.com") == "****.***@******e.com"
        #expect(ok6)
    }

    @Test("keyed pseudonyms are deterministic per key and differ between keys")
    func keyed() throws {
        // A toy MAC for the test: the engine only needs a deterministic function of the message.
        func key(_ id: String, _ salt: UInt8) -> PseudonymKey {
            PseudonymKey(id: id) { message in
                var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(salt)
                for b in message { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
                return (0..<8).map { UInt8(truncatingIfNeeded: h >> (8 * $0)) }
            }
        }
        let a = try scrubber(.keyed, key: key("k1", 1))
        let b = try scrubber(.keyed, key: key("k2", 2))
        let first = a.scrub("mail a@b.io")
        let ok7 = first == a.scrub("mail a@b.io")
        #expect(ok7)
        let ok8 = first != b.scrub("mail a@b.io")
        #expect(ok8)
        let shaped = first.hasPrefix("mail [EMAIL:k1:") && first.hasSuffix("]")
        #expect(shaped)
        let leaked = first.contains("a@b.io")
        #expect(!leaked)
        let ok9 = a.scrub("mail x@y.io") != first
        #expect(ok9)
    }

    @Test("a validator rejects a candidate and the search goes on from the next character")
    func validator() throws {
        let definition = PatternDefinition(
            id: "card", regex: "\\b\\d{4}(?:[ -]?\\d{4}){3}\\b", replacement: "[CARD]",
            prefilter: PrefilterDefinition(trigger: "0-9", minTriggers: 16, span: "0-9 \\-"),
            examples: .init(match: ["4111 1111 1111 1111"], nomatch: ["x"]), validate: "luhn")
        for configuration in EngineConfiguration.all {
            let s = configuration.scrubber(try PatternSet(name: "t", definitions: [definition]))
            let ok10 = s.scrub("pay 4111 1111 1111 1111 now") == "pay [CARD] now"
            #expect(ok10, "\(configuration)")
            let ok11 = s.scrub("pay 4111 1111 1111 1112 now") == "pay 4111 1111 1111 1112 now"
            #expect(ok11, "\(configuration)")
        }
        #expect(Validators.luhn([4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]))
        #expect(!Validators.luhn([1, 2, 3, 4]))
    }

    @Test("an unknown validator or operator is a load error naming the pattern")
    func unknownNames() {
        let bad = PatternDefinition(id: "x", regex: "a", replacement: "[X]", validate: "nope")
        #expect(throws: PIIScrubError.self) { try PatternSet(name: "t", definitions: [bad]) }
        let bad2 = PatternDefinition(id: "x", regex: "a", replacement: "[X]", operator: "shout")
        #expect(throws: PIIScrubError.self) { try PatternSet(name: "t", definitions: [bad2]) }
    }
}
