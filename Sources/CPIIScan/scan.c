#define _GNU_SOURCE 1
#include <string.h>
#include "CPIIScan.h"
#include "byte_classes.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>
#include <immintrin.h>

// x <= limit, unsigned, per byte (SSE2 has no unsigned compare): min(x, limit) == x.
static inline __m128i le_u8(__m128i x, __m128i limit) { return _mm_cmpeq_epi8(_mm_min_epu8(x, limit), x); }

static inline __m128i in_range(__m128i v, uint8_t lo, uint8_t len) {
    if (len == 0) return _mm_setzero_si128();
    return le_u8(_mm_sub_epi8(v, _mm_set1_epi8((char)lo)), _mm_set1_epi8((char)(len - 1)));
}

static inline __m128i classify(__m128i v, CPIIScan_ByteRanges r) {
    __m128i hit = _mm_or_si128(in_range(v, r.lo0, r.len0), _mm_or_si128(in_range(v, r.lo1, r.len1), in_range(v, r.lo2, r.len2)));
    if (r.high) hit = _mm_or_si128(hit, _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8((char)r.high)), v));
    return hit;
}
#endif

static inline int scalar_hit(uint8_t b, CPIIScan_ByteRanges r) {
    return (r.len0 && (uint8_t)(b - r.lo0) < r.len0) || (r.len1 && (uint8_t)(b - r.lo1) < r.len1)
        || (r.len2 && (uint8_t)(b - r.lo2) < r.len2) || (r.high && b >= r.high);
}

// One range plus an optional high threshold: the common shape (digits; digits + UTF-8 leads).
static size_t find_one_range(const uint8_t *p, size_t i, size_t n, uint8_t lo, uint8_t len, uint8_t high) {
#if defined(__x86_64__) || defined(_M_X64)
    const __m128i vlo = _mm_set1_epi8((char)lo);
    const __m128i vlim = _mm_set1_epi8((char)(len - 1));
    const __m128i vhigh = _mm_set1_epi8((char)(high ? high : 0xFF));
    const int use_high = high != 0;
    while (i + 32 <= n) {
        __m128i a = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(p + i + 16));
        __m128i ha = le_u8(_mm_sub_epi8(a, vlo), vlim);
        __m128i hb = le_u8(_mm_sub_epi8(b, vlo), vlim);
        if (use_high) {
            ha = _mm_or_si128(ha, _mm_cmpeq_epi8(_mm_max_epu8(a, vhigh), a));
            hb = _mm_or_si128(hb, _mm_cmpeq_epi8(_mm_max_epu8(b, vhigh), b));
        }
        unsigned mask = (unsigned)_mm_movemask_epi8(ha) | ((unsigned)_mm_movemask_epi8(hb) << 16);
        if (mask) return i + (size_t)__builtin_ctz(mask);
        i += 32;
    }
#endif
    for (; i < n; i++) {
        uint8_t b = p[i];
        if ((uint8_t)(b - lo) < len || (high && b >= high)) return i;
    }
    return n;
}

size_t CPIIScan_find(const uint8_t *p, size_t from, size_t n, CPIIScan_ByteRanges r) {
    size_t i = from;
    if (r.len1 == 0 && r.len2 == 0 && r.len0 != 0) return find_one_range(p, i, n, r.lo0, r.len0, r.high);
#if defined(__x86_64__) || defined(_M_X64)
    while (i + 16 <= n) {
        int mask = _mm_movemask_epi8(classify(_mm_loadu_si128((const __m128i *)(p + i)), r));
        if (mask) return i + (size_t)__builtin_ctz((unsigned)mask);
        i += 16;
    }
#endif
    for (; i < n; i++) {
        if (scalar_hit(p[i], r)) return i;
    }
    return n;
}

#if defined(__x86_64__) || defined(_M_X64)
// The first occurrence at or after *at, or SIZE_MAX with *at moved to where fewer than 32
// positions are left.
__attribute__((target("avx2")))
static size_t find_anchor_avx2(const uint8_t *p, size_t *at, size_t last, const uint8_t *anchor, size_t length,
                               int caseless, size_t r1, size_t r2) {
    size_t i = *at;
    const uint8_t a1 = anchor[r1], a2 = anchor[r2];
    const __m256i fold1 = _mm256_set1_epi8((char)(caseless && (uint8_t)(a1 - 'a') < 26 ? 0x20 : 0));
    const __m256i fold2 = _mm256_set1_epi8((char)(caseless && (uint8_t)(a2 - 'a') < 26 ? 0x20 : 0));
    const __m256i v1 = _mm256_set1_epi8((char)a1), v2 = _mm256_set1_epi8((char)a2);
    // As the SSE2 loop below, 32 positions a step: inside p[0 ..< n] while i + 31 <= last.
    while (i + 32 <= last + 1) {
        __m256i x = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(p + i + r1)), fold1);
        __m256i y = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(p + i + r2)), fold2);
        uint32_t mask = (uint32_t)_mm256_movemask_epi8(_mm256_and_si256(_mm256_cmpeq_epi8(x, v1), _mm256_cmpeq_epi8(y, v2)));
        while (mask) {
            size_t k = i + (size_t)__builtin_ctz(mask);
            if (anchor_at(p, k, anchor, length, caseless)) return k;
            mask &= mask - 1;
        }
        i += 32;
    }
    *at = i;
    return SIZE_MAX;
}
#endif

