#include <string.h>
#include "CPIIScan.h"
#include "byte_classes.h"

// MARK: Block gate (see CPIIScan_gateBlocks in CPIIScan.h)

// Bit i (i < 32): x has bits i ... i + k - 1 set (k in 1...32), by doubling with constant shifts.
static inline uint64_t run_starts32(uint64_t x, unsigned k) {
    unsigned have = 1;
    if (k >= 2) { x &= x >> 1; have = 2; }
    if (k >= 4) { x &= x >> 2; have = 4; }
    if (k >= 8) { x &= x >> 4; have = 8; }
    if (k >= 16) { x &= x >> 8; have = 16; }
    if (k >= 32) { x &= x >> 16; have = 32; }
    if (k > have) x &= x >> (k - have);
    return x & 0xFFFFFFFFu;
}

// Bit i (i < 64): x has bits i ... i + k - 1 set (k in 1...32; x holds 96 bits). Two 64-bit
// windows, bits 0-63 and 32-95, each deciding its first 32 positions: 128-bit shifts cost
// several instructions each.
static inline uint64_t runs_of(unsigned __int128 x, unsigned k) {
    return run_starts32((uint64_t)x, k) | run_starts32((uint64_t)(x >> 32), k) << 32;
}

// Bit i (i < 32): a chain of `length` bits of x starts at i, each at most `gap` bits after the
// one before ((length - 1) * gap < 32, so the chain lies in x's 64 bits). Step by step, the
// starts of chains one bit longer: a bit of x with a start of the shorter chain in i + 1 ...
// i + gap.
static inline uint64_t chain_starts32(uint64_t x, unsigned length, unsigned gap) {
    uint64_t chain = x;
    for (unsigned j = 1; j < length && chain; j++) chain = x & bits_within_after(chain, gap);
    return chain & 0xFFFFFFFFu;
}

// The run and chain bits of a block, from the bit mask of the ASCII digits of its 64 bytes and
// the 32 after them. The bit work runs only where there are enough digits (few blocks, in
// prose).
static inline uint32_t gate_bits(const CPIIScan_GateTables *t, unsigned __int128 digits) {
    uint32_t word = 0;
    // A run or chain starting in the block lies in its 96 bytes: too few digits there, none.
    const unsigned count = (unsigned)__builtin_popcountll((uint64_t)digits)
        + (unsigned)__builtin_popcountll((uint64_t)(digits >> 64));
    if (t->digitRun && count >= t->digitRun && runs_of(digits, t->digitRun)) word |= 1u << 8;
    // Chains in two 64-bit windows like runs_of: bits 0-63 decide the starts 0-31, bits 32-95
    // the starts 32-63.
    const uint64_t low = (uint64_t)digits, middle = (uint64_t)(digits >> 32);
    for (unsigned k = 0; k < t->chainCount; k++) {
        if (count < t->chainLength[k]) continue;
        if (chain_starts32(low, t->chainLength[k], t->chainGap[k])
            || chain_starts32(middle, t->chainLength[k], t->chainGap[k])) word |= 1u << (9 + k);
    }
    return word;
}

// Whether the afterByte at p[j] (j > 0) follows an ASCII byte of t->afterSet.
static inline int follows_after_set(const uint8_t *p, size_t j, const CPIIScan_GateTables *t) {
    return in_nibble_set(t->afterSet, p[j - 1]);
}

// Whether p[i ..< min(i + 64, n)] holds t->afterByte right after an ASCII byte of t->afterSet
// (for p[i], p[i - 1]; none before p[0]), byte by byte: the portable pass's test (the vector
// pass's is after_in_block). Called for the blocks whose bucket bits say they hold afterByte.
static int holds_after(const uint8_t *p, size_t n, size_t i, const CPIIScan_GateTables *t) {
    const size_t end = i + 64 < n ? i + 64 : n;
    for (size_t j = i == 0 ? 1 : i; j < end; j++) {
        if (p[j] == t->afterByte && follows_after_set(p, j, t)) return 1;
    }
    return 0;
}

// The dotted-quad and digit-pair bits (``CPIIScan_GateTables``' `dottedQuad`, `digitPairAfter`)
// of a block, from the bit masks of the ASCII digits and the dots of its 64 bytes and the 32
// after them (`digits`, `dots`), of its bytes in digitPairAfterSet (`set`) and whether the two
// bytes before it are (`before1`: the last, `before2`: the one before that). The vector passes
// ask only where the block has a digit and, for the quad, four in its 96 bytes (a quad starting
// in the block ends by its byte 73), or for the pair, two adjacent.
static inline uint32_t shape_bits(const CPIIScan_GateTables *t, unsigned __int128 digits, unsigned __int128 dots,
                                  uint64_t set, int before1, int before2) {
    uint32_t word = 0;
    if (t->dottedQuad) {
        const unsigned __int128 x = digits & dots >> 1 & digits >> 2;
        const unsigned __int128 y = x & (x >> 2 | x >> 3 | x >> 4);
        if ((uint64_t)(x & (y >> 2 | y >> 3 | y >> 4))) word |= CPIIScan_GATE_DOTTED_BIT;
    }
    const uint64_t one_before = set << 1 | (uint64_t)(before1 != 0);
    const uint64_t two_before = set << 2 | (uint64_t)(before1 != 0) << 1 | (uint64_t)(before2 != 0);
    if (t->digitPairAfter && ((uint64_t)(digits & digits >> 1) & one_before & two_before))
        word |= CPIIScan_GATE_PAIR_AFTER_BIT;
    return word;
}

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

// The nibble-table form (see ascii_nibbles) of a block's 96 bytes, computed once for the union
// test and the per-run tests.
typedef struct {
    __m256i low[3], bit[3];
} block_nibbles;

