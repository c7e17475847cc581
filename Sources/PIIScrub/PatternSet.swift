#if canImport(Glibc)
import Glibc
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import PCRE2Wrapper
internal import CPIIScan

/// One compiled pattern of a ``PatternSet``.
public struct Pattern: Sendable {
    /// The pattern's stable id.
    public let id: String
    /// The pattern as written in its file.
    public let definition: PatternDefinition
    /// The PCRE2 code.
    public let compiled: CompiledPattern
    /// The same regex without Unicode character classes, for windows of all-ASCII text
    /// (``ASCIIVariant``); nil when the pattern is not Unicode or the variant might not be exact.
    let asciiVariant: CompiledPattern?
    /// How the engine finds text for this pattern.
    public var strategy: Strategy { prefilter?.strategy ?? .pcre2Only }
    /// Whether PCRE2's JIT compiled this pattern.
    public var isJITCompiled: Bool { compiled.isJITCompiled }
    /// PCRE2's lower bound on match length, in bytes.
    public var minLength: Int { compiled.minLength }
    /// Overlap priority within its stage (lower wins).
    public let priority: Int
    /// Stage number (patterns of lower stages run first).
    public let stage: Int
    /// ``PatternDefinition/deferred``.
    public var isDeferred: Bool { definition.deferred == true }

    /// The pattern's own replacement operator (the configuration may override it).
    public let replacementOperator: ReplacementOperator
    /// The validator named by `validate`, if any.
    public let validator: Validator?

    let index: Int
    let replacement: [UInt8]
    let prefilter: Prefilter?
}

/// A compiled, immutable set of patterns.
///
/// ## Thread safety
/// Immutable; share one instance between all workers and threads.
///
/// ## Performance
/// Loading compiles and JIT-compiles every pattern once. Nothing is compiled lazily.
public final class PatternSet: Sendable {
    /// The set's name (`seed`, `default`, or the file's `name`).
    public let name: String
    /// Patterns in file order.
    public let patterns: [Pattern]
    /// The keys that label a bare number for the set's patterns (``PatternDefinition/keyLabels``).
    public let keyLabels: KeyLabelTable
    /// Pattern indices per stage, stages ascending, each in priority order.
    let stages: [[Int]]
    /// Per stage, the patterns grouped by shared prefilter (one scan per group).
    let stageGroups: [[ScanGroup]]
    // Flat per-pattern tables for the hot path: indexing these retains one object at most,
    // where indexing `patterns` would copy a whole `Pattern`.
    let replacementByIndex: [[UInt8]]
    let operatorByIndex: [ReplacementOperator]
    /// Patterns with the same replacement token share numbering (`[PHONE_1]` across phone patterns).
    let tokenGroupByIndex: [Int]
    /// Whether every pattern uses a fixed token (the write path can then size output up front).
    let allFixedTokens: Bool
    let maxCaptureCount: Int
    /// The hot loop's reference-free view of the above.
    let engine: EngineTables
    /// Separator bytes: ASCII, not a word character, and outside every pattern's prefilter span.
    /// No match of any stage can contain one, and `\b` sees one as a non-word character, so a
    /// text cut right after a separator scrubs the same in pieces as whole (streaming, parallel
    /// segments). Empty when a pattern has no prefilter: such sets cannot be cut.
    let separators: SeparatorTable