size_t CPIIScan_findAnchor(const uint8_t *p, size_t from, size_t n, const uint8_t *anchor, size_t length,
                           int caseless, size_t r1, size_t r2, int vector) {
    if (length == 0 || n < length || from > n - length) return n;
    if (r1 >= length) r1 = 0;
    if (r2 >= length) r2 = length - 1;
    size_t i = from;
    const size_t last = n - length;  // the last position an occurrence may start at
#if defined(__x86_64__) || defined(_M_X64)
    if (vector && CPIIScan_hasVectorRunScan()) {
        const size_t k = find_anchor_avx2(p, &i, last, anchor, length, caseless, r1, r2);
        if (k != SIZE_MAX) return k;
    }
    const uint8_t a1 = anchor[r1], a2 = anchor[r2];
    // OR 0x20 into the text byte before comparing where the anchor byte is a caseless letter.
    const __m128i fold1 = _mm_set1_epi8((char)(caseless && (uint8_t)(a1 - 'a') < 26 ? 0x20 : 0));
    const __m128i fold2 = _mm_set1_epi8((char)(caseless && (uint8_t)(a2 - 'a') < 26 ? 0x20 : 0));
    const __m128i v1 = _mm_set1_epi8((char)a1), v2 = _mm_set1_epi8((char)a2);
    // The loads read p[i + r ..< i + r + 16] with r < length: inside p[0 ..< n] while
    // i + 15 <= last.
    while (i + 16 <= last + 1) {
        __m128i x = _mm_or_si128(_mm_loadu_si128((const __m128i *)(p + i + r1)), fold1);
        __m128i y = _mm_or_si128(_mm_loadu_si128((const __m128i *)(p + i + r2)), fold2);
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(x, v1), _mm_cmpeq_epi8(y, v2)));
        while (mask) {
            size_t k = i + (size_t)__builtin_ctz(mask);
            if (anchor_at(p, k, anchor, length, caseless)) return k;
            mask &= mask - 1;
        }
        i += 16;
    }
#endif
    for (; i <= last; i++) {
        if (anchor_at(p, i, anchor, length, caseless)) return i;
    }
    return n;
}

static CPIIScan_Run find_run_portable(const uint8_t *p, size_t from, size_t n, CPIIScan_ByteRanges ranges,
                                      const uint8_t *trigger, const uint8_t *span, size_t minTriggers) {
    CPIIScan_Run run = {0, 0, 0, 0};
    size_t i = from;
    while (i < n) {
        size_t t = CPIIScan_find(p, i, n, ranges);
        if (t >= n) break;
        if (p[t] >= 0x80) {
            run.lo = t;
            run.status = 2;
            return run;
        }
        size_t triggers = 1;
        size_t lo = t;
        while (lo > 0 && p[lo - 1] < 0x80 && span[p[lo - 1]]) {
            lo--;
            triggers += trigger[p[lo]];
        }
        size_t hi = t + 1;
        while (hi < n && p[hi] < 0x80 && span[p[hi]]) {
            triggers += trigger[p[hi]];
            hi++;
        }
        if ((lo > 0 && p[lo - 1] >= 0x80) || (hi < n && p[hi] >= 0x80)) {
            run.lo = t;
            run.status = 2;
            return run;
        }
        if (triggers >= minTriggers) {
            run.lo = lo;
            run.hi = hi;
            run.triggers = triggers;
            run.status = 1;
            return run;
        }
        i = hi;
    }
    return run;
}

size_t CPIIScan_lastIndex(const uint8_t *p, size_t n, uint8_t byte) {
    const uint8_t *hit = n ? (const uint8_t *)memrchr(p, byte, n) : NULL;
    return hit ? (size_t)(hit - p) : n;
}

// MARK: Long-run scan

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#include <immintrin.h>

static int detect_avx2(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & bit_OSXSAVE) || !(c & bit_AVX) || !(c & bit_POPCNT)) return 0;
    unsigned lo, hi;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 6) != 6) return 0;  // the OS saves XMM and YMM state
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b & bit_AVX2) != 0;
}

int CPIIScan_vectorRunScanState = -1;

int CPIIScan_detectVectorRunScan(void) {
    int v = detect_avx2();
    __atomic_store_n(&CPIIScan_vectorRunScanState, v, __ATOMIC_RELAXED);
    return v;
}

// AVX2 (above), AVX-512 F, BW, VL and VBMI, and an OS that saves the opmask and ZMM state.
static int detect_wide_vectors(void) {
    if (!detect_avx2()) return 0;
    unsigned a, b, c, d;
    unsigned lo, hi;
    __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0xE6) != 0xE6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b & bit_AVX512F) && (b & bit_AVX512BW) && (b & bit_AVX512VL) && (c & bit_AVX512VBMI);
}

int CPIIScan_wideVectorState = -1;

int CPIIScan_detectWideVectors(void) {
    int v = detect_wide_vectors();
    __atomic_store_n(&CPIIScan_wideVectorState, v, __ATOMIC_RELAXED);
    return v;
}

