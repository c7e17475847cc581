/// The JSON reader for pattern files: a small RFC 8259 parser and the readers the pattern types
/// map their fields with (``PatternSetDefinition/init(patternJSON:at:)`` and its neighbours).
///
/// It replaces FoundationEssentials' `JSONDecoder` in ``PatternSet/load(path:jit:)``, which spent
/// a third of `pii-scrub scrub --patterns default`'s start-up instructions (11 of 33 M) decoding
/// the pattern files through `Codable`; this reader takes 3.9 M (start-up task-clock 5.4 → 4.5 ms,
/// docs/BENCH.md). The types keep their `Codable` conformances for
/// other callers; this path gives the same values (the test suite compares the two on every shipped
/// file, a table of edge documents and thousands of mutated files).
///
/// ## What it accepts
///
/// Exactly RFC 8259 JSON in UTF-8, with an optional UTF-8 byte order mark, nested at most
/// ``maximumDepth`` deep. `JSONDecoder` is more lenient, and this reader does not follow it there:
/// it accepts trailing commas (`[1,]`), reads UTF-16 and UTF-32 documents, and never looks at the
/// strings and numbers it does not decode (a control character, an invalid escape or bad UTF-8 in
/// an unknown member's string, `01` or `1.` as an unknown member's number). No shipped file relies
/// on any of that.
///
/// ## Which error comes first
///
/// `JSONDecoder` finds errors in two passes: a scan that checks the structure (brackets, commas,
/// colons, literals, where strings and numbers end, the depth), then a decode that reads the fields
/// in declaration order and only then checks the strings and numbers it reads. A file with two
/// mistakes therefore reports the one the decode meets first. This reader keeps that order so that
/// messages do not change: structure errors are thrown while parsing, a string or number that is
/// not valid is kept as ``Value/invalidString(_:)`` or ``Value/invalidNumber(_:)`` and thrown when
/// a field reads it, and the first one in the document that no field read (or a trailing comma) is
/// thrown after the mapping has succeeded.
///
/// ## Performance
///
/// One pass over the bytes; a string without escapes is copied once into its `String`, and member
/// lookup is a linear scan (a pattern object has at most a few dozen members).
enum PatternFileJSON {
    /// How deep arrays and objects may nest: `JSONDecoder`'s limit, so no document is refused for
    /// depth that it reads. The parser recurses once per level (two frames), well within any
    /// thread's stack.
    static let maximumDepth = 512

    /// One parsed JSON value.
    enum Value: Sendable {
        case null
        case bool(Bool)
        /// A number written as an integer (no fraction, no exponent) that fits `Int`.
        case integer(Int)
        /// Any other valid number, as written; ``integer(fromNumber:)`` converts it when a field
        /// reads it.
        case number(String, offset: Int)
        case string(String)
        case array([Value])
        /// Members in document order, duplicates kept (the first one counts, as in `JSONDecoder`).
        case object([Member])
        /// A string whose contents are not valid (bad escape, unpaired surrogate escape, control
        /// character, invalid UTF-8): an error only when read, see the type's discussion.
        case invalidString(Defect)
        /// A number token that is not RFC 8259 syntax (`01`, `1.`, `1e`, `1-2`).
        case invalidNumber(Defect)
    }

    /// One member of an object.
    struct Member: Sendable {
        /// The key; empty when the key's contents are not valid (then ``keyDefect`` says why).
        var key: String
        /// Why the key is not a valid string; checked when the object is mapped, as `JSONDecoder`
        /// decodes every key of an object it opens.
        var keyDefect: Defect?
        var value: Value
    }

    /// What is wrong with a document, and where (a byte offset). An `Error` so that the parser
    /// can throw it; it becomes a ``PatternFileJSONError`` at the parser's edge.
    struct Defect: Error, Sendable, Hashable {
        var reason: Reason
        var offset: Int
    }

