/// One pattern as written in a pattern file (see `patterns/README.md`).
///
/// This is the data form; ``PatternSet`` compiles it.
public struct PatternDefinition: Codable, Sendable, Hashable {
    /// Stable kebab-case identifier (`email`, `us-ssn`). Appears in stats, reports and errors.
    public var id: String
    /// Human description.
    public var description: String?
    /// The PCRE2 regular expression.
    public var regex: String
    /// ``regex`` with every character class cut down to its ASCII members (`\d` as `[0-9]`,
    /// `\p{L}` as `A-Za-z`, non-ASCII ranges and scripts dropped), compiled without `PCRE2_UCP`.
    /// The engine searches prefilter windows that are ASCII, with two ASCII bytes on each side,
    /// with it: there every class it changes is tested only on ASCII characters, where it finds
    /// what ``regex`` finds without a Unicode property lookup per character (see
    /// ``ASCIIVariant``). Must be ASCII, without `\p` or `\P`; the test suite compares the two
    /// on generated ASCII text.
    public var asciiRegex: String?
    /// Compile flags: `caseless`, `extended`, `ascii` (turns off UTF/UCP; the default is Unicode).
    public var flags: [String]?
    /// The replacement token written in place of each match.
    public var replacement: String
    /// Patterns run in stages, in ascending order; each stage sees the previous stage's output.
    /// Patterns within one stage are matched against the same text and overlaps are resolved by
    /// ``priority`` (lower wins), then by length (longer wins), then by position.
    public var stage: Int?
    /// Overlap priority within a stage; defaults to the pattern's position in the set.
    public var priority: Int?
    /// Searched after the stage's other patterns, only outside the spans they keep: the pattern
    /// does not start a match inside a kept span of a pattern that is not deferred. Since a
    /// deferred pattern's priority must be lower (a greater number) than every other pattern of its
    /// stage (checked at load), such a match could never be kept; the difference from searching
    /// everywhere is that a match running out of a kept span no longer hides the text after it.
    /// Deferred patterns are resolved among themselves as usual. For the broad, low-priority
    /// patterns that most other matches would also match (national phone numbers in groups):
    /// on PII-dense text, most of their searches fall inside spans already taken.
    public var deferred: Bool?
    /// Upper bound in bytes on the length of any match (used by streaming to decide how much to
    /// hold back). `nil` means unbounded.
    public var maxLength: Int?
    /// Optional literal prefilter; see ``PrefilterDefinition``.
    public var prefilter: PrefilterDefinition?
    /// Examples checked by the test suite.
    public var examples: Examples?
    /// A validator (see ``Validators``) run on each PCRE2 match; a match it rejects is not
    /// redacted and the search goes on from the next character. For ambiguous forms only: a value
    /// written the way people write that kind of PII gets a pattern without a validator.
    public var validate: String?
    /// The entity type for evaluation (`email`, `phone`, `ssn`, `card`, `iban`, `ip`, `secret`...).
    public var type: String?
    /// How matches are replaced: `token` (default), `numbered`, `mask`, `keyed`; see
    /// ``ReplacementOperator``. A global operator in ``Scrubber/Configuration`` overrides it.
    public var `operator`: String?
    /// For `mask`: how many trailing letters/digits stay visible (default 4).
    public var maskKeep: Int?
    /// JSON member keys that label a bare number for this pattern (`{"ssn": "078051120"}`): where
    /// `jsonl` meets such a key before a value of 7 to 12 ASCII digits, it scrubs the value with
    /// ``KeyLabels/context`` written before it, as in text, and rewrites only the value. Needs a
    /// pattern that ``resetsMatchStart``; checked at load.
    public var keyLabels: KeyLabels?

    /// Whether ``regex`` resets the match start with `\K`: what it reads before (a label such as
    /// `SSN: ` or `"phone": "`) is context and stays in the output. That context must consist of
    /// span characters, so no cut falls inside it, and lie within ``PrefilterDefinition/digitRunWithin``
    /// of the digits where the pattern claims a digit run.
    public var resetsMatchStart: Bool { usesMatchReset(regex) }