// Which bytes of the block are ASCII bytes of the set whose nibble table is `table`, as the two
// 64-bit windows of runs_of: bytes 0-63 in the low lane, 32-95 in the high one.
__attribute__((target("avx2"), always_inline))
static inline __m128i block_members(const block_nibbles *b, __m256i table) {
    const uint32_t middle = ascii_set_mask(b->low[1], b->bit[1], table);
    return _mm_setr_epi32((int)ascii_set_mask(b->low[0], b->bit[0], table), (int)middle, (int)middle,
                          (int)ascii_set_mask(b->low[2], b->bit[2], table));
}

// runs_of's doubling with shifts set once per text for a run-time length, the same in every
// block: shift j takes the runs the mask's bits start from `have` bits to `have + shift[j]`
// (1, 2, 4, 8, then what is left). Five reach any length up to 32; the shifts past the length are
// 0, which change nothing. In a vector, both windows at once: runs_of with a run-time length
// (a conditional move for each `if`) took 67 instructions a block for the union test, this
// one 16 with the vector's making.
typedef struct {
    __m128i shift[5];
} run_ladder;

__attribute__((target("avx2")))
static run_ladder run_ladder_of(unsigned length) {
    run_ladder l;
    unsigned have = 1;
    for (int j = 0; j < 5; j++) {
        const unsigned step = length <= have ? 0 : length - have < have ? length - have : have;
        l.shift[j] = _mm_cvtsi32_si128((int)step);
        have += step;
    }
    return l;
}

// runs_of(x, length) for the ladder of `length`, x in block_members' form: the starts 0-31 in
// the low lane's low half, 32-63 in the high lane's.
__attribute__((target("avx2"), always_inline))
static inline __m128i run_positions(__m128i x, const run_ladder *l) {
    for (int j = 0; j < 5; j++) x = _mm_and_si128(x, _mm_srl_epi64(x, l->shift[j]));
    return x;
}

// runs_of(x, length) != 0 for the ladder of `length`, x in block_members' form.
__attribute__((target("avx2"), always_inline))
static inline int has_run(__m128i x, const run_ladder *l) {
    return !_mm_testz_si128(run_positions(x, l), _mm_set1_epi64x(0xFFFFFFFF));
}

// What the vector pass's run and chain tests take from the tables, set once per text: the union
// of the span runs' spans (`span`, nibble table form) and the ladder of the shortest run's length
// (`shortest`), the ladders of each run's length (`run`) and the digit run's (`digits`), and of
// the chains' gaps (`gap`: bits_within_after's shifts are the same doubling).
typedef struct {
    __m256i span;
    run_ladder shortest, run[4], digits, gap[2];
    // How many of gap[k]'s shifts are not 0 (the rest change nothing).
    int gapSteps[2];
    unsigned fewestDigits;
    // Whether any mark needs the digits: a run, a chain or a shape.
    int digitsWanted;
    // The OR of the runs' runStartBits: some run is marked by its starts.
    unsigned runStarts;
} run_plan;

// The run plan of the tables; the union of the span runs' spans (nibble table form) also into
// `span`.
__attribute__((target("avx2")))
static run_plan run_plan_of(const CPIIScan_GateTables *t, uint8_t span[16]) {
    run_plan u;
    memset(span, 0, 16);
    for (unsigned r = 0; r < t->runCount; r++)
        for (int j = 0; j < 16; j++) span[j] |= t->runSpan[r][j];
    unsigned shortest = 32;
    for (unsigned r = 0; r < t->runCount; r++) {
        if (t->runLength[r] < shortest) shortest = t->runLength[r];
        u.run[r] = run_ladder_of(t->runLength[r]);
    }
    u.span = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)span));
    u.shortest = run_ladder_of(shortest);
    u.digits = run_ladder_of(t->digitRun);
    u.fewestDigits = t->digitRun ? t->digitRun : 32;
    u.runStarts = 0;
    u.digitsWanted = (t->digitRun | t->chainCount | t->dottedQuad | t->digitPairAfter) != 0;
    for (unsigned r = 0; r < t->runCount; r++) u.runStarts |= t->runStartBits[r];
    for (unsigned k = 0; k < t->chainCount; k++) {
        u.gap[k] = run_ladder_of(t->chainGap[k]);
        u.gapSteps[k] = 0;
        while (u.gapSteps[k] < 5 && _mm_cvtsi128_si32(u.gap[k].shift[u.gapSteps[k]]) != 0) u.gapSteps[k]++;
        if (t->chainLength[k] < u.fewestDigits) u.fewestDigits = t->chainLength[k];
    }
    return u;
}

// gate_bits for the vector pass, x in block_members' form: the same bits, without its count of
// digits (a popcount without the POPCNT instruction costs more than a ladder). A chain's step
// ORs the shifts of bits_within_after. Out of line: inlined, it took registers from the main
// loop, which spilled more in every block than a call costs in the blocks with digits.
__attribute__((target("avx2"), noinline))
static uint32_t digit_bits(const CPIIScan_GateTables *t, const run_plan *u, __m128i x) {
    uint32_t word = 0;
    if (t->digitRun && has_run(x, &u->digits)) word |= 1u << 8;
    for (unsigned k = 0; k < t->chainCount; k++) {
        __m128i chain = x;
        for (unsigned j = 1; j < t->chainLength[k] && !_mm_testz_si128(chain, chain); j++) {
            __m128i near = _mm_srli_epi64(chain, 1);
            for (int s = 0; s < u->gapSteps[k]; s++) near = _mm_or_si128(near, _mm_srl_epi64(near, u->gap[k].shift[s]));
            chain = _mm_and_si128(x, near);
        }
        if (!_mm_testz_si128(chain, _mm_set1_epi64x(0xFFFFFFFF))) word |= 1u << (9 + k);
    }
    return word;
}