    /// Why a document is not valid JSON. Descriptions are structural: they never quote the file.
    enum Reason: Sendable, Hashable, CustomStringConvertible {
        case unexpectedEnd
        case expectedValue
        case expectedKey
        case expectedColon
        case expectedCommaOrBrace
        case expectedCommaOrBracket
        case invalidLiteral
        case dataAfterValue
        case tooDeep
        case trailingComma
        case malformedNumber
        case numberNotInt
        case controlCharacter
        case invalidEscape
        case unpairedSurrogate
        case invalidUTF8

        var description: String {
            switch self {
            case .unexpectedEnd: "unexpected end of input"
            case .expectedValue: "expected a value"
            case .expectedKey: "expected a string key"
            case .expectedColon: "expected ':'"
            case .expectedCommaOrBrace: "expected ',' or '}'"
            case .expectedCommaOrBracket: "expected ',' or ']'"
            case .invalidLiteral: "expected true, false or null"
            case .dataAfterValue: "data after the top-level value"
            case .tooDeep: "nested more than \(PatternFileJSON.maximumDepth) deep"
            case .trailingComma: "trailing comma"
            case .malformedNumber: "malformed number"
            case .numberNotInt: "number is not an integer in Int's range"
            case .controlCharacter: "unescaped control character in a string"
            case .invalidEscape: "invalid escape in a string"
            case .unpairedSurrogate: "unpaired surrogate escape in a string"
            case .invalidUTF8: "invalid UTF-8"
            }
        }
    }

    /// One step of the path to a value: a member key or an array index.
    enum PathComponent: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    /// Where a value sits: `[]` is the top level.
    typealias Path = [PathComponent]

    /// A parsed document: its value, and the first defect in it that is thrown only if no field
    /// reads an invalid value first (see the type's discussion).
    struct Document: Sendable {
        var root: Value
        var deferredDefect: Defect?
    }

    /// Parses a whole document.
    ///
    /// - Throws: ``PatternFileJSONError`` with ``PatternFileJSONError/Kind/invalidJSON(_:)`` for a
    ///   structure error: anything but an invalid string or number, or a trailing comma, which are
    ///   returned in the value and ``Document/deferredDefect``.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(PatternFileJSONError) -> Document {
        var parser = Parser(bytes: bytes)
        do throws(Defect) {
            let root = try parser.document()
            return Document(root: root, deferredDefect: parser.deferredDefect)
        } catch {
            throw PatternFileJSONError(error, at: [])
        }
    }

    /// Parses a whole document and throws for anything that is not RFC 8259 JSON.
    ///
    /// - Throws: ``PatternFileJSONError`` with ``PatternFileJSONError/Kind/invalidJSON(_:)``.
    static func strictValue(_ bytes: [UInt8]) throws(PatternFileJSONError) -> Value {
        // SAFETY: the pointer does not escape the closure: parse copies every string and number it
        // returns out of the buffer.
        let document = try bytes.withUnsafeBufferPointer { (bytes) throws(PatternFileJSONError) in try parse(bytes) }
        if let defect = document.deferredDefect { throw PatternFileJSONError(defect, at: []) }
        return document.root
    }

    /// Decodes a pattern set file: the same value `JSONDecoder` gives, or an error of the same kind.
    ///
    /// - Throws: ``PatternFileJSONError``, positioned (line and column) in `bytes`.
    static func decodePatternSet(_ bytes: [UInt8]) throws(PatternFileJSONError) -> PatternSetDefinition {
        do throws(PatternFileJSONError) {
            // SAFETY: as in strictValue, the document holds no pointer into the buffer.
            let document = try bytes.withUnsafeBufferPointer { (bytes) throws(PatternFileJSONError) in try parse(bytes) }
            let set = try PatternSetDefinition(patternJSON: document.root, at: [])
            if let defect = document.deferredDefect { throw PatternFileJSONError(defect, at: []) }
            return set
        } catch {
            var error = error
            error.locate(in: bytes)
            throw error
        }
    }
}

