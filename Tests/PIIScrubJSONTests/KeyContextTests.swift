import Foundation
import PIIScrub
import PIIScrubJSON
import PIIScrubTestSupport
import Testing

/// A member's key that labels a bare number (`"ssn"`, `"phone_number"`) is read with the value, as
/// `SSN: 078051120` is in text; only the value changes. Every pass 2 strategy (results walked
/// against the batch, slots, recorded entries) and the one-call-per-string path agree. Outputs
/// are compared as Bools: a failure never prints document text.
@Suite("JSON: keys as labels of bare numbers")
struct KeyContextTests {
    static let defaultSet: Scrubber = Scrubber(patternSet: try! TestSets.load("default"))

    static let cases: [(input: String, expected: String)] = [
        (#"{"ssn": "078051120", "id": "123456789"}"#, #"{"ssn": "[SSN]", "id": "123456789"}"#),
        (#"{"customer": {"customerPhone": "5471897133", "PHONE_NUMBER": "2221234567", "name": "x"}}"#,
         #"{"customer": {"customerPhone": "[PHONE]", "PHONE_NUMBER": "[PHONE]", "name": "x"}}"#),
        (#"{"args": "{\"social_security_number\": \"078051120\", \"tel\": \"96110220\"}"}"#,
         #"{"args": "{\"social_security_number\": \"[SSN]\", \"tel\": \"[PHONE]\"}"}"#),
        (#"{"a": "x@example.com", "ssn": "078051120", "b": "call 415-555-0132", "fax": "96110220"}"#,
         #"{"a": "[EMAIL]", "ssn": "[SSN]", "b": "call [PHONE]", "fax": "[PHONE]"}"#),
        // OTLP attributes: the sibling "key" labels the value object's stringValue / intValue.
        (#"{"attributes": [{"key": "user.phone", "value": {"stringValue": "5471897133"}}, {"key": "app.ssn", "value": {"intValue": "078051120"}}, {"key": "order.id", "value": {"stringValue": "5471897133"}}]}"#,
         #"{"attributes": [{"key": "user.phone", "value": {"stringValue": "[PHONE]"}}, {"key": "app.ssn", "value": {"intValue": "[SSN]"}}, {"key": "order.id", "value": {"stringValue": "5471897133"}}]}"#),
        // ...only there: a "value" before its "key", a nested array value, another member name.
        (#"[{"value": {"stringValue": "5471897133"}, "key": "user.phone"}, {"key": "tel", "value": {"arrayValue": {"values": [{"stringValue": "5471897133"}]}}}, {"key": "tel", "value": {"doubleValue": "5471897133"}}, {"key": "tel", "other": {"stringValue": "5471897133"}}]"#,
         #"[{"value": {"stringValue": "5471897133"}, "key": "user.phone"}, {"key": "tel", "value": {"arrayValue": {"values": [{"stringValue": "5471897133"}]}}}, {"key": "tel", "value": {"doubleValue": "5471897133"}}, {"key": "tel", "other": {"stringValue": "5471897133"}}]"#),
        // An IPv4 address of four small octets (a version to the validator alone) under an
        // address key, a member or an OTLP attribute; a version key keeps its version.
        (#"{"remote_addr": "8.8.8.8", "clientIp": "10.0.0.2", "x-forwarded-for": "1.0.0.1", "version": "10.4.22.1", "host": "10.0.0.5:80", "ip": "1.2.3"}"#,
         #"{"remote_addr": "[IP]", "clientIp": "[IP]", "x-forwarded-for": "[IP]", "version": "10.4.22.1", "host": "[IP]:80", "ip": "1.2.3"}"#),
        (#"{"attributes": [{"key": "client.ip", "value": {"stringValue": "10.0.0.9"}}, {"key": "app.version", "value": {"stringValue": "1.0.0.1"}}]}"#,
         #"{"attributes": [{"key": "client.ip", "value": {"stringValue": "[IP]"}}, {"key": "app.version", "value": {"stringValue": "1.0.0.1"}}]}"#),
        // Not a labelling key, not a bare number, or in an array: as before.
        (#"{"hotel": "1234567", "ids": ["123456789"], "ssn": "n/a", "phone": ["5471897133"]}"#,
         #"{"hotel": "1234567", "ids": ["123456789"], "ssn": "n/a", "phone": ["5471897133"]}"#),
    ]

    func scrub(_ input: String, batching: Bool = true, counts: Bool = true, scrubber: Scrubber = defaultSet,
               flat: Bool = false, numbers: Bool = false) -> String {
        var options = JSONScrubber.Options(flat: flat)
        options.batching = batching
        options.countsFieldPaths = counts
        options.scrubNumbers = numbers
        return JSONTestSupport.scrubDocument(input, JSONScrubber(scrubber: scrubber, options: options)).0
    }

    @Test("the value under a labelling key is scrubbed with its key, the key stays", arguments: 0..<cases.count)
    func labelled(_ i: Int) {
        let (input, expected) = Self.cases[i]
        for batching in [true, false] {
            for counts in [true, false] {
                let same = scrub(input, batching: batching, counts: counts) == expected
                #expect(same, "case \(i), batching \(batching), counts \(counts)")
            }
        }
    }

    @Test("a JSON number under a labelling key, with number scrubbing on")
    func number() {
        let same = scrub(#"{"phone": 5471897133, "n": 5471897133}"#, numbers: true)
            == #"{"phone": "[PHONE]", "n": 5471897133}"#
        #expect(same)
    }

    @Test("numbered placeholders stay consistent across keyed values and text")
    func numbered() throws {
        let scrubber = Scrubber(patternSet: try TestSets.load("default"), configuration: .init(operatorOverride: .numbered))
        let same = scrub(#"{"ssn": "078051120", "note": "SSN 078051120, other SSN: 219099999"}"#, scrubber: scrubber)
            == #"{"ssn": "[SSN_1]", "note": "SSN [SSN_1], other SSN: [SSN_2]"}"#
        #expect(same)
    }

    @Test("--flat reads values only, and a set without context-reading patterns is unchanged")
    func flatAndSeed() {
        let input = #"{"ssn": "078051120", "x": "078051120"}"#
        // In --flat mode the value under "ssn" scrubs as the same value under "x" does.
        let flat = scrub(#"{"ssn": "078051120"}"#, flat: true)
        let keyless = scrub(#"{"x": "078051120"}"#, flat: true)
        let sameAsKeyless = flat.dropFirst(#"{"ssn": "#.count) == keyless.dropFirst(#"{"x": "#.count)
        #expect(sameAsKeyless)
        let seedUnchanged = scrub(input, scrubber: JSONTestSupport.seed) == input
        #expect(seedUnchanged)
    }

    @Test("the key words and the context come from the pattern data: a set of one's own, a set without them")
    func fromPatternData() throws {
        func set(_ labels: PatternDefinition.KeyLabels?) throws -> Scrubber {
            Scrubber(patternSet: try PatternSet(name: "t", definitions: [PatternDefinition(
                id: "employee-id", regex: #"(?i:emp(?:loyee)?)[ :#]{1,2}\K[0-9]{7}(?![0-9])"#, replacement: "[EMPLOYEE]",
                prefilter: PrefilterDefinition(trigger: "0-9", minTriggers: 7, span: "A-Za-z0-9 :#"),
                examples: .init(match: ["EMP 1234567"], nomatch: ["x"]), keyLabels: labels)]))
        }
        let input = #"{"employeeId": "1234567", "EMP": 7654321, "ssn": "078051120", "memo": "employee# 1234567"}"#
        let labelled = try set(.init(context: "employee: ", suffixes: ["employeeid"], keys: ["emp"]))
        for batching in [true, false] {
            let same = scrub(input, batching: batching, scrubber: labelled, numbers: true)
                == #"{"employeeId": "[EMPLOYEE]", "EMP": "[EMPLOYEE]", "ssn": "078051120", "memo": "employee# [EMPLOYEE]"}"#
            #expect(same, "batching \(batching)")
        }
        // The same regex without keyLabels: its \K alone gives no key a meaning.
        let unlabelled = try set(nil)
        let keysIgnored = scrub(input, scrubber: unlabelled, numbers: true)
            == #"{"employeeId": "1234567", "EMP": 7654321, "ssn": "078051120", "memo": "employee# [EMPLOYEE]"}"#
        #expect(keysIgnored)
    }
}
