import CPIIScan
@testable import PIIScrubJSON
import PIIScrubTestSupport
import Testing

/// The C loops under the JSON rewriter (`CPIIScan_jsonStringEnd`, `CPIIScan_jsonDecode`,
/// `CPIIScan_jsonEscapeScan`, `CPIIScan_jsonEncode`) against plain byte-by-byte references written from RFC 8259 and
/// RFC 3629, on random strings mixing every escape, control characters, valid and invalid UTF-8,
/// and lengths around the 16-byte vector steps. A difference here is either a leak (a string
/// cut short or decoded wrongly) or a valid line reported malformed.
@Suite("JSON string scanning in C")
struct StringScanTests {
    static let atoms: [[UInt8]] = [
        Array("a".utf8), Array("Z7 ".utf8), Array("0123456789abcdef".utf8), Array("@".utf8), Array("/".utf8),
        Array("\"".utf8), Array("\\\"".utf8), Array("\\\\".utf8), Array("\\/".utf8), Array("\\n".utf8),
        Array("\\t\\r\\b\\f".utf8), Array("\\u0040".utf8), Array("\\u00e9".utf8), Array("\\u4E2D".utf8),
        Array("\\ud83d\\ude00".utf8), Array("\\ud800".utf8), Array("\\udc00x".utf8), Array("\\u12".utf8),
        Array("\\x".utf8), Array("\\u0000".utf8), Array("\\".utf8), [0x01], [0x1F], [0x7F],
        Array("é".utf8), Array("中".utf8), Array("😀".utf8), [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80],
        [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xF0, 0x9F], [0x80],
    ]

    /// Reference for ``CPIIScan_jsonStringEnd``.
    static func stringEnd(_ p: [UInt8], from: Int) -> (Int, Bool) {
        var i = from
        var escape = false
        while i < p.count {
            let b = p[i]
            if b == 0x22 { return (i, escape) }
            if b == 0x5C {
                escape = true
                i += 2
                continue
            }
            if b < 0x20 { return (-1, escape) }
            if b < 0x80 {
                i += 1
                continue
            }
            guard let n = sequenceLength(p, i) else { return (-1, escape) }
            i += n
        }
        return (-1, escape)
    }

    static func sequenceLength(_ p: [UInt8], _ i: Int) -> Int? {
        let b = p[i]
        let (n, lo, hi): (Int, UInt8, UInt8) = switch b {
        case 0xC2...0xDF: (2, 0x80, 0xBF)
        case 0xE0: (3, 0xA0, 0xBF)
        case 0xED: (3, 0x80, 0x9F)
        case 0xE1...0xEF: (3, 0x80, 0xBF)
        case 0xF0: (4, 0x90, 0xBF)
        case 0xF4: (4, 0x80, 0x8F)
        case 0xF1...0xF3: (4, 0x80, 0xBF)
        default: (0, 0, 0)
        }
        guard n > 0, i + n <= p.count, p[i + 1] >= lo, p[i + 1] <= hi else { return nil }
        for k in 2..<n where p[i + k] & 0xC0 != 0x80 { return nil }
        return n
    }