/// Why a pattern file could not be decoded, in the three shapes the loader's messages have always
/// had: a missing key, a wrong type, or not valid JSON, each at a path such as
/// `patterns.3.prefilter` or `top level`.
///
/// Never quotes the file: keys named are the types' own field names, positions are line and
/// column.
struct PatternFileJSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    enum Kind: Sendable, Hashable {
        /// A required field is absent (`path` is the object's).
        case missingKey(String)
        /// A field holds another JSON type, or null where a value is required.
        case wrongType
        /// The document is not valid JSON there, or a number read as `Int` is not one.
        case invalidJSON(PatternFileJSON.Reason)
    }

    var kind: Kind
    var path: PatternFileJSON.Path
    /// The byte offset of an ``Kind/invalidJSON(_:)``.
    var offset: Int?
    /// 1-based line and byte column of ``offset``, once ``locate(in:)`` has run.
    var position: (line: Int, column: Int)?

    init(_ kind: Kind, at path: PatternFileJSON.Path, offset: Int? = nil) {
        self.kind = kind
        self.path = path
        self.offset = offset
    }

    init(_ defect: PatternFileJSON.Defect, at path: PatternFileJSON.Path) {
        self.init(.invalidJSON(defect.reason), at: path, offset: defect.offset)
    }

    /// Fills in ``position`` from ``offset``; only called on the way out, so a document full of
    /// errors costs one count of its lines.
    mutating func locate(in bytes: [UInt8]) {
        guard let offset, position == nil else { return }
        let before = bytes.prefix(min(offset, bytes.count))
        let lineStart = before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        position = (before.count { $0 == UInt8(ascii: "\n") } + 1, before.count - lineStart + 1)
    }

    var description: String {
        let at = path.isEmpty ? "top level" : path.map {
            switch $0 {
            case .key(let key): key
            case .index(let index): String(index)
            }
        }.joined(separator: ".")
        switch kind {
        case .missingKey(let key):
            return "missing key '\(key)' at \(at)"
        case .wrongType:
            return "wrong type at \(at)"
        case .invalidJSON(let reason):
            let position = position.map { " at line \($0.line), column \($0.column)" } ?? offset.map { " at byte \($0)" } ?? ""
            return "not valid JSON (\(reason)\(position)) at \(at)"
        }
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.kind == rhs.kind && lhs.path == rhs.path && lhs.offset == rhs.offset
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(path)
        hasher.combine(offset)
    }
}

// MARK: - Parser

extension PatternFileJSON {
    /// A recursive-descent parser over the file's bytes.
    ///
    /// It borrows the bytes for the length of one ``PatternFileJSON/parse(_:)`` call and copies
    /// whatever it returns out of them (`String`s), so no value outlives the buffer.
    ///
    /// Structure errors are thrown; invalid strings and numbers are kept as values (see
    /// ``PatternFileJSON``), and the first of them, or the first trailing comma, is remembered in
    /// ``deferredDefect``.
    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var at = 0
        var deferredDefect: Defect?
        /// Reused for strings with escapes.
        var scratch: [UInt8] = []

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        mutating func document() throws(Defect) -> Value {
            // A UTF-8 byte order mark, which RFC 8259 lets a parser ignore (and JSONDecoder does).
            if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { at = 3 }
            let root = try value(depth: 0)
            skipWhitespace()
            guard at == bytes.count else { throw Defect(reason: .dataAfterValue, offset: at) }
            return root
        }

        mutating func note(_ defect: Defect) {
            if deferredDefect == nil { deferredDefect = defect }
        }

        mutating func skipWhitespace() {
            while at < bytes.count {
                switch bytes[at] {
                case 0x20, 0x0A, 0x0D, 0x09: at += 1
                default: return
                }
            }
        }

        /// The next byte after whitespace, not consumed.
        mutating func peek() throws(Defect) -> UInt8 {
            skipWhitespace()
            guard at < bytes.count else { throw Defect(reason: .unexpectedEnd, offset: at) }
            return bytes[at]
        }

