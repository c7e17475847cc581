// CPIIScan: the byte-class scan under the prefilter, in C because Swift's portable SIMD types
// lower to lane-by-lane code for this loop on x86_64 (measured: ~0.3 GB/s vs ~5 GB/s here).
// Remove once Swift's SIMD codegen handles compare/or/any over SIMD16<UInt8> well.
#ifndef CPIISCAN_H
#define CPIISCAN_H

#include <stddef.h>
#include <stdint.h>

/// A set of bytes described as up to three ranges [lo, lo + len) plus "every byte >= high"
/// (high == 0 disables that part).
typedef struct {
    uint8_t lo0, len0, lo1, len1, lo2, len2, high;
} CPIIScan_ByteRanges;

/// The index of the first byte of p[from ..< n] that is in `ranges`, or n if none is.
size_t CPIIScan_find(const uint8_t *p, size_t from, size_t n, CPIIScan_ByteRanges ranges);

/// The index of the first occurrence at or after `from` of the `length`-byte ASCII string
/// `anchor` in p[0 ..< n] (wholly inside it), or n if none. With `caseless`, ASCII letters match
/// either case (the anchor is given in lower case); other bytes match exactly. Compares the
/// anchor's bytes at offsets `r1` and `r2` (chosen rare) 32 positions a step (AVX2, with
/// `vector` where the CPU has it) or 16 (SSE2), then the whole anchor at each hit.
size_t CPIIScan_findAnchor(const uint8_t *p, size_t from, size_t n, const uint8_t *anchor, size_t length,
                           int caseless, size_t r1, size_t r2, int vector);

/// The index of the last occurrence of `byte` in p[0 ..< n], or n if none (glibc's memrchr,
/// which Swift's Glibc module does not export because it needs _GNU_SOURCE).
size_t CPIIScan_lastIndex(const uint8_t *p, size_t n, uint8_t byte);

/// Result of ``CPIIScan_findRun``.
typedef struct {
    /// The run [lo, hi) (when status is 1), or the position that needs the general path (status 2).
    size_t lo, hi;
    /// Trigger bytes in the run.
    size_t triggers;
    /// 0: no more candidates; 1: an ASCII run with >= minTriggers triggers; 2: a candidate that
    /// touches a non-ASCII byte at `lo`'s neighbourhood, to be handled by the caller's general path.
    int status;
} CPIIScan_Run;

/// Nibble tables for the long-run scan: entry `lo` of `span` (`trigger`) holds one bit per high
/// nibble h (0...7) of the ASCII bytes (h << 4 | lo) in the span (trigger) set; entry `lo` of
/// `lead` holds bit h - 8 for each non-ASCII byte (h << 4 | lo), h in 8...15, that may start a
/// trigger character (for Unicode digits: the lead bytes of the Nd characters).
typedef struct {
    uint8_t span[16];
    uint8_t trigger[16];
    uint8_t lead[16];
} CPIIScan_Nibbles;

/// Finds the next maximal run of span bytes (span[b] != 0, ASCII only) holding at least
/// `minTriggers` trigger bytes, starting the search at `from`. Runs with fewer triggers are
/// skipped here, in C, without returning. When a candidate byte is >= 0x80 or a run borders a
/// byte >= 0x80, returns status 2 with lo = the candidate position so the caller can decide with
/// full UTF-8 knowledge (nothing before lo has been skipped wrongly: every skipped run was
/// bounded by ASCII non-span bytes on both sides). With `nibbles` (the same sets as `ranges`'
/// ASCII part, `trigger` and `span`) and AVX2, candidates are found and runs grown 32 bytes a
/// step; without, 16 bytes a step (SSE2) and byte by byte.
CPIIScan_Run CPIIScan_findRun(const uint8_t *p, size_t from, size_t n, CPIIScan_ByteRanges ranges,
                              const uint8_t *trigger, const uint8_t *span, size_t minTriggers,
                              const CPIIScan_Nibbles *nibbles);

