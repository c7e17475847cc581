internal import CPCRE2

/// An error reported by PCRE2, with the library's own message.
///
/// The description never contains subject text: only the error kind, the numeric PCRE2 code, its
/// message, and for compile errors the offset into the *pattern*.
public struct PCRE2Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// The stage of PCRE2 that failed.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case compile, jit, match, info, option
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// `pcre2_compile` rejected the pattern.
        public static let compile = Kind(.compile)
        /// `pcre2_jit_compile` failed.
        public static let jit = Kind(.jit)
        /// `pcre2_match` returned an error other than "no match".
        public static let match = Kind(.match)
        /// `pcre2_pattern_info` failed.
        public static let info = Kind(.info)
        /// A context setter rejected a value.
        public static let option = Kind(.option)

        public var description: String { base.rawValue }
    }

    /// The stage that failed.
    public let kind: Kind
    /// PCRE2's negative error code (or a positive compile error code).
    public let code: Int32
    /// For compile errors, the byte offset in the pattern where the error was detected.
    public let offset: Int?

    public init(kind: Kind, code: Int32, offset: Int? = nil) {
        self.kind = kind
        self.code = code
        self.offset = offset
    }

    /// True for the match-time resource limits (match limit, depth limit, heap limit, JIT stack).
    public var isResourceLimit: Bool {
        code == PCRE2_ERROR_MATCHLIMIT || code == PCRE2_ERROR_DEPTHLIMIT || code == PCRE2_ERROR_HEAPLIMIT
            || code == PCRE2_ERROR_JIT_STACKLIMIT
    }

    /// PCRE2's message for ``code``.
    public var message: String {
        // 256 bytes: twice what pcre2api calls enough for any message.
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = buffer.withUnsafeMutableBufferPointer { buf in
            pcre2_get_error_message_8(code, buf.baseAddress, buf.count)
        }
        guard length >= 0 else { return "unknown PCRE2 error \(code)" }
        return String(decoding: buffer[0..<Int(length)], as: UTF8.self)
    }

    public var description: String {
        if let offset {
            return "PCRE2 \(kind) error \(code) at pattern offset \(offset): \(message)"
        }
        return "PCRE2 \(kind) error \(code): \(message)"
    }
}
