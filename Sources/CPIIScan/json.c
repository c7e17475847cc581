// The byte loops of PIIScrubJSON's string handling: finding a string's end (with UTF-8
// validation), decoding its escapes, and finding the bytes an encoder must escape. In C for the
// same reason as scan.c: 16 bytes per step with SSE2 (baseline on x86_64) where Swift's 8-byte
// SWAR loops spent a third of `jsonl --flat`'s time.
#include <string.h>
#include "CPIIScan.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <emmintrin.h>

// Bit k: p[k] is `"`, `\`, a control character (< 0x20), or (with slash) `/`, or (with high) >= 0x80.
static inline unsigned special16(__m128i v, int slash, int high) {
    __m128i hit = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
    hit = _mm_or_si128(hit, _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v));
    if (slash) hit = _mm_or_si128(hit, _mm_cmpeq_epi8(v, _mm_set1_epi8('/')));
    unsigned mask = (unsigned)_mm_movemask_epi8(hit);
    if (high) mask |= (unsigned)_mm_movemask_epi8(v);
    return mask;
}
#endif

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

// special16 for 32 bytes.
__attribute__((target("avx2")))
static inline unsigned special32(__m256i v, int slash, int high) {
    __m256i hit = _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('"')), _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\')));
    hit = _mm256_or_si256(hit, _mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_set1_epi8(0x1F)), v));
    if (slash) hit = _mm256_or_si256(hit, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('/')));
    unsigned mask = (unsigned)_mm256_movemask_epi8(hit);
    if (high) mask |= (unsigned)_mm256_movemask_epi8(v);
    return mask;
}

// The first index >= i of a special byte in whole 32-byte steps; stops (returning the index it
// reached) where fewer than 32 bytes are left.
__attribute__((target("avx2")))
static size_t next_special_avx2(const uint8_t *p, size_t i, size_t n, int slash, int high) {
    while (i + 32 <= n) {
        unsigned mask = special32(_mm256_loadu_si256((const __m256i *)(p + i)), slash, high);
        if (mask) return i + (size_t)__builtin_ctz(mask);
        i += 32;
    }
    return i;
}

#endif

// The first index >= i of a special byte (see special16), or n.
static inline size_t next_special(const uint8_t *p, size_t i, size_t n, int slash, int high) {
#if defined(__x86_64__) || defined(_M_X64)
    if (i + 32 <= n && CPIIScan_hasVectorRunScan()) {
        i = next_special_avx2(p, i, n, slash, high);
        if (i + 32 <= n) return i;
    }
    while (i + 16 <= n) {
        unsigned mask = special16(_mm_loadu_si128((const __m128i *)(p + i)), slash, high);
        if (mask) return i + (size_t)__builtin_ctz(mask);
        i += 16;
    }
#endif
    for (; i < n; i++) {
        uint8_t b = p[i];
        if (b == '"' || b == '\\' || b < 0x20 || (slash && b == '/') || (high && b >= 0x80)) return i;
    }
    return n;
}

// Length of the strictly valid UTF-8 sequence at p[i] (no overlongs, surrogates or > U+10FFFF),
// or 0. The rules of every UTF-8 check in PIIScrubJSON (decoding, validation, encoding).
static inline size_t utf8_length(const uint8_t *p, size_t i, size_t n) {
    uint8_t b0 = p[i];
    if (b0 < 0x80) return 1;
    if (b0 < 0xC2) return 0;
    if (b0 < 0xE0) return (i + 1 < n && (p[i + 1] & 0xC0) == 0x80) ? 2 : 0;
    if (b0 < 0xF0) {
        if (i + 2 >= n) return 0;
        uint8_t lo = b0 == 0xE0 ? 0xA0 : 0x80, hi = b0 == 0xED ? 0x9F : 0xBF;
        return (p[i + 1] >= lo && p[i + 1] <= hi && (p[i + 2] & 0xC0) == 0x80) ? 3 : 0;
    }
    if (b0 < 0xF5) {
        if (i + 3 >= n) return 0;
        uint8_t lo = b0 == 0xF0 ? 0x90 : 0x80, hi = b0 == 0xF4 ? 0x8F : 0xBF;
        return (p[i + 1] >= lo && p[i + 1] <= hi && (p[i + 2] & 0xC0) == 0x80 && (p[i + 3] & 0xC0) == 0x80) ? 4 : 0;
    }
    return 0;
}