/// Same contract as ``CPIIScan_findRun`` for every status-1 run, but skips, 64 bytes per step
/// with AVX2 where the CPU has it, every run of span or non-ASCII bytes that cannot hold
/// `minTriggers` triggers: runs shorter than that, and runs with fewer bytes that may start a
/// trigger character (ASCII triggers, `nibbles->lead` bytes), and (status 1 and the vector path)
/// runs shorter than `minLength` (the shortest match of the patterns searched in the window).
/// Status 2 is reported only for runs that pass; the runs it no longer reports could never yield
/// a window that holds a match. `span[0]` must be 0.
CPIIScan_Run CPIIScan_findLongRun(const uint8_t *p, size_t from, size_t n, CPIIScan_ByteRanges ranges,
                                  const uint8_t *trigger, const uint8_t *span, size_t minTriggers,
                                  size_t minLength, const CPIIScan_Nibbles *nibbles);

/// The results of calling ``CPIIScan_findLongRun`` again and again, each call from the end of the
/// previous status-1 run, in one call: up to `capacity` runs into `runs`, in order. Returns how
/// many. A status-2 result is always the last one (the caller's general path decides where the
/// scan resumes); fewer than `capacity` runs and no status 2 at the end means no more runs. The
/// 128-byte blocks of the vector scan are classified once, not again after each run.
size_t CPIIScan_findLongRuns(const uint8_t *p, size_t from, size_t n, CPIIScan_ByteRanges ranges,
                             const uint8_t *trigger, const uint8_t *span, size_t minTriggers, size_t minLength,
                             const CPIIScan_Nibbles *nibbles, CPIIScan_Run *runs, size_t capacity);

/// ``CPIIScan_hasVectorRunScan``'s answer once known (0 or 1), -1 before; read through it.
extern int CPIIScan_vectorRunScanState;

/// Detects AVX2 (with POPCNT, which every AVX2 CPU has and the gate uses) and sets
/// ``CPIIScan_vectorRunScanState``; returns it.
int CPIIScan_detectVectorRunScan(void);

/// Whether ``CPIIScan_findLongRun`` uses its AVX2 block scan on this CPU (else a scalar run scan).
/// Inline: every vector loop asks on entry (the JSON decode and escape scans, the prefilter's run
/// scans: tens of thousands of times per 1 MiB OTLP body), and a call to ask cost three times the
/// load.
static inline int CPIIScan_hasVectorRunScan(void) {
    int v = __atomic_load_n(&CPIIScan_vectorRunScanState, __ATOMIC_RELAXED);
    return v >= 0 ? v : CPIIScan_detectVectorRunScan();
}

/// ``CPIIScan_hasWideVectors``' answer once known (0 or 1), -1 before; read through it.
extern int CPIIScan_wideVectorState;

/// Detects what ``CPIIScan_hasWideVectors`` answers and sets ``CPIIScan_wideVectorState``;
/// returns it.
int CPIIScan_detectWideVectors(void);

/// Whether this CPU runs the gate's AVX-512 pass (``CPIIScan_gateBlocks``): AVX2 as above, and
/// AVX-512 F, BW, VL and VBMI with the OS saving their state.
static inline int CPIIScan_hasWideVectors(void) {
    int v = __atomic_load_n(&CPIIScan_wideVectorState, __ATOMIC_RELAXED);
    return v >= 0 ? v : CPIIScan_detectWideVectors();
}

/// A cheap monotonic tick count for the search profile (``ScrubWorker/enableSearchProfile()``):
/// the time-stamp counter on x86-64 (a fixed rate, near the nominal clock), the virtual counter on
/// arm64; 0 where there is neither. Ticks compare patterns with each other, not with seconds.
static inline uint64_t CPIIScan_ticks(void) {
#if defined(__x86_64__) || defined(_M_X64)
    return __builtin_ia32_rdtsc();
#elif defined(__aarch64__)
    uint64_t v;
    __asm__ volatile("mrs %0, cntvct_el0" : "=r"(v));
    return v;
#else
    return 0;
#endif
}

