import Foundation
@testable import PIIScrub
import PIIScrubTestSupport
import Testing

/// The pattern-file reader (``PatternFileJSON``) against FoundationEssentials' `JSONDecoder`, which
/// the loader used before: the same ``PatternSetDefinition`` for every document `JSONDecoder`
/// decodes, the same error (missing key, wrong type, not valid JSON; the same key and path for the
/// first two) for every document it refuses.
///
/// # Where the reader is stricter, on purpose
///
/// `JSONDecoder` accepts some documents that are not RFC 8259 JSON; the reader refuses them as not
/// valid JSON (no shipped file relies on them: the shipped-file test compares without exceptions):
/// - a trailing comma in an array or object (`[1,]`, `{"a":1,}`);
/// - a string it never decodes (an unknown member's, a key inside an unknown member) holding an
///   invalid escape, an unpaired surrogate escape, a raw control character or invalid UTF-8;
/// - a number it never decodes that is not RFC syntax (`01`, `1.`, `-`, `1-2`);
/// - UTF-16 and UTF-32 documents (with or without a byte order mark), which it transcodes.
///
/// ``agree(_:)`` allows exactly these: `JSONDecoder` decoded, the reader refused for one of those
/// reasons, and an independent check confirms the document is not RFC 8259 JSON (a trailing comma
/// at the reported offset, or corelibs' `JSONSerialization`, which reads every value, refusing it).
@Suite("Pattern file JSON")
struct PatternFileJSONTests {
    /// What decoding a document gave, in the terms the loader's messages use.
    enum Outcome: Equatable, CustomStringConvertible {
        case value(PatternSetDefinition)
        /// The whole message: "missing key 'K' at PATH".
        case missingKey(String)
        /// The whole message: "wrong type at PATH".
        case wrongType(String)
        case invalidJSON

        var description: String {
            switch self {
            case .value(let set): "value(\(set.name), \(set.patterns?.count ?? 0) patterns)"
            case .missingKey(let message), .wrongType(let message): message
            case .invalidJSON: "not valid JSON"
            }
        }
    }

    /// `JSONDecoder`'s outcome, with the loader's old message shapes.
    static func reference(_ bytes: [UInt8]) -> Outcome {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.isEmpty ? "top level"
                : codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        do {
            return .value(try JSONDecoder().decode(PatternSetDefinition.self, from: Data(bytes)))
        } catch DecodingError.keyNotFound(let key, let context) {
            return .missingKey("missing key '\(key.stringValue)' at \(path(context.codingPath))")
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            return .wrongType("wrong type at \(path(context.codingPath))")
        } catch {
            return .invalidJSON
        }
    }

    /// The reader's outcome, and its error.
    static func candidate(_ bytes: [UInt8]) -> (Outcome, PatternFileJSONError?) {
        do {
            return (.value(try PatternFileJSON.decodePatternSet(bytes)), nil)
        } catch {
            switch error.kind {
            case .missingKey: return (.missingKey(error.description), error)
            case .wrongType: return (.wrongType(error.description), error)
            case .invalidJSON: return (.invalidJSON, error)
            }
        }
    }

    /// Whether JSONDecoder reads `bytes` as UTF-16 or UTF-32: a UTF-16 byte order mark, or a NUL
    /// byte among the first four (a UTF-8 JSON text has none there).
    static func transcodedByJSONDecoder(_ bytes: [UInt8]) -> Bool {
        bytes.starts(with: [0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE]) || bytes.prefix(4).contains(0)
    }

    /// The reasons for which the reader refuses a document `JSONDecoder` decodes.
    static let stricterReasons: Set<PatternFileJSON.Reason> = [
        .trailingComma, .malformedNumber, .controlCharacter, .invalidEscape, .unpairedSurrogate, .invalidUTF8,
    ]