// CPIIScan_jsonStringEnd past the vector fast path: escapes, non-ASCII, the last bytes.
static ptrdiff_t string_end_general(const uint8_t *p, size_t from, size_t n, int *hasEscape) {
    size_t i = from;
    for (;;) {
        i = next_special(p, i, n, 0, 1);
        if (i >= n) return -1;
        uint8_t b = p[i];
        if (b == '"') return (ptrdiff_t)i;
        if (b == '\\') {
            *hasEscape = 1;
            i += 2;
            continue;
        }
        if (b < 0x20) return -1;
        // Non-ASCII: validate each sequence, staying here while the text is non-ASCII.
        do {
            size_t length = utf8_length(p, i, n);
            if (length == 0) return -1;
            i += length;
        } while (i < n && p[i] >= 0x80);
    }
}

static inline int hex_value(uint8_t b) {
    if (b >= '0' && b <= '9') return b - '0';
    if (b >= 'a' && b <= 'f') return b - 'a' + 10;
    if (b >= 'A' && b <= 'F') return b - 'A' + 10;
    return -1;
}

static inline long hex4(const uint8_t *p, size_t i, size_t n) {
    if (i + 4 > n) return -1;
    int a = hex_value(p[i]), b = hex_value(p[i + 1]), c = hex_value(p[i + 2]), d = hex_value(p[i + 3]);
    if (a < 0 || b < 0 || c < 0 || d < 0) return -1;
    return (long)(a << 12 | b << 8 | c << 4 | d);
}

// The byte each short escape (`\n`, `\"`, ...) stands for, by the letter after the backslash; 0
// for the others.
static const uint8_t short_escape[256] = {
    ['"'] = '"', ['\\'] = '\\', ['/'] = '/', ['b'] = 0x08, ['f'] = 0x0C, ['n'] = 0x0A, ['r'] = 0x0D, ['t'] = 0x09,
};

// Decodes the escape at p[i] (a backslash) to out[*o ...], advancing *o; returns the index after
// it, or 0 when it is not a valid JSON escape (unknown letter, bad hex, lone surrogate).
static inline size_t decode_escape(const uint8_t *p, size_t i, size_t n, uint8_t *out, size_t *o, unsigned *flags) {
    if (i + 1 >= n) return 0;
    uint8_t e = p[i + 1];
    i += 2;
    switch (e) {
    case '"': out[(*o)++] = '"'; break;
    case '\\': out[(*o)++] = '\\'; break;
    case '/': out[(*o)++] = '/'; *flags |= CPIIScan_JSONEscapedSlash; break;
    case 'b': out[(*o)++] = 0x08; *flags |= CPIIScan_JSONDecodedControl; break;
    case 'f': out[(*o)++] = 0x0C; *flags |= CPIIScan_JSONDecodedControl; break;
    case 'n': out[(*o)++] = 0x0A; *flags |= CPIIScan_JSONDecodedControl; break;
    case 'r': out[(*o)++] = 0x0D; *flags |= CPIIScan_JSONDecodedControl; break;
    case 't': out[(*o)++] = 0x09; *flags |= CPIIScan_JSONDecodedControl; break;
    case 'u': {
        long scalar = hex4(p, i, n);
        if (scalar < 0) return 0;
        i += 4;
        if (scalar >= 0xD800 && scalar < 0xDC00) {
            if (i + 6 > n || p[i] != '\\' || p[i + 1] != 'u') return 0;
            long low = hex4(p, i + 2, n);
            if (low < 0xDC00 || low >= 0xE000) return 0;
            i += 6;
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00);
        } else if (scalar >= 0xDC00 && scalar < 0xE000) {
            return 0;
        }
        if (scalar >= 0x80) *flags |= CPIIScan_JSONEscapedNonASCII;
        if (scalar < 0x20) *flags |= CPIIScan_JSONDecodedControl;
        // A \u escape is 6 bytes and its UTF-8 at most 3 (4 for a 12-byte surrogate pair):
        // the output never outgrows the input.
        if (scalar < 0x80) {
            out[(*o)++] = (uint8_t)scalar;
        } else if (scalar < 0x800) {
            out[(*o)++] = (uint8_t)(0xC0 | scalar >> 6);
            out[(*o)++] = (uint8_t)(0x80 | (scalar & 0x3F));
        } else if (scalar < 0x10000) {
            out[(*o)++] = (uint8_t)(0xE0 | scalar >> 12);
            out[(*o)++] = (uint8_t)(0x80 | ((scalar >> 6) & 0x3F));
            out[(*o)++] = (uint8_t)(0x80 | (scalar & 0x3F));
        } else {
            out[(*o)++] = (uint8_t)(0xF0 | scalar >> 18);
            out[(*o)++] = (uint8_t)(0x80 | ((scalar >> 12) & 0x3F));
            out[(*o)++] = (uint8_t)(0x80 | ((scalar >> 6) & 0x3F));
            out[(*o)++] = (uint8_t)(0x80 | (scalar & 0x3F));
        }
        break;
    }
    default:
        return 0;
    }
    return i;
}