typedef struct {
    /// The run [lo, hi).
    size_t lo, hi;
    /// Trigger bytes in the run.
    size_t triggers;
} CPIIScan_Grown;

/// The maximal run of ASCII span bytes around `t` (p[t] must be one) and its trigger bytes,
/// 32 bytes per step with AVX2 where the CPU has it. The bytes at lo - 1 and hi (when inside
/// the buffer) are not ASCII span bytes: either ASCII non-span, or >= 0x80 for the caller's
/// UTF-8-aware growth to go on from.
CPIIScan_Grown CPIIScan_growRun(const uint8_t *p, size_t t, size_t n, const uint8_t *trigger,
                                const uint8_t *span, const CPIIScan_Nibbles *nibbles);

/// The first maximal run of ASCII digits in p[from ..< end] (cut at `from` and `end`) that is at
/// least `k` digits long: returns its start and sets *runEnd to its end; returns end (and sets
/// *runEnd to end) when there is none. 32 bytes a step with AVX2 for k <= 32.
size_t CPIIScan_findDigitRun(const uint8_t *p, size_t from, size_t end, size_t k, size_t *runEnd);

/// Whether `literal` (length > 0) occurs in p[0 ..< n]: `memchr` for its first byte, then a
/// compare. For the `requires` check of one window: `CPIIScan_findAnchor`, whose set-up pays off
/// on whole buffers, cost 2.9 % more instructions on dense text here (903 against 930 M on 16
/// MB).
int CPIIScan_containsLiteral(const uint8_t *p, size_t n, const uint8_t *literal, size_t length);

/// Whether p[0 ..< n] holds at least `count` (>= 1) ASCII bytes of the set whose nibble table
/// (``CPIIScan_Nibbles``' form) is `table`: a pattern's `requiresClass` claim, for one window.
/// 32 bytes a step with AVX2.
int CPIIScan_holdsClass(const uint8_t *p, size_t n, const uint8_t *table, size_t count);

/// CPIIScan_holdsClass byte by byte (what it does without AVX2; the tests compare the two).
int CPIIScan_holdsClassPortable(const uint8_t *p, size_t n, const uint8_t *table, size_t count);

/// A pattern's `runStart` claim as ``CPIIScan_hasRunStart`` reads it: its span (nibble table,
/// ``CPIIScan_Nibbles``' form) and its prefixes: bit f of `prefix[j][b]` is set where the ASCII
/// byte b is in class j of prefix f (f < 8, j < 3).
typedef struct {
    uint8_t span[16];
    uint8_t prefix[3][128];
} CPIIScan_RunStart;

/// Whether some i in [lo, hi - 3] starts a prefix of `r` where a match may start: i is 0 or
/// p[i - 1] is not an ASCII byte of the span, and p[i + j] is in class j of one prefix for each
/// j < 3. For one window p[lo ..< hi]; p[lo - 1] must be readable when lo > 0.
int CPIIScan_hasRunStart(const uint8_t *p, size_t lo, size_t hi, const CPIIScan_RunStart *r);

/// Whether p[0 ..< n] holds, for one of the lists in `groups`, maximal runs of ASCII digits of the
/// list's lengths in order, each separated from the next by exactly one byte (runs are cut at 0
/// and n). `groups` holds each list as its count (1 to 8) and its lengths, then a 0. The
/// `digitGroups` claim of a pattern, for one window.
int CPIIScan_hasDigitGroups(const uint8_t *p, size_t n, const uint8_t *groups);

/// CPIIScan_hasDigitGroups without vector instructions, byte by byte (what it does without AVX2;
/// the tests compare the two).
int CPIIScan_hasDigitGroupsPortable(const uint8_t *p, size_t n, const uint8_t *groups);

/// The first i in [from, n) where p[i] is `byte` and so is one of the next `gap` bytes (inside
/// p[0 ..< n]), or n: the start of the first pair of trigger bytes at most `gap` apart; with
/// `exact` nonzero, exactly `gap` apart (p[i + gap] is `byte`). `gap` is 1 to 32. 64 positions
/// a step with AVX2 when `vector` is nonzero and the CPU has it (zero: the byte loop, which tests
/// compare it with).
size_t CPIIScan_findTriggerPair(const uint8_t *p, size_t from, size_t n, uint8_t byte, size_t gap, int exact,
                                int vector);

