// Byte-class helpers shared by scan.c and gate.c (private to the C target).
#ifndef CPIISCAN_BYTE_CLASSES_H
#define CPIISCAN_BYTE_CLASSES_H

#include <stddef.h>
#include <stdint.h>

// Byte b of the text equals anchor byte a (lower case when caseless and a letter).
static inline int anchor_byte_eq(uint8_t b, uint8_t a, int caseless) {
    if (caseless && (uint8_t)(a - 'a') < 26) return (uint8_t)(b | 0x20) == a;
    return b == a;
}

// p[i ..< i + length] is the anchor.
static inline int anchor_at(const uint8_t *p, size_t i, const uint8_t *anchor, size_t length, int caseless) {
    for (size_t k = 0; k < length; k++) {
        if (!anchor_byte_eq(p[i + k], anchor[k], caseless)) return 0;
    }
    return 1;
}

// Byte b is an ASCII byte of the set whose 16-entry nibble table is `table` (bit h of entry l:
// byte h·16 + l; see ascii_nibble_bits), byte by byte.
static inline int in_nibble_set(const uint8_t *table, uint8_t b) {
    return b < 0x80 && (table[b & 15] >> (b >> 4) & 1);
}

// Bit k: some bit of m in k + 1 ... k + gap (gap >= 1), the window built by doubling.
static inline uint64_t bits_within_after(uint64_t m, unsigned gap) {
    uint64_t near = m >> 1;  // [k + 1, k + cover]
    unsigned cover = 1;
    for (; cover * 2 <= gap; cover *= 2) near |= near >> cover;
    if (cover < gap) near |= near >> (gap - cover);
    return near;
}

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

// Indexed by a byte's high nibble h: bit h for ASCII (h < 8), 0 for bytes >= 0x80. ANDed with a
// table entry indexed by the low nibble, it says whether an ASCII byte is in that table's set.
__attribute__((target("avx2")))
static inline __m256i ascii_nibble_bits(void) {
    return _mm256_setr_epi8(1, 2, 4, 8, 16, 32, 64, (char)128, 0, 0, 0, 0, 0, 0, 0, 0,
                            1, 2, 4, 8, 16, 32, 64, (char)128, 0, 0, 0, 0, 0, 0, 0, 0);
}

// The nibble-table form of v (see ascii_nibble_bits): *low its low nibbles, *bit the bit of each
// ASCII byte's high nibble (0 for bytes >= 0x80).
__attribute__((target("avx2")))
static inline void ascii_nibbles(__m256i v, __m256i *low, __m256i *bit) {
    const __m256i low_nibble = _mm256_set1_epi8(0x0F);
    *low = _mm256_and_si256(v, low_nibble);
    *bit = _mm256_shuffle_epi8(ascii_nibble_bits(), _mm256_and_si256(_mm256_srli_epi16(v, 4), low_nibble));
}

// Bit k: byte k of the vector that ascii_nibbles split is an ASCII byte of the set whose 16-entry
// nibble table is `table` (broadcast to both lanes).
__attribute__((target("avx2")))
static inline uint32_t ascii_set_mask(__m256i low, __m256i bit, __m256i table) {
    return ~(uint32_t)_mm256_movemask_epi8(
        _mm256_cmpeq_epi8(_mm256_and_si256(_mm256_shuffle_epi8(table, low), bit), _mm256_setzero_si256()));
}

// Bit k: byte k of v is an ASCII digit (v - '0', unsigned, at most 9).
__attribute__((target("avx2")))
static inline uint32_t ascii_digit_mask(__m256i v) {
    const __m256i d = _mm256_sub_epi8(v, _mm256_set1_epi8('0'));
    return (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(_mm256_min_epu8(d, _mm256_set1_epi8(9)), d));
}

// Bit k: byte k of v is in a bucket of the table `low`, `high` (``CPIIScan_GateTables``' form:
// bit j of low[b & 15] and of high[b >> 4]); the byte's bucket bits, ORed over v's bytes, are
// the result's bytes.
__attribute__((target("avx2")))
static inline __m256i bucket_bits(__m256i v, __m256i low, __m256i high) {
    const __m256i low_nibble = _mm256_set1_epi8(0x0F);
    return _mm256_and_si256(_mm256_shuffle_epi8(low, _mm256_and_si256(v, low_nibble)),
                            _mm256_shuffle_epi8(high, _mm256_and_si256(_mm256_srli_epi16(v, 4), low_nibble)));
}
#endif

#endif