    /// Compiles a set from its definition (includes already resolved).
    ///
    /// - Throws: ``PIIScrubError`` naming the pattern id for a compile error, a pattern that can
    ///   match the empty string, a malformed prefilter, or an example contradicting the prefilter.
    public init(name: String, definitions: [PatternDefinition], jit: JITMode = .attempt) throws(PIIScrubError) {
        guard !definitions.isEmpty else {
            throw PIIScrubError(.invalidPatternFile, "pattern set '\(name)' has no patterns")
        }
        var seen = Set<String>()
        var compiledPatterns: [Pattern] = []
        for (index, definition) in definitions.enumerated() {
            let id = definition.id
            guard !id.isEmpty, id.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D })
            else {
                throw PIIScrubError(.invalidPatternFile, "pattern id must be kebab-case [a-z0-9-]+", patternID: id)
            }
            guard seen.insert(id).inserted else {
                throw PIIScrubError(.invalidPatternFile, "duplicate pattern id", patternID: id)
            }
            var options = CompileOptions(jit: jit)
            for flag in definition.flags ?? [] {
                switch flag {
                case "caseless": options.caseless = true
                case "extended": options.extended = true
                case "ascii": options.unicode = false
                default:
                    throw PIIScrubError(.invalidPatternFile, "unknown flag '\(flag)'", patternID: id)
                }
            }
            let compiled: CompiledPattern
            do {
                compiled = try CompiledPattern(definition.regex, options: options)
            } catch {
                throw PIIScrubError(.invalidPattern, "regex does not compile: \(definition.regex)", patternID: id,
                                    underlying: error)
            }
            var asciiVariant: CompiledPattern?
            if let twin = definition.asciiRegex {
                guard options.unicode && !options.extended else {
                    throw PIIScrubError(.invalidPatternFile, "asciiRegex needs a Unicode pattern without the extended flag",
                                        patternID: id)
                }
                // By bytes: `String.contains(String)` took 100,000 instructions a call (5 % of start-up).
                let bytes = Array(twin.utf8)
                guard bytes.allSatisfy({ $0 < 0x80 }), !Self.containsLiteral(bytes, Array("\\p".utf8)),
                      !Self.containsLiteral(bytes, Array("\\P".utf8)) else {
                    throw PIIScrubError(.invalidPatternFile, "asciiRegex must be ASCII, without \\p or \\P", patternID: id)
                }
                var variantOptions = options
                variantOptions.asciiClasses = true
                do {
                    asciiVariant = try CompiledPattern(twin, options: variantOptions)
                } catch {
                    throw PIIScrubError(.invalidPattern, "asciiRegex does not compile: \(twin)", patternID: id,
                                        underlying: error)
                }
            } else if options.unicode && !options.extended && ASCIIVariant.isWorthCompiling(definition.regex) {
                var variantOptions = options
                variantOptions.asciiClasses = true
                asciiVariant = try? CompiledPattern(definition.regex, options: variantOptions)
            }
            guard compiled.minLength > 0 else {
                throw PIIScrubError(.emptyMatch, "regex can match the empty string (PCRE2 MINLENGTH is 0)", patternID: id)
            }
            if let maxLength = definition.maxLength, maxLength < compiled.minLength {
                throw PIIScrubError(.invalidPatternFile, "maxLength is below the pattern's minimum length", patternID: id)
            }
            let prefilter = try definition.prefilter.map { (d) throws(PIIScrubError) in try Prefilter(d, patternID: id) }
            // Letters in a claim about literal bytes would miss the other cases such a pattern
            // matches (and, under Unicode folding, `ſ` and `K`).
            let caseless = (definition.flags ?? []).contains("caseless") || hasInlineCaseless(definition.regex)
            func isASCIILetter(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }
            if let anchor = definition.prefilter?.anchor, !(definition.prefilter?.anchorCaseless ?? false),
               anchor.utf8.contains(where: isASCIILetter), caseless {
                // A case-sensitive anchor would miss the other cases this pattern matches.
                throw PIIScrubError(.invalidPatternFile,
                                    "prefilter.anchor has letters but the pattern matches case-insensitively; set anchorCaseless",
                                    patternID: id)
            }
            guard let replacementOperator = ReplacementOperator(name: definition.operator ?? "token",
                                                                maskKeep: definition.maskKeep ?? 4)
            else {
                throw PIIScrubError(.invalidPatternFile, "unknown operator '\(definition.operator ?? "")'", patternID: id)
            }
            var validator: Validator?
            if let name = definition.validate {
                guard let found = Validators.all[name] else {
                    throw PIIScrubError(.invalidPatternFile, "unknown validator '\(name)'", patternID: id)
                }
                validator = found
            }
            guard !definition.replacement.isEmpty else {
                throw PIIScrubError(.invalidPatternFile, "replacement must not be empty", patternID: id)
            }
            let pattern = Pattern(
                id: id, definition: definition, compiled: compiled, asciiVariant: asciiVariant, priority: definition.priority ?? index,
                stage: definition.stage ?? 0, replacementOperator: replacementOperator, validator: validator,
                index: index, replacement: Array(definition.replacement.utf8), prefilter: prefilter)
            if let run = definition.prefilter?.digitRun {
                let within = definition.prefilter?.digitRunWithin ?? 0
                guard run >= 1, within >= 0 else {
                    throw PIIScrubError(.invalidPatternFile, "prefilter.digitRun must be >= 1 and digitRunWithin >= 0",
                                        patternID: id)
                }
                let asciiOnly = definition.prefilter?.digitRunIsASCIIOnly ?? false
                for example in definition.examples?.match ?? [] where !asciiOnly || example.utf8.allSatisfy({ $0 < 0x80 }) {
                    guard Self.digitRunStart(Array(example.utf8), length: run).map({ $0 <= within }) ?? false else {
                        throw PIIScrubError(.prefilterMismatch,
                                            "example #\(example.utf8.count)B has no run of \(run) digits within \(within) bytes of its start",
                                            patternID: id)
                    }
                }
            }
            if let chain = definition.prefilter?.digitChain {
                guard chain.count == 2, chain[0] >= 2, chain[1] >= 1, chain[0] * chain[1] <= 32 else {
                    throw PIIScrubError(.invalidPatternFile,
                                        "prefilter.digitChain must be [length, gap] with length >= 2, gap >= 1, length * gap <= 32",
                                        patternID: id)
                }
                for example in definition.examples?.match ?? [] where !example.unicodeScalars.contains(where: {
                    $0.value >= 0x80 && isDecimalDigit($0.value)
                }) {
                    guard Self.hasDigitChain(Array(example.utf8), length: chain[0], gap: chain[1]) else {
                        throw PIIScrubError(.prefilterMismatch,
                                            "example #\(example.utf8.count)B has no chain of \(chain[0]) digits \(chain[1]) bytes apart",
                                            patternID: id)
                    }
                }
            }
            if let groups = definition.prefilter?.digitGroups {
                guard (1...8).contains(groups.count),
                      groups.allSatisfy({ (1...8).contains($0.count) && $0.allSatisfy { (1...32).contains($0) } }) else {
                    throw PIIScrubError(.invalidPatternFile,
                                        "prefilter.digitGroups must be 1 to 8 lists of 1 to 8 lengths of 1 to 32",
                                        patternID: id)
                }
                let encoded = Self.encodeDigitGroups(groups)
                for example in definition.examples?.match ?? [] where example.utf8.allSatisfy({ $0 < 0x80 }) {
                    guard Self.holdsDigitGroups(Array(example.utf8), encoded) else {
                        throw PIIScrubError(.prefilterMismatch,
                                            "example #\(example.utf8.count)B holds none of prefilter.digitGroups",
                                            patternID: id)
                    }
                }
            }
            if let gap = definition.prefilter?.triggerGap, let prefilter {
                guard (1...32).contains(gap), prefilter.key.trigger.count == 1, !prefilter.key.triggerDigits,
                      prefilter.minTriggers >= 2, prefilter.key.anchor.isEmpty else {
                    throw PIIScrubError(.invalidPatternFile,
                                        "prefilter.triggerGap must be 1 to 32, with one ASCII trigger byte, minTriggers >= 2 and no anchor",
                                        patternID: id)
                }
                let byte = prefilter.key.trigger[0]
                let exact = definition.prefilter?.triggerGapExact ?? false
                for example in definition.examples?.match ?? [] {
                    guard Self.hasTriggerPair(Array(example.utf8), byte: byte, gap: gap, exact: exact) else {
                        throw PIIScrubError(.prefilterMismatch,
                                            "example #\(example.utf8.count)B has no two trigger bytes \(exact ? "exactly" : "within") \(gap) bytes apart",
                                            patternID: id)
                    }
                }
            } else if definition.prefilter?.triggerGapExact != nil {
                throw PIIScrubError(.invalidPatternFile, "prefilter.triggerGapExact needs triggerGap", patternID: id)
            }
            if let literals = definition.prefilter?.requires {
                guard !literals.isEmpty, literals.allSatisfy({ literal in
                    !literal.isEmpty && literal.utf8.count <= 32 && literal.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
                        && !(caseless && literal.utf8.contains(where: isASCIILetter))
                }) else {
                    throw PIIScrubError(.invalidPatternFile,
                                        "prefilter.requires must list 1 to 32 printable ASCII characters each, without letters in a case-insensitive pattern",
                                        patternID: id)
                }
                for example in definition.examples?.match ?? [] {
                    let bytes = Array(example.utf8)
                    guard literals.contains(where: { Self.containsLiteral(bytes, Array($0.utf8)) }) else {
                        throw PIIScrubError(.prefilterMismatch,
                                            "example #\(bytes.count)B holds none of prefilter.requires", patternID: id)
                    }
                }
            }
            if let literals = definition.prefilter?.requiresCaseless {
                guard (1...32).contains(literals.count), literals.allSatisfy({ literal in
                    (3...32).contains(literal.utf8.count)
                        && literal.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && !($0 >= 0x41 && $0 <= 0x5A) }
                }) else {
                    throw PIIScrubError(.invalidPatternFile,
                                        "prefilter.requiresCaseless must list 1 to 32 strings of 3 to 32 printable ASCII characters, in lower case",
                                        patternID: id)
                }
                // Examples with a non-ASCII character are exempt, as such windows are in the engine. A
                // key label's context is written before a JSON value so that the regex reads it:
                // it must hold one of the strings too, or such values would go unsearched.
                let context = definition.keyLabels.map { [$0.context] } ?? []
                for example in (definition.examples?.match ?? []) + context where example.utf8.allSatisfy({ $0 < 0x80 }) {
                    let bytes = Array(example.utf8)
                    guard literals.contains(where: { CaselessLiterals.contains(bytes[...], Array($0.utf8)) }) else {
                        throw PIIScrubError(.prefilterMismatch,
                                            "example #\(bytes.count)B holds none of prefilter.requiresCaseless", patternID: id)
                    }
                }
            }
            if let members = prefilter?.requiredClass, !members.isEmpty {
                guard !(caseless && members.contains(where: isASCIILetter)) else {
                    throw PIIScrubError(.invalidPatternFile,
                                        "prefilter.requiresClass must not hold letters in a case-insensitive pattern",
                                        patternID: id)
                }
                let count = definition.prefilter?.requiresClassCount ?? 1
                for example in definition.examples?.match ?? [] {
                    let bytes = Array(example.utf8)
                    guard bytes.lazy.filter(members.contains).count >= count else {
                        throw PIIScrubError(.prefilterMismatch,
                                            "example #\(bytes.count)B holds fewer than \(count) characters of prefilter.requiresClass",
                                            patternID: id)
                    }
                }
            }
            if let prefixes = prefilter?.runStart, !prefixes.isEmpty, let prefilter {
                // The claim's first half (a match starts after a byte outside the span) is the
                // regex's own: it must open with a negative lookbehind of a class holding the span.
                guard let before = Self.leadingLookbehindClass(definition.regex), before.isSuperset(of: prefilter.key.span) else {
                    throw PIIScrubError(.invalidPatternFile,
                                        "prefilter.runStart needs a regex that opens with a negative lookbehind (?<![...]) of a class holding the whole span, and no alternation outside groups",
                                        patternID: id)
                }
                guard !(caseless && prefixes.joined().contains(where: { $0.contains(where: isASCIILetter) })) else {
                    throw PIIScrubError(.invalidPatternFile,
                                        "prefilter.runStart must not hold letters in a case-insensitive pattern",
                                        patternID: id)
                }
                for example in definition.examples?.match ?? [] {
                    let bytes = Array(example.utf8)
                    guard prefixes.contains(where: { Self.startsWith(bytes, $0) }) else {
                        throw PIIScrubError(.prefilterMismatch,
                                            "example #\(bytes.count)B starts with none of prefilter.runStart",
                                            patternID: id)
                    }
                }
            }
            // The digit-group claims below are about matches of ASCII digits (the gate marks
            // non-ASCII digits apart): examples with another script's digit are exempt.
            let asciiDigitExamples = (definition.examples?.match ?? []).filter { example in
                !example.unicodeScalars.contains(where: { $0.value >= 0x80 && isDecimalDigit($0.value) })
            }
            if definition.prefilter?.dottedQuad == true {
                for example in asciiDigitExamples where !Self.holdsDottedQuad(Array(example.utf8)) {
                    throw PIIScrubError(.prefilterMismatch,
                                        "example #\(example.utf8.count)B holds no dotted quad (prefilter.dottedQuad)",
                                        patternID: id)
                }
            }
            if let members = prefilter?.digitPairAfter, !members.isEmpty {
                guard !(caseless && members.contains(where: isASCIILetter)) else {
                    throw PIIScrubError(.invalidPatternFile,
                                        "prefilter.digitPairAfter must not hold letters in a case-insensitive pattern",
                                        patternID: id)
                }
                for example in asciiDigitExamples where !Self.holdsDigitPair(Array(example.utf8), after: members) {
                    throw PIIScrubError(.prefilterMismatch,
                                        "example #\(example.utf8.count)B holds no two digits after two bytes of prefilter.digitPairAfter",
                                        patternID: id)
                }
            }
            if definition.prefilter?.requiresNonASCII == true {
                for example in definition.examples?.match ?? [] where !example.utf8.contains(where: { $0 >= 0x80 }) {
                    throw PIIScrubError(.prefilterMismatch,
                                        "example #\(example.utf8.count)B holds no non-ASCII character (prefilter.requiresNonASCII)",
                                        patternID: id)
                }
            }
            if let alone = definition.prefilter?.validLengthUnlessAlone {
                guard let length = definition.prefilter?.validLength, alone >= 1, alone < length else {
                    throw PIIScrubError(.invalidPatternFile,
                                        "prefilter.validLengthUnlessAlone needs validLength and must be below it", patternID: id)
                }
            }
            if let length = definition.prefilter?.validLength {
                let unless = definition.prefilter?.validLengthUnless.map { Array($0.utf8) }
                guard length >= 1, unless.map({ $0.count == 1 && $0[0] < 0x80 }) ?? true else {
                    throw PIIScrubError(.invalidPatternFile,
                                        "prefilter.validLength must be >= 1 and validLengthUnless one ASCII character",
                                        patternID: id)
                }
                // An example stands alone in its text: with validLengthUnlessAlone it may be
                // shorter, down to that length. A shorter one holds the unless byte right after
                // another byte (the block gate marks only such pairs).
                let alone = definition.prefilter?.validLengthUnlessAlone ?? Int.max
                for example in definition.examples?.match ?? [] {
                    let bytes = Array(example.utf8)
                    let excused = unless.map { u in bytes.indices.dropFirst().contains { bytes[$0] == u[0] && bytes[$0 - 1] != u[0] } }
                    guard bytes.count >= length || bytes.count >= alone || excused ?? false else {
                        throw PIIScrubError(.prefilterMismatch,
                                            "example #\(bytes.count)B is shorter than validLength \(length)", patternID: id)
                    }
                }
            }
            if let prefilter {
                for example in definition.examples?.match ?? [] {
                    try Self.checkPrefilter(prefilter, example: example, patternID: id)
                }
            }
            compiledPatterns.append(pattern)
        }
        // A deferred pattern (``PatternDefinition/deferred``) is searched outside the spans its
        // stage's other patterns keep: right only if none of them could lose to it.
        for pattern in compiledPatterns where pattern.isDeferred {
            // Its searches must start no match past a gap; `\K` reports starts past the limit.
            if pattern.compiled.resetsMatchStart {
                throw PIIScrubError(.invalidPatternFile, "a deferred pattern cannot use \\K", patternID: pattern.id)
            }
            if let rival = compiledPatterns.first(where: {
                $0.stage == pattern.stage && !$0.isDeferred && $0.priority >= pattern.priority
            }) {
                throw PIIScrubError(.invalidPatternFile,
                                    "a deferred pattern needs a lower priority (a greater number) than \(rival.id)",
                                    patternID: pattern.id)
            }
        }
        self.name = name
        self.patterns = compiledPatterns
        let stageNumbers = Set(compiledPatterns.map(\.stage)).sorted()
        self.stages = stageNumbers.map { stage in
            compiledPatterns.filter { $0.stage == stage }
                .sorted { ($0.priority, $0.index) < ($1.priority, $1.index) }
                .map(\.index)
        }
        self.maxCaptureCount = compiledPatterns.map(\.compiled.captureCount).max() ?? 0
        self.stageGroups = self.stages.map { stage in ScanGroup.groups(stage.map { compiledPatterns[$0] }) }
        self.replacementByIndex = compiledPatterns.map(\.replacement)
        self.operatorByIndex = compiledPatterns.map(\.replacementOperator)
        var tokenIDs: [[UInt8]: Int] = [:]
        self.tokenGroupByIndex = compiledPatterns.map { pattern in
            if let id = tokenIDs[pattern.replacement] { return id }
            tokenIDs[pattern.replacement] = tokenIDs.count
            return tokenIDs.count - 1
        }
        self.allFixedTokens = compiledPatterns.allSatisfy { $0.replacementOperator == .token }
        self.keyLabels = KeyLabelTable(compiledPatterns)
        var separatorBytes = Set<UInt8>()
        if compiledPatterns.allSatisfy({ $0.prefilter != nil && !usesContextSyntax($0.definition.regex) }) {
            for b in UInt8(0)..<0x80 {
                let isWord = (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
                if !isWord && compiledPatterns.allSatisfy({ $0.prefilter!.tables.span[Int(b)] == 0 }) {
                    separatorBytes.insert(b)
                }
            }
        }
        self.separators = SeparatorTable(separatorBytes)
        for pattern in compiledPatterns {
            if let labels = pattern.definition.keyLabels {
                try Self.checkKeyLabels(labels, of: pattern, separators: separators)
            }
        }
        self.engine = EngineTables(stages: stages, groups: stageGroups, patterns: compiledPatterns,
                                   separators: separators)
    }

    /// Whether texts scrubbed with this set can be cut at separators: every pattern has a
    /// prefilter and uses no anchors or positive lookaround (see ``PrefilterDefinition``).
    public var isCuttable: Bool { !separators.isEmpty }

    /// A position at or after `from` (and at most `end`) right after a separator, preferring a
    /// line end close by; nil when there is none. Scrubbing `[..<cut]` and `[cut...]` separately
    /// gives the same output as scrubbing whole.
    public func cut(in base: UnsafePointer<UInt8>, near from: Int, end: Int) -> Int? {
        separators.cutNear(base, from: from, end: end)
    }

    /// The bytes of the class of the negative lookbehind `regex` opens with (`(?<![A-Za-z0-9_\-])`),
    /// for ``PrefilterDefinition/runStart``; nil when it opens otherwise, the class is negated or
    /// holds a class escape (`\d`, `\w`, `\p`), or the regex has an alternation outside groups
    /// (the lookbehind would hold for one branch only).
    static func leadingLookbehindClass(_ regex: String) -> Set<UInt8>? {
        let bytes = Array(regex.utf8)
        let opening = Array("(?<![".utf8)
        guard bytes.starts(with: opening) else { return nil }
        // The class body, to its first unescaped `]`.
        var i = opening.count
        var body: [UInt8] = []
        while i < bytes.count && bytes[i] != UInt8(ascii: "]") {
            if bytes[i] == UInt8(ascii: "\\") {
                guard i + 1 < bytes.count, (bytes[i + 1] | 0x20) &- 0x61 >= 26 else { return nil }
                body += bytes[i...i + 1]
                i += 2
            } else {
                body.append(bytes[i])
                i += 1
            }
        }
        guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: ")"), body.first != UInt8(ascii: "^"),
              let members = try? parseASCIIClass(String(decoding: body, as: UTF8.self), patternID: "", field: "lookbehind"),
              !members.isEmpty
        else { return nil }
        // No `|` outside groups and classes.
        var depth = 0
        let alternation = anyOutsideClasses(regex) { bytes, i in
            switch bytes[i] {
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"): depth -= 1
            case UInt8(ascii: "|"): return depth == 0
            default: break
            }
            return false
        }
        guard !alternation else { return nil }
        return members
    }

    /// Whether `bytes` hold a dotted quad (``PrefilterDefinition/dottedQuad``): four runs of one
    /// to three ASCII digits, each joined to the next by one `.`.
    static func holdsDottedQuad(_ bytes: [UInt8]) -> Bool {
        // The runs of digits and whether a single dot joins each to the next.
        var runs: [(length: Int, joined: Bool)] = []
        var i = 0
        while i < bytes.count {
            guard bytes[i] &- 0x30 < 10 else { i += 1; continue }
            let start = i
            while i < bytes.count && bytes[i] &- 0x30 < 10 { i += 1 }
            let joined = i + 1 < bytes.count && bytes[i] == UInt8(ascii: ".") && bytes[i + 1] &- 0x30 < 10
            runs.append((i - start, joined))
        }
        return runs.indices.contains { k in
            k + 3 < runs.count && (k...k + 3).allSatisfy { (1...3).contains(runs[$0].length) }
                && (k...k + 2).allSatisfy { runs[$0].joined }
        }
    }

    /// Whether `bytes` hold two bytes of `members` followed by two ASCII digits
    /// (``PrefilterDefinition/digitPairAfter``).
    static func holdsDigitPair(_ bytes: [UInt8], after members: Set<UInt8>) -> Bool {
        let digits = Set(UInt8(ascii: "0")...UInt8(ascii: "9"))
        return bytes.indices.contains { startsWith(bytes[$0...], [members, members, digits, digits]) }
    }

    /// Whether `bytes` starts with a byte of each of `classes` in order (a
    /// ``PrefilterDefinition/runStart`` prefix).
    static func startsWith(_ bytes: some Collection<UInt8>, _ classes: [Set<UInt8>]) -> Bool {
        bytes.count >= classes.count && zip(bytes, classes).allSatisfy { $1.contains($0) }
    }

    /// Whether `literal` occurs in `bytes` (``PrefilterDefinition/requires``), by the search the
    /// engine uses.
    static func containsLiteral(_ bytes: [UInt8], _ literal: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            literal.withUnsafeBufferPointer { l in
                guard let base = buffer.baseAddress, let lit = l.baseAddress else { return false }
                return CPIIScan_containsLiteral(base, buffer.count, lit, l.count) != 0
            }
        }
    }

    /// Whether `bytes` hold two `byte`s at most (`exact`: exactly) `gap` apart
    /// (``PrefilterDefinition/triggerGap``), by the search the engine uses.
    static func hasTriggerPair(_ bytes: [UInt8], byte: UInt8, gap: Int, exact: Bool = false) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return false }
            return CPIIScan_findTriggerPair(base, 0, buffer.count, byte, gap, exact ? 1 : 0, 1) < buffer.count
        }
    }

    /// Whether `bytes` hold `length` ASCII digits each at most `gap` bytes after the one before
    /// (``PrefilterDefinition/digitChain``): the next digit after each is the nearest one, and
    /// taking it keeps every longer chain possible.
    static func hasDigitChain(_ bytes: [UInt8], length: Int, gap: Int) -> Bool {
        var chain = 0
        var last = Int.min / 2
        for (i, b) in bytes.enumerated() where b &- 0x30 < 10 {
            chain = i - last <= gap ? chain + 1 : 1
            last = i
            if chain >= length { return true }
        }
        return false
    }

    /// ``PrefilterDefinition/digitGroups`` as ``CPIIScan_hasDigitGroups`` reads them: each list as
    /// its count and its lengths, then a 0.
    static func encodeDigitGroups(_ groups: [[Int]]) -> [UInt8] {
        groups.flatMap { [UInt8($0.count)] + $0.map(UInt8.init) } + [0]
    }

    /// Whether `bytes` hold one of the encoded digit groups (the engine's own check).
    static func holdsDigitGroups(_ bytes: [UInt8], _ encoded: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            encoded.withUnsafeBufferPointer { CPIIScan_hasDigitGroups(buffer.baseAddress, buffer.count, $0.baseAddress) != 0 }
        }
    }

    /// Where the first run of at least `length` consecutive ASCII digits starts in `bytes`, or nil
    /// (the engine's own search, ``CPIIScan_findDigitRun``).
    static func digitRunStart(_ bytes: [UInt8], length: Int) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            var end = 0
            let start = CPIIScan_findDigitRun(base, 0, buffer.count, length, &end)
            return start < buffer.count ? start : nil
        }
    }

    /// A full-match example must lie in one prefilter window; otherwise the claim is wrong.
    private static func checkPrefilter(_ prefilter: Prefilter, example: String, patternID: String) throws(PIIScrubError) {
        let bytes = Array(example.utf8)
        let ok = bytes.withUnsafeBufferPointer { buf -> Bool in
            guard let base = buf.baseAddress else { return false }
            var position = 0
            guard let window = prefilter.nextWindow(base, from: &position, count: buf.count)?.range else { return false }
            return window == 0..<buf.count
        }
        guard ok else {
            throw PIIScrubError(.prefilterMismatch,
                                "example #\(example.utf8.count)B is not covered by the prefilter (span/trigger too narrow)",
                                patternID: patternID)
        }
    }

    /// A key-label claim (``PatternDefinition/keyLabels``): words of lower-case ASCII letters, a
    /// printable ASCII context, and a pattern that, after the context, matches a bare number (of
    /// some length in 7...12, the values `jsonl` gives a context) from its first digit to its end;
    /// or, for `ipv4` values, an address of four octets below 32 (what only the context makes an
    /// address), which its validator accepts there with the set's separators.
    private static func checkKeyLabels(_ labels: PatternDefinition.KeyLabels, of pattern: Pattern,
                                       separators: SeparatorTable) throws(PIIScrubError) {
        let isAddress = labels.value == "ipv4"
        guard isAddress || labels.value == nil || labels.value == "number" else {
            throw PIIScrubError(.invalidPatternFile, "keyLabels.value must be number or ipv4", patternID: pattern.id)
        }
        guard isAddress || pattern.definition.resetsMatchStart else {
            throw PIIScrubError(.invalidPatternFile, "keyLabels needs a regex that keeps its context out of the match with \\K",
                                patternID: pattern.id)
        }
        let context = Array(labels.context.utf8)
        guard (1...32).contains(context.count), context.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw PIIScrubError(.invalidPatternFile, "keyLabels.context must be 1 to 32 printable ASCII bytes",
                                patternID: pattern.id)
        }
        let words = (labels.suffixes ?? []) + (labels.keys ?? [])
        guard !words.isEmpty,
              words.allSatisfy({ (1...40).contains($0.utf8.count) && $0.utf8.allSatisfy { $0 &- 0x61 < 26 } })
        else {
            throw PIIScrubError(.invalidPatternFile, "keyLabels needs suffixes or keys of 1 to 40 lower-case ASCII letters",
                                patternID: pattern.id)
        }
        var scratch = MatchScratch(maxCaptureCount: pattern.compiled.captureCount)
        if isAddress {
            let subject = context + Array("10.0.0.8".utf8)
            let range = context.count..<subject.count
            let reads = subject.withUnsafeBytes { text in
                (try? pattern.compiled.firstMatch(in: text, from: 0, scratch: &scratch)) == range
                    && pattern.validator?.accepts(in: text, range, separators: separators.table) ?? true
            }
            guard reads else {
                throw PIIScrubError(.invalidPatternFile,
                                    "the regex and validator do not take an IPv4 address (10.0.0.8) after keyLabels.context",
                                    patternID: pattern.id)
            }
            return
        }
        let reads = (7...12).contains { length in
            let subject = context + Array("314159265358".utf8.prefix(length))
            let match = subject.withUnsafeBytes { try? pattern.compiled.firstMatch(in: $0, from: 0, scratch: &scratch) }
            return match == context.count..<subject.count
        }
        guard reads else {
            throw PIIScrubError(.invalidPatternFile,
                                "the regex does not match a bare number of 7 to 12 digits after keyLabels.context",
                                patternID: pattern.id)
        }
    }

    // MARK: Loading

    /// Loads a set by name (`seed`, `default`) from the patterns directory, or from a file path.
    ///
    /// A value containing `/` or ending in `.json` is a path; anything else is a name looked up as
    /// `<patterns directory>/<name>.json`. See ``patternsDirectory()``.
    public static func load(_ nameOrPath: String, jit: JITMode = .attempt) throws(PIIScrubError) -> PatternSet {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".json") {
            return try load(path: nameOrPath, jit: jit)
        }
        guard let directory = patternsDirectory() else {
            throw PIIScrubError(.patternSetNotFound,
                                "no patterns directory found for set '\(nameOrPath)'; set PII_SCRUB_PATTERNS to the repository's patterns/ folder")
        }
        let path = directory + "/" + nameOrPath + ".json"
        guard FileManager.default.fileExists(atPath: path) else {
            throw PIIScrubError(.patternSetNotFound, "no pattern set '\(nameOrPath)' in \(directory)")
        }
        return try load(path: path, jit: jit)
    }

    /// Loads a set file, resolving its `include`s relative to it.
    public static func load(path: String, jit: JITMode = .attempt) throws(PIIScrubError) -> PatternSet {
        var visited = Set<String>()
        let (name, definitions) = try readDefinitions(path: path, visited: &visited)
        return try PatternSet(name: name, definitions: definitions, jit: jit)
    }

    private static func readDefinitions(path: String, visited: inout Set<String>) throws(PIIScrubError)
        -> (String, [PatternDefinition])
    {
        guard visited.insert(path).inserted else {
            throw PIIScrubError(.invalidPatternFile, "include cycle at \(path)")
        }
        guard let bytes = readWholeFile(path, limit: 16 << 20) else {
            throw PIIScrubError(.unreadablePatternFile, "cannot read \(path)")
        }
        let set: PatternSetDefinition
        do {
            // Not JSONDecoder: it took a third of start-up's instructions (see PatternFileJSON); same
            // values and messages.
            set = try PatternFileJSON.decodePatternSet(bytes)
        } catch {
            throw PIIScrubError(.invalidPatternFile, "\(path): \(error)")
        }
        var definitions: [PatternDefinition] = []
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        for include in set.include ?? [] {
            let includePath = include.hasPrefix("/") ? include : (directory.isEmpty ? include : directory + "/" + include)
            definitions += try readDefinitions(path: includePath, visited: &visited).1
        }
        definitions += set.patterns ?? []
        return (set.name, definitions)
    }

    /// The directory holding the shipped pattern sets.
    ///
    /// Looked up, in order: `$PII_SCRUB_PATTERNS`; `patterns/` next to the executable or in its
    /// `../share/pii-scrub/`; the repository this library was built from.
    public static func patternsDirectory() -> String? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["PII_SCRUB_PATTERNS"], !env.isEmpty {
            return env
        }
        var candidates: [String] = []
        if let exe = CommandLine.arguments.first, exe.contains("/") {
            let dir = exe.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            candidates.append(dir + "/patterns")
            candidates.append(dir + "/../share/pii-scrub/patterns")
        }
        // #filePath is .../Sources/PIIScrub/PatternSet.swift in the checkout that built us.
        let source = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        if source.count > 3 {
            candidates.append(source.dropLast(3).joined(separator: "/") + "/patterns")
        }
        return candidates.first { fm.fileExists(atPath: $0 + "/seed.json") }
    }
}