// Three bits per byte of p[0 ..< 64]: *x: a span byte or >= 0x80 (a byte a window may hold);
// *t: a trigger byte or a lead byte of a trigger character; *na: a byte >= 0x80.
__attribute__((target("avx2")))
static inline void classify64(const uint8_t *p, __m256i span_table, __m256i trigger_table, __m256i lead_table,
                              uint64_t *x, uint64_t *t, uint64_t *na) {
    const __m256i low_nibble = _mm256_set1_epi8(0x0F);
    const __m256i bit_of_ascii_nibble = ascii_nibble_bits();
    const __m256i bit_of_high_nibble = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, (char)128,
                                                        0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, (char)128);
    const __m256i zero = _mm256_setzero_si256();
    uint64_t xs = 0, ts = 0, ns = 0;
    for (int half = 0; half < 2; half++) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(p + 32 * half));
        __m256i lo = _mm256_and_si256(v, low_nibble);
        __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low_nibble);
        __m256i bit = _mm256_shuffle_epi8(bit_of_ascii_nibble, hi);
        __m256i in_span = _mm256_and_si256(_mm256_shuffle_epi8(span_table, lo), bit);
        __m256i in_trigger = _mm256_or_si256(
            _mm256_and_si256(_mm256_shuffle_epi8(trigger_table, lo), bit),
            _mm256_and_si256(_mm256_shuffle_epi8(lead_table, lo), _mm256_shuffle_epi8(bit_of_high_nibble, hi)));
        uint32_t not_span = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(in_span, zero));
        uint32_t not_trigger = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(in_trigger, zero));
        uint32_t non_ascii = (uint32_t)_mm256_movemask_epi8(v);
        xs |= (uint64_t)(~not_span | non_ascii) << (32 * half);
        ts |= (uint64_t)~not_trigger << (32 * half);
        ns |= (uint64_t)non_ascii << (32 * half);
    }
    *x = xs;
    *t = ts;
    *na = ns;
}

static inline unsigned popcount128(unsigned __int128 v) {
    return (unsigned)__builtin_popcountll((uint64_t)v) + (unsigned)__builtin_popcountll((uint64_t)(v >> 64));
}

static inline unsigned ctz128(unsigned __int128 v) {
    uint64_t low = (uint64_t)v;
    return low ? (unsigned)__builtin_ctzll(low) : 64 + (unsigned)__builtin_ctzll((uint64_t)(v >> 64));
}

#else
int CPIIScan_vectorRunScanState = 0;

int CPIIScan_detectVectorRunScan(void) { return 0; }

int CPIIScan_wideVectorState = 0;

int CPIIScan_detectWideVectors(void) { return 0; }
#endif

static inline int is_run_byte(uint8_t b, const uint8_t *span) { return b >= 0x80 || span[b]; }

// A non-ASCII byte that may start a trigger character (CPIIScan_Nibbles.lead).
static inline int is_lead(uint8_t b, const CPIIScan_Nibbles *nibbles) {
    return b >= 0x80 && ((nibbles->lead[b & 0x0F] >> ((b >> 4) - 8)) & 1);
}

// Examines the maximal run of span or non-ASCII bytes that starts at lo (lo < from only for the
// run that holds `from`); sets *hi to its end. Returns 1 with *run filled when the run yields a
// result, 0 when it cannot (too short, no candidate at or after `from`, or too few triggers).
static inline int examine_run(const uint8_t *p, size_t lo, size_t from, size_t n, const CPIIScan_Nibbles *nibbles,
                              const uint8_t *trigger, const uint8_t *span, size_t minTriggers, size_t minLength,
                              size_t *hi_out,
                              CPIIScan_Run *run) {
    size_t hi = lo, triggers = 0, candidate = (size_t)-1;
    int non_ascii = 0;
    while (hi < n) {
        uint8_t b = p[hi];
        if (b < 0x80) {
            if (!span[b]) break;
            if (trigger[b]) {
                triggers++;
                if (candidate == (size_t)-1 && hi >= from) candidate = hi;
            }
        } else {
            non_ascii = 1;
            if (candidate == (size_t)-1 && hi >= from && is_lead(b, nibbles)) candidate = hi;
        }
        hi++;
        if (non_ascii && candidate != (size_t)-1) {
            // Status 2 whatever follows.
            run->lo = candidate;
            run->status = 2;
            *hi_out = hi;
            return 1;
        }
    }
    *hi_out = hi;
    if (hi - lo < minTriggers || hi - lo < minLength || candidate == (size_t)-1) return 0;
    if (non_ascii) {
        run->lo = candidate;
        run->status = 2;
        return 1;
    }
    if (triggers < minTriggers) return 0;
    run->lo = lo;
    run->hi = hi;
    run->triggers = triggers;
    run->status = 1;
    return 1;
}

#if defined(__x86_64__) || defined(_M_X64)
// Bit k: x[k ..< k + m] are all ones, for k in 0 ..< 64 (m in 1...64; x holds 128 bits). The
// doubling steps use constant shifts; only the last one is by a variable count.
static inline uint64_t long_run_starts(unsigned __int128 x, unsigned m) {
    unsigned k = 1;
    if (m >= 2) { x &= x >> 1; k = 2; }
    if (m >= 4) { x &= x >> 2; k = 4; }
    if (m >= 8) { x &= x >> 4; k = 8; }
    if (m >= 16) { x &= x >> 8; k = 16; }
    if (m >= 32) { x &= x >> 16; k = 32; }
    if (m >= 64) { x &= x >> 32; k = 64; }
    if (m > k) x &= x >> (m - k);
    return (uint64_t)x;
}