/// ``CPIIScan_findTriggerPair`` and ``CPIIScan_growRun`` one after the other, in one call: from
/// `from`, each next pair start t and the maximal run of ASCII span bytes around it, the search
/// going on from the run's end. Up to `capacity` results into `runs`, in order; returns how many.
/// Status 1: an all-ASCII run (bordered by ASCII bytes or the buffer's ends) with at least
/// `minTriggers` trigger bytes and `minLength` bytes (runs with fewer are skipped). Status 2, then
/// always the last result: the pair at `lo` starts a run that borders a byte >= 0x80, for the
/// caller's UTF-8-aware growth. Fewer than `capacity` results and no status 2 at the end: no more
/// pairs. `vector` as for ``CPIIScan_findTriggerPair`` (and the growth's AVX2 path).
size_t CPIIScan_findPairRuns(const uint8_t *p, size_t from, size_t n, uint8_t byte, size_t gap, int exact,
                             const uint8_t *trigger, const uint8_t *span, size_t minTriggers, size_t minLength,
                             const CPIIScan_Nibbles *nibbles, int vector, CPIIScan_Run *runs, size_t capacity);

// MARK: JSON strings (json.c)

/// The index of the closing quote of the JSON string whose content starts at p[from], or -1 when
/// the string is malformed before one: a raw control character (< 0x20), invalid UTF-8 (strict:
/// no overlongs, surrogates or > U+10FFFF), or no closing quote before n. A backslash skips the
/// byte after it (escapes are checked when decoded) and sets *hasEscape to 1.
ptrdiff_t CPIIScan_jsonStringEnd(const uint8_t *p, size_t from, size_t n, int *hasEscape);

/// Bits of ``CPIIScan_jsonDecode``'s flags: how the escapes of a string were written.
enum {
    /// `\/` was seen.
    CPIIScan_JSONEscapedSlash = 1,
    /// An escape decoded to a control character (`\n`, `\u0000`, ...).
    CPIIScan_JSONDecodedControl = 2,
    /// A `\u` escape decoded to non-ASCII (the writer escaped non-ASCII, Python's ensure_ascii).
    CPIIScan_JSONEscapedNonASCII = 4,
};

/// Decodes the content of a JSON string p[0 ..< n] into `out`, which must have room for n bytes
/// (decoding never grows). Returns the decoded length, or -1 for an unknown escape, bad hex or a
/// lone surrogate. ORs ``CPIIScan_JSONEscapedSlash`` and friends into *flags.
ptrdiff_t CPIIScan_jsonDecode(const uint8_t *p, size_t n, uint8_t *out, unsigned *flags);

/// The index of the first byte of p[from ..< n] a JSON encoder must escape: `"`, `\`, a control
/// character, plus `/` when escapeSlash, plus bytes >= 0x80 when asciiOnly; n if there is none.
size_t CPIIScan_jsonEscapeScan(const uint8_t *p, size_t from, size_t n, int escapeSlash, int asciiOnly);

/// Encodes p[0 ..< n] as the content of a JSON string (no quotes) into `out`, which must have
/// room for 6 * n + 32 bytes (the vector loop stores whole 32-byte steps), and returns the length
/// written: `"`, `\` and control characters escaped (`\n` and friends where JSON has a short
/// form, else `\u00XX`), plus `/` when escapeSlash, plus every UTF-8 sequence as `\uXXXX`
/// (surrogate pairs above U+FFFF) when asciiOnly. Bytes that do not start a valid sequence are
/// copied as they are. Hex digits are lower case, as Python's json.dumps writes them.
size_t CPIIScan_jsonEncode(const uint8_t *p, size_t n, uint8_t *out, int escapeSlash, int asciiOnly);