ptrdiff_t CPIIScan_jsonDecode(const uint8_t *p, size_t n, uint8_t *out, unsigned *flags) {
    size_t i = 0, o = 0;
    while (i < n) {
        size_t run_end = i;
#if defined(__x86_64__) || defined(_M_X64)
        while (run_end + 16 <= n) {
            unsigned mask = (unsigned)_mm_movemask_epi8(
                _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + run_end)), _mm_set1_epi8('\\')));
            if (mask) {
                run_end += (size_t)__builtin_ctz(mask);
                goto found;
            }
            run_end += 16;
        }
#endif
        while (run_end < n && p[run_end] != '\\') run_end++;
#if defined(__x86_64__) || defined(_M_X64)
    found:
#endif
        memcpy(out + o, p + i, run_end - i);
        o += run_end - i;
        i = run_end;
        if (i >= n) break;
        i = decode_escape(p, i, n, out, &o, flags);
        if (i == 0) return -1;
    }
    return (ptrdiff_t)o;
}

size_t CPIIScan_jsonEscapeScan(const uint8_t *p, size_t from, size_t n, int escapeSlash, int asciiOnly) {
    return next_special(p, from, n, escapeSlash != 0, asciiOnly != 0);
}

#if defined(__x86_64__) || defined(_M_X64)
// Copies p[*i ...] to out[*o ...] 32 bytes a step up to the next byte the encoder escapes:
// returns 1 with *i at it, or 0 when fewer than 32 bytes are left to look at.
__attribute__((target("avx2")))
static inline int copy_run_avx2(const uint8_t *p, size_t *i, size_t n, uint8_t *out, size_t *o, int slash, int high) {
    while (*i + 32 <= n) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(p + *i));
        _mm256_storeu_si256((__m256i *)(out + *o), v);
        const unsigned mask = special32(v, slash, high);
        if (mask) {
            const unsigned k = (unsigned)__builtin_ctz(mask);
            *i += k;
            *o += k;
            return 1;
        }
        *i += 32;
        *o += 32;
    }
    return 0;
}
#endif