// bucket_bits for fingerprint tables: the low nibble indexes unmasked, since a byte >= 0x80
// (whose top bit makes vpshufb give 0) is in no fingerprint (nor prefix).
__attribute__((target("avx2"), always_inline))
static inline __m256i fingerprint_bits(__m256i v, __m256i low, __m256i high) {
    return _mm256_and_si256(_mm256_shuffle_epi8(low, v),
                            _mm256_shuffle_epi8(high, _mm256_and_si256(_mm256_srli_epi16(v, 4), _mm256_set1_epi8(0x0F))));
}

// The prefix buckets (runStartLow, runStartHigh) of the 32 positions at r: bucket f of byte j
// where r[j ..< j + 3] is in prefix f's classes. r[0 ..< 34] must be readable.
__attribute__((target("avx2"), always_inline))
static inline __m256i run_start_hits(const uint8_t *r, const CPIIScan_GateTables *t) {
    __m256i hits = _mm256_set1_epi8(-1);
    for (int j = 0; j < 3; j++) {
        const __m256i low = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t->runStartLow[j]));
        const __m256i high = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t->runStartHigh[j]));
        hits = _mm256_and_si256(hits, fingerprint_bits(_mm256_loadu_si256((const __m256i *)(r + j)), low, high));
    }
    return hits;
}

// Bit i (i < 64): a run of run k starts at the block's byte i with one of its prefixes, and its
// runLength[k] bytes are span bytes (`span`: block_members of its span; `before`: the byte before
// the block, -1 at the text's start; h0, h1: run_start_hits of the block's halves).
__attribute__((target("avx2"), always_inline))
static inline int starts_run(const CPIIScan_GateTables *t, const run_plan *u, unsigned k, __m128i span, int before,
                             __m256i h0, __m256i h1) {
    const __m256i bits = _mm256_set1_epi8((char)t->runStartBits[k]), zero = _mm256_setzero_si256();
    const uint64_t prefixed =
        ~((uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_and_si256(h0, bits), zero))
          | (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_and_si256(h1, bits), zero)) << 32);
    const uint64_t members = (uint64_t)_mm_cvtsi128_si64(span);
    const uint64_t previous = members << 1 | (uint64_t)(before >= 0 && in_nibble_set(t->runSpan[k], (uint8_t)before));
    const __m128i runs = run_positions(span, &u->run[k]);
    const uint64_t long_enough = ((uint64_t)_mm_cvtsi128_si64(runs) & 0xFFFFFFFFu)
        | ((uint64_t)_mm_extract_epi64(runs, 1) & 0xFFFFFFFFu) << 32;
    return (prefixed & ~previous & long_enough) != 0;
}

// The span-run bits of a block (its 96 bytes at q, the byte before it `before`, -1 at the
// text's start) whose 96 bytes hold a trigger of some run (`near`: their trigger bucket bits)
// or where some run is marked by its starts.
__attribute__((target("avx2")))
static uint32_t span_runs(const CPIIScan_GateTables *t, const run_plan *u, const block_nibbles *b, __m256i near,
                          const uint8_t *q, int before) {
    uint32_t word = 0;
    __m256i h0 = _mm256_setzero_si256(), h1 = h0;
    if (u->runStarts) {
        h0 = run_start_hits(q, t);
        h1 = run_start_hits(q + 32, t);
    }
    for (unsigned k = 0; k < t->runCount; k++) {
        const int by_start = t->runStartBits[k] != 0;
        if (!by_start && _mm256_testz_si256(near, _mm256_set1_epi8((char)t->runTriggerBits[k]))) continue;
        const __m128i span =
            block_members(b, _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t->runSpan[k])));
        if (by_start ? starts_run(t, u, k, span, before, h0, h1) : has_run(span, &u->run[k])) word |= 1u << (16 + k);
    }
    return word;
}

// The span-run bits of a block whose union test passed, from its 96 bytes (v0, v1, v2) and
// their nibbles: positions that start runLength[k] span bytes, where a trigger is near. The
// triggers of all runs are buckets of one table: one test per run.
__attribute__((target("avx2"), always_inline))
static inline uint32_t triggered_span_runs(const CPIIScan_GateTables *t, const run_plan *u, const block_nibbles *b,
                                           __m256i v0, __m256i v1, __m256i v2, const uint8_t *q, int before) {
    const __m256i tl = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t->runTriggerLow));
    const __m256i th = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t->runTriggerHigh));
    const __m256i near =
        _mm256_or_si256(_mm256_or_si256(bucket_bits(v0, tl, th), bucket_bits(v1, tl, th)), bucket_bits(v2, tl, th));
    return _mm256_testz_si256(near, near) && !u->runStarts ? 0 : span_runs(t, u, b, near, q, before);
}

// The span-run bits of the block at q (96 bytes readable; the byte before it `before`, -1 at the
// text's start), from scratch: the AVX-512 pass's path for the blocks whose union test passes
// (7 % of clean text's).
__attribute__((target("avx2"), noinline))
static uint32_t span_runs_at(const uint8_t *q, int before, const CPIIScan_GateTables *t, const run_plan *u) {
    const __m256i v0 = _mm256_loadu_si256((const __m256i *)q);
    const __m256i v1 = _mm256_loadu_si256((const __m256i *)(q + 32));
    const __m256i v2 = _mm256_loadu_si256((const __m256i *)(q + 64));
    block_nibbles b;
    ascii_nibbles(v0, &b.low[0], &b.bit[0]);
    ascii_nibbles(v1, &b.low[1], &b.bit[1]);
    ascii_nibbles(v2, &b.low[2], &b.bit[2]);
    return triggered_span_runs(t, u, &b, v0, v1, v2, q, before);
}