        /// A value at `depth` open containers.
        mutating func value(depth: Int) throws(Defect) -> Value {
            switch try peek() {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return try string()
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
            default: throw Defect(reason: .expectedValue, offset: at)
            }
        }

        mutating func literal(_ word: StaticString, _ value: Value) throws(Defect) -> Value {
            let count = word.utf8CodeUnitCount
            for i in 0..<count {
                guard at + i < bytes.count else { throw Defect(reason: .unexpectedEnd, offset: bytes.count) }
                guard bytes[at + i] == word.utf8Start[i] else { throw Defect(reason: .invalidLiteral, offset: at + i) }
            }
            at += count
            return value
        }

        mutating func object(depth: Int) throws(Defect) -> Value {
            var members: [Member] = []
            guard try open(depth: depth, closer: UInt8(ascii: "}")) else { return .object(members) }
            repeat {
                guard try peek() == UInt8(ascii: "\"") else { throw Defect(reason: .expectedKey, offset: at) }
                let key = try string()
                guard try peek() == UInt8(ascii: ":") else { throw Defect(reason: .expectedColon, offset: at) }
                at += 1
                switch key {
                case .string(let key): members.append(Member(key: key, value: try value(depth: depth + 1)))
                case .invalidString(let defect):
                    members.append(Member(key: "", keyDefect: defect, value: try value(depth: depth + 1)))
                default: preconditionFailure("string() returns a string or an invalid string")
                }
            } while try next(closer: UInt8(ascii: "}"), otherwise: .expectedCommaOrBrace)
            return .object(members)
        }

        mutating func array(depth: Int) throws(Defect) -> Value {
            var elements: [Value] = []
            guard try open(depth: depth, closer: UInt8(ascii: "]")) else { return .array(elements) }
            repeat {
                elements.append(try value(depth: depth + 1))
            } while try next(closer: UInt8(ascii: "]"), otherwise: .expectedCommaOrBracket)
            return .array(elements)
        }

        /// Consumes a container's opening bracket; false when `closer` follows at once (empty).
        mutating func open(depth: Int, closer: UInt8) throws(Defect) -> Bool {
            guard depth < maximumDepth else { throw Defect(reason: .tooDeep, offset: at) }
            at += 1
            guard try peek() == closer else { return true }
            at += 1
            return false
        }

        /// After a member or element: consumes a comma (true: another one follows) or `closer`
        /// (false). A comma right before `closer` is a trailing comma: noted (JSONDecoder accepts
        /// it, see ``PatternFileJSON``), and the container ends.
        mutating func next(closer: UInt8, otherwise reason: Reason) throws(Defect) -> Bool {
            switch try peek() {
            case UInt8(ascii: ","):
                let comma = at
                at += 1
                guard try peek() == closer else { return true }
                note(Defect(reason: .trailingComma, offset: comma))
                at += 1
                return false
            case closer:
                at += 1
                return false
            default:
                throw Defect(reason: reason, offset: at)
            }
        }

        /// A number token: `-` or a digit, then every following byte of `0-9 . e E + -` (where
        /// JSONDecoder's scan ends it too), checked against RFC 8259's grammar.
        mutating func number() -> Value {
            let start = at
            at += 1
            while at < bytes.count, Self.continuesNumber(bytes[at]) { at += 1 }
            let token = UnsafeBufferPointer(rebasing: bytes[start..<at])
            guard let isInteger = Self.numberSyntax(token) else {
                let defect = Defect(reason: .malformedNumber, offset: start)
                note(defect)
                return .invalidNumber(defect)
            }
            if isInteger, let value = Self.integerDigits(token) { return .integer(value) }
            return .number(String(decoding: token, as: UTF8.self), offset: start)
        }

        static func continuesNumber(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"),
                 UInt8(ascii: "+"), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }

        /// Whether `token` is an RFC 8259 number (nil if not), and whether it is written as an
        /// integer (no fraction or exponent).
        static func numberSyntax(_ token: UnsafeBufferPointer<UInt8>) -> Bool? {
            var i = 0
            func digits() -> Int {
                let from = i
                while i < token.count, token[i] &- UInt8(ascii: "0") < 10 { i += 1 }
                return i - from
            }
            if i < token.count, token[i] == UInt8(ascii: "-") { i += 1 }
            guard i < token.count else { return nil }
            if token[i] == UInt8(ascii: "0") {
                i += 1
            } else if digits() == 0 {
                return nil
            }
            var isInteger = true
            if i < token.count, token[i] == UInt8(ascii: ".") {
                i += 1
                guard digits() > 0 else { return nil }
                isInteger = false
            }
            if i < token.count, token[i] | 0x20 == UInt8(ascii: "e") {
                i += 1
                if i < token.count, token[i] == UInt8(ascii: "+") || token[i] == UInt8(ascii: "-") { i += 1 }
                guard digits() > 0 else { return nil }
                isInteger = false
            }
            return i == token.count ? isInteger : nil
        }

        /// The value of an integer token (`-?[0-9]+`, checked), nil when it does not fit `Int`.
        static func integerDigits(_ token: UnsafeBufferPointer<UInt8>) -> Int? {
            let negative = token[0] == UInt8(ascii: "-")
            var value = 0
            for digit in token.dropFirst(negative ? 1 : 0) {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                // Accumulate negative numbers as negative, so Int.min fits.
                let (next, o2) = negative ? times10.subtractingReportingOverflow(Int(digit &- UInt8(ascii: "0")))
                    : times10.addingReportingOverflow(Int(digit &- UInt8(ascii: "0")))
                guard !o1, !o2 else { return nil }
                value = next
            }
            return value
        }