// The encoder's body, inlined twice: with `vector` (the AVX2 instance below), runs between escapes
// are copied 32 bytes a step by the same stores that find their end (`out` has 32 bytes of slack).
__attribute__((always_inline))
static inline size_t encode_body(const uint8_t *p, size_t n, uint8_t *out, const int slash, const int high,
                                 const int vector) {
    static const char hex[] = "0123456789abcdef";
    size_t i = 0, o = 0;
    for (;;) {
#if defined(__x86_64__) || defined(_M_X64)
        if (vector && copy_run_avx2(p, &i, n, out, &o, slash, high)) goto special;
#endif
        {
            const size_t next = next_special(p, i, n, slash, high);
            memcpy(out + o, p + i, next - i);
            o += next - i;
            i = next;
        }
    special:
        if (i >= n) return o;
        const uint8_t b = p[i];
        uint32_t unit;
        switch (b) {
        case '"': out[o++] = '\\'; out[o++] = '"'; i++; continue;
        case '\\': out[o++] = '\\'; out[o++] = '\\'; i++; continue;
        case '/': out[o++] = '\\'; out[o++] = '/'; i++; continue;
        case 0x08: out[o++] = '\\'; out[o++] = 'b'; i++; continue;
        case 0x0C: out[o++] = '\\'; out[o++] = 'f'; i++; continue;
        case 0x0A: out[o++] = '\\'; out[o++] = 'n'; i++; continue;
        case 0x0D: out[o++] = '\\'; out[o++] = 'r'; i++; continue;
        case 0x09: out[o++] = '\\'; out[o++] = 't'; i++; continue;
        default: break;
        }
        if (b < 0x20) {
            unit = b;
            i++;
        } else {
            // Non-ASCII in ensure_ascii style; a byte that does not start valid UTF-8 (only on
            // the malformed-line path) is kept as it is.
            const size_t length = utf8_length(p, i, n);
            if (length == 0) {
                out[o++] = b;
                i++;
                continue;
            }
            unit = b & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07);
            for (size_t k = 1; k < length; k++) unit = unit << 6 | (p[i + k] & 0x3F);
            i += length;
            if (unit >= 0x10000) {
                const uint32_t v = unit - 0x10000, hi = 0xD800 + (v >> 10);
                out[o] = '\\'; out[o + 1] = 'u';
                out[o + 2] = (uint8_t)hex[hi >> 12 & 0xF]; out[o + 3] = (uint8_t)hex[hi >> 8 & 0xF];
                out[o + 4] = (uint8_t)hex[hi >> 4 & 0xF]; out[o + 5] = (uint8_t)hex[hi & 0xF];
                o += 6;
                unit = 0xDC00 + (v & 0x3FF);
            }
        }
        out[o] = '\\'; out[o + 1] = 'u';
        out[o + 2] = (uint8_t)hex[unit >> 12 & 0xF]; out[o + 3] = (uint8_t)hex[unit >> 8 & 0xF];
        out[o + 4] = (uint8_t)hex[unit >> 4 & 0xF]; out[o + 5] = (uint8_t)hex[unit & 0xF];
        o += 6;
    }
}

#if defined(__x86_64__) || defined(_M_X64)
__attribute__((target("avx2")))
static size_t encode_avx2(const uint8_t *p, size_t n, uint8_t *out, int slash, int high) {
    return encode_body(p, n, out, slash, high, 1);
}
#endif

size_t CPIIScan_jsonEncode(const uint8_t *p, size_t n, uint8_t *out, int escapeSlash, int asciiOnly) {
    const int slash = escapeSlash != 0, high = asciiOnly != 0;
#if defined(__x86_64__) || defined(_M_X64)
    if (n >= 32 && CPIIScan_hasVectorRunScan()) return encode_avx2(p, n, out, slash, high);
#endif
    return encode_body(p, n, out, slash, high, 0);
}

#if defined(__x86_64__) || defined(_M_X64)
__attribute__((target("avx2")))
static size_t common_prefix_avx2(const uint8_t *a, const uint8_t *b, size_t n) {
    size_t i = 0;
    while (i + 32 <= n) {
        const unsigned same = (unsigned)_mm256_movemask_epi8(
            _mm256_cmpeq_epi8(_mm256_loadu_si256((const __m256i *)(a + i)), _mm256_loadu_si256((const __m256i *)(b + i))));
        if (same != 0xFFFFFFFFu) return i + (size_t)__builtin_ctz(~same);
        i += 32;
    }
    while (i < n && a[i] == b[i]) i++;
    return i;
}
#endif

size_t CPIIScan_commonPrefix(const uint8_t *a, const uint8_t *b, size_t n) {
#if defined(__x86_64__) || defined(_M_X64)
    if (CPIIScan_hasVectorRunScan()) return common_prefix_avx2(a, b, n);
#endif
    size_t i = 0;
    while (i < n && a[i] == b[i]) i++;
    return i;
}

static size_t skip_space_sse2(const uint8_t *p, size_t from, size_t n) {
    size_t i = from;
#if defined(__x86_64__) || defined(_M_X64)
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
        __m128i space = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\t'))));
        unsigned other = ~(unsigned)_mm_movemask_epi8(space) & 0xFFFFu;
        if (other) return i + (size_t)__builtin_ctz(other);
        i += 16;
    }
#endif
    while (i < n && (p[i] == ' ' || p[i] == '\n' || p[i] == '\r' || p[i] == '\t')) i++;
    return i;
}

