import FuzzSupport
import PIIScrub
import PIIScrubJSON
#if canImport(Glibc)
import Glibc
#endif

// The JSONL filter on arbitrary bytes (issue: reliability and security hardening):
// 1. no crash;
// 2. one output document per input document (the fuzz input is one line; newlines are mapped
//    to spaces so it stays one line), never a dropped line;
// 3. if the input parsed as JSON, the output parses too (checked by re-scrubbing the output:
//    a valid document is never reported malformed);
// 4. no planted value survives: the fuzzer's bytes are prefixed by a JSON object holding known
//    values, which must all be gone from the output (but for copies the fuzz bytes hold);
// 5. `--flat` pass 1 in C (CPIIScan_jsonCollectFlat, the default) and the recursive walk give the
//    same output and outcome (and AddressSanitizer watches the C loop's buffers);
// 6. on the default set, the prefilters, the block gate (strings of 512 bytes or more) and the
//    JSON path's skipping of strings hide nothing: the line as it is, and its bytes in a long
//    string between stretches of prose, come out as with PCRE2 searching every byte.

nonisolated(unsafe) let json: JSONScrubber = {
    // SAFETY: written once before the first fuzz iteration; libFuzzer calls us on one thread.
    guard let set = try? PatternSet.load("seed") else { fatalError("cannot load the seed set") }
    return JSONScrubber(scrubber: Scrubber(patternSet: set))
}()
nonisolated(unsafe) let worker = json.makeWorker()  // SAFETY: one thread, see above.
nonisolated(unsafe) let flatInC = JSONScrubber(scrubber: json.scrubber, options: .init(flat: true)).makeWorker()
nonisolated(unsafe) let flatWalk: JSONScrubber.Worker = {
    var options = JSONScrubber.Options(flat: true)
    options.collectInC = false
    return JSONScrubber(scrubber: json.scrubber, options: options).makeWorker()
}()

let planted = ["planted.person@example.org", "555-867-5309", "078-05-1120"]

let defaultSet: PatternSet = {
    guard let set = try? PatternSet.load("default") else { fatalError("cannot load the default set") }
    return set
}()
nonisolated(unsafe) let gatedDefault = JSONScrubber(scrubber: Scrubber(patternSet: defaultSet)).makeWorker()  // SAFETY: as above.
nonisolated(unsafe) let exhaustiveDefault = JSONScrubber(  // SAFETY: as above.
    scrubber: Scrubber(patternSet: defaultSet, configuration: .init(prefilter: false))).makeWorker()
let prose = Array("The quick brown fox jumps over the lazy dog; see the section on options (page ten). ".utf8)

/// The line's bytes that may stand in a JSON string as they are (no quote, backslash or control).
func stringBytes(_ line: [UInt8]) -> [UInt8] {
    line.filter { $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") && $0 >= 0x20 }
}

/// Property 6 on one document.
func gatedEqualsExhaustive(_ line: [UInt8]) {
    var gated: [UInt8] = [], exhaustive: [UInt8] = []
    let g = line.withUnsafeBytes { gatedDefault.scrubDocument($0, appendingTo: &gated) }
    let e = line.withUnsafeBytes { exhaustiveDefault.scrubDocument($0, appendingTo: &exhaustive) }
    precondition(gated == exhaustive && g == e, "default set: the gated JSON path and PCRE2 alone disagree")
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONL(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    var line = Array(UnsafeBufferPointer(start: data, count: size)).map { $0 == 0x0A ? 0x20 : $0 }
    var output: [UInt8] = []
    let outcome = line.withUnsafeBytes { worker.scrubDocument($0, appendingTo: &output) }
    precondition(!output.contains(0x0A), "one input line became several output lines")
    if outcome.kind != .malformed {
        var again: [UInt8] = []
        let second = output.withUnsafeBytes { worker.scrubDocument($0, appendingTo: &again) }
        precondition(second.kind != .malformed, "a valid document came out malformed")
    }
    var inC: [UInt8] = []
    var walked: [UInt8] = []
    let c = line.withUnsafeBytes { flatInC.scrubDocument($0, appendingTo: &inC) }
    let w = line.withUnsafeBytes { flatWalk.scrubDocument($0, appendingTo: &walked) }
    precondition(inC == walked && c == w, "--flat pass 1 in C and the walk disagree")
    // Property 6 on one input in eight (by its last byte: the same choice for the same input):
    // PCRE2 searching every byte of a document costs ~7 ms here, and the other properties keep
    // most of the fuzzer's runs.
    if size > 0 && data[size - 1] % 8 == 0 {
        gatedEqualsExhaustive(line)
        var long = Array(#"{"input":""#.utf8) + prose.prefix(Int(data[0] % 64))
        long += stringBytes(line)
        while long.count < 600 { long += prose }
        gatedEqualsExhaustive(long + Array(#""}"#.utf8))
    }
    // Planted values inside a valid wrapper object, with the fuzz bytes as a string value.
    // The fuzz bytes may hold a planted value themselves, glued to a digit where it is no match
    // (`078-05-1120777`): no more copies may come out than the fuzz bytes brought in.
    let fuzzBytes = stringBytes(line)
    var wrapped = Array(#"{"user":"\#(planted[0])","tel":"\#(planted[1])","ssn":"\#(planted[2])","x":"#.utf8)
    wrapped += fuzzBytes
    wrapped += Array(#""}"#.utf8)
    line = wrapped
    output.removeAll()
    _ = line.withUnsafeBytes { worker.scrubDocument($0, appendingTo: &output) }
    for value in planted.map({ Array($0.utf8) }) {
        precondition(occurrences(of: value, in: output) <= occurrences(of: value, in: fuzzBytes), "a planted value survived")
    }
    return 0
}

/// How many times `value` occurs in `bytes`, counting overlapping copies.
func occurrences(of value: [UInt8], in bytes: [UInt8]) -> Int {
    guard !value.isEmpty, bytes.count >= value.count else { return 0 }
    var count = 0
    for i in 0...(bytes.count - value.count) where bytes[i] == value[0] {
        var j = 1
        while j < value.count && bytes[i + j] == value[j] { j += 1 }
        if j == value.count { count += 1 }
    }
    return count
}

@_cdecl("FuzzJSONL_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in fuzzJSONL(data, size) }
}