    /// Which member keys label a bare value for a pattern (``PatternDefinition/keyLabels``). A key
    /// is compared by its ASCII letters, lower-cased (`customerPhone`, `user_ssn` and
    /// `PHONE_NUMBER` read as `customerphone`, `userssn`, `phonenumber`).
    public struct KeyLabels: Codable, Sendable, Hashable {
        /// The label the engine reads before the value (`SSN: `): ASCII, 1 to 32 bytes, and the
        /// pattern matches a value of the kind ``value`` after it, from its first digit.
        public var context: String
        /// The values the context is for: `number` (the default: 7 to 12 ASCII digits) or `ipv4`
        /// (four dotted groups of 1 to 3 ASCII digits; the `ipv4` validator reads the context).
        public var value: String?
        /// The key's letters end in one of these (lower-case ASCII letters).
        public var suffixes: [String]?
        /// The key's letters are one of these (short words that would end too many other keys:
        /// `tel`, `cell`).
        public var keys: [String]?

        public init(context: String, suffixes: [String]? = nil, keys: [String]? = nil, value: String? = nil) {
            self.context = context
            self.value = value
            self.suffixes = suffixes
            self.keys = keys
        }
    }

    /// Strings that must be matched in full (for a pattern that ``resetsMatchStart``: from after
    /// its context to the end), and strings that must not contain a match.
    public struct Examples: Codable, Sendable, Hashable {
        public var match: [String]?
        public var nomatch: [String]?

        public init(match: [String]? = nil, nomatch: [String]? = nil) {
            self.match = match
            self.nomatch = nomatch
        }
    }

    public init(id: String, description: String? = nil, regex: String, flags: [String]? = nil,
                replacement: String, stage: Int? = nil, priority: Int? = nil, maxLength: Int? = nil,
                prefilter: PrefilterDefinition? = nil, examples: Examples? = nil, validate: String? = nil,
                type: String? = nil, operator: String? = nil, maskKeep: Int? = nil, asciiRegex: String? = nil,
                keyLabels: KeyLabels? = nil, deferred: Bool? = nil) {
        self.id = id
        self.description = description
        self.regex = regex
        self.asciiRegex = asciiRegex
        self.flags = flags
        self.replacement = replacement
        self.stage = stage
        self.priority = priority
        self.deferred = deferred
        self.maxLength = maxLength
        self.prefilter = prefilter
        self.examples = examples
        self.validate = validate
        self.type = type
        self.operator = `operator`
        self.maskKeep = maskKeep
        self.keyLabels = keyLabels
    }
}