        /// A string starting at its opening quote. Where it ends, and the errors thrown, follow
        /// JSONDecoder's scan: a backslash escapes the next byte, `\u` the next four, which may not
        /// hold a quote. Everything else wrong inside is an ``Value/invalidString(_:)``.
        ///
        /// Bytes that need no care (printable ASCII but `"` and `\`, well-formed UTF-8) are copied
        /// a run at a time; the regexes of pattern files are long and full of escapes.
        mutating func string() throws(Defect) -> Value {
            at += 1
            let start = at
            // Fast path: printable ASCII up to the closing quote.
            var i = start
            while i < bytes.count {
                let byte = bytes[i]
                if byte == UInt8(ascii: "\"") {
                    at = i + 1
                    return .string(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))
                }
                if Self.needsCare(byte) { break }
                i += 1
            }
            scratch.removeAll(keepingCapacity: true)
            var run = start
            var defect: Defect?
            func fail(_ reason: Reason, _ offset: Int) {
                if defect == nil { defect = Defect(reason: reason, offset: offset) }
            }
            // A high surrogate escape whose low half (the `\u` right after it, checked) is next.
            var pendingHigh: (value: UInt32, offset: Int)?
            while true {
                guard i < bytes.count else { throw Defect(reason: .unexpectedEnd, offset: i) }
                let byte = bytes[i]
                guard Self.needsCare(byte) else {
                    i += 1
                    continue
                }
                if byte >= 0x80 {
                    if let length = Self.utf8SequenceLength(bytes, at: i) {
                        i += length
                    } else {
                        fail(.invalidUTF8, i)
                        i += 1
                    }
                    continue
                }
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i]))
                if byte == UInt8(ascii: "\"") { break }
                if byte < 0x20 {
                    fail(.controlCharacter, i)
                    i += 1
                } else {
                    try escape(at: &i, pendingHigh: &pendingHigh, decode: defect == nil, fail: fail)
                }
                run = i
            }
            at = i + 1
            if let defect {
                note(defect)
                return .invalidString(defect)
            }
            return .string(String(decoding: scratch, as: UTF8.self))
        }

        /// Whether a string byte is more than itself: `"`, `\`, a control character or non-ASCII.
        @inline(__always)
        static func needsCare(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte &- 0x20 >= 0x60
        }

        /// The escape at `i` (a backslash): appends what it stands for to ``scratch`` when
        /// `decode`, and moves `i` past it. A high surrogate must be followed at once by `\u` and
        /// a low one (as JSONDecoder requires); it is kept in `pendingHigh` until then.
        ///
        /// - Throws: where JSONDecoder's scan does: the input ends, or a `\u`'s four bytes hold a
        ///   quote.
        mutating func escape(at i: inout Int, pendingHigh: inout (value: UInt32, offset: Int)?, decode: Bool,
                             fail: (Reason, Int) -> Void) throws(Defect) {
            guard i + 1 < bytes.count else { throw Defect(reason: .unexpectedEnd, offset: i + 1) }
            let escape = bytes[i + 1]
            guard escape == UInt8(ascii: "u") else {
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(escape)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                default: fail(.invalidEscape, i)
                }
                i += 2
                return
            }
            guard i + 6 <= bytes.count else { throw Defect(reason: .unexpectedEnd, offset: bytes.count) }
            let hex = UnsafeBufferPointer(rebasing: bytes[(i + 2)..<(i + 6)])
            if hex.contains(UInt8(ascii: "\"")) { throw Defect(reason: .invalidEscape, offset: i) }
            defer { i += 6 }
            guard decode else { return }
            guard let unit = Self.hexValue(hex) else {
                fail(.invalidEscape, i)
                return
            }
            if let high = pendingHigh {
                pendingHigh = nil
                guard (0xDC00...0xDFFF).contains(unit) else {
                    fail(.unpairedSurrogate, high.offset)
                    return
                }
                Self.appendUTF8(0x10000 + ((high.value - 0xD800) << 10) + (unit - 0xDC00), to: &scratch)
            } else if (0xD800...0xDBFF).contains(unit) {
                if i + 8 <= bytes.count, bytes[i + 6] == UInt8(ascii: "\\"), bytes[i + 7] == UInt8(ascii: "u") {
                    pendingHigh = (unit, i)
                } else {
                    fail(.unpairedSurrogate, i)
                }
            } else if (0xDC00...0xDFFF).contains(unit) {
                fail(.unpairedSurrogate, i)
            } else {
                Self.appendUTF8(unit, to: &scratch)
            }
        }

        /// The value of four hex digits, or nil.
        static func hexValue(_ hex: UnsafeBufferPointer<UInt8>) -> UInt32? {
            var value: UInt32 = 0
            for byte in hex {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }

        /// Appends a scalar value (not a surrogate) as UTF-8.
        static func appendUTF8(_ scalar: UInt32, to bytes: inout [UInt8]) {
            switch scalar {
            case ..<0x80:
                bytes.append(UInt8(scalar))
            case ..<0x800:
                bytes.append(UInt8(0xC0 | scalar >> 6))
                bytes.append(UInt8(0x80 | scalar & 0x3F))
            case ..<0x10000:
                bytes.append(UInt8(0xE0 | scalar >> 12))
                bytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
                bytes.append(UInt8(0x80 | scalar & 0x3F))
            default:
                bytes.append(UInt8(0xF0 | scalar >> 18))
                bytes.append(UInt8(0x80 | scalar >> 12 & 0x3F))
                bytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
                bytes.append(UInt8(0x80 | scalar & 0x3F))
            }
        }

        /// The length of the well-formed UTF-8 sequence (Unicode table 3-7) starting with a
        /// non-ASCII byte at `i`, or nil: no overlong forms, surrogates or values past U+10FFFF.
        static func utf8SequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
            let lead = bytes[i]
            let length: Int
            var low: UInt8 = 0x80, high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return nil
            }
            guard i + length <= bytes.count, (low...high).contains(bytes[i + 1]) else { return nil }
            for k in 2..<length where bytes[i + k] & 0xC0 != 0x80 { return nil }
            return length
        }
    }
}