// The block loop: while 128 bytes remain, classify them (64 at a time, reusing the upper half
// when moving on by 64) and visit the runs of window bytes that start in the lower 64. A run
// that ends inside the 128 is decided from the masks alone: fewer than minTriggers bytes that
// may start a trigger character means no window (a window lies inside one run and counts at
// most one trigger per such byte). So a block whose 128 bytes hold fewer such bytes, and whose
// last byte is not a run byte, is skipped whole. Runs that reach past the 128, and runs that
// pass, get the exact scalar look. A run that continues from the previous block was visited
// there. Advances *at; returns 1 with *run filled when a run yields a result.
__attribute__((target("avx2")))
static void find_long_run_avx2(const uint8_t *p, size_t *at, size_t n, const uint8_t *trigger, const uint8_t *span,
                               size_t minTriggers, size_t minLength, const CPIIScan_Nibbles *nibbles,
                               CPIIScan_Run *runs, size_t capacity, size_t *count) {
    const __m256i span_table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)nibbles->span));
    const __m256i trigger_table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)nibbles->trigger));
    const __m256i lead_table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)nibbles->lead));
    const size_t need = minTriggers > minLength ? minTriggers : minLength;
    const unsigned m = need > 64 ? 64 : (need == 0 ? 1 : (unsigned)need);
    // A run this many triggers long is returned from the masks alone (see below).
    const size_t fastTriggers = minTriggers > 0 ? minTriggers : 1;
    size_t i = *at, hi, cached_at = (size_t)-1;
    uint64_t cached_x = 0, cached_t = 0, cached_na = 0;
    uint8_t tail[128] __attribute__((aligned(32)));
    while (i < n) {
        // The last block reads a zero-padded copy: NUL is neither a span byte nor >= 0x80.
        const uint8_t *q = p + i;
        if (n - i < 128) {
            memset(tail, 0, sizeof tail);
            memcpy(tail, p + i, n - i);
            q = tail;
        }
        uint64_t x0, t0, na0, x1, t1, na1;
        if (cached_at == i) {
            x0 = cached_x;
            t0 = cached_t;
            na0 = cached_na;
        } else {
            classify64(q, span_table, trigger_table, lead_table, &x0, &t0, &na0);
        }
        classify64(q + 64, span_table, trigger_table, lead_table, &x1, &t1, &na1);
        const unsigned possible = (unsigned)__builtin_popcountll(t0) + (unsigned)__builtin_popcountll(t1);
        if (possible >= minTriggers || (x1 >> 63)) {
            const unsigned __int128 x = ((unsigned __int128)x1 << 64) | x0;
            const unsigned __int128 t = ((unsigned __int128)t1 << 64) | t0;
            const unsigned __int128 na = ((unsigned __int128)na1 << 64) | na0;
            const uint64_t before = (x0 << 1) | (uint64_t)(i > 0 && is_run_byte(p[i - 1], span));
            // Run starts in the lower 64 whose run is at least min(max(minTriggers, minLength), 64) long.
            uint64_t starts = x0 & ~before & long_run_starts(x, m);
            int restarted = 0;
            while (starts) {
                const unsigned k = (unsigned)__builtin_ctzll(starts);
                starts &= starts - 1;
                const unsigned __int128 rest = ~x >> k;
                if (rest != 0) {
                    const unsigned length = ctz128(rest);
                    if (k + length < 128) {
                        if (length < need) continue;
                        const unsigned __int128 inside = (((unsigned __int128)1 << length) - 1) << k;
                        const unsigned triggers = popcount128(t & inside);
                        if (triggers < minTriggers) continue;
                        if ((na & inside) == 0 && triggers >= fastTriggers) {
                            // An all-ASCII run that ends inside the 128 bytes: the masks say all
                            // examine_run would (its bounds, and t counts exactly its triggers).
                            CPIIScan_Run *run = &runs[(*count)++];
                            run->lo = i + k;
                            run->hi = i + k + length;
                            run->triggers = triggers;
                            run->status = 1;
                            if (*count == capacity) {
                                *at = run->hi;
                                return;
                            }
                            // The next run starts after this one: on with the next start bit.
                            continue;
                        }
                    }
                }
                if (examine_run(p, i + k, i + k, n, nibbles, trigger, span, minTriggers, minLength, &hi,
                                &runs[*count])) {
                    // Status 2 hands the rest of the scan to the caller.
                    if (runs[(*count)++].status != 1 || *count == capacity) {
                        *at = hi;
                        return;
                    }
                }
                if (hi > i + 64) {
                    i = hi;
                    restarted = 1;
                    break;
                }
            }
            if (restarted) continue;
        }
        cached_at = i + 64;
        cached_x = x1;
        cached_t = t1;
        cached_na = na1;
        i += 64;
    }
    *at = i;
}
#endif

size_t CPIIScan_findLongRuns(const uint8_t *p, size_t from, size_t n, CPIIScan_ByteRanges ranges,
                             const uint8_t *trigger, const uint8_t *span, size_t minTriggers, size_t minLength,
                             const CPIIScan_Nibbles *nibbles, CPIIScan_Run *runs, size_t capacity) {
    size_t count = 0;
    if (capacity == 0) return 0;
#if defined(__x86_64__) || defined(_M_X64)
    if (!nibbles || !CPIIScan_hasVectorRunScan())
#endif
    {
        while (count < capacity) {
            CPIIScan_Run run = find_run_portable(p, from, n, ranges, trigger, span, minTriggers);
            if (run.status == 0) break;
            runs[count++] = run;
            if (run.status != 1) break;
            from = run.hi;
        }
        return count;
    }
#if defined(__x86_64__) || defined(_M_X64)
    size_t i = from, hi;
    if (i > 0 && i < n && is_run_byte(p[i - 1], span) && is_run_byte(p[i], span)) {
        // `from` is inside a run. An all-ASCII run is examined whole, as CPIIScan_findRun grows
        // runs backwards; a run with a non-ASCII byte before `from` can only give status 2 at
        // the next candidate (looking back further would make CJK text quadratic).
        size_t lo = i;
        int ascii = 1;
        while (lo > 0 && is_run_byte(p[lo - 1], span)) {
            if (p[lo - 1] >= 0x80) {
                ascii = 0;
                break;
            }
            lo--;
        }
        if (ascii) {
            if (examine_run(p, lo, from, n, nibbles, trigger, span, minTriggers, minLength, &hi, &runs[count])) {
                if (runs[count++].status != 1 || count == capacity) return count;
            }
            i = hi;
        } else {
            while (i < n && is_run_byte(p[i], span)) {
                uint8_t b = p[i];
                if (b < 0x80 ? trigger[b] : is_lead(b, nibbles)) {
                    runs[count] = (CPIIScan_Run){i, 0, 0, 2};
                    return count + 1;
                }
                i++;
            }
        }
    }
    find_long_run_avx2(p, &i, n, trigger, span, minTriggers, minLength, nibbles, runs, capacity, &count);
    return count;
#endif
}