/// A claim about every match of a pattern that lets the engine skip text cheaply.
///
/// Every match of the pattern (1) consists only of *span* characters, (2) contains at least
/// ``minTriggers`` *trigger* characters and (3), when ``anchor`` is set, contains the anchor. The
/// engine therefore only runs PCRE2 inside maximal runs of span characters that hold enough
/// triggers (and an anchor). A wrong claim would hide matches, so claims are
/// checked against the pattern's examples when the set is loaded and against whole-buffer
/// matching by the test suite (every case runs with the prefilter on and off).
public struct PrefilterDefinition: Codable, Sendable, Hashable {
    /// ASCII trigger characters, as a class body: `"@"`, `"0-9"`.
    public var trigger: String
    /// Non-ASCII triggers: `"none"` (default) or `"digits"` (Unicode category Nd).
    public var triggerUnicode: String?
    /// Minimum number of trigger characters in any match (default 1).
    public var minTriggers: Int?
    /// ASCII span characters, as a class body: `"A-Za-z0-9._%+@-"`.
    public var span: String
    /// Non-ASCII span characters: `"none"` (default), `"digits"`, `"any"`, or `"list"` (then
    /// ``spanCodePoints``).
    public var spanUnicode: String?
    /// Code points for `spanUnicode: "list"`, written `U+212A`.
    public var spanCodePoints: [String]?
    /// An ASCII string every match contains (3) (`"-lf-"`, `"eyJ"`): windows are then grown only
    /// around its occurrences, found 16 bytes a step, instead of around every trigger byte. For
    /// patterns whose trigger bytes are common in prose but whose matches carry a literal. Its first
    /// byte must be a trigger and all its bytes span characters.
    public var anchor: String?
    /// The anchor matches ASCII letters in either case (write it in lower case). It may not hold
    /// `s` or `k`: Unicode case folding lets them match U+017F and U+212A, which an ASCII search
    /// would not find.
    public var anchorCaseless: Bool?
    /// Every match holds at least this many consecutive ASCII digits, starting at most
    /// ``digitRunWithin`` bytes after the match's start (a label before a number: `SSN:
    /// 123456789`). Inside a window, PCRE2 then starts only within that distance before each
    /// such run of the text instead of at every byte of a sentence-long window. With
    /// ``triggerUnicode`` `digits` (a match may hold other Nd digits) the claim is about all-ASCII
    /// matches, and only windows with ASCII context (all ASCII, and ASCII on both sides) are
    /// narrowed by it. When every pattern of a scan group has the claim without that, the group's
    /// windows are built from the digit runs (see `patterns/README.md`).
    public var digitRun: Int?
    /// See ``digitRun`` (bytes, default 0).
    public var digitRunWithin: Int?
    /// Every match the pattern's validator accepts is at least this many bytes long, unless it
    /// holds the ASCII character ``validLengthUnless`` right after another character (not
    /// that one): a shorter window without that character is not searched, and the block gate
    /// marks the character only after a span byte. (A PEM body line is 64, 70 or 76
    /// characters, or a last line ending in `=`; PCRE2 and the validator would otherwise see
    /// every token with four digits, and `x = 1` of code would mark blocks.)
    public var validLength: Int?
    /// See ``validLength``; without it, every accepted match is at least that long.
    public var validLengthUnless: String?
    /// With ``validLength``: a shorter match the validator accepts may also stand alone, the
    /// bytes before and after it separators of the set or the text's edges (a PEM body's last
    /// line, on a line of its own), and is then at least this many bytes long: a shorter window
    /// is searched when it stands so and is that long. (The block gate marks runs of this length.)
    public var validLengthUnlessAlone: Int?
    /// Every match the pattern's validator accepts holds two of its (single, ASCII) trigger
    /// bytes at most this many bytes apart: the colons of `fe80::1` or `00:1a:...`, the dots of
    /// `0a1b.2c3d.4e5f`. Windows are then grown only around such pairs, found 32 bytes a step,
    /// instead of around every trigger byte (a `:` or `.` of prose). 1 to 32; needs `minTriggers`
    /// of at least 2 and no anchor. When every pattern of a scan group has the claim, the group
    /// searches with the largest gap.
    public var triggerGap: Int?
    /// With ``triggerGap``: the two trigger bytes are exactly that many bytes apart (the dots of
    /// `0a1b.2c3d.4e5f`, 5), so the pairs of prose (`e.g.`, `...`, `1.2.3`) start no window. When
    /// every pattern of a scan group claims it with the same gap, the group searches exact pairs;
    /// otherwise pairs at most the largest gap apart.
    public var triggerGapExact: Bool?
    /// Every match the pattern's validator accepts contains one of these ASCII strings, as
    /// written (`"://"` of a URL with credentials, `"\"@"` of a quoted local part): a window
    /// holding none of them is not searched for this pattern. Letters are refused in a pattern
    /// that matches case-insensitively.
    public var requires: [String]?
    /// Every match the pattern's validator accepts holds an ASCII character of this class (a
    /// class body, as ``span``: `"A-Z"` for the country code of an IBAN): a window without one is
    /// not searched for this pattern. Digit windows of prose and trace payloads rarely hold a
    /// capital letter, and each one spared is a PCRE2 search. Letters are refused in a pattern
    /// that matches case-insensitively.
    public var requiresClass: String?
    /// With ``requiresClass``: every match the pattern's validator accepts (with the context its
    /// regex consumes before `\K`) holds at least this many characters of that class (default 1):
    /// the three dots of an IPv4 address, the twelve hex digits of a MAC address. A window of prose holding fewer (`365.25`, a line of dashes)
    /// is not searched for this pattern.
    public var requiresClassCount: Int?
    /// Every match the pattern's validator accepts, with the context its regex consumes before
    /// `\K` (not text a lookbehind reads, which may lie outside the window), holds one of these
    /// ASCII strings in any ASCII case (written in lower case, 3 to 32 characters: the label words
    /// of `phone-labelled`, `us-ssn-labelled`). An all-ASCII window (with ASCII on both sides)
    /// holding none of them is not searched for this pattern; other windows are, since Unicode
    /// case folding matches `ſ` for `s` and `K` (U+212A) for `k`. A key label's context
    /// (``KeyLabels/context``) must hold one too (checked at load).
    public var requiresCaseless: [String]?
    /// Every match the pattern's validator accepts, with the context its regex reads before `\K`,
    /// holds a character outside ASCII (a label in another script: `電話番号`, `телефон`): a
    /// window with ASCII context (all ASCII, and ASCII on both sides) is not searched for this
    /// pattern. Such a label's characters must be span characters, as every `\K` context's are.
    public var requiresNonASCII: Bool?
    /// `[length, gap]`: every match the pattern's validator accepts that holds only ASCII digits
    /// holds `length` of them, each at most `gap` bytes after the one before (the groups of a
    /// phone, card or SSN: `[6, 4]`). With AVX2, the engine then scans a long text only around
    /// such chains, the shapes of ``dottedQuad`` and ``digitPairAfter``, and non-ASCII digits (see
    /// ``BlockGate`` in the sources), instead of around every digit of prose. `length` of at
    /// least 2, `gap` of at least 1, their product at most 32.
    public var digitChain: [Int]?
    /// Lists of digit-run lengths (`[[3, 2, 4]]` for a dashed SSN): every match of the pattern
    /// that consists of ASCII characters holds, for one of the lists, maximal runs of ASCII digits
    /// of those lengths in that order, each separated from the next by exactly one byte. A window
    /// of ASCII text without them is not searched. Each list holds 1 to 8 lengths of 1 to 32; at
    /// most 8 lists.
    public var digitGroups: [[Int]]?
    /// Prefixes, each three ASCII classes (class bodies, as ``span``): every match of the pattern
    /// starts where the byte before it, if any, is not an ASCII byte of ``span``, and its first
    /// three bytes are of one prefix's classes in order (a vendor key's `sk-`, `ghp_`: the
    /// `["prs", "k", "_\\-"]` of `sk-`, `pk_`, `rk_`). A window without such a start is not
    /// searched for this pattern, and the block gate marks a block for a group whose patterns all
    /// claim prefixes only where such a start begins a long enough run (see ``BlockGate`` in the
    /// sources), not wherever a trigger is near a run (the hyphenated words, `snake_case` names
    /// and lines of dashes of prose). The span must be ASCII (no ``spanUnicode``), and the regex
    /// must open with a negative lookbehind `(?<![...])` whose class holds the whole span (no
    /// class escapes, no alternation outside groups); 1 to 8 prefixes; letters are refused in a
    /// pattern that matches case-insensitively.
    public var runStart: [[String]]?
    /// `true`: every match the pattern's validator accepts that holds only ASCII digits holds a
    /// dotted quad, four runs of one to three ASCII digits joined by single dots (an IPv4
    /// address, `10.0.0.8`). Where a group's patterns each claim this, a ``digitChain`` or
    /// ``digitPairAfter``, the block gate marks the blocks where such a quad starts (see
    /// ``BlockGate`` in the sources): an address of four short octets holds only a chain of four
    /// digits two bytes apart, which every year of prose holds too.
    public var dottedQuad: Bool?
    /// An ASCII class (a class body, as ``span``, without digits): every match the pattern's
    /// validator accepts that holds only ASCII digits holds two bytes of it followed by two ASCII
    /// digits (an IBAN's country code and check digits: `A-Z`, for `GB82`). Marks the blocks
    /// where such digits start, as ``dottedQuad`` does: an IBAN's account number may hold
    /// letters, so no chain is certain.
    public var digitPairAfter: String?