// shape_bits of the block p[i ...] whose 96 bytes are at q (p + i, or a padded copy), from its
// bytes. Out of line: few blocks have the digits it needs (7 % of clean text's).
__attribute__((target("avx2"), noinline))
static uint32_t shape_bits_at(const uint8_t *q, const uint8_t *p, size_t i, const CPIIScan_GateTables *t) {
    unsigned __int128 digits = 0, dots = 0;
    uint64_t set = 0;
    const __m256i dot = _mm256_set1_epi8('.');
    const __m256i table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t->digitPairAfterSet));
    for (int h = 0; h < 3; h++) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(q + 32 * h));
        digits |= (unsigned __int128)ascii_digit_mask(v) << (32 * h);
        dots |= (unsigned __int128)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, dot)) << (32 * h);
        if (h < 2 && t->digitPairAfter) {
            __m256i low, bit;
            ascii_nibbles(v, &low, &bit);
            set |= (uint64_t)ascii_set_mask(low, bit, table) << (32 * h);
        }
    }
    return shape_bits(t, digits, dots, set, i >= 1 && in_nibble_set(t->digitPairAfterSet, p[i - 1]),
                      i >= 2 && in_nibble_set(t->digitPairAfterSet, p[i - 2]));
}

// Whether the block whose digit masks are `first`, `middle` (its 64 bytes) and `last` (the 32
// after them) may have shape bits (see shape_bits).
static inline int may_have_shapes(const CPIIScan_GateTables *t, uint32_t first, uint32_t middle, uint32_t last) {
    const uint64_t block = (uint64_t)first | (uint64_t)middle << 32;
    // A quad starts with a digit two bytes before another, and holds four; a pair is two
    // adjacent digits.
    return (t->dottedQuad && (block & (block >> 2 | (uint64_t)last << 62))
            && (unsigned)(__builtin_popcountll(block) + __builtin_popcount(last)) >= 4)
        || (t->digitPairAfter && (block & (block >> 1 | (uint64_t)last << 63)));
}

// The digit-run, chain and shape bits of the block p[i ..< i + 64] whose 96 bytes are at q,
// from the digit masks of its 64 bytes (`first`, `middle`) and the 32 after them (`last`): the
// part of a block's word both vector passes share. A run, chain or shape starting in the block
// starts with a digit of its 64 bytes, and lies in its 96: with fewer digits there than the
// shortest holds, none (most blocks of prose with digits: a year, a verse number).
__attribute__((target("avx2,popcnt"), always_inline))
static inline uint32_t digit_word(const CPIIScan_GateTables *t, const run_plan *u, uint32_t first, uint32_t middle,
                                  uint32_t last, const uint8_t *q, const uint8_t *p, size_t i) {
    uint32_t word = 0;
    if ((unsigned)(__builtin_popcount(first) + __builtin_popcount(middle) + __builtin_popcount(last)) >= u->fewestDigits)
        word = digit_bits(t, u, _mm_setr_epi32((int)first, (int)middle, (int)middle, (int)last));
    if (!(word & t->shapeSkipBits) && may_have_shapes(t, first, middle, last)) word |= shape_bits_at(q, p, i, t);
    return word;
}

// The gate word of the block p[i ..< i + 64] whose bytes are at q (p + i, or a padded copy);
// q[64 ..< 96] must be readable.
__attribute__((target("avx2,popcnt"), always_inline))
static inline uint32_t gate_block(const uint8_t *q, const uint8_t *p, size_t i, const CPIIScan_GateTables *t,
                                  __m256i low, __m256i high, const run_plan *u) {
    const int before = i ? p[i - 1] : -1;
    const __m256i v0 = _mm256_loadu_si256((const __m256i *)q);
    const __m256i v1 = _mm256_loadu_si256((const __m256i *)(q + 32));
    const __m256i v2 = _mm256_loadu_si256((const __m256i *)(q + 64));
    // Buckets: OR of the block's bytes' bucket bits, reduced to one byte.
    const __m256i c = _mm256_or_si256(bucket_bits(v0, low, high), bucket_bits(v1, low, high));
    uint32_t word = 0;
    if (!_mm256_testz_si256(c, c)) {
        __m128i x = _mm_or_si128(_mm256_castsi256_si128(c), _mm256_extracti128_si256(c, 1));
        x = _mm_or_si128(x, _mm_srli_si128(x, 8));
        x = _mm_or_si128(x, _mm_srli_si128(x, 4));
        x = _mm_or_si128(x, _mm_srli_si128(x, 2));
        x = _mm_or_si128(x, _mm_srli_si128(x, 1));
        word = (uint32_t)(uint8_t)_mm_cvtsi128_si32(x);
    }
    if (u->digitsWanted) {
        const uint32_t first = ascii_digit_mask(v0), middle = ascii_digit_mask(v1);
        if (first | middle) word |= digit_word(t, u, first, middle, ascii_digit_mask(v2), q, p, i);
    }
    if (t->runCount) {
        block_nibbles b;
        ascii_nibbles(v0, &b.low[0], &b.bit[0]);
        ascii_nibbles(v1, &b.low[1], &b.bit[1]);
        ascii_nibbles(v2, &b.low[2], &b.bit[2]);
        // What every span run holds: a run of the shortest one's length of the union of their
        // spans. Where there is none, no span run can start in the block; tested first, it
        // spares the trigger and per-run work in most blocks of prose.
        if (!has_run(block_members(&b, u->span), &u->shortest)) return word;
        word |= triggered_span_runs(t, u, &b, v0, v1, v2, q, before);
    }
    return word;
}


// MARK: Anchors

