// The body of pass 1 of `jsonl --flat` (``CPIIScan_jsonCollectFlat``), included twice by json.c:
// once compiled for AVX2 with the vector string and key scans, whose code then sits inline in
// the loop (a call per string cost 6 % of `jsonl --flat`'s instructions), once portable. The
// includer defines COLLECT_NAME, COLLECT_ATTRIBUTES, SCAN_STRING and KEY_END.
COLLECT_ATTRIBUTES
static int COLLECT_NAME(const uint8_t *p, size_t n, CPIIScan_JSONFlatBatch *b) {
    size_t depth = 0;
    int32_t parent = -1;  // the key whose value the parser is in
    size_t i = skip_space(p, 0, n);
    uint8_t c;

value:
    if (i >= n) return 0;
    c = p[i];
    if (c == '"') {
        // Room for the rest of the document decoded, its separator, and a vector's slack (the
        // batch never holds more than the document so far: separators replace quotes).
        if (b->batchCapacity - b->batchCount < (n - i) + 1 + 32) return -1;
        uint8_t *at = b->batch + b->batchCount;
        string_scan r = {0, 0, 0};
        ptrdiff_t close = SCAN_STRING(p, i, n, at, b, &r);
        if (close < 0) return 0;
        if (r.trigger && r.count < b->fittingCount) r.trigger = fits_some_group(at, r.count, b);
        if (r.trigger) {
            if (b->slotCount == b->slotCapacity) return -1;
            if ((b->separator >= 0x20 || (r.flags & CPIIScan_JSONDecodedControl)) && r.count > 0
                && memchr(at, b->separator, r.count) != NULL)
                b->poisoned = 1;
            at[r.count] = b->separator;
            CPIIScan_JSONSlot *slot = &b->slots[b->slotCount++];
            slot->start = (int64_t)i;
            slot->end = (int64_t)close + 1;
            slot->batchStart = (int64_t)b->batchCount;
            slot->parentKey = parent;
            slot->flags = r.flags;
            b->batchCount += r.count + 1;
        }
        i = (size_t)close + 1;
        goto after_value;
    }
    if (c == '{' || c == '[') {
        if (depth >= b->maxDepth) return 0;
        b->stackKinds[depth] = c;
        b->stackKeys[depth] = parent;
        depth++;
        i = skip_space(p, i + 1, n);
        if (i >= n) return 0;
        if (p[i] == (c == '{' ? '}' : ']')) {
            i++;
            depth--;
            goto after_value;
        }
        if (c == '[') goto value;
        goto member;
    }
    if (c == 't' || c == 'f' || c == 'n') {
        const char *word = c == 't' ? "true" : (c == 'f' ? "false" : "null");
        const size_t length = c == 'f' ? 5 : 4;
        if (n - i < length || memcmp(p + i, word, length) != 0) return 0;
        i += length;
        goto after_value;
    }
    {
        size_t end = number_end(p, i, n);
        if (end == 0) return 0;
        i = end;
        goto after_value;
    }

member:
    // At the key of a member (after `{` or `,` and whitespace).
    if (i >= n || p[i] != '"') return 0;
    {
        int escaped = 0;
        ptrdiff_t close = KEY_END(p, i + 1, n, &escaped);
        if (close < 0) return 0;
        const size_t length = (size_t)close - (i + 1);
        if (escaped) {
            // Validated by decoding into the batch's free space (not kept).
            if (b->batchCapacity - b->batchCount < length) return -1;
            unsigned flags = 0;
            if (CPIIScan_jsonDecode(p + i + 1, length, b->batch + b->batchCount, &flags) < 0) return 0;
        }
        if (b->keyCount == b->keyCapacity) return -1;
        CPIIScan_JSONKey *key = &b->keys[b->keyCount];
        key->start = (int64_t)i;
        key->end = (int64_t)close + 1;
        key->parentKey = b->stackKeys[depth - 1];
        key->hasEscape = escaped;
        parent = (int32_t)b->keyCount++;
        i = skip_space(p, (size_t)close + 1, n);
        if (i >= n || p[i] != ':') return 0;
        i = skip_space(p, i + 1, n);
        goto value;
    }

after_value:
    i = skip_space(p, i, n);
    if (depth == 0) return i == n ? 1 : 0;
    if (i >= n) return 0;
    c = p[i++];
    if (c == ',') {
        i = skip_space(p, i, n);
        if (b->stackKinds[depth - 1] == '[') {
            parent = b->stackKeys[depth - 1];
            goto value;
        }
        goto member;
    }
    if (c != (b->stackKinds[depth - 1] == '{' ? '}' : ']')) return 0;
    depth--;
    parent = b->stackKeys[depth];
    goto after_value;
}
