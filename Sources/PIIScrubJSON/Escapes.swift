#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PIIScrub
internal import CPIIScan

// JSON string escapes: decoding (strict, for valid documents), encoding in a given style, and
// the escape-aware text scrub for documents that do not parse.

@inline(__always)
func hexValue(_ b: UInt8) -> UInt32? {
    switch b {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b &- UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b &- UInt8(ascii: "a") &+ 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b &- UInt8(ascii: "A") &+ 10)
    default: return nil
    }
}

/// The value of four hex digits at `p[i..<i+4]`, if they are.
@inline(__always)
func hex4(_ p: UnsafePointer<UInt8>, _ i: Int, _ n: Int) -> UInt32? {
    guard i + 4 <= n, let a = hexValue(p[i]), let b = hexValue(p[i + 1]), let c = hexValue(p[i + 2]),
          let d = hexValue(p[i + 3]) else { return nil }
    return a << 12 | b << 8 | c << 4 | d
}

@inline(__always)
func appendUTF8(_ scalar: UInt32, to out: ByteBuffer) {
    if scalar < 0x80 {
        out.append(UInt8(scalar))
    } else if scalar < 0x800 {
        out.append(UInt8(0xC0 | scalar >> 6))
        out.append(UInt8(0x80 | scalar & 0x3F))
    } else if scalar < 0x10000 {
        out.append(UInt8(0xE0 | scalar >> 12))
        out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        out.append(UInt8(0x80 | scalar & 0x3F))
    } else {
        out.append(UInt8(0xF0 | scalar >> 18))
        out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
        out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        out.append(UInt8(0x80 | scalar & 0x3F))
    }
}

/// Decodes the content of a JSON string (between the quotes) into `out`. Returns false for an
/// unknown escape, bad hex, or a lone surrogate. Records the style of the escapes it saw.
/// (The loop is ``CPIIScan_jsonDecode``, 16 bytes per step between escapes.)
func decodeEscapes(_ p: UnsafePointer<UInt8>, _ n: Int, into out: ByteBuffer, style: inout StringStyle) -> Bool {
    out.count = 0
    out.reserve(n)
    var flags: UInt32 = 0
    let length = CPIIScan_jsonDecode(p, n, out.base, &flags)
    guard length >= 0 else { return false }
    out.count = length
    style.add(decodeFlags: flags)
    return true
}

extension StringStyle {
    /// Adds what ``CPIIScan_jsonDecode``'s flags say about how the escapes were written.
    @inline(__always)
    mutating func add(decodeFlags flags: UInt32) {
        if flags & UInt32(CPIIScan_JSONEscapedSlash) != 0 { escapeSlash = true }
        if flags & UInt32(CPIIScan_JSONDecodedControl) != 0 { decodedControl = true }
        if flags & UInt32(CPIIScan_JSONEscapedNonASCII) != 0 { asciiOnly = true }
    }
}

/// Appends `text` as a JSON string token (with quotes) in `style`: only what JSON requires is
/// escaped (`"`, `\`, control characters), plus `/` and non-ASCII when the original did so.
/// Bytes that are not valid UTF-8 (only possible on the malformed-line path) are kept as they are.
func encodeString(_ text: UnsafeRawBufferPointer, style: StringStyle, into out: ByteBuffer, quotes: Bool = true) {
    // Room for the worst case (every byte a `\u00XX`), the encoder's 32 bytes of slack and the
    // quotes; the loop is ``CPIIScan_jsonEncode`` (a Swift loop here was 11 % of `jsonl --flat`
    // on ensure_ascii rows).
    out.reserve(6 * text.count + 34)
    if quotes { out.append(0x22) }
    if let raw = text.baseAddress {
        out.count += CPIIScan_jsonEncode(raw.assumingMemoryBound(to: UInt8.self), text.count, out.base + out.count,
                                         style.escapeSlash ? 1 : 0, style.asciiOnly ? 1 : 0)
    }
    if quotes { out.append(0x22) }
}