#if defined(__x86_64__) || defined(_M_X64)
// Indentation (a newline and 14-26 spaces between the members of a pretty-printed OTLP body) in
// one 32-byte step. A byte is JSON whitespace when it equals the table entry for its low nibble
// (bytes >= 0x80 look up 0 and never match; the other entries are 0x80).
__attribute__((target("avx2")))
static size_t skip_space_avx2(const uint8_t *p, size_t from, size_t n) {
    size_t i = from;
    const char x = (char)0x80;  // matches no byte: 0x80 itself looks up 0
    const __m256i table = _mm256_setr_epi8(' ', x, x, x, x, x, x, x, x, '\t', '\n', x, x, '\r', x, x,
                                           ' ', x, x, x, x, x, x, x, x, '\t', '\n', x, x, '\r', x, x);
    while (i + 32 <= n) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(p + i));
        unsigned other = ~(unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_shuffle_epi8(table, v), v));
        if (other) return i + (size_t)__builtin_ctz(other);
        i += 32;
    }
    return skip_space_sse2(p, i, n);
}

typedef size_t (*skip_space_function)(const uint8_t *, size_t, size_t);

static size_t skip_space_first(const uint8_t *p, size_t from, size_t n);
static skip_space_function skip_space_chosen = skip_space_first;

static size_t skip_space_first(const uint8_t *p, size_t from, size_t n) {
    skip_space_function f = CPIIScan_hasVectorRunScan() ? skip_space_avx2 : skip_space_sse2;
    __atomic_store_n(&skip_space_chosen, f, __ATOMIC_RELAXED);
    return f(p, from, n);
}
#endif

size_t CPIIScan_jsonSkipSpace(const uint8_t *p, size_t from, size_t n) {
#if defined(__x86_64__) || defined(_M_X64)
    return __atomic_load_n(&skip_space_chosen, __ATOMIC_RELAXED)(p, from, n);
#else
    return skip_space_sse2(p, from, n);
#endif
}

// MARK: Pass 1 of --flat

static inline int is_json_space(uint8_t b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
}

static inline size_t skip_space(const uint8_t *p, size_t i, size_t n) {
    // Compact JSON has none here, json.dumps' default separators (", ", ": ") one space; only
    // indentation goes to the vector loop.
    if (i < n && is_json_space(p[i])) {
        i++;
        if (i < n && is_json_space(p[i])) return CPIIScan_jsonSkipSpace(p, i + 1, n);
    }
    return i;
}

// For a string shorter than b->fittingCount that holds a trigger: whether one of its bytes may
// start a trigger of a scan group whose shortest match fits in n bytes (``TriggerFilter``).
static inline int fits_some_group(const uint8_t *p, size_t n, const CPIIScan_JSONFlatBatch *b) {
    const uint64_t fit = b->groupsFitting[n];
    if (fit == 0) return 0;
    for (size_t k = 0; k < n; k++)
        if (b->triggerGroups[p[k]] & fit) return 1;
    return 0;
}

// Whether p[0 ..< n] holds a byte the batch's trigger table marks (always, without a table).
static inline int has_trigger(const uint8_t *p, size_t n, const CPIIScan_JSONFlatBatch *b) {
    const uint8_t *table = b->trigger;
    if (!table) return 1;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        if (table[p[i]] | table[p[i + 1]] | table[p[i + 2]] | table[p[i + 3]] | table[p[i + 4]] | table[p[i + 5]]
            | table[p[i + 6]] | table[p[i + 7]])
            return 1;
    }
    for (; i < n; i++) {
        if (table[p[i]]) return 1;
    }
    return 0;
}

// The end of the number at p[i] by PIIScrubJSON's grammar, or 0 when there is none.
static inline size_t number_end(const uint8_t *p, size_t i, size_t n) {
    if (i < n && p[i] == '-') i++;
    if (i >= n) return 0;
    if (p[i] == '0') {
        i++;
    } else if (p[i] >= '1' && p[i] <= '9') {
        while (i < n && (uint8_t)(p[i] - '0') < 10) i++;
    } else {
        return 0;
    }
    if (i < n && p[i] == '.') {
        size_t digits = ++i;
        while (i < n && (uint8_t)(p[i] - '0') < 10) i++;
        if (i == digits) return 0;
    }
    if (i < n && (p[i] | 0x20) == 'e') {
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-')) i++;
        size_t digits = i;
        while (i < n && (uint8_t)(p[i] - '0') < 10) i++;
        if (i == digits) return 0;
    }
    return i;
}