// The anchors' fingerprint tables (see CPIIScan_GateTables), broadcast.
typedef struct {
    __m256i low[CPIIScan_GATE_FINGERPRINT], high[CPIIScan_GATE_FINGERPRINT];
} fingerprint_tables;

// The fingerprint tables of the tables, broadcast.
__attribute__((target("avx2")))
static fingerprint_tables fingerprint_tables_of(const CPIIScan_GateTables *t) {
    fingerprint_tables f;
    for (int b = 0; b < CPIIScan_GATE_FINGERPRINT; b++) {
        f.low[b] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t->fingerprintLow[b]));
        f.high[b] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t->fingerprintHigh[b]));
    }
    return f;
}

// Bucket a of byte j (j < 32): anchor a's fingerprint is at r + j (Teddy, Hyperscan's literal
// matcher: a fingerprint byte's bucket bits by its nibbles, ANDed over the fingerprint's bytes).
// r[0 ..< 32 + CPIIScan_GATE_FINGERPRINT - 1] must be readable.
__attribute__((target("avx2"), always_inline))
static inline __m256i fingerprint_hits(const uint8_t *r, const fingerprint_tables *f) {
    __m256i hits = fingerprint_bits(_mm256_loadu_si256((const __m256i *)r), f->low[0], f->high[0]);
    for (int b = 1; b < CPIIScan_GATE_FINGERPRINT; b++)
        hits = _mm256_and_si256(hits, fingerprint_bits(_mm256_loadu_si256((const __m256i *)(r + b)), f->low[b], f->high[b]));
    return hits;
}

// The anchor bits of the fingerprint hits at p[i ..< i + 64] (`h0`, `h1`: fingerprint_hits of
// its halves): where the whole anchor is there, its bit goes to the block it starts in, this
// one or (its fingerprint not being its start) the one before. Out of line: hits are rare.
__attribute__((target("avx2"), noinline))
static void mark_anchors(const uint8_t *p, size_t n, size_t i, __m256i h0, __m256i h1, const CPIIScan_GateTables *t,
                         uint32_t *out) {
    uint8_t buckets[64];
    _mm256_storeu_si256((__m256i *)buckets, h0);
    _mm256_storeu_si256((__m256i *)(buckets + 32), h1);
    const __m256i zero = _mm256_setzero_si256();
    uint64_t at = ~((uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(h0, zero))
                    | (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(h1, zero)) << 32);
    for (; at; at &= at - 1) {
        const size_t j = (size_t)__builtin_ctzll(at);
        for (unsigned bits = buckets[j]; bits; bits &= bits - 1) {
            const unsigned a = (unsigned)__builtin_ctz(bits);
            // Anchors start at 0 or later and end at n or earlier.
            if (i + j < t->fingerprintOffset[a]) continue;
            const size_t start = i + j - t->fingerprintOffset[a];
            if (start + t->anchorLength[a] <= n && anchor_at(p, start, t->anchor[a], t->anchorLength[a], t->anchorCaseless[a]))
                out[start >> 6] |= CPIIScan_gateAnchorBit(a);
        }
    }
}

// holds_after for the block at q (p + i, or a padded copy, whose padding is no afterByte): the
// afterByte bytes by a vector compare, then the byte before each. Out of line: most blocks have
// none.
__attribute__((target("avx2"), noinline))
static int after_in_block(const uint8_t *q, const uint8_t *p, size_t n, size_t i, const CPIIScan_GateTables *t) {
    const __m256i a = _mm256_set1_epi8((char)t->afterByte);
    uint64_t at = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)q), a))
        | (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(q + 32)), a)) << 32;
    if (n - i < 64) at &= ((uint64_t)1 << (n - i)) - 1;
    for (; at; at &= at - 1) {
        const size_t j = i + (size_t)__builtin_ctzll(at);
        if (j > 0 && follows_after_set(p, j, t)) return 1;
    }
    return 0;
}

// Block i / 64 of p[0 ..< n] into out, from its 96 bytes at q (p + i, or a padded copy): its
// gate word, and the anchors whose fingerprints it holds.
__attribute__((target("avx2,popcnt"), always_inline))
static inline void gate_step(const uint8_t *q, const uint8_t *p, size_t n, size_t i, const CPIIScan_GateTables *t,
                             __m256i low, __m256i high, const run_plan *u, const fingerprint_tables *f,
                             uint32_t *out) {
    const __m256i h0 = fingerprint_hits(q, f), h1 = fingerprint_hits(q + 32, f);
    const __m256i any = _mm256_or_si256(h0, h1);
    uint32_t word = gate_block(q, p, i, t, low, high, u);
    if ((word & t->afterBits) && !after_in_block(q, p, n, i, t)) word &= ~(uint32_t)t->afterBits;
    out[i >> 6] = word;
    if (!_mm256_testz_si256(any, any)) mark_anchors(p, n, i, h0, h1, t, out);
}

// One pass for the whole word: the anchors' fingerprints take six tables where their probe
// bytes took two vectors per anchor, which with the rest of the block's work did not fit in
// registers (measured: 4.3 instructions a byte in one pass, against 1.6 for the main pass and
// one of four anchors). The fingerprints cost 0.9 instructions a byte here; the two anchor
// passes they replace cost 1.7.
__attribute__((target("avx2,popcnt")))
static void gate_blocks_avx2(const uint8_t *p, size_t n, const CPIIScan_GateTables *t, uint32_t *out) {
    const __m256i low = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t->low));
    const __m256i high = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)t->high));
    uint8_t span[16];
    const run_plan u = run_plan_of(t, span);
    const fingerprint_tables f = fingerprint_tables_of(t);
    size_t i = 0;
    for (; i + 96 <= n; i += 64) gate_step(p + i, p, n, i, t, low, high, &u, &f, out);
    // The last blocks from a padded copy: 0x80 is in no bucket (its high nibble is not one of a
    // bucket's), no fingerprint and not a digit.
    uint8_t tail[160];
    for (; i < n; i += 64) {
        memset(tail, 0x80, sizeof tail);
        memcpy(tail, p + i, n - i < 96 ? n - i : 96);
        gate_step(tail, p, n, i, t, low, high, &u, &f, out);
    }
}