    public init(trigger: String, triggerUnicode: String? = nil, minTriggers: Int? = nil, span: String,
                spanUnicode: String? = nil, spanCodePoints: [String]? = nil, anchor: String? = nil,
                anchorCaseless: Bool? = nil, digitRun: Int? = nil, digitRunWithin: Int? = nil,
                validLength: Int? = nil, validLengthUnless: String? = nil, triggerGap: Int? = nil,
                requires: [String]? = nil, requiresClass: String? = nil, digitChain: [Int]? = nil,
                triggerGapExact: Bool? = nil, requiresNonASCII: Bool? = nil, validLengthUnlessAlone: Int? = nil,
                requiresClassCount: Int? = nil, requiresCaseless: [String]? = nil, digitGroups: [[Int]]? = nil,
                runStart: [[String]]? = nil, dottedQuad: Bool? = nil, digitPairAfter: String? = nil) {
        self.trigger = trigger
        self.triggerUnicode = triggerUnicode
        self.minTriggers = minTriggers
        self.span = span
        self.spanUnicode = spanUnicode
        self.spanCodePoints = spanCodePoints
        self.anchor = anchor
        self.anchorCaseless = anchorCaseless
        self.digitRun = digitRun
        self.digitRunWithin = digitRunWithin
        self.validLength = validLength
        self.validLengthUnless = validLengthUnless
        self.triggerGap = triggerGap
        self.triggerGapExact = triggerGapExact
        self.requires = requires
        self.requiresClass = requiresClass
        self.requiresClassCount = requiresClassCount
        self.requiresCaseless = requiresCaseless
        self.requiresNonASCII = requiresNonASCII
        self.validLengthUnlessAlone = validLengthUnlessAlone
        self.digitChain = digitChain
        self.digitGroups = digitGroups
        self.runStart = runStart
        self.dottedQuad = dottedQuad
        self.digitPairAfter = digitPairAfter
    }
}