CPIIScan_Run CPIIScan_findLongRun(const uint8_t *p, size_t from, size_t n, CPIIScan_ByteRanges ranges,
                                  const uint8_t *trigger, const uint8_t *span, size_t minTriggers,
                                  size_t minLength, const CPIIScan_Nibbles *nibbles) {
    CPIIScan_Run run = {0, 0, 0, 0};
    CPIIScan_findLongRuns(p, from, n, ranges, trigger, span, minTriggers, minLength, nibbles, &run, 1);
    return run;
}

// MARK: Run growth

// Byte by byte: the whole growth without AVX2, and the last bytes before a buffer end with it.
static inline void grow_back_scalar(const uint8_t *p, const uint8_t *trigger, const uint8_t *span, CPIIScan_Grown *g) {
    while (g->lo > 0 && p[g->lo - 1] < 0x80 && span[p[g->lo - 1]]) g->triggers += trigger[p[--g->lo]];
}

static inline void grow_forward_scalar(const uint8_t *p, size_t n, const uint8_t *trigger, const uint8_t *span,
                                       CPIIScan_Grown *g) {
    while (g->hi < n && p[g->hi] < 0x80 && span[p[g->hi]]) g->triggers += trigger[p[g->hi++]];
}

#if defined(__x86_64__) || defined(_M_X64)
// Bit k: p[k] is an ASCII span (*s) or trigger (*tr) byte, for k in 0 ..< 32.
__attribute__((target("avx2")))
static inline void classify32(const uint8_t *p, __m256i span_table, __m256i trigger_table, uint32_t *s,
                              uint32_t *tr) {
    __m256i lo, bit;
    ascii_nibbles(_mm256_loadu_si256((const __m256i *)p), &lo, &bit);
    *s = ascii_set_mask(lo, bit, span_table);
    *tr = ascii_set_mask(lo, bit, trigger_table);
}

__attribute__((target("avx2")))
static CPIIScan_Grown grow_run_avx2(const uint8_t *p, size_t t, size_t n, const uint8_t *trigger,
                                    const uint8_t *span, const CPIIScan_Nibbles *nibbles) {
    const __m256i span_table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)nibbles->span));
    const __m256i trigger_table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)nibbles->trigger));
    CPIIScan_Grown g = {t, t, 0};
    uint32_t s, tr;
    for (;;) {
        if (n - g.hi < 32) {
            grow_forward_scalar(p, n, trigger, span, &g);
            break;
        }
        classify32(p + g.hi, span_table, trigger_table, &s, &tr);
        if (~s) {
            const unsigned k = (unsigned)__builtin_ctz(~s);
            g.triggers += (unsigned)__builtin_popcount(tr & ((1u << k) - 1u));
            g.hi += k;
            break;
        }
        g.triggers += (unsigned)__builtin_popcount(tr);
        g.hi += 32;
    }
    for (;;) {
        if (g.lo < 32) {
            grow_back_scalar(p, trigger, span, &g);
            break;
        }
        classify32(p + g.lo - 32, span_table, trigger_table, &s, &tr);
        if (~s) {
            // The highest non-span byte bounds the run; the bytes above it are in it.
            const unsigned k = 31u - (unsigned)__builtin_clz(~s);
            g.triggers += (unsigned)__builtin_popcount(k == 31 ? 0u : tr >> (k + 1));
            g.lo -= 31u - k;
            break;
        }
        g.triggers += (unsigned)__builtin_popcount(tr);
        g.lo -= 32;
    }
    return g;
}
#endif

CPIIScan_Grown CPIIScan_growRun(const uint8_t *p, size_t t, size_t n, const uint8_t *trigger,
                                const uint8_t *span, const CPIIScan_Nibbles *nibbles) {
#if defined(__x86_64__) || defined(_M_X64)
    if (nibbles && CPIIScan_hasVectorRunScan()) return grow_run_avx2(p, t, n, trigger, span, nibbles);
#endif
    CPIIScan_Grown g = {t, t, 0};
    grow_back_scalar(p, trigger, span, &g);
    grow_forward_scalar(p, n, trigger, span, &g);
    return g;
}