/// How many bytes a[0 ..< n] and b[0 ..< n] have in common from the start: the index of the
/// first difference, or n. 32 bytes a step with AVX2 where the CPU has it.
size_t CPIIScan_commonPrefix(const uint8_t *a, const uint8_t *b, size_t n);

/// A string value that ``CPIIScan_jsonCollectFlat`` put into the batch.
typedef struct {
    /// The token: its opening quote ..< one past its closing quote.
    int64_t start;
    int64_t end;
    /// Where its (decoded) text starts in the batch; a separator byte follows it.
    int64_t batchStart;
    /// Index in the keys of the member key whose value holds it (through arrays), or -1.
    int32_t parentKey;
    /// ``CPIIScan_jsonDecode``'s flags for its escapes.
    uint32_t flags;
} CPIIScan_JSONSlot;

/// An object key seen by ``CPIIScan_jsonCollectFlat`` (for the field paths of changed slots).
typedef struct {
    int64_t start;
    int64_t end;
    int32_t parentKey;
    int32_t hasEscape;
} CPIIScan_JSONKey;

/// In/out state of ``CPIIScan_jsonCollectFlat``. The caller owns every buffer.
typedef struct {
    uint8_t *batch;
    size_t batchCapacity;
    size_t batchCount;
    CPIIScan_JSONSlot *slots;
    size_t slotCapacity;
    size_t slotCount;
    CPIIScan_JSONKey *keys;
    size_t keyCapacity;
    size_t keyCount;
    /// maxDepth entries each: the kind of each open container and the parent key outside it.
    uint8_t *stackKinds;
    int32_t *stackKeys;
    size_t maxDepth;
    /// 256 entries, nonzero for a byte some pattern needs; NULL collects every string.
    const uint8_t *trigger;
    /// The table's ASCII part as 16 nibble entries (bit h of entry l: byte h·16 + l), for the AVX2
    /// scan; read only with a table.
    const uint8_t *triggerNibbles;
    /// With a table: 256 entries, bit g for a byte that may start a trigger of scan group g, and
    /// per length below `fittingCount`, the groups whose shortest match fits in that many bytes.
    /// A shorter string is collected only with a trigger of such a group (0: no length rule).
    const uint64_t *triggerGroups;
    const uint64_t *groupsFitting;
    size_t fittingCount;
    uint8_t separator;
    /// Nonzero: use the one-pass AVX2 string scan where the CPU has it (zero: the portable scan,
    /// which tests compare it with).
    int vector;
    /// Set when a collected text holds the separator byte (the batch cannot be split back).
    int poisoned;
} CPIIScan_JSONFlatBatch;

/// Pass 1 of `jsonl --flat` in one loop: validates the JSON text p[0 ..< n] by PIIScrubJSON's
/// grammar (RFC 8259, strict UTF-8, at most maxDepth nested containers, surrounding whitespace
/// allowed), and appends the decoded text of every string value (not key) that holds a trigger
/// byte to the batch, each followed by the separator. Returns 1 when valid, 0 when not, and -1
/// when a buffer was too small (grow it and call again).
int CPIIScan_jsonCollectFlat(const uint8_t *p, size_t n, CPIIScan_JSONFlatBatch *b);

/// The index of the first byte of p[from ..< n] that is not JSON whitespace (space, `\n`,
/// `\r`, tab), or n. For pretty-printed documents, where indentation is half the bytes.
size_t CPIIScan_jsonSkipSpace(const uint8_t *p, size_t from, size_t n);

// MARK: Block gate (gate.c)

/// How many consecutive bytes of an anchor its fingerprint has (``CPIIScan_GateTables``).
#define CPIIScan_GATE_FINGERPRINT 3

