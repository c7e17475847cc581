internal import PCRE2Wrapper
internal import CPIIScan

/// One scan group as the hot loop sees it: pattern indices and the prefilter's plain-value core.
struct GroupPlan {
    /// The group's patterns that are not deferred, searched in each window as it is found.
    let patterns: UnsafeBufferPointer<Int>
    /// The group's deferred patterns (``PatternDefinition/deferred``): its windows are kept
    /// (``DeferredWindow``) and searched for them once the other patterns' spans are resolved.
    let deferred: UnsafeBufferPointer<Int>
    let prefilter: PrefilterCore?
    /// The group's bits in its stage's gate words (``BlockGate``); 0: scanned whole.
    let gateMask: UInt32
    /// ``BlockGate/lookBack`` of the group.
    let gateLookBack: Int
    /// ``BlockGate/denseShares`` of the group.
    let gateDenseShare: Int
    /// Some pattern of the group claims ``PrefilterDefinition/requiresNonASCII``.
    let requiresNonASCII: Bool
}

/// One stage as the hot loop sees it.
struct StagePlan {
    /// Pattern indices in priority order.
    let patterns: UnsafeBufferPointer<Int>
    /// ``patterns`` without the deferred ones, and the deferred ones (the last in priority
    /// order), each in priority order.
    let primary: UnsafeBufferPointer<Int>
    let deferred: UnsafeBufferPointer<Int>
    let groups: UnsafeBufferPointer<GroupPlan>
    /// The tables of the stage's gate pass (``BlockGate``); nil when no group is gated.
    let gate: UnsafePointer<CPIIScan_GateTables>?
}