extension PrefilterDefinition {
    /// The digit-run claim is about all-ASCII matches only: with `triggerUnicode` `digits` a
    /// match may hold other Nd digits, so the claim narrows only windows with ASCII context, the
    /// load check reads only all-ASCII examples, and no digit-run windows are built from it.
    var digitRunIsASCIIOnly: Bool { triggerUnicode == "digits" }
}

/// A pattern set file: a name and its patterns, inline or included from sibling files.
public struct PatternSetDefinition: Codable, Sendable, Hashable {
    public var name: String
    public var description: String?
    /// Other pattern files (relative to this one) whose patterns come first, in order.
    public var include: [String]?
    public var patterns: [PatternDefinition]?

    public init(name: String, description: String? = nil, include: [String]? = nil,
                patterns: [PatternDefinition]? = nil) {
        self.name = name
        self.description = description
        self.include = include
        self.patterns = patterns
    }
}

// MARK: - Reading pattern files

// The loader reads pattern files with ``PatternFileJSON`` instead of `JSONDecoder` (a start-up
// cost: see that type). Each type below reads its fields in declaration order, the order the
// synthesized `init(from:)` decodes them, so a file with several mistakes reports the same one
// first. A new stored property needs a line here too: `PatternFileJSONTests` decodes a document
// that sets every property and compares the result with `JSONDecoder`'s.

