#define _GNU_SOURCE 1
#include <string.h>
#include "CPIIScan.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>

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

CPIIScan_Run CPIIScan_findRun(const uint8_t *p, size_t from, size_t n, CPIIScan_ByteRanges ranges,
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