// MARK: AVX-512 pass

// The AVX-512 pass classifies each 64-byte chunk once, where the AVX2 pass classifies 96 bytes
// per block in nibble tables. What it keeps of a chunk: bit masks of its bytes (a byte of some
// span run's span, an ASCII digit, a byte of afterSet, afterByte), its bucket bits, and whether
// an anchor's fingerprint is in it.
typedef struct {
    uint64_t union_span, digits, after_set, after_byte;
    uint32_t buckets;
    int hits;
} chunk_masks;

// The pass's tables, made once per call: 128-entry byte tables for VPERMI2B (`cls`: bit 0 the
// span runs' spans, bit 1 the ASCII digits, bit 2 afterSet; `fingerprint`: each fingerprint
// byte's anchor buckets), the bucket tables in nibble form for all 64 bytes of a chunk, the
// after-byte.
typedef struct {
    __m512i cls[2], fingerprint[CPIIScan_GATE_FINGERPRINT][2];
    __m512i low, high, after_byte;
} wide_tables;

// The entries of `table` (128 bytes as two vectors) for v's ASCII bytes, 0 for bytes >= 0x80
// (`ascii`: v's ASCII bytes).
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi"), always_inline))
static inline __m512i lookup128(__m512i v, __mmask64 ascii, const __m512i *table) {
    return _mm512_maskz_permutex2var_epi8(ascii, table[0], v, table[1]);
}

// The masks of the chunk at q; q[0 ..< 66] must be readable (the fingerprint of its last byte).
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi"), always_inline))
static inline chunk_masks classify_chunk(const uint8_t *q, const wide_tables *w) {
    chunk_masks c;
    const __m512i v = _mm512_loadu_si512(q);
    const __mmask64 ascii = ~_mm512_movepi8_mask(v);
    const __m512i cls = lookup128(v, ascii, w->cls);
    c.union_span = _cvtmask64_u64(_mm512_test_epi8_mask(cls, _mm512_set1_epi8(1)));
    c.digits = _cvtmask64_u64(_mm512_test_epi8_mask(cls, _mm512_set1_epi8(2)));
    c.after_set = _cvtmask64_u64(_mm512_test_epi8_mask(cls, _mm512_set1_epi8(4)));
    c.after_byte = _cvtmask64_u64(_mm512_cmpeq_epi8_mask(v, w->after_byte));
    // Buckets: bytes >= 0x80 too (the lead bytes of non-ASCII digits), so in nibble form.
    const __m512i nibble = _mm512_set1_epi8(0x0F);
    const __m512i buckets = _mm512_and_si512(_mm512_shuffle_epi8(w->low, _mm512_and_si512(v, nibble)),
                                             _mm512_shuffle_epi8(w->high, _mm512_and_si512(_mm512_srli_epi16(v, 4), nibble)));
    uint64_t x = (uint64_t)_mm512_reduce_or_epi64(buckets);
    x |= x >> 32;
    x |= x >> 16;
    x |= x >> 8;
    c.buckets = (uint32_t)(x & 0xFF);
    __m512i hits = lookup128(v, ascii, w->fingerprint[0]);
    for (int f = 1; f < CPIIScan_GATE_FINGERPRINT; f++) {
        const __m512i u = _mm512_loadu_si512(q + f);
        hits = _mm512_and_si512(hits, lookup128(u, ~_mm512_movepi8_mask(u), w->fingerprint[f]));
    }
    c.hits = _mm512_test_epi8_mask(hits, hits) != 0;
    return c;
}

