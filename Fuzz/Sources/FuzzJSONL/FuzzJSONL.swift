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
//    values, which must all be gone from the output;
// 5. `--flat` pass 1 in C (CPIIScan_jsonCollectFlat, the default) and the recursive walk give the
//    same output and outcome (and AddressSanitizer watches the C loop's buffers).

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
    // Planted values inside a valid wrapper object, with the fuzz bytes as a string value.
    var wrapped = Array(#"{"user":"\#(planted[0])","tel":"\#(planted[1])","ssn":"\#(planted[2])","x":"#.utf8)
    for b in line where b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\") && b >= 0x20 { wrapped.append(b) }
    wrapped += Array(#""}"#.utf8)
    line = wrapped
    output.removeAll()
    _ = line.withUnsafeBytes { worker.scrubDocument($0, appendingTo: &output) }
    let text = String(decoding: output, as: UTF8.self)
    for value in planted {
        precondition(!text.contains(value), "a planted value survived")
    }
    return 0
}

@_cdecl("FuzzJSONL_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in fuzzJSONL(data, size) }
}