/// What ``CPIIScan_gateBlocks`` looks for. Class buckets: byte b is in bucket j (j < 8) when bit
/// j of `low[b & 15]` and of `high[b >> 4]` are both set, so each bucket is a product of a set of
/// high nibbles and a set of low nibbles. A run of `digitRun` (0: none; else 1...32) ASCII
/// digits. Chains k < `chainCount` (at most 2): `chainLength[k]` ASCII digits, each at most
/// `chainGap[k]` bytes after the one before (length times gap at most 32). Anchors k <
/// `anchorCount` (at most 8): the `anchorLength[k]` (``CPIIScan_GATE_FINGERPRINT``...32) ASCII
/// bytes at `anchor[k]` (lower case letters matching either case when `anchorCaseless[k]`),
/// looked for where its fingerprint is: its ``CPIIScan_GATE_FINGERPRINT`` bytes from
/// `fingerprintOffset[k]` on, byte f of them in bucket k of the table `fingerprintLow[f]`,
/// `fingerprintHigh[f]` (the form of `low`, `high`; a caseless letter's bucket holds both cases).
typedef struct {
    uint8_t low[16];
    uint8_t high[16];
    /// Span runs k < `runCount` (at most 4): `runLength[k]` (2...32) bytes of the ASCII set whose
    /// nibble table (``CPIIScan_Nibbles``' form) is `runSpan[k]`, with a trigger byte among the
    /// 96 from the block's start: a byte in one of the buckets `runTriggerBits[k]` of the bucket
    /// table `runTriggerLow`, `runTriggerHigh` (the form of `low`, `high`).
    uint8_t runCount;
    uint8_t runSpan[4][16];
    uint8_t runTriggerLow[16], runTriggerHigh[16];
    uint8_t runTriggerBits[4];
    uint8_t runLength[4];
    uint8_t digitRun;
    uint8_t chainCount;
    uint8_t chainLength[2], chainGap[2];
    uint8_t anchorCount;
    uint8_t fingerprintOffset[8];
    uint8_t fingerprintLow[CPIIScan_GATE_FINGERPRINT][16], fingerprintHigh[CPIIScan_GATE_FINGERPRINT][16];
    const uint8_t *anchor[8];
    uint8_t anchorLength[8], anchorCaseless[8];
    /// Buckets that stand for `afterByte` right after another byte: their bits (0: none) stay in
    /// a block's word only where one of its bytes is `afterByte` and the byte before it (the
    /// block's first byte: the last of the block before) is an ASCII byte of the set whose
    /// nibble table (``CPIIScan_Nibbles``' form) is `afterSet`. The buckets must hold
    /// `afterByte` alone and serve nothing else.
    uint8_t afterBits;
    uint8_t afterByte;
    uint8_t afterSet[16];
    /// Span runs k with `runStartBits[k]` (nonzero) are marked by where they start, without the
    /// trigger: the run of runLength[k] span bytes starts in the block, the byte before it is not
    /// an ASCII byte of the span (or it starts at p[0]), and its first three bytes are in bucket
    /// f of the tables `runStartLow[j]`, `runStartHigh[j]` (byte j; the form of `low`, `high`,
    /// ASCII bytes only) for some bit f of runStartBits[k]: a `runStart` claim's prefixes.
    uint8_t runStartBits[4];
    uint8_t runStartLow[3][16], runStartHigh[3][16];
    /// Nonzero: ``CPIIScan_GATE_DOTTED_BIT`` marks a block where a dotted quad's shape starts
    /// with a digit (an IPv4 address's): digit, `.`, digit at j (X(j)); X(j) and X(j + k) for a
    /// k of 2, 3 or 4 (Y(j)); X(j) and Y(j + k) for such a k (bytes past n match nothing).
    uint8_t dottedQuad;
    /// Nonzero: ``CPIIScan_GATE_PAIR_AFTER_BIT`` marks a block where two ASCII digits start, right
    /// after two ASCII bytes of the set whose nibble table (``CPIIScan_Nibbles``' form) is
    /// `digitPairAfterSet` (for the block's first two, the last two of the block before): an IBAN's
    /// country code and check digits (`GB82`).
    uint8_t digitPairAfter;
    uint8_t digitPairAfterSet[16];
    /// The two bits above are tested only in blocks whose word has none of these (chain bits of
    /// the groups they serve, which such a word marks already; 0: in every block).
    uint32_t shapeSkipBits;
} CPIIScan_GateTables;

