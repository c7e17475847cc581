// Byte-level UTF-8 helpers for the prefilter. They decide, for valid UTF-8, exactly what PCRE2's
// UTF mode decides; for invalid sequences they answer "not a character", which PCRE2 with
// PCRE2_MATCH_INVALID_UTF mirrors (an invalid sequence never matches any pattern item).

/// Decodes the scalar starting at `i` (strict UTF-8: no overlongs, no surrogates, <= U+10FFFF).
///
/// - Returns: the scalar value and its length in bytes, or `nil` for an invalid sequence.
@inline(__always)
func decodeScalar(_ p: UnsafePointer<UInt8>, at i: Int, count n: Int) -> (value: UInt32, length: Int)? {
    let b0 = p[i]
    if b0 < 0x80 { return (UInt32(b0), 1) }
    if b0 < 0xC2 { return nil }
    if b0 < 0xE0 {
        guard i + 1 < n else { return nil }
        let b1 = p[i + 1]
        guard b1 & 0xC0 == 0x80 else { return nil }
        return ((UInt32(b0 & 0x1F) << 6) | UInt32(b1 & 0x3F), 2)
    }
    if b0 < 0xF0 {
        guard i + 2 < n else { return nil }
        let b1 = p[i + 1]
        let b2 = p[i + 2]
        let lo: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80
        let hi: UInt8 = b0 == 0xED ? 0x9F : 0xBF
        guard b1 >= lo, b1 <= hi, b2 & 0xC0 == 0x80 else { return nil }
        return ((UInt32(b0 & 0x0F) << 12) | (UInt32(b1 & 0x3F) << 6) | UInt32(b2 & 0x3F), 3)
    }
    if b0 < 0xF5 {
        guard i + 3 < n else { return nil }
        let b1 = p[i + 1]
        let b2 = p[i + 2]
        let b3 = p[i + 3]
        let lo: UInt8 = b0 == 0xF0 ? 0x90 : 0x80
        let hi: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF
        guard b1 >= lo, b1 <= hi, b2 & 0xC0 == 0x80, b3 & 0xC0 == 0x80 else { return nil }
        let v = (UInt32(b0 & 0x07) << 18) | (UInt32(b1 & 0x3F) << 12) | (UInt32(b2 & 0x3F) << 6) | UInt32(b3 & 0x3F)
        return (v, 4)
    }
    return nil
}

/// Decodes the scalar that ends just before `end`, if the bytes there form one valid scalar.
@inline(__always)
func decodeScalarBefore(_ p: UnsafePointer<UInt8>, end: Int, count n: Int) -> (value: UInt32, length: Int)? {
    var start = end - 1
    let floor = max(0, end - 4)
    while start > floor && p[start] & 0xC0 == 0x80 { start -= 1 }
    guard let decoded = decodeScalar(p, at: start, count: n), start + decoded.length == end else { return nil }
    return decoded
}

/// The first bytes of the UTF-8 forms of the non-ASCII Nd characters
/// (``unicodeDecimalDigitRanges``): no other byte >= 0x80 starts a `\d` match.
let unicodeDigitLeadBytes: Set<UInt8> = {
    var leads = Set<UInt8>()
    for range in unicodeDecimalDigitRanges {
        for scalar in range {
            let lead = scalar < 0x800 ? 0xC0 | scalar >> 6 : scalar < 0x1_0000 ? 0xE0 | scalar >> 12 : 0xF0 | scalar >> 18
            leads.insert(UInt8(lead))
        }
    }
    return leads
}()

/// Whether `scalar` has general category Nd (Unicode 14, as in PCRE2 10.42 and Python 3.11).
@inline(__always)
func isDecimalDigit(_ scalar: UInt32) -> Bool {
    if scalar < 0x80 { return scalar &- 0x30 < 10 }
    if scalar < 0x0660 { return false }
    var lo = 0
    var hi = unicodeDecimalDigitRanges.count
    while lo < hi {
        let mid = (lo + hi) / 2
        let r = unicodeDecimalDigitRanges[mid]
        if scalar < r.lowerBound {
            hi = mid
        } else if scalar > r.upperBound {
            lo = mid + 1
        } else {
            return true
        }
    }
    return false
}
