import PIIScrub
import PIIScrubTestSupport
import Testing

/// `ScrubWorker.scrubBlock(_:into:)` swaps the worker's result buffer into the caller's
/// `ScrubOutput`: the outputs must equal `withScrubbedBlock`'s, and an output handed over earlier
/// must stay intact while the worker goes on (the parallel pipeline relies on both).
@Suite("ScrubOutput hand-off")
struct ScrubOutputTests {
    @Test("hand-off equals withScrubbedBlock and earlier outputs survive later calls", arguments: ["seed", "default"])
    func handOff(_ name: String) throws {
        let scrubber = Scrubber(patternSet: try TestSets.load(name))
        let worker = scrubber.makeWorker()
        let reference = scrubber.makeWorker()
        var generator = SeedTextGenerator(rng: SplitMix64(seed: 0xB10C))
        let outputs = (0..<3).map { _ in ScrubOutput() }
        var kept: [(ScrubOutput, [UInt8])] = []
        var changedCount = 0
        for round in 0..<600 {
            var text: [UInt8] = []
            for _ in 0..<(1 + round % 20) { text += Array(generator.next().utf8) }
            let output = outputs[round % outputs.count]
            let expected = text.withUnsafeBytes { input in
                reference.withScrubbedBlock(input) { bytes, _ in Array(bytes) }
            }
            let outcome = text.withUnsafeBytes { worker.scrubBlock($0, into: output) }
            let actual = outcome.changed ? Array(output.bytes) : text
            // Compared as a Bool so a failure prints no text (STYLE: never print subject text).
            let same = actual == expected
            #expect(same, "round \(round): hand-off output differs (\(text.count) bytes)")
            if outcome.changed {
                changedCount += 1
                kept.append((output, actual))
                if kept.count > outputs.count - 1 { kept.removeFirst() }
            }
            // Outputs handed over in earlier rounds (and not reused since) are untouched.
            for (earlier, bytes) in kept.dropLast() where earlier !== output {
                let intact = Array(earlier.bytes) == bytes
                #expect(intact, "round \(round): an earlier output changed")
            }
        }
        #expect(changedCount > 100)
    }
}