extension PatternSetDefinition {
    /// Reads a pattern set file's top-level object, as `JSONDecoder` would decode it.
    ///
    /// - Throws: ``PatternFileJSONError`` naming the field (or, for invalid JSON, the position).
    init(patternJSON value: PatternFileJSON.Value, at path: PatternFileJSON.Path) throws(PatternFileJSONError) {
        let object = try PatternFileJSON.ObjectReader(value, at: path)
        let name = try object.required("name", PatternFileJSON.string)
        let description = try object.optional("description", PatternFileJSON.string)
        let include = try object.optional("include", PatternFileJSON.strings)
        let patterns = try object.optional("patterns") { (value, site) throws(PatternFileJSONError) in
            try PatternFileJSON.array(value, at: site) { (value, site) throws(PatternFileJSONError) in
                try PatternDefinition(patternJSON: value, at: site.path)
            }
        }
        self.init(name: name, description: description, include: include, patterns: patterns)
    }
}

extension PatternDefinition {
    /// Reads one pattern object, as `JSONDecoder` would decode it.
    ///
    /// - Throws: ``PatternFileJSONError`` naming the field (or, for invalid JSON, the position).
    init(patternJSON value: PatternFileJSON.Value, at path: PatternFileJSON.Path) throws(PatternFileJSONError) {
        typealias JSON = PatternFileJSON
        let object = try JSON.ObjectReader(value, at: path)
        let id = try object.required("id", JSON.string)
        let description = try object.optional("description", JSON.string)
        let regex = try object.required("regex", JSON.string)
        let asciiRegex = try object.optional("asciiRegex", JSON.string)
        let flags = try object.optional("flags", JSON.strings)
        let replacement = try object.required("replacement", JSON.string)
        let stage = try object.optional("stage", JSON.int)
        let priority = try object.optional("priority", JSON.int)
        let deferred = try object.optional("deferred", JSON.bool)
        let maxLength = try object.optional("maxLength", JSON.int)
        let prefilter = try object.optional("prefilter") { (value, site) throws(PatternFileJSONError) in
            try PrefilterDefinition(patternJSON: value, at: site.path)
        }
        let examples = try object.optional("examples") { (value, site) throws(PatternFileJSONError) in
            try Examples(patternJSON: value, at: site.path)
        }
        let validate = try object.optional("validate", JSON.string)
        let type = try object.optional("type", JSON.string)
        let `operator` = try object.optional("operator", JSON.string)
        let maskKeep = try object.optional("maskKeep", JSON.int)
        let keyLabels = try object.optional("keyLabels") { (value, site) throws(PatternFileJSONError) in
            try KeyLabels(patternJSON: value, at: site.path)
        }
        self.init(id: id, description: description, regex: regex, flags: flags, replacement: replacement,
                  stage: stage, priority: priority, maxLength: maxLength, prefilter: prefilter, examples: examples,
                  validate: validate, type: type, operator: `operator`, maskKeep: maskKeep, asciiRegex: asciiRegex,
                  keyLabels: keyLabels, deferred: deferred)
    }
}

extension PatternDefinition.KeyLabels {
    /// Reads a `keyLabels` object, as `JSONDecoder` would decode it.
    ///
    /// - Throws: ``PatternFileJSONError`` naming the field (or, for invalid JSON, the position).
    init(patternJSON value: PatternFileJSON.Value, at path: PatternFileJSON.Path) throws(PatternFileJSONError) {
        let object = try PatternFileJSON.ObjectReader(value, at: path)
        let context = try object.required("context", PatternFileJSON.string)
        let value = try object.optional("value", PatternFileJSON.string)
        let suffixes = try object.optional("suffixes", PatternFileJSON.strings)
        let keys = try object.optional("keys", PatternFileJSON.strings)
        self.init(context: context, suffixes: suffixes, keys: keys, value: value)
    }
}