#if defined(__x86_64__) || defined(_M_X64)
// find_run_portable, 32 bytes a step: candidates (ASCII triggers by the nibble table, bytes >=
// ranges.high) found by AVX2, runs grown by grow_run_avx2. The trigger set's ASCII bytes are
// the ranges' (both are built from one class), so the two find the same candidates.
__attribute__((target("avx2")))
static CPIIScan_Run find_run_avx2(const uint8_t *p, size_t from, size_t n, uint8_t high, const uint8_t *trigger,
                                  const uint8_t *span, size_t minTriggers, const CPIIScan_Nibbles *nibbles) {
    const __m256i trigger_table = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)nibbles->trigger));
    const __m256i high_bytes = _mm256_set1_epi8((char)high);
    CPIIScan_Run run = {0, 0, 0, 0};
    size_t i = from;
    while (i < n) {
        size_t t = n;
        while (i + 32 <= n) {
            const __m256i v = _mm256_loadu_si256((const __m256i *)(p + i));
            __m256i lo, bit;
            ascii_nibbles(v, &lo, &bit);
            uint32_t mask = ascii_set_mask(lo, bit, trigger_table);
            if (high) mask |= (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_max_epu8(v, high_bytes), v));
            if (mask) {
                t = i + (size_t)__builtin_ctz(mask);
                break;
            }
            i += 32;
        }
        if (t == n) {
            for (; i < n; i++) {
                const uint8_t b = p[i];
                if (b < 0x80 ? trigger[b] != 0 : (high && b >= high)) break;
            }
            t = i;
        }
        if (t >= n) break;
        if (p[t] >= 0x80) {
            run.lo = t;
            run.status = 2;
            return run;
        }
        const CPIIScan_Grown g = grow_run_avx2(p, t, n, trigger, span, nibbles);
        if ((g.lo > 0 && p[g.lo - 1] >= 0x80) || (g.hi < n && p[g.hi] >= 0x80)) {
            run.lo = t;
            run.status = 2;
            return run;
        }
        if (g.triggers >= minTriggers) {
            run.lo = g.lo;
            run.hi = g.hi;
            run.triggers = g.triggers;
            run.status = 1;
            return run;
        }
        i = g.hi;
    }
    return run;
}
#endif

CPIIScan_Run CPIIScan_findRun(const uint8_t *p, size_t from, size_t n, CPIIScan_ByteRanges ranges,
                              const uint8_t *trigger, const uint8_t *span, size_t minTriggers,
                              const CPIIScan_Nibbles *nibbles) {
#if defined(__x86_64__) || defined(_M_X64)
    if (nibbles && CPIIScan_hasVectorRunScan())
        return find_run_avx2(p, from, n, ranges.high, trigger, span, minTriggers, nibbles);
#endif
    return find_run_portable(p, from, n, ranges, trigger, span, minTriggers);
}

// MARK: Digit runs

#if defined(__x86_64__) || defined(_M_X64)
// The first position j >= i where p[j ..< j + k] are all ASCII digits, 32 positions a step, or
// the position the vector loop stopped at (fewer than 64 bytes left before end); no such j lies
// before the result. k must be in 1...32, so each step's 64 bytes decide its 32 positions.
__attribute__((target("avx2")))
static size_t skip_to_digit_run_avx2(const uint8_t *p, size_t i, size_t end, size_t k) {
    while (i + 64 <= end) {
        const uint64_t digits = ascii_digit_mask(_mm256_loadu_si256((const __m256i *)(p + i)))
            | (uint64_t)ascii_digit_mask(_mm256_loadu_si256((const __m256i *)(p + i + 32))) << 32;
        const uint32_t starts = (uint32_t)long_run_starts(digits, (unsigned)k);
        if (starts) return i + (size_t)__builtin_ctz(starts);
        i += 32;
    }
    return i;
}
#endif

size_t CPIIScan_findDigitRun(const uint8_t *p, size_t from, size_t end, size_t k, size_t *runEnd) {
    size_t i = from;
    if (k == 0) k = 1;
#if defined(__x86_64__) || defined(_M_X64)
    if (k <= 32 && CPIIScan_hasVectorRunScan()) {
        // Back to the start of the run holding the stop (bounded by `from`): a run of k digits
        // found there starts at or before it, and a run crossing the loop's end is looked at whole.
        i = skip_to_digit_run_avx2(p, from, end, k);
        while (i > from && (uint8_t)(p[i - 1] - '0') < 10) i--;
    }
#endif
    while (i < end) {
        while (i < end && (uint8_t)(p[i] - '0') >= 10) i++;
        const size_t a = i;
        while (i < end && (uint8_t)(p[i] - '0') < 10) i++;
        if (i - a >= k) {
            *runEnd = i;
            return a;
        }
    }
    *runEnd = end;
    return end;
}

// MARK: Literals and trigger pairs

int CPIIScan_containsLiteral(const uint8_t *p, size_t n, const uint8_t *literal, size_t length) {
    if (length == 0) return 1;
    size_t i = 0;
    while (i + length <= n) {
        const uint8_t *hit = memchr(p + i, literal[0], n - length + 1 - i);
        if (hit == NULL) return 0;
        if (memcmp(hit, literal, length) == 0) return 1;
        i = (size_t)(hit - p) + 1;
    }
    return 0;
}

#if defined(__x86_64__) || defined(_M_X64)
// Bit k of the result: p[i + k] == byte and one of p[i + k + 1 ... i + k + gap] is too (with
// `exact`, p[i + k + gap]), for k < 32, from the masks of p[i ..< i + 32] (lo) and
// p[i + 32 ..< i + 64] (hi); gap <= 32.
static inline uint64_t pair_starts(uint64_t lo, uint64_t hi, unsigned gap, int exact) {
    const uint64_t m = lo | (hi << 32);
    return lo & (exact ? m >> gap : bits_within_after(m, gap));
}