// MARK: - Numbers read as Int

extension PatternFileJSON {
    /// The `Int` a valid JSON number that is not a plain in-range integer stands for, by
    /// `JSONDecoder`'s rules; nil where it refuses the number.
    ///
    /// JSONDecoder (FoundationEssentials, Swift 6.3) parses the number as a `Double` and takes it if
    /// that is an integer below 2^53 in magnitude (so `5.0`, `5e0` and `1.0000000000000000001` are
    /// 5, 5 and 1; `5.5`, `1e400` and `9223372036854775808` are refused). From 2^53 on, where a
    /// `Double` no longer tells neighbouring integers apart, it parses the digits as a `Decimal`
    /// (a 128-bit significand and an 8-bit exponent, trailing zeros removed), which must fit
    /// `UInt64` before the exponent is applied, dropping any fraction. Pattern files hold small
    /// integers; this follows it anyway so that no file means another number than it did.
    static func integer(fromNumber text: String) -> Int? {
        // SAFETY: the pointer is only read inside the closure.
        Array(text.utf8).withUnsafeBufferPointer { bytes in
            guard let isInteger = Parser.numberSyntax(bytes) else { return nil }
            if isInteger, let value = Parser.integerDigits(bytes) { return value }
            guard let double = Double(text), let value = Int(exactly: double) else { return nil }
            if double.magnitude < 0x1p53 { return value }
            return decimalInteger(bytes)
        }
    }

    /// The `Decimal` step of ``integer(fromNumber:)``, for a valid JSON number.
    private static func decimalInteger(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let negative = bytes[0] == UInt8(ascii: "-")
        if negative { i += 1 }
        var significand: UInt128 = 0
        var exponent = 0
        var full = false
        func append(_ digit: UInt8) -> Bool {
            let (times10, o1) = significand.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt128(digit &- UInt8(ascii: "0")))
            if o1 || o2 { return false }
            significand = sum
            return true
        }
        while i < bytes.count, bytes[i] &- UInt8(ascii: "0") < 10 {
            // Integer digits past the significand's capacity raise the exponent instead.
            if full || !append(bytes[i]) {
                full = true
                guard exponent < Int(Int8.max) else { return nil }
                exponent += 1
            }
            i += 1
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < bytes.count, bytes[i] &- UInt8(ascii: "0") < 10 {
                // Fraction digits past the capacity are dropped.
                if !full {
                    if append(bytes[i]) {
                        guard exponent > Int(Int8.min) else { return nil }
                        exponent -= 1
                    } else {
                        full = true
                    }
                }
                i += 1
            }
        }
        if i < bytes.count, bytes[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            let negativeExponent = bytes[i] == UInt8(ascii: "-")
            if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
            var written = 0
            while i < bytes.count {
                written = written * 10 + Int(bytes[i] &- UInt8(ascii: "0"))
                guard written <= 2 * Int(Int8.max) else { return nil }
                i += 1
            }
            exponent += negativeExponent ? -written : written
            guard Int(Int8.min)...Int(Int8.max) ~= exponent else { return nil }
        }
        while significand != 0, significand % 10 == 0, exponent < Int(Int8.max) {
            significand /= 10
            exponent += 1
        }
        guard var magnitude = UInt64(exactly: significand) else { return nil }
        if exponent < 0 {
            for _ in 0 ..< -exponent { magnitude /= 10 }
        } else {
            for _ in 0..<exponent {
                let (times10, overflow) = magnitude.multipliedReportingOverflow(by: 10)
                guard !overflow else { return nil }
                magnitude = times10
            }
        }
        guard let value = Int(exactly: magnitude) else { return nil }
        return negative ? -value : value
    }
}

// MARK: - Field readers

extension PatternFileJSON {
    /// Where a value sits: its container's path and its own key or index. The full path is built
    /// only for an error or a nested container, not for every field read.
    struct Site {
        var container: Path
        var component: PathComponent
        var path: Path { container + [component] }
    }