/// Flat copies of what the engine reads on every call, without reference counting: a payload of
/// a few hundred bytes used to spend half its time retaining and releasing arrays, groups and
/// compiled patterns (measured with `pii-scrub bench` on one-line records).
///
/// Pointers into objects that the owning ``PatternSet`` keeps alive (compiled patterns, prefilter
/// tables); the buffers themselves are owned here and freed in `deinit`.
// SAFETY: written only in `init`; read-only afterwards, so sharing across threads is safe.
final class EngineTables: @unchecked Sendable {
    let stages: UnsafeBufferPointer<StagePlan>
    let patterns: UnsafeBufferPointer<UnownedPattern>
    /// Per pattern: what to search windows with ASCII context with (``ASCIIVariant``): the
    /// ASCII-class variant, or the pattern itself.
    let asciiPatterns: UnsafeBufferPointer<UnownedPattern>
    let minTriggers: UnsafeBufferPointer<Int>
    /// PCRE2 MINLENGTH of each pattern, in bytes.
    let minLength: UnsafeBufferPointer<Int>
    /// A byte every match of the pattern contains (``CompiledPattern/requiredByte``), or -1.
    let requiredByte: UnsafeBufferPointer<Int32>
    /// Per pattern: ``PrefilterDefinition/digitRun`` (0: none) and ``PrefilterDefinition/digitRunWithin``.
    let digitRun: UnsafeBufferPointer<Int>
    let digitRunWithin: UnsafeBufferPointer<Int>
    /// Per pattern: ``PrefilterDefinition/digitRunIsASCIIOnly``.
    let digitRunASCIIOnly: UnsafeBufferPointer<Bool>
    /// Per pattern: ``PrefilterDefinition/validLength`` (0: none) and the byte of
    /// ``PrefilterDefinition/validLengthUnless`` (-1: none).
    let validLength: UnsafeBufferPointer<Int>
    let validLengthUnless: UnsafeBufferPointer<Int32>
    /// Per pattern: ``PrefilterDefinition/validLengthUnlessAlone`` (`Int.max`: none).
    let validLengthUnlessAlone: UnsafeBufferPointer<Int>
    /// Per pattern: its validator's ``Validator/Trim`` (`cuts` 0: none), read without copying
    /// the validator.
    let trimCuts: UnsafeBufferPointer<Int>
    /// Per pattern: the strings of ``PrefilterDefinition/requires`` (empty: none).
    let requiredLiterals: UnsafeBufferPointer<UnsafeBufferPointer<UnsafeBufferPointer<UInt8>>>
    /// Per pattern: the bytes of ``PrefilterDefinition/requiresClass`` (ASCII) as a 16-entry nibble
    /// table (``Prefilter/addASCIINibbles(_:to:)``; empty: none).
    let requiredClass: UnsafeBufferPointer<UnsafeBufferPointer<UInt8>>
    /// Per pattern: ``PrefilterDefinition/requiresCaseless`` as ``CaselessLiterals/masks(_:)``
    /// (empty: none) and the strings themselves.
    let caselessMasks: UnsafeBufferPointer<UnsafeBufferPointer<UInt32>>
    let caselessLiterals: UnsafeBufferPointer<UnsafeBufferPointer<UnsafeBufferPointer<UInt8>>>
    /// Per pattern: ``PrefilterDefinition/requiresClassCount`` (1 without one).
    let requiredClassCount: UnsafeBufferPointer<Int>
    /// Per pattern: ``PrefilterDefinition/requiresNonASCII``.
    let requiresNonASCII: UnsafeBufferPointer<Bool>
    /// Per pattern: ``PrefilterDefinition/digitGroups`` as ``CPIIScan_hasDigitGroups`` reads them
    /// (nil: none).
    let digitGroups: UnsafeBufferPointer<UnsafePointer<UInt8>?>
    /// Per pattern: ``PrefilterDefinition/runStart`` as ``CPIIScan_hasRunStart`` reads it (nil:
    /// none).
    let runStart: UnsafeBufferPointer<UnsafePointer<CPIIScan_RunStart>?>
    /// Per pattern: its validator, read in place by ``rejects(_:_:)``: copying a `Validator?`
    /// out of an array per window retained and released its name and closure (7,500 times per
    /// 1 MiB OTLP body).
    private let validators: UnsafeMutablePointer<Validator?>
    private let validatorCount: Int
    /// The pattern set's separators, for validators' context rules.
    private let separators: SeparatorTable
    /// Overlap priority of each pattern (lower wins).
    let priority: UnsafeBufferPointer<Int>
    /// The fixed replacement token of each pattern.
    let tokens: UnsafeBufferPointer<UnsafeBufferPointer<UInt8>>
    /// 256 entries: 1 for a byte that may start a trigger character of some pattern (ASCII
    /// triggers, and the lead bytes of Unicode digits where a prefilter counts them); nil when a
    /// pattern has no prefilter. Text without such a byte opens no prefilter window, so (with the
    /// prefilter on) nothing in it can match: ``Scrubber/mayMatch(_:)``.
    let triggerBytes: UnsafeBufferPointer<UInt8>?
    /// ``triggerBytes``' ASCII part as a 16-entry nibble table (``Prefilter/addASCIINibbles(_:to:)``).
    let triggerNibbles: UnsafeBufferPointer<UInt8>?
    /// 256 entries, with ``triggerBytes``: bit g set for a byte that may start a trigger
    /// character of scan group g (all stages numbered in order; groups past 63 share bit 63).
    let triggerGroups: UnsafeBufferPointer<UInt64>?
    /// Indexed by a text's length in bytes, for lengths below its count: the groups whose
    /// shortest match fits in that many bytes (``Prefilter/minWindow`` characters, and at
    /// least ``Prefilter/minTriggers`` of them, each one byte or more). Longer text: any group.
    let groupsFitting: UnsafeBufferPointer<UInt64>?
    private let owned: [UnsafeMutableRawPointer]