// The mask of the 64 bytes at q equal to v's byte.
__attribute__((target("avx2"), always_inline))
static inline uint64_t byte_mask64(const uint8_t *q, __m256i v) {
    return (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)q), v))
        | (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(q + 32)), v))
            << 32;
}

// From i while 64 bytes remain; returns the first pair start, or where the byte loop goes on.
// 64 positions a step while 128 bytes remain (in prose, `.` is in most 32-byte steps), then 32.
__attribute__((target("avx2"), always_inline))
static inline size_t find_pair_steps(const uint8_t *p, size_t i, size_t n, uint8_t byte, unsigned gap, int exact,
                                     int *found) {
    const __m256i v = _mm256_set1_epi8((char)byte);
    *found = 0;
    if (n - i < 64) return i;
    if (n - i >= 128) {
        uint64_t current = byte_mask64(p + i, v);
        while (i + 128 <= n) {
            const uint64_t next = byte_mask64(p + i + 64, v);
            // A pair within a gap: no test where the step lacks the byte (a `:` is in few steps of
            // prose, so the test goes one way). Both pair searches over 64 MiB in 1 MiB blocks,
            // best of seven: 7.65 -> 6.8 ms.
            if (!exact && !current) {
                current = next;
                i += 64;
                continue;
            }
            // Starts 0-31 from the two halves of this step, 32-63 from its second half and the
            // first of the next. An exact pair without a test for a step without the byte: in
            // prose that test went either way (a `.` is in most steps, not all), and its
            // mispredictions cost more than the pair test (both pair searches over 64 MiB in 1
            // MiB blocks, best of six: 9.9 -> 8.0 ms).
            const uint64_t pairs = pair_starts(current & 0xFFFFFFFFu, current >> 32, gap, exact)
                | pair_starts(current >> 32, next & 0xFFFFFFFFu, gap, exact) << 32;
            if (pairs) {
                *found = 1;
                return i + (size_t)__builtin_ctzll(pairs);
            }
            current = next;
            i += 64;
        }
    }
    uint64_t lo = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(p + i)), v));
    while (i + 64 <= n) {
        const uint64_t hi =
            (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(p + i + 32)), v));
        if (lo) {
            const uint64_t pairs = pair_starts(lo, hi, gap, exact);
            if (pairs) {
                *found = 1;
                return i + (size_t)__builtin_ctzll(pairs);
            }
        }
        lo = hi;
        i += 32;
    }
    return i;
}

// find_pair_steps with `exact` a constant in each copy: its test leaves the step.
__attribute__((target("avx2")))
static size_t find_pair_avx2(const uint8_t *p, size_t i, size_t n, uint8_t byte, unsigned gap, int exact, int *found) {
    return exact ? find_pair_steps(p, i, n, byte, gap, 1, found) : find_pair_steps(p, i, n, byte, gap, 0, found);
}
#endif

size_t CPIIScan_findTriggerPair(const uint8_t *p, size_t from, size_t n, uint8_t byte, size_t gap, int exact,
                                int vector) {
    size_t i = from;
    if (gap < 1) gap = 1;
    if (gap > 32) gap = 32;
    if (i >= n) return n;
#if defined(__x86_64__) || defined(_M_X64)
    if (vector && CPIIScan_hasVectorRunScan()) {
        int found;
        i = find_pair_avx2(p, i, n, byte, (unsigned)gap, exact, &found);
        if (found) return i;
    }
#endif
    while (i < n) {
        const uint8_t *hit = memchr(p + i, byte, n - i);
        if (hit == NULL) return n;
        i = (size_t)(hit - p);
        const size_t last = n - 1 - i < gap ? n - 1 : i + gap;
        for (size_t j = exact ? i + gap : i + 1; j <= last; j++) {
            if (p[j] == byte) return i;
        }
        i++;
    }
    return n;
}

size_t CPIIScan_findPairRuns(const uint8_t *p, size_t from, size_t n, uint8_t byte, size_t gap, int exact,
                             const uint8_t *trigger, const uint8_t *span, size_t minTriggers, size_t minLength,
                             const CPIIScan_Nibbles *nibbles, int vector, CPIIScan_Run *runs, size_t capacity) {
    size_t count = 0;
    while (count < capacity && from < n) {
        const size_t t = CPIIScan_findTriggerPair(p, from, n, byte, gap, exact, vector);
        if (t >= n) break;
        const CPIIScan_Grown g = CPIIScan_growRun(p, t, n, trigger, span, vector ? nibbles : NULL);
        // The run goes on past a non-ASCII byte, or p[t] is no span byte (a trigger always is):
        // the caller's UTF-8-aware path decides, and moves on.
        if ((g.lo > 0 && p[g.lo - 1] >= 0x80) || (g.hi < n && p[g.hi] >= 0x80) || g.hi <= t) {
            runs[count++] = (CPIIScan_Run){t, 0, 0, 2};
            break;
        }
        if (g.triggers >= minTriggers && g.hi - g.lo >= minLength) runs[count++] = (CPIIScan_Run){g.lo, g.hi, g.triggers, 1};
        from = g.hi;
    }
    return count;
}

// MARK: Digit groups

// The runs chained by one-byte separators up to the latest (their lengths, the latest last; at
// most 8 kept), for CPIIScan_hasDigitGroups.
typedef struct {
    size_t last[8];
    unsigned chained;
    size_t previousEnd;
} digit_chain;