// One string token for the collector: its content p[i + 1 ..< close] decoded into out (in place
// of the copy the batch needs anyway), whether that text holds a trigger byte, and the escapes'
// flags. Returns close (the closing quote's index), -1 when the token is not valid.
typedef struct {
    size_t count;
    unsigned flags;
    int trigger;
} string_scan;

#if defined(__x86_64__) || defined(_M_X64)
// The same in one pass, 32 bytes a step: each step is stored to out before its bytes are looked
// at (out needs 32 bytes of slack), ASCII triggers are found by the nibble table, and the step
// ends at the first quote, backslash, control or non-ASCII byte, which are handled one by one.
__attribute__((target("avx2"), always_inline))
static inline ptrdiff_t scan_string_avx2(const uint8_t *p, size_t i, size_t n, uint8_t *out, const CPIIScan_JSONFlatBatch *b,
                                         string_scan *r) {
    const uint8_t *table = b->trigger;
    const __m256i set = table ? _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)b->triggerNibbles))
                              : _mm256_setzero_si256();
    const __m256i bit_of_high_nibble = _mm256_setr_epi8(1, 2, 4, 8, 16, 32, 64, (char)128, 0, 0, 0, 0, 0, 0, 0, 0,
                                                        1, 2, 4, 8, 16, 32, 64, (char)128, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i low_nibble = _mm256_set1_epi8(0x0F);
    const __m256i zero = _mm256_setzero_si256();
    size_t o = 0;
    int trigger = table == NULL;
    i++;  // past the opening quote
    for (;;) {
        while (i + 32 <= n) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(p + i));
            _mm256_storeu_si256((__m256i *)(out + o), v);
            unsigned special = special32(v, 0, 1);
            unsigned upto = special ? (unsigned)__builtin_ctz(special) : 32;
            if (!trigger) {
                __m256i bit = _mm256_shuffle_epi8(bit_of_high_nibble,
                                                  _mm256_and_si256(_mm256_srli_epi16(v, 4), low_nibble));
                __m256i hit = _mm256_and_si256(_mm256_shuffle_epi8(set, _mm256_and_si256(v, low_nibble)), bit);
                unsigned t = ~(unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hit, zero));
                if (upto < 32) t &= (1u << upto) - 1;
                if (t) trigger = 1;
            }
            i += upto;
            o += upto;
            if (upto < 32) goto special_byte;
        }
        // Fewer than 32 bytes left: one at a time.
        for (;;) {
            if (i >= n) return -1;
            uint8_t c = p[i];
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
            if (!trigger && table[c]) trigger = 1;
            out[o++] = c;
            i++;
        }
    special_byte: {
            uint8_t c = p[i];
            if (c == '"') {
                r->count = o;
                r->trigger = trigger;
                return (ptrdiff_t)i;
            }
            if (c == '\\') {
                // The short escapes (most of them: `\n`, `\"`) by table, the rest by decode_escape.
                const uint8_t d = i + 1 < n ? short_escape[p[i + 1]] : 0;
                if (d) {
                    out[o++] = d;
                    i += 2;
                    r->flags |= d == '/' ? CPIIScan_JSONEscapedSlash : (d < 0x20 ? CPIIScan_JSONDecodedControl : 0);
                    if (!trigger && table[d]) trigger = 1;
                    continue;
                }
                size_t from = o;
                i = decode_escape(p, i, n, out, &o, &r->flags);
                if (i == 0) return -1;
                for (size_t k = from; k < o && !trigger; k++) trigger = table[out[k]] != 0;
                continue;
            }
            if (c < 0x20) return -1;
            // Non-ASCII text comes in words: stay here while it lasts instead of starting a
            // vector step per character.
            do {
                const size_t length = utf8_length(p, i, n);
                if (length == 0) return -1;
                for (size_t k = 0; k < length; k++) {
                    if (!trigger && table[p[i + k]]) trigger = 1;
                    out[o++] = p[i + k];
                }
                i += length;
            } while (i < n && p[i] >= 0x80);
        }
    }
}
#endif