// gate_blocks_avx2's words. A block's 96 bytes are its chunk and the first half of the next,
// so the loop runs one chunk ahead; the after-byte test takes the byte before a block's first
// from the chunk before. What most blocks never need (span runs once the union test passes,
// anchors once a fingerprint is there) is the AVX2 pass's code. Measured on clean.txt in 1 MiB
// blocks, best of 7: 20.8 -> 15.6 ms (dense.txt 28.6 -> 20.9 ms).
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vbmi,avx2,popcnt")))
static void gate_blocks_avx512(const uint8_t *p, size_t n, const CPIIScan_GateTables *t, uint32_t *out) {
    uint8_t span[16];
    const run_plan u = run_plan_of(t, span);
    const fingerprint_tables f = fingerprint_tables_of(t);
    wide_tables w;
    uint8_t cls[128], fingerprint[CPIIScan_GATE_FINGERPRINT][128];
    for (unsigned b = 0; b < 128; b++) {
        cls[b] = (uint8_t)((in_nibble_set(span, (uint8_t)b) ? 1 : 0) | ((uint8_t)(b - '0') < 10 ? 2 : 0)
                           | (in_nibble_set(t->afterSet, (uint8_t)b) ? 4 : 0));
        for (int f = 0; f < CPIIScan_GATE_FINGERPRINT; f++)
            fingerprint[f][b] = t->fingerprintLow[f][b & 15] & t->fingerprintHigh[f][b >> 4];
    }
    w.cls[0] = _mm512_loadu_si512(cls);
    w.cls[1] = _mm512_loadu_si512(cls + 64);
    for (int f = 0; f < CPIIScan_GATE_FINGERPRINT; f++) {
        w.fingerprint[f][0] = _mm512_loadu_si512(fingerprint[f]);
        w.fingerprint[f][1] = _mm512_loadu_si512(fingerprint[f] + 64);
    }
    w.low = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)t->low));
    w.high = _mm512_broadcast_i32x4(_mm_loadu_si128((const __m128i *)t->high));
    w.after_byte = _mm512_set1_epi8((char)t->afterByte);
    // A chunk is classified in place while its 66 bytes are in the text, else from a padded copy
    // (0x80: in no bucket, set or fingerprint, not a digit; the after-byte test masks it off).
    uint8_t tail[256];
    const chunk_masks none = {0, 0, 0, 0, 0, 0};
    chunk_masks current, next;
    if (n >= 66) {
        current = classify_chunk(p, &w);
    } else {
        memset(tail, 0x80, sizeof tail);
        memcpy(tail, p, n);
        current = classify_chunk(tail, &w);
    }
    uint64_t set_before = 0;
    for (size_t i = 0; i < n; i += 64) {
        // q: the block's 96 bytes (for the rare paths).
        const uint8_t *q;
        if (i + 64 + 66 <= n) {
            q = p + i;
            next = classify_chunk(p + i + 64, &w);
        } else {
            memset(tail, 0x80, sizeof tail);
            memcpy(tail, p + i, n - i < 192 ? n - i : 192);
            q = tail;
            next = i + 64 < n ? classify_chunk(tail + 64, &w) : none;
        }
        uint32_t word = current.buckets;
        if (u.digitsWanted && current.digits)
            word |= digit_word(t, &u, (uint32_t)current.digits, (uint32_t)(current.digits >> 32), (uint32_t)next.digits,
                               q, p, i);
        if (t->runCount) {
            const uint32_t middle = (uint32_t)(current.union_span >> 32);
            const __m128i x = _mm_setr_epi32((int)(uint32_t)current.union_span, (int)middle, (int)middle,
                                             (int)(uint32_t)next.union_span);
            if (has_run(x, &u.shortest)) word |= span_runs_at(q, i ? p[i - 1] : -1, t, &u);
        }
        if (word & t->afterBits) {
            uint64_t at = current.after_byte;
            if (n - i < 64) at &= ((uint64_t)1 << (n - i)) - 1;
            if (!(at & (current.after_set << 1 | set_before >> 63))) word &= ~(uint32_t)t->afterBits;
        }
        out[i >> 6] = word;
        if (current.hits) mark_anchors(p, n, i, fingerprint_hits(q, &f), fingerprint_hits(q + 32, &f), t, out);
        set_before = current.after_set;
        current = next;
    }
}

// From i while 8 words remain: the first word with a bit of mask, or where the scalar loop goes on.
__attribute__((target("avx2")))
static size_t next_gate_block_avx2(const uint32_t *words, size_t i, size_t count, uint32_t mask) {
    const __m256i m = _mm256_set1_epi32((int)mask);
    while (i + 8 <= count) {
        const __m256i none = _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_loadu_si256((const __m256i *)(words + i)), m),
                                                _mm256_setzero_si256());
        const unsigned marked = ~(unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(none)) & 0xFFu;
        if (marked) return i + (size_t)__builtin_ctz(marked);
        i += 8;
    }
    return i;
}

// While 8 words remain: adds the words with a bit of mask to *marked; returns where it stopped.
__attribute__((target("avx2,popcnt")))
static size_t count_gate_blocks_avx2(const uint32_t *words, size_t count, uint32_t mask, size_t *marked) {
    const __m256i m = _mm256_set1_epi32((int)mask);
    size_t i = 0, total = 0;
    for (; i + 8 <= count; i += 8) {
        const __m256i none = _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_loadu_si256((const __m256i *)(words + i)), m),
                                                _mm256_setzero_si256());
        total += 8 - (size_t)__builtin_popcount((unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(none)));
    }
    *marked += total;
    return i;
}

// From i while 32 bytes remain: the first ASCII byte outside the span, or where the scalar loop
// goes on.
__attribute__((target("avx2")))
static size_t run_end_avx2(const uint8_t *p, size_t i, size_t n, const CPIIScan_Nibbles *nibbles) {
    const __m256i table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)nibbles->span));
    while (i + 32 <= n) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(p + i));
        __m256i low, bit;
        ascii_nibbles(v, &low, &bit);
        // Outside: ASCII (top bit clear) and not in the span.
        const uint32_t outside = ~ascii_set_mask(low, bit, table) & ~(uint32_t)_mm256_movemask_epi8(v);
        if (outside) return i + (size_t)__builtin_ctz(outside);
        i += 32;
    }
    return i;
}
#endif

int CPIIScan_gateBlocksWith(const uint8_t *p, size_t n, const CPIIScan_GateTables *tables, uint32_t *out, int level) {
#if defined(__x86_64__) || defined(_M_X64)
    if (level == 2 && CPIIScan_hasWideVectors()) {
        gate_blocks_avx512(p, n, tables, out);
        return 1;
    }
    if (level == 1 && CPIIScan_hasVectorRunScan()) {
        gate_blocks_avx2(p, n, tables, out);
        return 1;
    }
#endif
    (void)p;
    (void)n;
    (void)tables;
    (void)out;
    (void)level;
    return 0;
}

int CPIIScan_gateBlocks(const uint8_t *p, size_t n, const CPIIScan_GateTables *tables, uint32_t *out) {
    return CPIIScan_gateBlocksWith(p, n, tables, out, CPIIScan_hasWideVectors() ? 2 : 1);
}

void CPIIScan_summarizeGateWords(const uint32_t *words, size_t count, uint32_t *summary) {
    for (size_t k = 0; 64 * k < count; k++) {
        const size_t end = 64 * k + 64 < count ? 64 * k + 64 : count;
        uint32_t any = 0;
        for (size_t i = 64 * k; i < end; i++) any |= words[i];
        summary[k] = any;
    }
}

