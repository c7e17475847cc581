internal import CPCRE2

/// Per-worker PCRE2 state: match data, a match context carrying the limits, and a JIT stack.
///
/// ## Thread safety
/// Owned by exactly one worker and passed `inout`; never shared. Create one per worker (or per
/// large batch), never per call: creation allocates.
///
/// ## Performance
/// Creation allocates three PCRE2 blocks; matching with it allocates nothing.
public struct MatchScratch: ~Copyable {
    let matchData: OpaquePointer
    let matchContext: OpaquePointer
    let jitStack: OpaquePointer?
    /// When false, matches run in the interpreter even for JIT-compiled patterns (tests use this
    /// to compare the two engines on the same corpus).
    public var useJIT: Bool

    /// Creates scratch space for patterns with at most `maxCaptureCount` capture groups.
    public init(maxCaptureCount: Int, limits: MatchLimits = .init(), useJIT: Bool = true) {
        // Allocation failures are programmer/environment errors, not recoverable conditions.
        guard let data = pcre2_match_data_create_8(UInt32(maxCaptureCount + 1), nil) else {
            preconditionFailure("pcre2_match_data_create failed (out of memory)")
        }
        guard let context = pcre2_match_context_create_8(nil) else {
            preconditionFailure("pcre2_match_context_create failed (out of memory)")
        }
        pcre2_set_match_limit_8(context, limits.matchLimit)
        pcre2_set_depth_limit_8(context, limits.depthLimit)
        let stack = pcre2_jit_stack_create_8(limits.jitStackStart, limits.jitStackMax, nil)
        if let stack {
            pcre2_jit_stack_assign_8(context, nil, UnsafeMutableRawPointer(stack))
        }
        self.matchData = data
        self.matchContext = context
        self.jitStack = stack
        self.useJIT = useJIT
    }

    deinit {
        pcre2_match_data_free_8(matchData)
        pcre2_match_context_free_8(matchContext)
        if let jitStack { pcre2_jit_stack_free_8(jitStack) }
    }
}
