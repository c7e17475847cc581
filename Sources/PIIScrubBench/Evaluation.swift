public import PIIScrub

/// Scores one scrubbed record against its labels (see ``TypeScore`` for the rules).
///
/// Pure: takes the original bytes, the scrubbed bytes and the findings (pattern id + byte range
/// in the original), so the arithmetic can be tested on hand-computed cases.
public struct Evaluator: Sendable {
    /// Pattern id -> kind.
    public let typeByPattern: [String: String]
    /// Kind -> its pattern ids.
    public let patternsByType: [String: [String]]
    public var showValues: Bool
    /// Bytes of context on each side of an example span.
    public var contextBytes = 24

    public init(patternSet: PatternSet, showValues: Bool = false) {
        var typeByPattern: [String: String] = [:]
        var patternsByType: [String: [String]] = [:]
        for pattern in patternSet.patterns {
            let type = PIITypes.type(of: pattern.definition)
            typeByPattern[pattern.id] = type
            patternsByType[type, default: []].append(pattern.id)
        }
        self.typeByPattern = typeByPattern
        self.patternsByType = patternsByType
        self.showValues = showValues
    }

    /// Accumulated scores.
    public struct Tally: Sendable {
        public var scores: [String: TypeScore] = [:]
        public var misses: [ErrorExample] = []
        public var falsePositives: [ErrorExample] = []
        public init() {}
    }

    /// Adds one record's outcome to `tally`.
    public func score(record: CorpusRecord, scrubbed: [UInt8], findings: [Finding], into tally: inout Tally) {
        func bump(_ type: String, _ change: (inout TypeScore) -> Void) {
            var score = tally.scores[type] ?? TypeScore(type: type, patterns: patternsByType[type] ?? [])
            change(&score)
            tally.scores[type] = score
        }
        var labelledRanges: [Range<Int>] = []
        for label in record.pii {
            let value = Array(label.value.utf8)
            let where_ = occurrences(of: value, in: record.bytes)
            labelledRanges += where_
            if occurrences(of: value, in: scrubbed).isEmpty {
                bump(label.type) { $0.truePositives += 1 }
                if let open = where_.first(where: { !isCovered($0, of: record.bytes, by: findings) }) {
                    bump(label.type) { $0.partial += 1 }
                    tally.misses.append(example(record, type: label.type, patternID: nil, open, kind: "partial"))
                }
            } else {
                bump(label.type) { $0.falseNegatives += 1 }
                let span = where_.first ?? 0 ..< 0
                tally.misses.append(example(record, type: label.type, patternID: nil, span, kind: "miss"))
            }
        }
        var keepRanges: [Range<Int>] = []
        for keep in record.keep {
            let value = Array(keep.utf8)
            let where_ = occurrences(of: value, in: record.bytes)
            keepRanges += where_
            guard !where_.isEmpty, occurrences(of: value, in: scrubbed).isEmpty else { continue }
            let culprit = findings.first { f in where_.contains { $0.overlaps(f.range) } }
            let type = culprit.map { typeByPattern[$0.patternID] ?? $0.patternID } ?? "unknown"
            bump(type) { $0.keepLost += 1 }
            if let culprit, labelledRanges.contains(where: { $0.overlaps(culprit.range) }) {
                // Covered by a match that also removed a label: not counted by the loop below.
                bump(type) { $0.falsePositives += 1 }
            }
        }
        for finding in findings where !labelledRanges.contains(where: { $0.overlaps(finding.range) }) {
            let type = typeByPattern[finding.patternID] ?? finding.patternID
            bump(type) { $0.falsePositives += 1 }
            let kind = keepRanges.contains { $0.overlaps(finding.range) } ? "keep" : "unlabelled"
            tally.falsePositives.append(example(record, type: type, patternID: finding.patternID, finding.range, kind: kind))
        }
    }

    /// Final per-kind scores: every kind with a label or a pattern, sorted by name.
    public func finish(_ tally: Tally) -> [TypeScore] {
        var scores = tally.scores
        for (type, ids) in patternsByType where scores[type] == nil {
            scores[type] = TypeScore(type: type, patterns: ids)
        }
        return scores.values.sorted { $0.type < $1.type }
    }

    /// Whether the findings' ranges together cover every letter and digit of `bytes[range]`
    /// (ASCII letters and digits, and every non-ASCII byte): a bracket or space left between
    /// or after redactions is no piece of the value.
    private func isCovered(_ range: Range<Int>, of bytes: [UInt8], by findings: [Finding]) -> Bool {
        func isContent(_ b: UInt8) -> Bool { b >= 0x80 || b &- 0x30 < 10 || (b | 0x20) &- 0x61 < 26 }
        var at = range.lowerBound
        for finding in findings.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) where finding.range.upperBound > at {
            if finding.range.lowerBound > at {
                if bytes[at ..< min(finding.range.lowerBound, range.upperBound)].contains(where: isContent) { return false }
            }
            at = max(at, finding.range.upperBound)
            if at >= range.upperBound { return true }
        }
        return !bytes[at ..< range.upperBound].contains(where: isContent)
    }

    private func example(_ record: CorpusRecord, type: String, patternID: String?, _ span: Range<Int>, kind: String) -> ErrorExample {
        var context: String?
        if showValues {
            let lower = max(0, span.lowerBound - contextBytes)
            let upper = min(record.bytes.count, span.upperBound + contextBytes)
            context = escapedContext(record.bytes[lower ..< span.lowerBound]) + "\u{27E6}"
                + escapedContext(record.bytes[span]) + "\u{27E7}" + escapedContext(record.bytes[span.upperBound ..< upper])
        }
        return ErrorExample(line: record.line, type: type, patternID: patternID, start: span.lowerBound,
                            end: span.upperBound, kind: kind, context: context)
    }
}