    /// The members of one object being mapped onto a type, read the way a synthesized
    /// `init(from:)` reads them from `JSONDecoder`: the first member with a key wins, keys compare
    /// as Swift strings (canonical equivalence, like a `Dictionary` key), unknown keys are ignored.
    struct ObjectReader {
        let members: [Member]
        let path: Path

        /// Opens `value` as an object at `path`.
        ///
        /// - Throws: wrong type if it is not an object; not valid JSON if a key is not a valid
        ///   string (JSONDecoder decodes every key of an object it opens).
        init(_ value: Value, at path: Path) throws(PatternFileJSONError) {
            guard case .object(let members) = value else { throw PatternFileJSONError(.wrongType, at: path) }
            for member in members {
                if let defect = member.keyDefect { throw PatternFileJSONError(defect, at: path) }
            }
            self.members = members
            self.path = path
        }

        /// A required field, read by `read`.
        ///
        /// - Throws: missing key when absent; whatever `read` throws (wrong type for null).
        func required<T>(_ key: String, _ read: (Value, Site) throws(PatternFileJSONError) -> T)
            throws(PatternFileJSONError) -> T
        {
            guard let value = value(key) else { throw PatternFileJSONError(.missingKey(key), at: path) }
            return try read(value, Site(container: path, component: .key(key)))
        }

        /// An optional field: nil when absent or null.
        func optional<T>(_ key: String, _ read: (Value, Site) throws(PatternFileJSONError) -> T)
            throws(PatternFileJSONError) -> T?
        {
            guard let value = value(key) else { return nil }
            if case .null = value { return nil }
            return try read(value, Site(container: path, component: .key(key)))
        }

        /// The value of the first member named `key`.
        func value(_ key: String) -> Value? {
            for index in members.indices where members[index].key == key {
                return members[index].value
            }
            return nil
        }
    }

    /// A string field.
    static func string(_ value: Value, at site: Site) throws(PatternFileJSONError) -> String {
        switch value {
        case .string(let string): return string
        case .invalidString(let defect): throw PatternFileJSONError(defect, at: site.path)
        default: throw PatternFileJSONError(.wrongType, at: site.path)
        }
    }

    /// An `Int` field, by ``integer(fromNumber:)`` for anything but a plain integer.
    static func int(_ value: Value, at site: Site) throws(PatternFileJSONError) -> Int {
        switch value {
        case .integer(let integer):
            return integer
        case .number(let text, let offset):
            guard let integer = integer(fromNumber: text) else {
                throw PatternFileJSONError(.invalidJSON(.numberNotInt), at: site.path, offset: offset)
            }
            return integer
        case .invalidNumber(let defect):
            throw PatternFileJSONError(defect, at: site.path)
        default:
            throw PatternFileJSONError(.wrongType, at: site.path)
        }
    }

    /// A `Bool` field: `true` or `false` only.
    static func bool(_ value: Value, at site: Site) throws(PatternFileJSONError) -> Bool {
        guard case .bool(let bool) = value else { throw PatternFileJSONError(.wrongType, at: site.path) }
        return bool
    }

    /// An array field, each element read by `element` in order.
    static func array<T>(_ value: Value, at site: Site, _ element: (Value, Site) throws(PatternFileJSONError) -> T)
        throws(PatternFileJSONError) -> [T]
    {
        guard case .array(let values) = value else { throw PatternFileJSONError(.wrongType, at: site.path) }
        let path = site.path
        var result: [T] = []
        result.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            result.append(try element(value, Site(container: path, component: .index(index))))
        }
        return result
    }

    /// A `[String]` field.
    static func strings(_ value: Value, at site: Site) throws(PatternFileJSONError) -> [String] {
        try array(value, at: site, string)
    }

    /// An `[Int]` field.
    static func ints(_ value: Value, at site: Site) throws(PatternFileJSONError) -> [Int] {
        try array(value, at: site, int)
    }
}
