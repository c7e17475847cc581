import FuzzSupport
import PIIScrub

// Pattern-file loading on arbitrary bytes: never a crash; either a set or a PIIScrubError with
// a message. Files are written to a temporary path because loading goes through the file API.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPatterns(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let path = "/tmp/pii-scrub-fuzz-patterns-\(getpid()).json"
    guard let file = fopen(path, "wb") else { return 0 }
    fwrite(data, 1, size, file)
    fclose(file)
    do {
        let set = try PatternSet.load(path: path)
        precondition(!set.patterns.isEmpty)
        // A loaded set must scrub without crashing.
        _ = Scrubber(patternSet: set).scrub("probe a@b.io 555-123-4567")
    } catch {
        precondition(!error.description.isEmpty)
    }
    return 0
}

#if canImport(Glibc)
import Glibc
#endif

// Entry point: see FuzzSupport.runFuzzer.
@_cdecl("FuzzPatterns_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    runFuzzer(argc, argv) { data, size in fuzzPatterns(data, size) }
}