extension JSONScrubber.Worker {
    /// Scrubs a document that is not valid JSON as text, aware of JSON escapes.
    ///
    /// The line is cut into runs at `"`, raw control bytes and escapes that stand for a control
    /// character, quote or backslash (`\n`, `\t`, `\"`, `\\`, `\u000a`, ...): these are copied
    /// verbatim and act as boundaries, so `\njohn@x.com` is scrubbed as `john@x.com`. Inside a run,
    /// `\uXXXX` (surrogate pairs included, also behind extra backslashes as in JSON text inside a
    /// string) and `\/` are decoded before scrubbing. A run that did not change is copied byte for
    /// byte; a changed run is re-encoded in the style it was written in.
    func lenientScrub(_ p: UnsafePointer<UInt8>, _ n: Int, into out: ByteBuffer) {
        let run = decode[0]
        run.count = 0
        var style = StringStyle()
        var runStart = 0
        var i = 0

        func flush(_ rawEnd: Int) {
            if rawEnd > runStart {
                engine.withScrubbed(run.bytes) { result, outcome in
                    if outcome.changed {
                        encodeString(result, style: style, into: out, quotes: false)
                        rewrites += 1
                        countCurrentPath()
                    } else {
                        out.append(p + runStart, rawEnd - runStart)
                    }
                }
            }
            run.count = 0
            style = StringStyle()
        }

        while i < n {
            let b = p[i]
            if b == 0x22 || b < 0x20 {
                flush(i)
                out.append(b)
                i += 1
                runStart = i
                continue
            }
            guard b == 0x5C else {
                run.append(b)
                i += 1
                continue
            }
            var j = i
            while j < n && p[j] == 0x5C { j += 1 }
            let slashes = j - i
            if j < n && p[j] == UInt8(ascii: "u"), var scalar = hex4(p, j + 1, n) {
                var next = j + 5
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    // A low surrogate behind the same number of backslashes completes the pair.
                    var k = next
                    while k < n && k - next < slashes && p[k] == 0x5C { k += 1 }
                    if k - next == slashes, k < n, p[k] == UInt8(ascii: "u"), let low = hex4(p, k + 1, n),
                       low >= 0xDC00, low < 0xE000 {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        next = k + 5
                    }
                }
                let isSurrogate = scalar >= 0xD800 && scalar < 0xE000
                if scalar >= 0x20 && scalar != 0x22 && scalar != 0x5C && !isSurrogate {
                    if scalar >= 0x80 { style.asciiOnly = true }
                    appendUTF8(scalar, to: run)
                    i = next
                    continue
                }
                flush(i)
                out.append(p + i, next - i)
                i = next
                runStart = i
                continue
            }
            if j < n && p[j] == 0x2F {
                run.append(0x2F)
                style.escapeSlash = true
                i = j + 1
                continue
            }
            // Any other escape (or a trailing backslash) is a boundary, copied verbatim.
            flush(i)
            let next = min(n, j + 1)
            out.append(p + i, next - i)
            i = next
            runStart = i
        }
        flush(n)
    }
}

// MARK: - Timestamps

/// Parses `YYYY-MM-DD[ T]HH:MM:SS[.f+][Z|±HH:MM|±HHMM]` (ClickHouse and ISO-8601) to seconds since
/// the epoch, UTC when no zone is given. Also accepts a bare date.
public func parseTimestamp(_ text: UnsafeRawBufferPointer) -> Int64? {
    let n = text.count
    func digits(_ at: Int, _ count: Int) -> Int? {
        guard at + count <= n else { return nil }
        var v = 0
        for k in at..<(at + count) {
            let d = text[k] &- UInt8(ascii: "0")
            guard d < 10 else { return nil }
            v = v * 10 + Int(d)
        }
        return v
    }
    guard let year = digits(0, 4), n >= 10, text[4] == UInt8(ascii: "-"), let month = digits(5, 2),
          text[7] == UInt8(ascii: "-"), let day = digits(8, 2), (1...12).contains(month), (1...31).contains(day)
    else { return nil }
    var seconds = Int64(daysFromCivil(year, month, day)) * 86_400
    if n == 10 { return seconds }
    guard n >= 19, text[10] == UInt8(ascii: " ") || text[10] == UInt8(ascii: "T"),
          let hour = digits(11, 2), text[13] == UInt8(ascii: ":"), let minute = digits(14, 2),
          text[16] == UInt8(ascii: ":"), let second = digits(17, 2), hour < 24, minute < 60, second < 61
    else { return nil }
    seconds += Int64(hour * 3600 + minute * 60 + second)
    var i = 19
    if i < n && text[i] == UInt8(ascii: ".") {
        i += 1
        while i < n && text[i] &- UInt8(ascii: "0") < 10 { i += 1 }
    }
    if i == n { return seconds }
    switch text[i] {
    case UInt8(ascii: "Z"), UInt8(ascii: "z"):
        return i + 1 == n ? seconds : nil
    case UInt8(ascii: "+"), UInt8(ascii: "-"):
        let sign: Int64 = text[i] == UInt8(ascii: "+") ? 1 : -1
        guard let oh = digits(i + 1, 2) else { return nil }
        var j = i + 3
        if j < n && text[j] == UInt8(ascii: ":") { j += 1 }
        guard let om = digits(j, 2), j + 2 == n else { return nil }
        return seconds - sign * Int64(oh * 3600 + om * 60)
    default:
        return nil
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
    let y = m <= 2 ? y0 - 1 : y0
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (m + 9) % 12
    let doy = (153 * mp + 2) / 5 + d - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
}
