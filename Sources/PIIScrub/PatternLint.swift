/// A lint finding about a pattern: things that make it slow, unsafe to stream, or prone to
/// runaway backtracking. Printed by `pii-scrub lint-patterns`; shipped sets must have none of
/// severity `.error`.
public struct PatternLintWarning: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable { case info, warning, error }
    public var patternID: String
    public var severity: Severity
    public var message: String

    public var description: String { "\(severity.rawValue) [\(patternID)]: \(message)" }
}

extension PatternSet {
    /// Lint findings for every pattern of the set.
    public func lint() -> [PatternLintWarning] {
        var warnings: [PatternLintWarning] = []
        for pattern in patterns {
            let regex = pattern.definition.regex
            func add(_ severity: PatternLintWarning.Severity, _ message: String) {
                warnings.append(PatternLintWarning(patternID: pattern.id, severity: severity, message: message))
            }
            if pattern.prefilter == nil {
                add(.warning, "no prefilter: PCRE2 searches every byte, and the set cannot be cut for streaming or parallel scrubbing")
            }
            if usesContextSyntax(regex) {
                add(.warning, "anchors or positive lookaround: the set cannot be cut for streaming or parallel scrubbing")
            }
            if hasNestedQuantifier(regex) {
                add(.error, "a quantified group contains an unbounded quantifier ((x+)+ shape): catastrophic backtracking risk")
            }
            if !pattern.isJITCompiled {
                add(.info, "not JIT-compiled: the interpreter is slower and can be quadratic on adversarial input")
            }
        }
        return warnings
    }
}

/// Whether `regex` has a group with an unbounded quantifier inside that is itself quantified
/// with `+`, `*` or `{n,}` (lexical check; escapes and classes are skipped).
func hasNestedQuantifier(_ regex: String) -> Bool {
    let bytes = Array(regex.utf8)
    var stack: [Bool] = []  // per open group: contains an unbounded quantifier
    var i = 0
    var inClass = false
    while i < bytes.count {
        let c = bytes[i]
        if c == UInt8(ascii: "\\") {
            i += 2
            continue
        }
        if inClass {
            if c == UInt8(ascii: "]") { inClass = false }
            i += 1
            continue
        }
        switch c {
        case UInt8(ascii: "["): inClass = true
        case UInt8(ascii: "("): stack.append(false)
        case UInt8(ascii: ")"):
            let inner = stack.popLast() ?? false
            let next = i + 1 < bytes.count ? bytes[i + 1] : 0
            let unboundedBrace = next == UInt8(ascii: "{") && braceIsUnbounded(bytes, at: i + 1)
            if inner && (next == UInt8(ascii: "+") || next == UInt8(ascii: "*") || unboundedBrace) { return true }
            if inner, !stack.isEmpty { stack[stack.count - 1] = true }
        case UInt8(ascii: "+"), UInt8(ascii: "*"):
            if !stack.isEmpty { stack[stack.count - 1] = true }
        case UInt8(ascii: "{"):
            if braceIsUnbounded(bytes, at: i), !stack.isEmpty { stack[stack.count - 1] = true }
        default: break
        }
        i += 1
    }
    return false
}

private func braceIsUnbounded(_ bytes: [UInt8], at i: Int) -> Bool {
    var j = i + 1
    while j < bytes.count && bytes[j] != UInt8(ascii: "}") { j += 1 }
    guard j < bytes.count, j > i + 1 else { return false }
    return bytes[j - 1] == UInt8(ascii: ",")
}