    init(stages: [[Int]], groups: [[ScanGroup]], patterns: [Pattern], separators: SeparatorTable) {
        self.separators = separators
        var owned: [UnsafeMutableRawPointer] = []
        func copy<T>(_ values: [T]) -> UnsafeBufferPointer<T> {
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(values.count, 1))
            _ = buffer.initialize(from: values)
            owned.append(UnsafeMutableRawPointer(buffer.baseAddress!))
            return UnsafeBufferPointer(rebasing: buffer[..<values.count])
        }
        func isDeferred(_ index: Int) -> Bool { patterns[index].isDeferred }
        var stagePlans: [StagePlan] = []
        for (s, stage) in stages.enumerated() {
            let gate = BlockGate(groups: groups[s], patterns: patterns)
            let groupPlans = groups[s].enumerated().map { g, group in
                GroupPlan(patterns: copy(group.patterns.filter { !isDeferred($0) }),
                          deferred: copy(group.patterns.filter(isDeferred)), prefilter: group.prefilter?.core,
                          gateMask: gate?.masks[g] ?? 0, gateLookBack: gate?.lookBack[g] ?? 0,
                          gateDenseShare: gate?.denseShares[g] ?? BlockGate.denseShare,
                          requiresNonASCII: group.patterns.contains { patterns[$0].definition.prefilter?.requiresNonASCII == true })
            }
            stagePlans.append(StagePlan(patterns: copy(stage), primary: copy(stage.filter { !isDeferred($0) }),
                                        deferred: copy(stage.filter(isDeferred)), groups: copy(groupPlans),
                                        gate: gate.map { copy([$0.tables]).baseAddress! }))
        }
        self.stages = copy(stagePlans)
        self.patterns = copy(patterns.map(\.compiled.unownedHandle))
        self.asciiPatterns = copy(patterns.map { ($0.asciiVariant ?? $0.compiled).unownedHandle })
        self.minTriggers = copy(patterns.map { $0.prefilter?.minTriggers ?? 0 })
        self.minLength = copy(patterns.map(\.minLength))
        self.requiredByte = copy(patterns.map { $0.compiled.requiredByte.map(Int32.init) ?? -1 })
        self.tokens = copy(patterns.map { copy($0.replacement) })
        self.priority = copy(patterns.map(\.priority))
        self.digitRun = copy(patterns.map { $0.definition.prefilter?.digitRun ?? 0 })
        self.digitRunWithin = copy(patterns.map { $0.definition.prefilter?.digitRunWithin ?? 0 })
        self.digitRunASCIIOnly = copy(patterns.map { $0.definition.prefilter?.digitRunIsASCIIOnly ?? false })
        self.validLength = copy(patterns.map { $0.definition.prefilter?.validLength ?? 0 })
        self.validLengthUnless = copy(patterns.map { pattern in
            pattern.definition.prefilter?.validLengthUnless?.utf8.first.map(Int32.init) ?? -1
        })
        self.validLengthUnlessAlone = copy(patterns.map { $0.definition.prefilter?.validLengthUnlessAlone ?? Int.max })
        self.requiredLiterals = copy(patterns.map { pattern in
            copy((pattern.definition.prefilter?.requires ?? []).map { copy(Array($0.utf8)) })
        })
        validatorCount = patterns.count
        validators = .allocate(capacity: max(1, patterns.count))
        validators.initialize(from: patterns.map(\.validator), count: patterns.count)
        self.trimCuts = copy(patterns.map { $0.validator?.trim?.cuts ?? 0 })
        self.requiresNonASCII = copy(patterns.map { $0.definition.prefilter?.requiresNonASCII ?? false })
        self.digitGroups = copy(patterns.map { pattern in
            pattern.definition.prefilter?.digitGroups.map { copy(PatternSet.encodeDigitGroups($0)).baseAddress! }
        })
        self.requiredClassCount = copy(patterns.map { $0.definition.prefilter?.requiresClassCount ?? 1 })
        self.runStart = copy(patterns.map { pattern -> UnsafePointer<CPIIScan_RunStart>? in
            guard let prefilter = pattern.prefilter, !prefilter.runStart.isEmpty else { return nil }
            var claim = CPIIScan_RunStart()
            claim.span = prefilter.core.nibbles.span
            withUnsafeMutableBytes(of: &claim.prefix) { table in
                for (f, prefix) in prefilter.runStart.enumerated() {
                    for (j, members) in prefix.enumerated() {
                        for b in members where b < 0x80 { table[128 * j + Int(b)] |= UInt8(1) << f }
                    }
                }
            }
            return UnsafePointer(copy([claim]).baseAddress!)
        })
        let caseless = patterns.map { ($0.definition.prefilter?.requiresCaseless ?? []).map { Array($0.utf8) } }
        self.caselessMasks = copy(caseless.map { $0.isEmpty ? copy([UInt32]()) : copy(CaselessLiterals.masks($0)) })
        self.caselessLiterals = copy(caseless.map { literals in copy(literals.map { copy($0) }) })
        self.requiredClass = copy(patterns.map { pattern in
            let members = pattern.prefilter?.requiredClass ?? []
            var table = [UInt8](repeating: 0, count: members.isEmpty ? 0 : 16)
            table.withUnsafeMutableBytes { Prefilter.addASCIINibbles(members, to: $0) }
            return copy(table)
        })
        if patterns.allSatisfy({ $0.prefilter != nil }) {
            var table = [UInt8](repeating: 0, count: 256)
            for pattern in patterns {
                let prefilter = pattern.prefilter!
                for b in 0..<128 where prefilter.tables.trigger[b] != 0 { table[b] = 1 }
                if prefilter.key.triggerDigits {
                    for b in unicodeDigitLeadBytes { table[Int(b)] = 1 }
                }
            }
            self.triggerBytes = copy(table)
            var nibbles = [UInt8](repeating: 0, count: 16)
            nibbles.withUnsafeMutableBytes { nibbleTable in
                Prefilter.addASCIINibbles((0..<128).lazy.filter { table[$0] != 0 }.map(UInt8.init), to: nibbleTable)
            }
            self.triggerNibbles = copy(nibbles)
            var byByte = [UInt64](repeating: 0, count: 256)
            var shortest = [Int](repeating: Int.max, count: 64)
            for (g, group) in groups.joined().enumerated() {
                let prefilter = group.prefilter!
                let bit = min(g, 63)
                for b in 0..<128 where prefilter.tables.trigger[b] != 0 { byByte[b] |= 1 << bit }
                if prefilter.key.triggerDigits {
                    for b in unicodeDigitLeadBytes { byByte[Int(b)] |= 1 << bit }
                }
                shortest[bit] = min(shortest[bit], max(prefilter.minWindow, prefilter.minTriggers))
            }
            let longest = shortest.filter { $0 != Int.max }.max() ?? 0
            self.triggerGroups = copy(byByte)
            self.groupsFitting = copy((0..<longest).map { n in
                (0..<64).reduce(UInt64(0)) { mask, bit in shortest[bit] <= n ? mask | 1 << bit : mask }
            })
        } else {
            self.triggerBytes = nil
            self.triggerNibbles = nil
            self.triggerGroups = nil
            self.groupsFitting = nil
        }
        self.owned = owned
    }

    deinit {
        // Every buffer holds trivial values: deallocating without deinitializing is correct.
        for pointer in owned { pointer.deallocate() }
        validators.deinitialize(count: validatorCount)
        validators.deallocate()
    }

    /// ``PIIScrub/standsAlone(_:in:count:separators:)`` with the set's separators.
    @inline(__always)
    func standsAlone(_ range: Range<Int>, _ p: UnsafePointer<UInt8>, count: Int) -> Bool {
        PIIScrub.standsAlone(range, in: p, count: count, separators: separators.table)
    }

    /// Whether pattern `index` has a validator and it rejects the match `text[match]`, also by
    /// the text around it (``Validator``'s context rule, which reads no byte past a separator).
    @inline(__always)
    func rejects(_ index: Int, in text: UnsafeRawBufferPointer, _ match: Range<Int>) -> Bool {
        // ``Validator/accepts(in:_:separators:)`` with its fields read in place: calling the
        // method copied the validator (its name and closures retained and released), +0.5 % of
        // dense text's instructions.
        guard validators[index] != nil,
              !validators[index].unsafelyUnwrapped.check(UnsafeRawBufferPointer(rebasing: text[match]))
        else { return false }
        guard let context = validators[index].unsafelyUnwrapped.context else { return true }
        return !context(text, match, UnsafePointer(separators.table))
    }

    /// For a match ``rejects(_:in:_:)`` refused: the longest cut of it back to a space that the
    /// validator accepts (``Validator/Trim``), or nil.
    @inline(__always)
    func acceptedCut(_ index: Int, in text: UnsafeRawBufferPointer, _ match: Range<Int>) -> Range<Int>? {
        trimCuts[index] == 0 ? nil : cut(index, in: text, match)
    }

    private func cut(_ index: Int, in text: UnsafeRawBufferPointer, _ match: Range<Int>) -> Range<Int>? {
        var end = match.upperBound
        var cuts = 0
        while cuts < trimCuts[index] {
            // The last space before `end` that follows a digit.
            var i = end - 1
            while i > match.lowerBound && !(text[i] == 0x20 && text[i - 1] &- 0x30 < 10) { i -= 1 }
            guard i > match.lowerBound else { return nil }
            end = i
            cuts += 1
            let cut = match.lowerBound..<end
            if !rejects(index, in: text, cut) { return cut }
        }
        return nil
    }
}