/// Whether `regex` may switch case-insensitive matching on inline: an option setting `(?i)`,
/// `(?i:`, `(?mi-s)`, `(?^i)`..., with `i` before any `-` (lexical and conservative).
func hasInlineCaseless(_ regex: String) -> Bool {
    let bytes = Array(regex.utf8)
    var i = 0
    while i + 2 < bytes.count {
        if bytes[i] == UInt8(ascii: "\\") {
            i += 2
            continue
        }
        if bytes[i] == UInt8(ascii: "("), bytes[i + 1] == UInt8(ascii: "?") {
            var j = i + 2
            while j < bytes.count, bytes[j] != UInt8(ascii: "-"), bytes[j] != UInt8(ascii: ")"), bytes[j] != UInt8(ascii: ":"),
                  (bytes[j] | 0x20) &- 0x61 < 26 || bytes[j] == UInt8(ascii: "^") {
                if bytes[j] == UInt8(ascii: "i") { return true }
                j += 1
            }
        }
        i += 1
    }
    return false
}

/// Whether `found(bytes, i)` holds at some position i of a regex outside its character classes
/// (a lexical walk: an escape is visited at its backslash and skipped whole).
private func anyOutsideClasses(_ regex: String, _ found: ([UInt8], Int) -> Bool) -> Bool {
    let bytes = Array(regex.utf8)
    var i = 0
    var inClass = false
    while i < bytes.count {
        let c = bytes[i]
        if c == UInt8(ascii: "\\") {
            if !inClass, found(bytes, i) { return true }
            i += 2
            continue
        }
        if inClass {
            if c == UInt8(ascii: "]") { inClass = false }
        } else if c == UInt8(ascii: "[") {
            inClass = true
            if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "^") { i += 1 }
            if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "]") { i += 1 }
        } else if found(bytes, i) {
            return true
        }
        i += 1
    }
    return false
}

