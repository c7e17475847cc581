// fused-scan-probe: what one shared classification pass over a text would cost, as the floor of a
// prefilter that classifies every byte once for all scan groups instead of once per group.
//
// Per 32 bytes: the trigger classes of 8 groups as 8 "shufti" buckets (two nibble lookups and an
// AND give a byte whose bit g says "trigger of group g"), optionally the span classes of the same
// 8 groups as 8 more buckets; then one 64-bit mask per bucket per 64-byte chunk (what a group's
// run logic would read), stored to an array. Prints the best of 7 passes over the file.
//
//   cc -O2 -mavx2 -o /tmp/probe tools/fused-scan-probe/probe.c && /tmp/probe FILE
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { uint8_t lo[16], hi[16]; } Buckets;

// Adds the ASCII bytes of `set` (NUL-terminated, ranges as a-b) to bucket `g`. Shufti buckets are
// a superset when a set is not a product of nibble sets: fine for a floor.
static void add(Buckets *b, int g, const char *set) {
    for (const char *s = set; *s; s++) {
        int from = (uint8_t)*s, to = from;
        if (s[1] == '-' && s[2]) { to = (uint8_t)s[2]; s += 2; }
        for (int c = from; c <= to; c++) { b->lo[c & 15] |= 1 << g; b->hi[c >> 4] |= 1 << g; }
    }
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static inline __m256i classify(__m256i v, __m256i lo, __m256i hi) {
    const __m256i nib = _mm256_set1_epi8(0x0F);
    return _mm256_and_si256(_mm256_shuffle_epi8(lo, _mm256_and_si256(v, nib)),
                            _mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi16(v, 4), nib)));
}

// One 64-bit mask per bucket per 64-byte chunk: bucket g's bit moved to the sign bit, movemask.
static inline void masks(__m256i c0, __m256i c1, uint64_t *out) {
    for (int g = 0; g < 8; g++) {
        __m256i s0 = _mm256_slli_epi16(c0, 7 - g), s1 = _mm256_slli_epi16(c1, 7 - g);
        out[g] = (uint32_t)_mm256_movemask_epi8(s0) | (uint64_t)(uint32_t)_mm256_movemask_epi8(s1) << 32;
    }
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: probe FILE\n"); return 2; }
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 2; }
    fseek(f, 0, SEEK_END);
    size_t n = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = aligned_alloc(64, (n + 63) / 64 * 64);
    if (!p || fread(p, 1, n, f) != n) { fprintf(stderr, "read failed\n"); return 2; }
    memset(p + n, 0, (n + 63) / 64 * 64 - n);
    fclose(f);
    // The default set's trigger classes and spans (groups: digits, _-, :, ., @, %, A, B).
    Buckets trig = {{0}, {0}}, span = {{0}, {0}};
    const char *triggers[8] = {"0-9", "_-", ":", ".", "@", "%", "A", "B"};
    const char *spans[8] = {"0-9A-Z ./-()+xet", "A-Za-z0-9_-", "0-9A-Fa-f:.", "0-9A-Fa-f.",
                            "A-Za-z0-9._~%!$&*+=:/@-", "A-Za-z0-9._%+-", "A-Z0-9", "A-Za-z0-9._~+/= -"};
    for (int g = 0; g < 8; g++) { add(&trig, g, triggers[g]); add(&span, g, spans[g]); }
    const __m256i tlo = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)trig.lo));
    const __m256i thi = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)trig.hi));
    const __m256i slo = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)span.lo));
    const __m256i shi = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)span.hi));
    size_t chunks = (n + 63) / 64;
    uint64_t *out = malloc(chunks * 16 * sizeof(uint64_t));
    for (int withSpans = 0; withSpans < 2; withSpans++) {
        double best = 1e9;
        uint64_t bits = 0;
        for (int round = 0; round < 7; round++) {
            double t0 = now();
            for (size_t c = 0; c < chunks; c++) {
                __m256i v0 = _mm256_load_si256((const __m256i *)(p + 64 * c));
                __m256i v1 = _mm256_load_si256((const __m256i *)(p + 64 * c + 32));
                masks(classify(v0, tlo, thi), classify(v1, tlo, thi), out + 16 * c);
                if (withSpans) masks(classify(v0, slo, shi), classify(v1, slo, shi), out + 16 * c + 8);
            }
            double t = now() - t0;
            if (t < best) best = t;
            bits = 0;
            for (size_t c = 0; c < chunks; c += 97) bits += (uint64_t)__builtin_popcountll(out[16 * c]);
        }
        printf("%s: %.1f ms for %zu bytes (%.2f GB/s), check %llu\n",
               withSpans ? "8 trigger + 8 span buckets" : "8 trigger buckets", best * 1e3, n, n / best / 1e9,
               (unsigned long long)bits);
    }
    return 0;
}