/// The strings of ``PrefilterDefinition/requiresCaseless`` as the engine looks for them in a
/// window: three 256-entry masks (bit j of entry `k * 256 + b`: literal j holds byte b, in either
/// ASCII case, at offset k), so each byte costs three loads and an AND, and only where all three
/// agree (`tel` of `hotel`: rare in prose) is a whole literal compared. A PCRE2 search of a label
/// window tries the label alternation at every letter that starts one.
enum CaselessLiterals {
    /// The masks for `literals` (lower case, 3 to 32 bytes, at most 32 of them).
    static func masks(_ literals: [[UInt8]]) -> [UInt32] {
        var masks = [UInt32](repeating: 0, count: 3 * 256)
        for (j, literal) in literals.enumerated() {
            for k in 0..<3 {
                let b = literal[k]
                masks[k * 256 + Int(b)] |= 1 << j
                if b >= 0x61 && b <= 0x7A { masks[k * 256 + Int(b - 0x20)] |= 1 << j }
            }
        }
        return masks
    }

    @inline(__always)
    static func folded(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }

    /// Whether `bytes` hold `literal` (lower case) in any ASCII case: the reference the load check
    /// and the tests use.
    static func contains(_ bytes: ArraySlice<UInt8>, _ literal: [UInt8]) -> Bool {
        guard bytes.count >= literal.count else { return false }
        var i = bytes.startIndex
        while i + literal.count <= bytes.endIndex {
            if (0..<literal.count).allSatisfy({ folded(bytes[i + $0]) == literal[$0] }) { return true }
            i += 1
        }
        return false
    }

    /// Whether p[window] holds one of `literals` in any ASCII case (``masks(_:)``).
    @inline(__always)
    static func holdsAny(_ p: UnsafePointer<UInt8>, _ window: Range<Int>, masks: UnsafePointer<UInt32>,
                         literals: UnsafeBufferPointer<UnsafeBufferPointer<UInt8>>) -> Bool {
        var i = window.lowerBound
        let end = window.upperBound
        while i + 3 <= end {
            var m = masks[Int(p[i])] & masks[256 + Int(p[i + 1])] & masks[512 + Int(p[i + 2])]
            while m != 0 {
                let literal = literals[m.trailingZeroBitCount]
                m &= m &- 1
                guard i + literal.count <= end else { continue }
                var k = 3
                while k < literal.count && folded(p[i + k]) == literal[k] { k += 1 }
                if k == literal.count { return true }
            }
            i += 1
        }
        return false
    }
}
