import CPIIScan
@testable import PIIScrub
import PIIScrubTestSupport
import Testing

/// The `requiresClass` window check (`CPIIScan_holdsClass`, 32 bytes a step, and its byte loop)
/// against a count written from the definition. A window it wrongly refused would be a leak.
@Suite("Required-class check")
struct RequiredClassTests {
    @Test("the vector and portable checks equal a plain count on generated text")
    func checkEqualsCount() throws {
        var rng = SplitMix64(seed: 0xC1A5_5000)
        let classes = ["A-Z", ".", "0-9A-Fa-f", "\u{7F}\t"]
        let alphabet = Array("AZaz09.:-\t\u{7F} ".utf8) + [0x80, 0xC3, 0xA9, 0xFF, 0x00]
        var held = 0, rounds = 0
        for round in 0..<20000 {
            let members = try parseASCIIClass(classes[round % classes.count], patternID: "t", field: "requiresClass")
            var table = [UInt8](repeating: 0, count: 16)
            table.withUnsafeMutableBytes { Prefilter.addASCIINibbles(members, to: $0) }
            let text = (0..<Int.random(in: 0...100, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            let count = Int.random(in: 1...4, using: &rng)
            let expected = text.filter { members.contains($0) }.count >= count
            let vector = text.withUnsafeBufferPointer { CPIIScan_holdsClass($0.baseAddress, $0.count, table, count) != 0 }
            let portable = text.withUnsafeBufferPointer { CPIIScan_holdsClassPortable($0.baseAddress, $0.count, table, count) != 0 }
            #expect(vector == expected && portable == expected, "round \(round): \(text.count) bytes, count \(count)")
            held += expected ? 1 : 0
            rounds += 1
        }
        #expect(held > rounds / 10 && held < rounds * 9 / 10)
    }
}