/// Whether a regex holds `\K` outside a character class (lexical, like ``usesContextSyntax(_:)``).
func usesMatchReset(_ regex: String) -> Bool {
    anyOutsideClasses(regex) { bytes, i in
        bytes[i] == UInt8(ascii: "\\") && i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "K")
    }
}

/// Whether a regex uses syntax whose result can depend on text beyond a separator: anchors
/// (`^ $ \A \z \Z \G`) and positive lookaround. Such a set is not cut (see ``PatternSet/separators``).
/// Lexical and conservative: a false "yes" costs streaming and parallel scrubbing (a set that
/// cannot be cut holds at most `maxHoldBack` of text, then fails closed).
func usesContextSyntax(_ regex: String) -> Bool {
    anyOutsideClasses(regex) { bytes, i in
        let c = bytes[i]
        func at(_ k: Int, _ ascii: Unicode.Scalar) -> Bool { i + k < bytes.count && bytes[i + k] == UInt8(ascii: ascii) }
        if c == UInt8(ascii: "\\") { return i + 1 < bytes.count && "AzZG".utf8.contains(bytes[i + 1]) }
        if c == UInt8(ascii: "^") || c == UInt8(ascii: "$") { return true }
        guard c == UInt8(ascii: "(") else { return false }
        // (?= and (?<=; (*positive_lookahead: ...) and other verbs: be conservative. Script runs
        // and atomic groups constrain only the characters they match.
        if at(1, "*") { return !confinedVerbs.contains { i + 2 <= bytes.count && bytes[(i + 2)...].starts(with: $0) } }
        return at(1, "?") && (at(2, "=") || (at(2, "<") && at(3, "=")))
    }
}