// The portable form (machines without AVX2, and the tests): the string's end, then its escapes
// decoded or its bytes copied, then the trigger test, each a pass of its own.
static ptrdiff_t scan_string_portable(const uint8_t *p, size_t i, size_t n, uint8_t *out,
                                      const CPIIScan_JSONFlatBatch *b, string_scan *r) {
    int escaped = 0;
    ptrdiff_t close = CPIIScan_jsonStringEnd(p, i + 1, n, &escaped);
    if (close < 0) return -1;
    const size_t length = (size_t)close - (i + 1);
    if (escaped) {
        ptrdiff_t decoded = CPIIScan_jsonDecode(p + i + 1, length, out, &r->flags);
        if (decoded < 0) return -1;
        r->count = (size_t)decoded;
    } else {
        memcpy(out, p + i + 1, length);
        r->count = length;
    }
    r->trigger = has_trigger(out, r->count, b);
    return close;
}

static inline int vector_scan(void) {
#if defined(__x86_64__) || defined(_M_X64)
    return CPIIScan_hasVectorRunScan();
#else
    return 0;
#endif
}

#if defined(__x86_64__) || defined(_M_X64)
// CPIIScan_jsonStringEnd with AVX2 (for the vector collector's keys, and the walk's strings when
// 32 bytes are left): most end inside the first 32-byte step, so only one with an escape or
// non-ASCII goes on to the general loop.
__attribute__((target("avx2")))
static inline ptrdiff_t key_end_avx2(const uint8_t *p, size_t from, size_t n, int *hasEscape) {
    size_t i = from;
    while (i + 32 <= n) {
        unsigned mask = special32(_mm256_loadu_si256((const __m256i *)(p + i)), 0, 1);
        if (mask) {
            i += (size_t)__builtin_ctz(mask);
            if (p[i] == '"') return (ptrdiff_t)i;
            break;
        }
        i += 32;
    }
    return string_end_general(p, i, n, hasEscape);
}
#endif

#if defined(__x86_64__) || defined(_M_X64)
// The walk calls CPIIScan_jsonStringEnd once per key and string (35,000 times in a 1 MiB OTLP
// body): the CPU check is made once and the call goes straight to the chosen loop, instead of a
// wrapper that asked CPIIScan_hasVectorRunScan each time (half of the call's instructions).
typedef ptrdiff_t (*string_end_function)(const uint8_t *, size_t, size_t, int *);

static ptrdiff_t string_end_first(const uint8_t *p, size_t from, size_t n, int *hasEscape);
static string_end_function string_end_chosen = string_end_first;

static ptrdiff_t string_end_first(const uint8_t *p, size_t from, size_t n, int *hasEscape) {
    string_end_function f = CPIIScan_hasVectorRunScan() ? key_end_avx2 : string_end_general;
    __atomic_store_n(&string_end_chosen, f, __ATOMIC_RELAXED);
    return f(p, from, n, hasEscape);
}
#endif

ptrdiff_t CPIIScan_jsonStringEnd(const uint8_t *p, size_t from, size_t n, int *hasEscape) {
#if defined(__x86_64__) || defined(_M_X64)
    // Most keys and values end inside the first 32-byte step: one vector test, no loop
    // (key_end_avx2 goes on to the general loop where fewer than 32 bytes are left).
    return __atomic_load_n(&string_end_chosen, __ATOMIC_RELAXED)(p, from, n, hasEscape);
#else
    return string_end_general(p, from, n, hasEscape);
#endif
}

#if defined(__x86_64__) || defined(_M_X64)
#define COLLECT_NAME collect_flat_avx2
#define COLLECT_ATTRIBUTES __attribute__((target("avx2")))
#define SCAN_STRING scan_string_avx2
#define KEY_END key_end_avx2
#include "json_collect_flat.h"
#undef COLLECT_NAME
#undef COLLECT_ATTRIBUTES
#undef SCAN_STRING
#undef KEY_END
#endif

#define COLLECT_NAME collect_flat_portable
#define COLLECT_ATTRIBUTES
#define SCAN_STRING scan_string_portable
#define KEY_END CPIIScan_jsonStringEnd
#include "json_collect_flat.h"
#undef COLLECT_NAME
#undef COLLECT_ATTRIBUTES
#undef SCAN_STRING
#undef KEY_END

int CPIIScan_jsonCollectFlat(const uint8_t *p, size_t n, CPIIScan_JSONFlatBatch *b) {
#if defined(__x86_64__) || defined(_M_X64)
    if (b->vector && vector_scan()) return collect_flat_avx2(p, n, b);
#endif
    return collect_flat_portable(p, n, b);
}
