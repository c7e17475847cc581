public import PCRE2Wrapper

/// An error from loading patterns or configuring the scrubber.
///
/// Never contains subject text: only pattern ids, pattern text, file paths and line numbers.
public struct PIIScrubError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case patternSetNotFound = "pattern set not found"
            case unreadablePatternFile = "unreadable pattern file"
            case invalidPatternFile = "invalid pattern file"
            case invalidPattern = "invalid pattern"
            case emptyMatch = "pattern can match the empty string"
            case prefilterMismatch = "prefilter claim contradicted by an example"
            case invalidInput = "invalid input"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        public static let patternSetNotFound = Code(.patternSetNotFound)
        public static let unreadablePatternFile = Code(.unreadablePatternFile)
        public static let invalidPatternFile = Code(.invalidPatternFile)
        public static let invalidPattern = Code(.invalidPattern)
        public static let emptyMatch = Code(.emptyMatch)
        public static let prefilterMismatch = Code(.prefilterMismatch)
        public static let invalidInput = Code(.invalidInput)

        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    public var patternID: String?
    public var underlying: PCRE2Error?

    public init(_ code: Code, _ message: String, patternID: String? = nil, underlying: PCRE2Error? = nil) {
        self.code = code
        self.message = message
        self.patternID = patternID
        self.underlying = underlying
    }

    public var description: String {
        var text = "\(code)"
        if let patternID { text += " [\(patternID)]" }
        text += ": \(message)"
        if let underlying { text += " (\(underlying))" }
        return text
    }
}