// The first i in [from, end) with words[i] & mask, or end; end - from at most 64 in practice.
static size_t next_marked(const uint32_t *words, size_t from, size_t end, uint32_t mask) {
    size_t i = from;
#if defined(__x86_64__) || defined(_M_X64)
    if (CPIIScan_hasVectorRunScan()) i = next_gate_block_avx2(words, i, end, mask);
#endif
    while (i < end && (words[i] & mask) == 0) i++;
    return i;
}

size_t CPIIScan_nextGateBlock(const uint32_t *words, const uint32_t *summary, size_t from, size_t count, uint32_t mask) {
    if (!summary) return next_marked(words, from, count, mask);
    size_t i = from;
    while (i < count) {
        // Summary words without the mask: 64 words each, skipped whole.
        if ((summary[i >> 6] & mask) == 0) {
            i = (i | 63) + 1;
            continue;
        }
        const size_t end = (i | 63) + 1 < count ? (i | 63) + 1 : count;
        i = next_marked(words, i, end, mask);
        if (i < end) return i;
    }
    return count;
}

size_t CPIIScan_countGateBlocks(const uint32_t *words, const uint32_t *summary, size_t count, uint32_t mask) {
    size_t marked = 0;
    for (size_t from = 0; from < count; from += 64) {
        const size_t end = from + 64 < count ? from + 64 : count;
        if (summary && (summary[from >> 6] & mask) == 0) continue;
        size_t i = from;
#if defined(__x86_64__) || defined(_M_X64)
        if (CPIIScan_hasVectorRunScan()) i = count_gate_blocks_avx2(words + from, end - from, mask, &marked) + from;
#endif
        for (; i < end; i++) marked += (words[i] & mask) != 0;
    }
    return marked;
}

size_t CPIIScan_runEnd(const uint8_t *p, size_t i, size_t n, const CPIIScan_Nibbles *nibbles) {
#if defined(__x86_64__) || defined(_M_X64)
    if (CPIIScan_hasVectorRunScan()) i = run_end_avx2(p, i, n, nibbles);
#endif
    for (; i < n; i++) {
        const uint8_t b = p[i];
        if (b < 0x80 && !in_nibble_set(nibbles->span, b)) break;
    }
    return i;
}

void CPIIScan_gateBlocksPortable(const uint8_t *p, size_t n, const CPIIScan_GateTables *t, uint32_t *out) {
    for (size_t k = 0; k * 64 < n; k++) {
        // The same masks as the vector pass, byte by byte; bytes past n match nothing.
        unsigned __int128 digits = 0, dots = 0;
        uint64_t pair_set = 0;
        uint32_t word = 0;
        for (size_t j = 0; j < 96 && 64 * k + j < n; j++) {
            const uint8_t b = p[64 * k + j];
            if (j < 64) word |= (uint32_t)(t->low[b & 15] & t->high[b >> 4]);
            if ((uint8_t)(b - '0') < 10) digits |= (unsigned __int128)1 << j;
            if (b == '.') dots |= (unsigned __int128)1 << j;
            if (j < 64 && in_nibble_set(t->digitPairAfterSet, b)) pair_set |= (uint64_t)1 << j;
        }
        for (size_t j = 0; j < 64 && 64 * k + j < n; j++) {
            const size_t i = 64 * k + j;
            for (unsigned a = 0; a < t->anchorCount; a++) {
                if (i + t->anchorLength[a] <= n && anchor_at(p, i, t->anchor[a], t->anchorLength[a], t->anchorCaseless[a]))
                    word |= CPIIScan_gateAnchorBit(a);
            }
        }
        for (unsigned r = 0; r < t->runCount; r++) {
            unsigned __int128 span = 0;
            int trigger = 0;
            for (size_t j = 0; j < 96 && 64 * k + j < n; j++) {
                const uint8_t b = p[64 * k + j];
                if (in_nibble_set(t->runSpan[r], b)) span |= (unsigned __int128)1 << j;
                if (t->runTriggerLow[b & 15] & t->runTriggerHigh[b >> 4] & t->runTriggerBits[r]) trigger = 1;
            }
            if (t->runStartBits[r]) {
                // By its starts: the positions whose byte before is no span byte and whose three
                // bytes are a prefix (bytes past n match nothing).
                uint64_t starts = 0;
                for (size_t j = 0; j < 64 && 64 * k + j + 2 < n; j++) {
                    const size_t i = 64 * k + j;
                    if (i > 0 && in_nibble_set(t->runSpan[r], p[i - 1])) continue;
                    unsigned bits = t->runStartBits[r];
                    for (int m = 0; m < 3; m++) {
                        const uint8_t b = p[i + m];
                        bits &= b < 0x80 ? (unsigned)(t->runStartLow[m][b & 15] & t->runStartHigh[m][b >> 4]) : 0;
                    }
                    if (bits) starts |= (uint64_t)1 << j;
                }
                if (starts & runs_of(span, t->runLength[r])) word |= 1u << (16 + r);
            } else if (trigger && runs_of(span, t->runLength[r])) {
                word |= 1u << (16 + r);
            }
        }
        if ((word & t->afterBits) && !holds_after(p, n, 64 * k, t)) word &= ~(uint32_t)t->afterBits;
        const uint32_t chained = (t->digitRun | t->chainCount) && (uint64_t)digits ? gate_bits(t, digits) : 0;
        if ((t->dottedQuad | t->digitPairAfter) && !((word | chained) & t->shapeSkipBits)) {
            word |= shape_bits(t, digits, dots, pair_set, k > 0 && in_nibble_set(t->digitPairAfterSet, p[64 * k - 1]),
                               k > 0 && in_nibble_set(t->digitPairAfterSet, p[64 * k - 2]));
        }
        out[k] = word | chained;
    }
}