    /// Nil when the two decoders agree on `bytes` (or differ only as the suite's discussion
    /// allows); otherwise what differs.
    static func agree(_ bytes: [UInt8]) -> String? {
        let expected = reference(bytes)
        let (actual, error) = candidate(bytes)
        if actual == expected { return nil }
        if transcodedByJSONDecoder(bytes) {
            return actual == .invalidJSON ? nil : "JSONDecoder transcodes this; the reader gave \(actual)"
        }
        guard case .value = expected, actual == .invalidJSON, let error,
              case .invalidJSON(let reason) = error.kind, stricterReasons.contains(reason), let offset = error.offset
        else {
            return "JSONDecoder: \(expected); reader: \(actual)\(error.map { " (\($0))" } ?? "")"
        }
        if reason == .trailingComma {
            // Independent of the parser: a comma, then only whitespace before a closing bracket.
            let rest = bytes[offset...].dropFirst().drop { [0x20, 0x09, 0x0A, 0x0D].contains($0) }
            return bytes[offset] == UInt8(ascii: ",") && [UInt8(ascii: "]"), UInt8(ascii: "}")].contains(rest.first)
                ? nil : "a trailing comma claimed where there is none (\(error))"
        }
        let strictlyValid = (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
        return strictlyValid ? "the reader refused a document JSONSerialization reads (\(error))" : nil
    }

    /// Every `.json` file under `patterns/`, as (path relative to it, bytes).
    static func shippedFiles() throws -> [(String, [UInt8])] {
        let names = FileManager.default.enumerator(atPath: TestPaths.patterns)?.compactMap { $0 as? String } ?? []
        return try names.filter { $0.hasSuffix(".json") }.sorted().map { name in
            (name, [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestPaths.patterns + "/" + name))))
        }
    }

    @Test("every shipped file decodes exactly as JSONDecoder decodes it")
    func shippedFilesAgree() throws {
        let files = try Self.shippedFiles()
        #expect(files.count >= 8)
        #expect(files.contains { $0.0 == "default/contact.json" })
        var decoded = 0
        for (name, bytes) in files {
            let expected = Self.reference(bytes)
            #expect(Self.candidate(bytes).0 == expected, "\(name)")
            if case .value = expected { decoded += 1 }
        }
        // Every pattern set decodes; patterns/data/phone-regions.json is not one (missing 'name').
        #expect(decoded == files.count - 1)
    }

    /// A document setting every stored property of the five types to a value other than its default.
    static let allFields = #"""
        {
          "name": "all-fields",
          "description": "every stored property set",
          "include": ["a.json", "b/c.json"],
          "patterns": [{
            "id": "p", "description": "d", "regex": "[a-z]+@x", "asciiRegex": "[a-z]+@x", "flags": ["caseless"],
            "replacement": "[P]", "stage": 2, "priority": -1, "deferred": true, "maxLength": 64,
            "prefilter": {"trigger": "@", "triggerUnicode": "digits", "minTriggers": 2, "span": "a-z@",
              "spanUnicode": "list", "spanCodePoints": ["U+212A"], "anchor": "@x", "anchorCaseless": true,
              "digitRun": 3, "digitRunWithin": 4, "validLength": 5, "validLengthUnless": "=",
              "validLengthUnlessAlone": 6, "triggerGap": 7, "triggerGapExact": false, "requires": ["@"],
              "requiresClass": "A-Z", "requiresClassCount": 8, "requiresCaseless": ["abc"],
              "requiresNonASCII": true, "digitChain": [4, 4], "digitGroups": [[3, 2, 4], [4]],
              "runStart": [["a-z", "@", "x"], ["b", "c", "d"]], "dottedQuad": true, "digitPairAfter": "A-Z"},
            "examples": {"match": ["a@x"], "nomatch": ["b"]},
            "validate": "luhn", "type": "email", "operator": "mask", "maskKeep": 4,
            "keyLabels": {"context": "SSN: ", "value": "number", "suffixes": ["ssn"], "keys": ["tel"]}
          }]
        }
        """#

    /// The stored properties of `value` that are nil (every property of the five types is optional
    /// or a non-optional String).
    static func unsetProperties(_ value: Any) -> [String] {
        Mirror(reflecting: value).children.compactMap { child in
            let mirror = Mirror(reflecting: child.value)
            return mirror.displayStyle == .optional && mirror.children.isEmpty ? child.label ?? "?" : nil
        }
    }

    @Test("a document setting every stored property decodes as JSONDecoder decodes it")
    func everyField() throws {
        let bytes = Array(Self.allFields.utf8)
        guard case .value(let set) = Self.reference(bytes) else {
            Issue.record("JSONDecoder refused the all-fields document")
            return
        }
        #expect(Self.candidate(bytes).0 == .value(set))
        // A property added to a type must be added to the document (and then to the reader).
        let pattern = try #require(set.patterns?.first)
        #expect(Self.unsetProperties(set).isEmpty)
        #expect(Self.unsetProperties(pattern).isEmpty, "\(Self.unsetProperties(pattern))")
        let prefilter = try #require(pattern.prefilter)
        #expect(Self.unsetProperties(prefilter).isEmpty, "\(Self.unsetProperties(prefilter))")
        #expect(Self.unsetProperties(try #require(pattern.examples)).isEmpty)
        #expect(Self.unsetProperties(try #require(pattern.keyLabels)).isEmpty)
    }

    /// An edge document and what the reader must give: what JSONDecoder gives, or (documented above)
    /// not valid JSON for a reason where JSONDecoder decodes.
    struct Edge: CustomStringConvertible, Sendable {
        enum Expectation: Sendable {
            case same
            case stricter(PatternFileJSON.Reason)
        }

        var name: String
        var bytes: [UInt8]
        var expectation: Expectation

        init(_ name: String, _ text: String, _ expectation: Expectation = .same) {
            self.init(name, Array(text.utf8), expectation)
        }

        init(_ name: String, _ bytes: [UInt8], _ expectation: Expectation = .same) {
            self.name = name
            self.bytes = bytes
            self.expectation = expectation
        }

        var description: String { name }
    }

    /// `{"name":"t","patterns":[{…, <member>}]}`: a valid pattern with one more member.
    static func pattern(_ member: String) -> String {
        #"{"name":"t","patterns":[{"id":"a","regex":"b","replacement":"c""# + (member.isEmpty ? "" : "," + member) + "}]}"
    }

    /// A pattern with a prefilter object holding `members`.
    static func prefilter(_ members: String) -> String {
        pattern(#""prefilter":{"trigger":"@","span":"a-z@""# + (members.isEmpty ? "" : "," + members) + "}")
    }

    /// `{"name":"t","x":<value>}`: `value` as an unknown member, which JSONDecoder never decodes.
    static func unknown(_ value: String) -> String {
        #"{"name":"t","x":"# + value + "}"
    }

    /// `{"name": <string literal bytes>}`, raw bytes between the quotes.
    static func name(_ raw: [UInt8]) -> [UInt8] {
        Array(#"{"name":""#.utf8) + raw + Array(#""}"#.utf8)
    }

    static func nested(_ depth: Int) -> String {
        unknown(String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
    }

    static let edges: [Edge] = [
        // Valid documents.
        Edge("minimal", #"{"name":"t"}"#),
        Edge("minimal pattern", pattern("")),
        Edge("null optionals", #"{"name":"t","description":null,"include":null,"patterns":null}"#),
        Edge("null pattern optionals", pattern(#""stage":null,"prefilter":null,"examples":null,"keyLabels":null,"flags":null"#)),
        Edge("empty containers", #"{"name":"","include":[],"patterns":[]}"#),
        Edge("unknown keys everywhere", prefilter(#""x":{"y":[1,2.5,"z",null,true]},"zz":-0.0e-0"#)
            .replacingOccurrences(of: #"{"name":"t","#, with: #"{"name":"t","license":[{}],"#)),
        Edge("unknown keys in examples and keyLabels",
             pattern(#""examples":{"match":["b"],"note":1},"keyLabels":{"context":"x","q":[]}"#)),
        Edge("duplicate key: the first wins", #"{"name":"a","name":"b"}"#),
        Edge("duplicate key: a later wrong type is ignored", #"{"name":"a","name":5}"#),
        Edge("duplicate key: a first null wins", #"{"name":"t","description":null,"description":"x"}"#),
        Edge("duplicate key: a later null is ignored", #"{"name":"t","description":"x","description":null}"#),
        Edge("duplicate pattern field", pattern(#""stage":1,"stage":2"#)),
        Edge("key equal as a Swift string: KELVIN SIGN for K", pattern("\"mask\u{212A}eep\":3")),
        Edge("key equal as a Swift string, escaped", pattern(#""mask\u212Aeep":3,"maskKeep":4"#)),
        Edge("key not equal: combining mark", "{\"name\u{301}\":\"x\",\"name\":\"t\"}"),
        Edge("escapes", #"{"name":"\"\\\/\b\f\n\r\t"}"#),
        Edge("unicode escapes", #"{"name":"\u00e9\u00E9\u20AC\uFFFF\u0000\u001f"}"#),
        Edge("surrogate pair escapes", #"{"name":"\uD83D\uDE00\ud834\udd1e\uDBFF\uDFFF"}"#),
        Edge("raw UTF-8", "{\"name\":\"é€😀\u{7F}\u{301}ñ\"}"),
        Edge("escaped key", #"{"n\u0061me":"t"}"#),
        Edge("byte order mark", [0xEF, 0xBB, 0xBF] + Array(#"{"name":"t"}"#.utf8)),
        Edge("whitespace everywhere", " \t\r\n{ \"name\" \n:\r\"t\"\t, \"patterns\" : [ ] } \n"),
        Edge("depth 512", nested(511)),
        // Numbers read as Int.
        Edge("int 0", pattern(#""stage":0"#)),
        Edge("int -0", pattern(#""stage":-0"#)),
        Edge("int -3", pattern(#""priority":-3"#)),
        Edge("int 5.0", pattern(#""stage":5.0"#)),
        Edge("int 5e0", pattern(#""stage":5e0"#)),
        Edge("int 5E+1", pattern(#""stage":5E+1"#)),
        Edge("int 50e-1", pattern(#""stage":50e-1"#)),
        Edge("int -0.0", pattern(#""stage":-0.0"#)),
        Edge("int 1e18", pattern(#""stage":1e18"#)),
        Edge("int 1e-400", pattern(#""stage":1e-400"#)),
        Edge("int 0e999999", pattern(#""stage":0e999999"#)),
        Edge("int 1.0000000000000000001", pattern(#""stage":1.0000000000000000001"#)),
        Edge("int Int.max", pattern(#""stage":9223372036854775807"#)),
        Edge("int Int.min", pattern(#""stage":-9223372036854775808"#)),
        Edge("int 2^53+1 with a fraction", pattern(#""stage":9007199254740993.0"#)),
        Edge("int 2^53+1 with a dropped fraction", pattern(#""stage":9007199254740993.5"#)),
        Edge("int 2^53+1 as mantissa and exponent", pattern(#""stage":90071992547409930000e-4"#)),
        Edge("int 5.5", pattern(#""stage":5.5"#)),
        Edge("int 15e-1", pattern(#""stage":15e-1"#)),
        Edge("int 1e19", pattern(#""stage":1e19"#)),
        Edge("int 1e400", pattern(#""stage":1e400"#)),
        Edge("int Int.max + 1", pattern(#""stage":9223372036854775808"#)),
        Edge("int Int.min - 1", pattern(#""stage":-9223372036854775809"#)),
        Edge("int Int.max as a fraction", pattern(#""stage":9223372036854775807.0"#)),
        Edge("int Int.min as a fraction", pattern(#""stage":-9223372036854775808.0"#)),
        Edge("int -2^63 with an exponent", pattern(#""stage":-9223372036854775808e0"#)),
        Edge("digitChain [Int]", prefilter(#""digitChain":[4,4.0,4e0]"#)),
        Edge("digitChain with a fraction", prefilter(#""digitChain":[4,4.5]"#)),
        // Wrong types.
        Edge("top level array", "[]"),
        Edge("top level number", "5"),
        Edge("top level string", #""t""#),
        Edge("top level null", "null"),
        Edge("top level true", "true"),
        Edge("name number", #"{"name":5}"#),
        Edge("name null", #"{"name":null}"#),
        Edge("name array", #"{"name":["t"]}"#),
        Edge("name object", #"{"name":{}}"#),
        Edge("patterns object", #"{"name":"t","patterns":{}}"#),
        Edge("patterns element number", #"{"name":"t","patterns":[5]}"#),
        Edge("patterns element null", #"{"name":"t","patterns":[null]}"#),
        Edge("stage string", pattern(#""stage":"5""#)),
        Edge("stage true", pattern(#""stage":true"#)),
        Edge("stage array", pattern(#""stage":[5]"#)),
        Edge("flags string", pattern(#""flags":"caseless""#)),
        Edge("flags element number", pattern(#""flags":["ascii",1]"#)),
        Edge("flags element null", pattern(#""flags":[null]"#)),
        Edge("prefilter number", pattern(#""prefilter":5"#)),
        Edge("prefilter array", pattern(#""prefilter":[]"#)),
        Edge("anchorCaseless number", prefilter(#""anchorCaseless":1"#)),
        Edge("anchorCaseless string", prefilter(#""anchorCaseless":"true""#)),
        Edge("digitChain element string", prefilter(#""digitChain":[1,"2"]"#)),
        Edge("examples match element bool", pattern(#""examples":{"match":[true]}"#)),
        Edge("keyLabels string", pattern(#""keyLabels":"x""#)),
        Edge("second pattern wrong type", #"{"name":"t","patterns":[{"id":"a","regex":"b","replacement":"c"},{"id":1}]}"#),
        Edge("invalid string where an Int is read", pattern(#""stage":"\x""#)),
        Edge("malformed number where a String is read", pattern(#""type":01"#)),
        Edge("malformed number where a Bool is read", prefilter(#""anchorCaseless":-"#)),
        // Missing keys.
        Edge("empty object", "{}"),
        Edge("pattern without fields", #"{"name":"t","patterns":[{}]}"#),
        Edge("pattern without regex", #"{"name":"t","patterns":[{"id":"a"}]}"#),
        Edge("pattern without replacement", #"{"name":"t","patterns":[{"id":"a","regex":"b"}]}"#),
        Edge("prefilter without trigger", pattern(#""prefilter":{"span":"a"}"#)),
        Edge("prefilter without span", pattern(#""prefilter":{"trigger":"a"}"#)),
        Edge("keyLabels without context", pattern(#""keyLabels":{"keys":["x"]}"#)),
        Edge("second pattern missing a key", #"{"name":"t","patterns":[{"id":"a","regex":"b","replacement":"c"},{"id":"a","regex":"b"}]}"#),
        Edge("missing key before a bad unknown string", #"{"x":"\q","patterns":[]}"#),
        Edge("missing key before a trailing comma", #"{"name":"t","patterns":[{"id":"a"},]}"#),
        // Not valid JSON, for both.
        Edge("empty", ""),
        Edge("whitespace only", " \n"),
        Edge("open brace", "{"),
        Edge("unterminated object", #"{"name":"t""#),
        Edge("unterminated string", #"{"name":"t"#),
        Edge("extra brace", #"{"name":"t"}}"#),
        Edge("trailing garbage", #"{"name":"t"} x"#),
        Edge("second value", #"{"name":"t"} {}"#),
        Edge("missing colon", #"{"name" "t"}"#),
        Edge("missing comma", #"{"name":"t" "x":1}"#),
        Edge("bare key", #"{name:"t"}"#),
        Edge("single quotes", #"{'name':'t'}"#),
        Edge("double comma", #"{"name":"t",,"x":1}"#),
        Edge("leading comma", #"{,"name":"t"}"#),
        Edge("lone comma in array", unknown("[,]")),
        Edge("leading comma in array", unknown("[,1]")),
        Edge("comment", unknown("/*c*/1")),
        Edge("NaN", unknown("NaN")),
        Edge("Infinity", unknown("Infinity")),
        Edge("plus sign", unknown("+1")),
        Edge("leading dot", unknown(".5")),
        Edge("hex", unknown("0x1")),
        Edge("bad literal", unknown("tru")),
        Edge("long literal", unknown("nulll")),
        Edge("literals run together", unknown("[truefalse]")),
        Edge("number then letter", unknown("1x")),
        Edge("vertical tab", "{\u{0B}\"name\":\"t\"}"),
        Edge("no-break space", "{\u{A0}\"name\":\"t\"}"),
        Edge("NUL after the value", Array(#"{"name":"t"}"#.utf8) + [0]),
        Edge("invalid UTF-8 outside strings", Array(#"{"name":"t","#.utf8) + [0xFF] + Array(#""x":1}"#.utf8)),
        Edge("whitespace before a byte order mark", [0x20, 0xEF, 0xBB, 0xBF] + Array(#"{"name":"t"}"#.utf8)),
        Edge("two byte order marks", [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF] + Array(#"{"name":"t"}"#.utf8)),
        Edge("depth 513", nested(512)),
        Edge("quote inside a \\u escape", unknown(#""\u1"2""#)),
        Edge("short \\u escape at the end", unknown(#""\u"#)),
        Edge("number 01", pattern(#""stage":01"#)),
        Edge("number 00", pattern(#""stage":00"#)),
        Edge("number 5.", pattern(#""stage":5."#)),
        Edge("number 1e", pattern(#""stage":1e"#)),
        Edge("number -", pattern(#""stage":-"#)),
        Edge("number --1", pattern(#""stage":--1"#)),
        Edge("number 1-2", pattern(#""stage":1-2"#)),
        Edge("number 1e5.5", pattern(#""stage":1e5.5"#)),
        Edge("number 1.e5", pattern(#""stage":1.e5"#)),
        Edge("escape \\x", #"{"name":"\x"}"#),
        Edge("escape \\U", #"{"name":"\U0041"}"#),
        Edge("escape \\u with a bad digit", #"{"name":"\u12G4"}"#),
        Edge("lone high surrogate", #"{"name":"\uD800"}"#),
        Edge("lone low surrogate", #"{"name":"\uDC00"}"#),
        Edge("high surrogate then a letter", #"{"name":"\uD800\u0041"}"#),
        Edge("high surrogate then a raw letter", #"{"name":"\uD834x"}"#),
        Edge("high surrogate then \\n", #"{"name":"\uD834\n"}"#),
        Edge("two high surrogates", #"{"name":"\uD834\uD834\uDD1E"}"#),
        Edge("surrogates reversed", #"{"name":"\uDD1E\uD834"}"#),
        Edge("raw tab in a string", name([0x09])),
        Edge("raw 0x1F in a string", name([0x1F])),
        Edge("raw newline in a string", name([0x0A])),
        Edge("invalid UTF-8 0xFF", name([0xFF])),
        Edge("invalid UTF-8 continuation", name([0x80])),
        Edge("overlong UTF-8", name([0xC0, 0x80])),
        Edge("overlong 3-byte UTF-8", name([0xE0, 0x80, 0x80])),
        Edge("UTF-8 surrogate", name([0xED, 0xA0, 0x80])),
        Edge("UTF-8 past U+10FFFF", name([0xF4, 0x90, 0x80, 0x80])),
        Edge("truncated UTF-8", name([0xE2, 0x82])),
        Edge("invalid key in a read object", Array(#"{"name":"t",""#.utf8) + [0xFF] + Array(#"":1}"#.utf8)),
        Edge("escape error in a key of a read object", #"{"name":"t","\x":1}"#),
        Edge("bad string read before a missing key", #"{"name":"\x","patterns":[{}]}"#),
        Edge("bad number read before a trailing comma", #"{"name":"t","patterns":[{"id":"a","regex":"b","replacement":"c","stage":1.5}],"x":[1,]}"#),
        // JSONDecoder decodes these; the reader refuses them (see the suite's discussion).
        Edge("trailing comma in an object", #"{"name":"t",}"#, .stricter(.trailingComma)),
        Edge("trailing comma in an array", #"{"name":"t","include":["a",]}"#, .stricter(.trailingComma)),
        Edge("trailing comma in an unknown member", unknown(#"{"a":[1,],}"#), .stricter(.trailingComma)),
        Edge("unknown member: bad escape", unknown(#""\x""#), .stricter(.invalidEscape)),
        Edge("unknown member: bad \\u escape", unknown(#""\u12G4""#), .stricter(.invalidEscape)),
        Edge("unknown member: lone surrogate", unknown(#""\uD800""#), .stricter(.unpairedSurrogate)),
        Edge("unknown member: control character", unknown("\"a\u{1}b\""), .stricter(.controlCharacter)),
        Edge("unknown member: invalid UTF-8", Array(unknown("\"").utf8.dropLast()) + [0xFF] + Array("\"}".utf8),
             .stricter(.invalidUTF8)),
        Edge("unknown member: bad key inside", unknown(#"{"\x":1}"#), .stricter(.invalidEscape)),
        Edge("unknown member: number 01", unknown("01"), .stricter(.malformedNumber)),
        Edge("unknown member: number 1.", unknown("1."), .stricter(.malformedNumber)),
        Edge("unknown member: number -", unknown("-"), .stricter(.malformedNumber)),
        Edge("unknown member: number 1-2", unknown("1-2"), .stricter(.malformedNumber)),
        Edge("unknown member: number 1e5E+-.", unknown("1e5E+-."), .stricter(.malformedNumber)),
        Edge("a second, unread member of the same key", #"{"name":"t","name":"\x"}"#, .stricter(.invalidEscape)),
        Edge("UTF-16LE with a byte order mark", [0xFF, 0xFE] + Array(#"{"name":"t"}"#.utf8).flatMap { [$0, 0] },
             .stricter(.expectedValue)),
        Edge("UTF-16BE without a byte order mark", Array(#"{"name":"t"}"#.utf8).flatMap { [0, $0] },
             .stricter(.expectedValue)),
        Edge("UTF-32LE", Array(#"{"name":"t"}"#.utf8).flatMap { [$0, 0, 0, 0] }, .stricter(.expectedKey)),
    ]

    @Test("edge documents: the same value or the same error as JSONDecoder", arguments: edges)
    func edgeDocument(_ edge: Edge) {
        switch edge.expectation {
        case .same:
            let expected = Self.reference(edge.bytes)
            let (actual, error) = Self.candidate(edge.bytes)
            #expect(actual == expected, "JSONDecoder: \(expected); reader: \(actual) \(error.map(String.init(describing:)) ?? "")")
        case .stricter(let reason):
            if case .value = Self.reference(edge.bytes) {} else {
                Issue.record("JSONDecoder no longer decodes this: \(Self.reference(edge.bytes))")
            }
            let error = Self.candidate(edge.bytes).1
            #expect(error?.kind == .invalidJSON(reason), "reader: \(error.map(String.init(describing:)) ?? "decoded")")
            #expect(Self.agree(edge.bytes) == nil, "\(Self.agree(edge.bytes) ?? "")")
        }
    }

    @Test("invalid JSON gives a position and a structural reason, never the file's text")
    func messages() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pii-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func loadMessage(_ text: String) throws -> String {
            let path = dir.appendingPathComponent("set.json").path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            do {
                _ = try PatternSet.load(path: path)
                return "loaded"
            } catch {
                #expect(error.code == .invalidPatternFile)
                #expect(!error.message.contains("SECRET"), "the message quotes the file: \(error.message)")
                return String(error.message.dropFirst(path.count + 2))
            }
        }
        #expect(try loadMessage(#"{"name":"t","patterns":[{"id":"a","regex":"SECRET"}]}"#)
                == "missing key 'replacement' at patterns.0")
        #expect(try loadMessage(#"{"name":"t","patterns":[{"id":"a","regex":"b","replacement":"c","prefilter":"SECRET"}]}"#)
                == "wrong type at patterns.0.prefilter")
        #expect(try loadMessage("{\n  \"name\": \"t\",\n  \"patterns\": [{\"id\": \"a\", \"regex\": \"b\", \"replacement\": \"c\", \"stage\": 1.5}]\n}")
                == "not valid JSON (number is not an integer in Int's range at line 3, column 71) at patterns.0.stage")
        #expect(try loadMessage("{\n  \"name\": \"SECRET\" x\n}")
                == "not valid JSON (expected ',' or '}' at line 2, column 20) at top level")
        #expect(try loadMessage("{\"name\": \"t\", \"x\": \"SECRET\\q\"}")
                == "not valid JSON (invalid escape in a string at line 1, column 27) at top level")
        #expect(try loadMessage("{\"name\": \"SECRET\\q\"}")
                == "not valid JSON (invalid escape in a string at line 1, column 17) at name")
    }

    @Test("numbers read as Int: JSONDecoder's rules, on generated numbers", arguments: 0..<4)
    func generatedNumbers(seed: UInt64) throws {
        var rng = SplitMix64(seed: 0x4A53_4F4E + seed)
        let boundaries = ["9007199254740992", "9007199254740993", "9223372036854775807", "9223372036854775808",
                          "18446744073709551615", "18446744073709551616", "4503599627370497"]
        func digits(_ count: Int) -> String {
            String((0..<count).map { _ in Character(Unicode.Scalar(UInt8(ascii: "0") + UInt8(rng.next() % 10))) })
        }
        var mismatches: [String] = []
        for _ in 0..<3_000 {
            var text = rng.next() % 3 == 0 ? "-" : ""
            switch rng.next() % 5 {
            case 0: text += boundaries[Int(rng.next() % UInt64(boundaries.count))]
            case 1: text += "0"
            default: text += String(1 + rng.next() % 9) + digits(Int(rng.next() % 24))
            }
            if rng.next() % 2 == 0 { text += "." + digits(Int(rng.next() % 30)) }
            if rng.next() % 2 == 0 {
                text += ["e", "E", "e+", "e-", "E-"][Int(rng.next() % 5)] + digits(Int(rng.next() % 4))
            }
            if rng.next() % 16 == 0 {
                // Not RFC syntax now and then: a stray sign, dot or zero.
                let junk = ["0", ".", "-", "+", "e"][Int(rng.next() % 5)]
                let at = text.index(text.startIndex, offsetBy: Int(rng.next() % UInt64(text.count + 1)))
                text.insert(contentsOf: junk, at: at)
            }
            let document = Array("[\(text)]".utf8)
            let expected = try? JSONDecoder().decode([Int].self, from: Data(document))
            let actual = try? PatternFileJSON.array(PatternFileJSON.strictValue(document),
                                                    at: .init(container: [], component: .index(0)), PatternFileJSON.int)
            if expected != actual { mismatches.append("\(text): JSONDecoder \(String(describing: expected)), reader \(String(describing: actual))") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) differ, first: \(mismatches.prefix(5))")
    }

    /// One random change to a document: a byte replaced (often by a JSON-significant one, or by a
    /// letter or digit), inserted or deleted, a bit flipped, or a short range deleted or repeated.
    static func mutate(_ bytes: inout [UInt8], using rng: inout SplitMix64) {
        let interesting = Array(#"{}[]:,"\/ubfnrt0123456789-+.eE "#.utf8) + [0x00, 0x09, 0x0A, 0x1F, 0x7F, 0x80, 0xBF, 0xC3, 0xE2, 0xED, 0xEF, 0xF4, 0xFF]
        func byte() -> UInt8 {
            rng.next() % 3 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : interesting[Int(rng.next() % UInt64(interesting.count))]
        }
        let at = bytes.isEmpty ? 0 : Int(rng.next() % UInt64(bytes.count))
        switch rng.next() % 8 {
        case 6 where !bytes.isEmpty, 7 where !bytes.isEmpty:
            // A letter or digit: inside a string (most of a pattern file) the document stays valid.
            bytes[at] = Array("aZ09kK_x".utf8)[Int(rng.next() % 8)]
        case 0 where !bytes.isEmpty: bytes[at] = byte()
        case 1: bytes.insert(byte(), at: at)
        case 2 where !bytes.isEmpty: bytes.remove(at: at)
        case 3 where !bytes.isEmpty: bytes[at] ^= 1 << UInt8(rng.next() % 8)
        case 4 where !bytes.isEmpty: bytes.removeSubrange(at..<min(bytes.count, at + 1 + Int(rng.next() % 8)))
        case 5 where !bytes.isEmpty: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + 1 + Int(rng.next() % 8))], at: at)
        default: bytes.append(byte())
        }
    }

    @Test("mutated shipped files and edge documents: the same outcome as JSONDecoder", arguments: 0..<4)
    func mutations(seed: UInt64) throws {
        var rng = SplitMix64(seed: 0x5EED_0000 + seed)
        // Half the cases from the shipped files (but the large phone table) and the all-fields
        // document, half from the edge documents.
        let files = try Self.shippedFiles().map(\.1).filter { $0.count < 30_000 } + [Array(Self.allFields.utf8)]
        let edges = Self.edges.map(\.bytes)
        var failures: [String] = []
        var refused = 0
        for _ in 0..<2_000 {
            let sources = rng.next() % 2 == 0 ? files : edges
            var bytes = sources[Int(rng.next() % UInt64(sources.count))]
            for _ in 0..<(1 + Int(rng.next() % 3)) { Self.mutate(&bytes, using: &rng) }
            if case .invalidJSON = Self.candidate(bytes).0 { refused += 1 }
            if let problem = Self.agree(bytes) {
                // Generated from the shipped files (no subject text): printing the case is safe.
                failures.append("\(problem) on \(escaped(Array(bytes.prefix(300))))")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) of 2,000 differ; first: \(failures.first ?? "")")
        // The mutations reach both sides: not everything is refused, not everything decodes.
        #expect((200..<1_900).contains(refused), "\(refused) refused")
    }
}