extension PatternDefinition.Examples {
    /// Reads an `examples` object, as `JSONDecoder` would decode it.
    ///
    /// - Throws: ``PatternFileJSONError`` naming the field (or, for invalid JSON, the position).
    init(patternJSON value: PatternFileJSON.Value, at path: PatternFileJSON.Path) throws(PatternFileJSONError) {
        let object = try PatternFileJSON.ObjectReader(value, at: path)
        let match = try object.optional("match", PatternFileJSON.strings)
        let nomatch = try object.optional("nomatch", PatternFileJSON.strings)
        self.init(match: match, nomatch: nomatch)
    }
}

extension PrefilterDefinition {
    /// Reads a `prefilter` object, as `JSONDecoder` would decode it.
    ///
    /// - Throws: ``PatternFileJSONError`` naming the field (or, for invalid JSON, the position).
    init(patternJSON value: PatternFileJSON.Value, at path: PatternFileJSON.Path) throws(PatternFileJSONError) {
        typealias JSON = PatternFileJSON
        let object = try JSON.ObjectReader(value, at: path)
        let trigger = try object.required("trigger", JSON.string)
        let triggerUnicode = try object.optional("triggerUnicode", JSON.string)
        let minTriggers = try object.optional("minTriggers", JSON.int)
        let span = try object.required("span", JSON.string)
        let spanUnicode = try object.optional("spanUnicode", JSON.string)
        let spanCodePoints = try object.optional("spanCodePoints", JSON.strings)
        let anchor = try object.optional("anchor", JSON.string)
        let anchorCaseless = try object.optional("anchorCaseless", JSON.bool)
        let digitRun = try object.optional("digitRun", JSON.int)
        let digitRunWithin = try object.optional("digitRunWithin", JSON.int)
        let validLength = try object.optional("validLength", JSON.int)
        let validLengthUnless = try object.optional("validLengthUnless", JSON.string)
        let validLengthUnlessAlone = try object.optional("validLengthUnlessAlone", JSON.int)
        let triggerGap = try object.optional("triggerGap", JSON.int)
        let triggerGapExact = try object.optional("triggerGapExact", JSON.bool)
        let requires = try object.optional("requires", JSON.strings)
        let requiresClass = try object.optional("requiresClass", JSON.string)
        let requiresClassCount = try object.optional("requiresClassCount", JSON.int)
        let requiresCaseless = try object.optional("requiresCaseless", JSON.strings)
        let requiresNonASCII = try object.optional("requiresNonASCII", JSON.bool)
        let digitChain = try object.optional("digitChain", JSON.ints)
        let digitGroups = try object.optional("digitGroups") { (value, site) throws(PatternFileJSONError) in
            try JSON.array(value, at: site, JSON.ints)
        }
        let runStart = try object.optional("runStart") { (value, site) throws(PatternFileJSONError) in
            try JSON.array(value, at: site, JSON.strings)
        }
        let dottedQuad = try object.optional("dottedQuad", JSON.bool)
        let digitPairAfter = try object.optional("digitPairAfter", JSON.string)
        self.init(trigger: trigger, triggerUnicode: triggerUnicode, minTriggers: minTriggers, span: span,
                  spanUnicode: spanUnicode, spanCodePoints: spanCodePoints, anchor: anchor,
                  anchorCaseless: anchorCaseless, digitRun: digitRun, digitRunWithin: digitRunWithin,
                  validLength: validLength, validLengthUnless: validLengthUnless, triggerGap: triggerGap,
                  requires: requires, requiresClass: requiresClass, digitChain: digitChain,
                  triggerGapExact: triggerGapExact, requiresNonASCII: requiresNonASCII,
                  validLengthUnlessAlone: validLengthUnlessAlone, requiresClassCount: requiresClassCount,
                  requiresCaseless: requiresCaseless, digitGroups: digitGroups, runStart: runStart,
                  dottedQuad: dottedQuad, digitPairAfter: digitPairAfter)
    }
}