/// `(*name:` groups that look at nothing outside their own match.
private let confinedVerbs: [[UInt8]] = ["sr:", "script_run:", "asr:", "atomic_script_run:", "atomic:"].map { Array($0.utf8) }

/// Patterns of one stage that share a prefilter (or the single pattern without one): the engine
/// finds their windows once and runs each pattern inside each window. A class: the hot path
/// borrows groups instead of copying them per call.
final class ScanGroup: Sendable {
    /// Pattern indices, in priority order.
    let patterns: [Int]
    /// The shared prefilter with the smallest `minTriggers` of the group; nil: PCRE2 alone.
    let prefilter: Prefilter?

    init(patterns: [Int], prefilter: Prefilter?) {
        self.patterns = patterns
        self.prefilter = prefilter
    }

    static func groups(_ patterns: [Pattern]) -> [ScanGroup] {
        var members: [[Pattern]] = []
        var byKey: [Prefilter.Key: Int] = [:]
        for pattern in patterns {
            if let key = pattern.prefilter?.key, let at = byKey[key] {
                members[at].append(pattern)
            } else {
                if let key = pattern.prefilter?.key { byKey[key] = members.count }
                members.append([pattern])
            }
        }
        return members.map { group in
            guard let prefilter = group[0].prefilter else { return ScanGroup(patterns: [group[0].index], prefilter: nil) }
            // Digit-run windows when every pattern claims a run of ASCII digits in every match.
            let claims = group.compactMap { pattern -> (length: Int, within: Int)? in
                guard let d = pattern.definition.prefilter, let length = d.digitRun, !d.digitRunIsASCIIOnly else {
                    return nil
                }
                return (length, d.digitRunWithin ?? 0)
            }
            let digitRunWindows = claims.count == group.count
                ? (length: claims.map(\.length).min()!, within: claims.map(\.within).max()!) : nil
            // Pair windows when every pattern claims a trigger pair; exact pairs when every one
            // claims the same exact gap (an exact claim needs a gap: checked at load).
            let gaps = group.compactMap { $0.definition.prefilter?.triggerGap }
            let exact = Set(gaps).count == 1 && group.allSatisfy { $0.definition.prefilter?.triggerGapExact == true }
            // Trigger literals when every pattern requires strings (the prefilter keeps them only
            // when each starts with its single trigger byte).
            let required = group.map { $0.definition.prefilter?.requires ?? [] }
            let literals = required.contains(where: \.isEmpty) ? [] : Array(Set(required.joined())).sorted().map { Array($0.utf8) }
            return ScanGroup(patterns: group.map(\.index),
                             prefilter: Prefilter(prefilter, minTriggers: group.map { $0.prefilter!.minTriggers }.min()!,
                                                  minWindow: group.map(\.minLength).min()!,
                                                  digitRunWindows: digitRunWindows,
                                                  triggerGap: gaps.count == group.count ? gaps.max()! : 0,
                                                  triggerGapExact: exact, triggerLiterals: literals))
        }
    }
}

/// Reads a whole (small) file with POSIX calls; nil when it cannot be opened or read or is larger
/// than `limit`. (FoundationEssentials' `Data(contentsOf:)` leaks on empty files, found by the
/// pattern-loading fuzzer.)
func readWholeFile(_ path: String, limit: Int) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            return nil
        }
        if n == 0 { return bytes }
        bytes += chunk[..<n]
        if bytes.count > limit { return nil }
    }
}