    /// Reference for ``CPIIScan_jsonDecode``: the decoded bytes and flags, or nil.
    static func decode(_ p: [UInt8]) -> ([UInt8], UInt32)? {
        var out: [UInt8] = []
        var flags: UInt32 = 0
        var i = 0
        func hex(_ at: Int) -> UInt32? {
            guard at + 4 <= p.count, let v = UInt32(String(decoding: p[at..<at + 4], as: UTF8.self), radix: 16),
                  p[at..<at + 4].allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "-") })
            else { return nil }
            return v
        }
        while i < p.count {
            guard p[i] == 0x5C else {
                out.append(p[i])
                i += 1
                continue
            }
            guard i + 1 < p.count else { return nil }
            let e = p[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(e)
            case UInt8(ascii: "/"): out.append(e); flags |= UInt32(CPIIScan_JSONEscapedSlash)
            case UInt8(ascii: "b"): out.append(8); flags |= UInt32(CPIIScan_JSONDecodedControl)
            case UInt8(ascii: "f"): out.append(12); flags |= UInt32(CPIIScan_JSONDecodedControl)
            case UInt8(ascii: "n"): out.append(10); flags |= UInt32(CPIIScan_JSONDecodedControl)
            case UInt8(ascii: "r"): out.append(13); flags |= UInt32(CPIIScan_JSONDecodedControl)
            case UInt8(ascii: "t"): out.append(9); flags |= UInt32(CPIIScan_JSONDecodedControl)
            case UInt8(ascii: "u"):
                guard var scalar = hex(i) else { return nil }
                i += 4
                if (0xD800..<0xDC00).contains(scalar) {
                    guard i + 6 <= p.count, p[i] == 0x5C, p[i + 1] == UInt8(ascii: "u"), let low = hex(i + 2),
                          (0xDC00..<0xE000).contains(low) else { return nil }
                    i += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    return nil
                }
                if scalar >= 0x80 { flags |= UInt32(CPIIScan_JSONEscapedNonASCII) }
                if scalar < 0x20 { flags |= UInt32(CPIIScan_JSONDecodedControl) }
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
            default:
                return nil
            }
        }
        return (out, flags)
    }

    /// Reference for ``CPIIScan_jsonEscapeScan``.
    static func escapeScan(_ p: [UInt8], from: Int, slash: Bool, ascii: Bool) -> Int {
        var i = from
        while i < p.count {
            let b = p[i]
            if b == 0x22 || b == 0x5C || b < 0x20 || (slash && b == 0x2F) || (ascii && b >= 0x80) { return i }
            i += 1
        }
        return p.count
    }

    /// Reference for ``CPIIScan_jsonEncode``: RFC 8259's escapes, the short forms where JSON has
    /// them, lower-case hex, UTF-16 surrogate pairs above U+FFFF, invalid bytes copied.
    static func encode(_ p: [UInt8], slash: Bool, ascii: Bool) -> [UInt8] {
        func u(_ unit: UInt32) -> [UInt8] {
            let hex = Array("0123456789abcdef".utf8)
            return [0x5C, 0x75] + [12, 8, 4, 0].map { hex[Int(unit >> UInt32($0) & 0xF)] }
        }
        var out: [UInt8] = []
        var i = 0
        while i < p.count {
            let b = p[i]
            switch b {
            case 0x22: out += Array("\\\"".utf8)
            case 0x5C: out += Array("\\\\".utf8)
            case 0x2F where slash: out += Array("\\/".utf8)
            case 0x08: out += Array("\\b".utf8)
            case 0x0C: out += Array("\\f".utf8)
            case 0x0A: out += Array("\\n".utf8)
            case 0x0D: out += Array("\\r".utf8)
            case 0x09: out += Array("\\t".utf8)
            case 0..<0x20: out += u(UInt32(b))
            case 0x80... where ascii:
                guard let n = sequenceLength(p, i) else {
                    out.append(b)
                    break
                }
                let scalar = String(decoding: p[i..<(i + n)], as: UTF8.self).unicodeScalars.first!.value
                if scalar >= 0x10000 {
                    out += u(0xD800 + ((scalar - 0x10000) >> 10)) + u(0xDC00 + ((scalar - 0x10000) & 0x3FF))
                } else {
                    out += u(scalar)
                }
                i += n
                continue
            default: out.append(b)
            }
            i += 1
        }
        return out
    }

    @Test("string end, decoding, escape scan and encoding equal the byte-by-byte references")
    func equalsReferences() {
        var rng = SplitMix64(seed: 0x15_0A5C)
        var mismatches: [String: Int] = [:]
        var first = ""
        for round in 0..<20_000 {
            var bytes: [UInt8] = []
            let atomsWanted = Int.random(in: 0...(round % 10 == 0 ? 120 : 24), using: &rng)
            // Mostly plain text, so long vector steps happen between the special atoms.
            for _ in 0..<atomsWanted {
                let k = Int.random(in: 0..<(Self.atoms.count * 2), using: &rng)
                bytes += k < Self.atoms.count ? Self.atoms[k] : Self.atoms[k % 3]
            }
            let from = bytes.isEmpty ? 0 : Int.random(in: 0...min(3, bytes.count), using: &rng)
            var problem: String?
            bytes.withUnsafeBufferPointer { buffer in
                let p = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
                var escape: Int32 = 0
                let end = CPIIScan_jsonStringEnd(p, from, buffer.count, &escape)
                let (expectedEnd, expectedEscape) = Self.stringEnd(bytes, from: from)
                if end != expectedEnd || (end >= 0 && (escape != 0) != expectedEscape) { problem = "stringEnd" }

                var out = [UInt8](repeating: 0, count: max(1, bytes.count))
                var flags: UInt32 = 0
                let length = out.withUnsafeMutableBufferPointer { CPIIScan_jsonDecode(p, buffer.count, $0.baseAddress!, &flags) }
                if let (expected, expectedFlags) = Self.decode(bytes) {
                    if length != expected.count || Array(out[0..<max(0, length)]) != expected || flags != expectedFlags {
                        problem = "decode"
                    }
                } else if length != -1 {
                    problem = "decode accepted invalid"
                }

                for (slash, ascii) in [(false, false), (true, false), (false, true), (true, true)] {
                    var at = from
                    while at < buffer.count {
                        let got = CPIIScan_jsonEscapeScan(p, at, buffer.count, slash ? 1 : 0, ascii ? 1 : 0)
                        let want = Self.escapeScan(bytes, from: at, slash: slash, ascii: ascii)
                        if got != want { problem = "escapeScan"; break }
                        at = want + 1
                    }
                }
                for (slash, ascii) in [(false, false), (true, false), (false, true), (true, true)] {
                    var encoded = [UInt8](repeating: 0, count: 6 * buffer.count + 32)
                    let length = encoded.withUnsafeMutableBufferPointer {
                        CPIIScan_jsonEncode(p, buffer.count, $0.baseAddress!, slash ? 1 : 0, ascii ? 1 : 0)
                    }
                    if Array(encoded[0..<length]) != Self.encode(bytes, slash: slash, ascii: ascii) {
                        problem = "encode"
                    }
                }
            }
            if let problem {
                mismatches[problem, default: 0] += 1
                if first.isEmpty { first = "\(problem), round \(round), from \(from): \(escaped(bytes))" }
            }
        }
        #expect(mismatches.isEmpty, "mismatches \(mismatches); first: \(first)")
    }

    @Test("whitespace skip equals the byte-by-byte reference, for every byte value and run length")
    func skipSpaceEqualsReference() {
        func reference(_ p: [UInt8], from: Int) -> Int {
            var i = from
            while i < p.count && (p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09) { i += 1 }
            return i
        }
        let spaces: [UInt8] = [0x20, 0x0A, 0x0D, 0x09]
        var rng = SplitMix64(seed: 0x5_9ACE)
        var mismatches = 0
        // Runs around the 16- and 32-byte steps, mostly whitespace, with any byte in between.
        for _ in 0..<20_000 {
            let bytes = (0..<Int.random(in: 0...100, using: &rng)).map { _ in
                Int.random(in: 0..<8, using: &rng) < 7 ? spaces[Int.random(in: 0..<4, using: &rng)] : UInt8.random(in: 0...255, using: &rng)
            }
            let from = Int.random(in: 0...bytes.count, using: &rng)
            let got = bytes.withUnsafeBufferPointer { CPIIScan_jsonSkipSpace($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, from, $0.count) }
            if got != reference(bytes, from: from) { mismatches += 1 }
        }
        // Each byte value at each place of a 64-byte run: only the four JSON whitespace bytes are skipped.
        for value in 0...255 {
            for at in [0, 15, 16, 31, 32, 40, 63] {
                var bytes = [UInt8](repeating: 0x20, count: 64)
                bytes[at] = UInt8(value)
                if CPIIScan_jsonSkipSpace(bytes, 0, 64) != reference(bytes, from: 0) { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
    }

    @Test("field-rule key heads are a key's first 8 bytes, little-endian and zero-padded, at every length")
    func ruleKeyHeads() {
        var mismatches = 0
        for n in 0...20 {
            let key = (0..<n).map { UInt8(0xA1 + $0) }
            var expected: UInt64 = 0
            for (i, b) in key.prefix(8).enumerated() { expected |= UInt64(b) << (8 * UInt64(i)) }
            // Its own allocation, so a load past the key's end would be an ASan error.
            let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: n, alignment: 1)
            copy.copyBytes(from: key)
            if RuleTable.head(UnsafeRawBufferPointer(copy)) != expected { mismatches += 1 }
            copy.deallocate()
        }
        #expect(mismatches == 0)
    }

    @Test("ByteBuffer appends pieces of every short length exactly, across growth")
    func byteBufferAppends() {
        var rng = SplitMix64(seed: 0xB1_7EBF)
        let buffer = ByteBuffer(capacity: 16)
        var expected: [UInt8] = []
        for round in 0..<2_000 {
            let piece = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            // Copy the piece to its own allocation so a read past its end would be an ASan error.
            let source = UnsafeMutablePointer<UInt8>.allocate(capacity: max(piece.count, 1))
            source.initialize(from: piece, count: piece.count)
            buffer.append(UnsafePointer(source), piece.count)
            source.deallocate()
            expected += piece
            if round % 500 == 499 {
                let same = Array(buffer.bytes) == expected  // a Bool: a failure prints no bytes
                #expect(same, "round \(round)")
            }
        }
        let same = Array(buffer.bytes) == expected
        #expect(same)
    }
}
