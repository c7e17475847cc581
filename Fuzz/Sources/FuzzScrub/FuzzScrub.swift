import FuzzSupport
import PIIScrub
#if canImport(Glibc)
import Glibc
#endif

// Properties checked on arbitrary bytes (issue: reliability and security hardening):
// 1. no crash (ASan + libFuzzer catch it);
// 2. no engine failure on the shipped set (the match limit is never hit);
// 3. the output is valid UTF-8 wherever the input was (valid input gives valid output);
// 4. scrubbing is idempotent: scrubbing the output again changes nothing;
// 5. streaming with a chunking derived from the input equals whole-input scrubbing.
// A violated property traps; the input is then saved by libFuzzer as a crash artifact, which
// becomes a regression case in Tests/Data/cases/regression.json.

nonisolated(unsafe) let scrubber: Scrubber = {
    // SAFETY: written once before the first fuzz iteration; libFuzzer calls us on one thread.
    guard let set = try? PatternSet.load(FuzzEnvironment.patternSet) else { fatalError("cannot load the pattern set") }
    return Scrubber(patternSet: set)
}()

nonisolated(unsafe) let worker = scrubber.makeWorker()  // SAFETY: libFuzzer runs inputs on one thread.

enum FuzzEnvironment {
    static var patternSet: String {
        if let value = getenv("PII_SCRUB_FUZZ_SET") { return String(cString: value) }
        return "seed"
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzScrub(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    var output: [UInt8] = []
    let outcome = input.withUnsafeBytes { worker.scrub($0, appendingTo: &output) }
    precondition(!outcome.failed, "engine failure on fuzz input")
    if String(validating: input, as: UTF8.self) != nil {
        precondition(String(validating: output, as: UTF8.self) != nil, "valid UTF-8 in, invalid out")
    }
    var again: [UInt8] = []
    _ = output.withUnsafeBytes { worker.scrub($0, appendingTo: &again) }
    precondition(again == output, "scrubbing is not idempotent")
    // Chunk sizes taken from the input itself, so the fuzzer explores chunkings too.
    let stream = StreamScrubber(worker: worker, minimumBlock: 1)
    var streamed: [UInt8] = []
    var at = 0
    var k = 0
    while at < input.count {
        let n = 1 + Int(input[k % input.count] % 17)
        let end = min(input.count, at + n)
        stream.feed(Array(input[at..<end])) { streamed.append(contentsOf: $0) }
        at = end
        k += 1
    }
    stream.finish { streamed.append(contentsOf: $0) }
    precondition(streamed == output, "streamed output differs from whole-input output")
    return 0
}

// Entry point: see FuzzSupport.runFuzzer.
@_cdecl("FuzzScrub_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in fuzzScrub(data, size) }
}