// Adds the run p[start ..< end] to the chain; whether the chain now ends with one of the lists.
static inline int chain_run(digit_chain *c, size_t start, size_t end, const uint8_t *groups) {
    if (c->chained == 0 || start - c->previousEnd != 1) {
        c->chained = 0;
    } else if (c->chained == 8) {
        memmove(c->last, c->last + 1, 7 * sizeof c->last[0]);
        c->chained = 7;
    }
    c->last[c->chained++] = end - start;
    c->previousEnd = end;
    for (const uint8_t *g = groups; *g; g += 1 + *g) {
        const unsigned count = *g;
        if (count > c->chained) continue;
        unsigned k = 0;
        while (k < count && c->last[c->chained - count + k] == g[1 + k]) k++;
        if (k == count) return 1;
    }
    return 0;
}

#if defined(__x86_64__) || defined(_M_X64)
// p[base ..< base + 32] (base < n), or the bytes left before n padded with 0x80, which is no
// digit and in no ASCII set: a window's last step reads nothing past the window.
__attribute__((target("avx2"), always_inline))
static inline __m256i load_padded32(const uint8_t *p, size_t base, size_t n) {
    if (n - base >= 32) return _mm256_loadu_si256((const __m256i *)(p + base));
    uint8_t tail[32];
    memset(tail, 0x80, sizeof tail);
    memcpy(tail, p + base, n - base);
    return _mm256_loadu_si256((const __m256i *)tail);
}

// The runs from the edges of the digit mask, 32 bytes a step (the last step from a padded
// copy): a step costs the same for any number of digits, a run a few instructions. The byte loop
// cost 4 instructions a byte of a window.
__attribute__((target("avx2")))
static int has_digit_groups_avx2(const uint8_t *p, size_t n, const uint8_t *groups) {
    digit_chain c = {.chained = 0, .previousEnd = 0};
    int inRun = 0;
    size_t runStart = 0;
    for (size_t base = 0; base < n; base += 32) {
        const uint32_t digits = ascii_digit_mask(load_padded32(p, base, n));
        // Bit j: byte j's digit status differs from the byte before it.
        for (uint32_t edges = digits ^ (digits << 1 | (uint32_t)inRun); edges; edges &= edges - 1) {
            const size_t at = base + (size_t)__builtin_ctz(edges);
            if (!inRun) {
                runStart = at;
            } else if (chain_run(&c, runStart, at, groups)) {
                return 1;
            }
            inRun = !inRun;
        }
    }
    return inRun && chain_run(&c, runStart, n, groups);
}
#endif

int CPIIScan_hasDigitGroups(const uint8_t *p, size_t n, const uint8_t *groups) {
#if defined(__x86_64__) || defined(_M_X64)
    if (CPIIScan_hasVectorRunScan()) return has_digit_groups_avx2(p, n, groups);
#endif
    return CPIIScan_hasDigitGroupsPortable(p, n, groups);
}

int CPIIScan_hasDigitGroupsPortable(const uint8_t *p, size_t n, const uint8_t *groups) {
    digit_chain c = {.chained = 0, .previousEnd = 0};
    size_t i = 0;
    while (i < n) {
        if ((uint8_t)(p[i] - '0') >= 10) {
            i++;
            continue;
        }
        const size_t start = i;
        while (i < n && (uint8_t)(p[i] - '0') < 10) i++;
        if (chain_run(&c, start, i, groups)) return 1;
    }
    return 0;
}

// MARK: Required classes

#if defined(__x86_64__) || defined(_M_X64)
// 32 bytes a step (the last from a padded copy), counting members until `count`: the byte loop
// it replaces cost 4 instructions a byte of every window of the IBAN and IPv4 patterns on dense
// text.
__attribute__((target("avx2,popcnt")))
static int holds_class_avx2(const uint8_t *p, size_t n, const uint8_t *table, size_t count) {
    const __m256i t = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)table));
    size_t found = 0;
    for (size_t base = 0; base < n; base += 32) {
        const __m256i v = load_padded32(p, base, n);
        __m256i low, bit;
        ascii_nibbles(v, &low, &bit);
        found += (size_t)__builtin_popcount(ascii_set_mask(low, bit, t));
        if (found >= count) return 1;
    }
    return 0;
}
#endif

int CPIIScan_holdsClass(const uint8_t *p, size_t n, const uint8_t *table, size_t count) {
#if defined(__x86_64__) || defined(_M_X64)
    if (CPIIScan_hasVectorRunScan()) return holds_class_avx2(p, n, table, count);
#endif
    return CPIIScan_holdsClassPortable(p, n, table, count);
}

int CPIIScan_holdsClassPortable(const uint8_t *p, size_t n, const uint8_t *table, size_t count) {
    size_t found = 0;
    for (size_t i = 0; i < n; i++) {
        found += (size_t)in_nibble_set(table, p[i]);
        if (found >= count) return 1;
    }
    return 0;
}

// MARK: Run starts

int CPIIScan_hasRunStart(const uint8_t *p, size_t lo, size_t hi, const CPIIScan_RunStart *r) {
    for (size_t i = lo; i + 3 <= hi; i++) {
        // Inside a run of span bytes (most positions of a window) no match starts.
        if (i > 0 && in_nibble_set(r->span, p[i - 1])) continue;
        const uint8_t a = p[i], b = p[i + 1], c = p[i + 2];
        if ((a | b | c) < 0x80 && (r->prefix[0][a] & r->prefix[1][b] & r->prefix[2][c])) return 1;
    }
    return 0;
}