/// The gate-word bit of a dotted quad (``CPIIScan_GateTables``' `dottedQuad`).
#define CPIIScan_GATE_DOTTED_BIT (1u << 11)
/// The gate-word bit of two digits after two bytes of `digitPairAfterSet`.
#define CPIIScan_GATE_PAIR_AFTER_BIT (1u << 24)

/// The gate-word bit of anchor k (k < 8): 12 + k for the first four, 16 + k (after the span
/// runs' bits) for the other four.
static inline uint32_t CPIIScan_gateAnchorBit(unsigned k) { return 1u << (k < 4 ? 12 + k : 16 + k); }

/// One word per 64-byte block of p[0 ..< n] (the last block may be shorter) into `out`
/// (ceil(n / 64) entries). Bits 0-7: the buckets that a byte of the block is in (`afterBits`
/// only with the byte before, see ``CPIIScan_GateTables``). Bit 8: the
/// digit run, 9 + k: chain k, 11: a dotted quad, 24: two digits after two bytes of
/// `digitPairAfterSet`, ``CPIIScan_gateAnchorBit``(k): an occurrence of anchor k (12-15,
/// 20-23), 16 + k: span run k, starts in
/// the block (and may reach into the next 32 bytes; bytes past n match nothing; with
/// `runStartBits[k]`, at a run start with a prefix). One pass, 64
/// bytes a step, with AVX-512 where ``CPIIScan_hasWideVectors``, else AVX2; returns 0 (and writes
/// nothing) without AVX2.
int CPIIScan_gateBlocks(const uint8_t *p, size_t n, const CPIIScan_GateTables *tables, uint32_t *out);

/// ``CPIIScan_gateBlocks`` with the pass of `level`: 1 the AVX2 pass, 2 the AVX-512 pass (see
/// ``CPIIScan_hasWideVectors``), which ``CPIIScan_gateBlocks`` takes where the CPU has it. Returns
/// 0 (and writes nothing) where the CPU lacks that level. For the tests, which compare every pass.
int CPIIScan_gateBlocksWith(const uint8_t *p, size_t n, const CPIIScan_GateTables *tables, uint32_t *out, int level);

/// The OR of each 64 words of words[0 ..< count] into summary[0 ..< ceil(count / 64)]: where a
/// group's bits are missing from a summary word, its next-block search and its count skip those
/// 64 words (4 KiB of text) at once. The default set's anchored groups are marked in a handful of
/// blocks of a MiB; each searched all 16,384 words for them.
void CPIIScan_summarizeGateWords(const uint32_t *words, size_t count, uint32_t *summary);

/// The first i in [from, count) with `words[i] & mask` nonzero, or count; 8 words a step with
/// AVX2. `summary`: nil, or ``CPIIScan_summarizeGateWords``' summary of `words` (of all of it,
/// not only up to `count`).
size_t CPIIScan_nextGateBlock(const uint32_t *words, const uint32_t *summary, size_t from, size_t count, uint32_t mask);

/// How many of words[0 ..< count] have a bit of `mask`; 8 words a step with AVX2. `summary` as
/// for ``CPIIScan_nextGateBlock``.
size_t CPIIScan_countGateBlocks(const uint32_t *words, const uint32_t *summary, size_t count, uint32_t mask);

/// The first i in [from, n) where p[i] is an ASCII byte outside the span of `nibbles`
/// (``CPIIScan_Nibbles/span``), or n: the end of a run of span or non-ASCII bytes. 32 bytes a
/// step with AVX2.
size_t CPIIScan_runEnd(const uint8_t *p, size_t from, size_t n, const CPIIScan_Nibbles *nibbles);

/// ``CPIIScan_gateBlocks`` byte by byte, on any CPU: the reference the tests compare it with
/// (the engine scans without a gate where AVX2 is missing).
void CPIIScan_gateBlocksPortable(const uint8_t *p, size_t n, const CPIIScan_GateTables *tables, uint32_t *out);

#endif
