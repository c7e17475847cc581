import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PIIScrub
import PIIScrubStream
import PIIScrubTestSupport
import Testing

/// The search profile (`ScrubWorker.enableSearchProfile()`, `scrub --profile`): it changes no
/// output, counts what it says it counts, and times where the CPU has a counter.
@Suite("Search profile")
struct SearchProfileTests {
    static let text = Array(String(repeating: "call 415-555-0132, mail bob@example.com, SSN 078-05-1120, "
                                   + "order 4829301746, version 1.2.3 in 2024-01-15; (1869-1948) ", count: 40).utf8)

    @Test("the same output; searches, regex matches and ticks per pattern; off until enabled, reset with the counts")
    func workerProfile() throws {
        let scrubber = Scrubber(patternSet: try TestSets.load("default"))
        let plain = scrubber.makeWorker()
        let profiled = scrubber.makeWorker()
        #expect(profiled.searchProfile(forPatternAt: 0) == nil)
        profiled.enableSearchProfile()
        let a = Self.text.withUnsafeBytes { input in plain.withScrubbed(input) { bytes, _ in Array(bytes) } }
        let b = Self.text.withUnsafeBytes { input in profiled.withScrubbed(input) { bytes, _ in Array(bytes) } }
        let same = a == b  // a Bool: prints no text
        #expect(same)
        let patterns = scrubber.patternSet.patterns
        var searched = 0
        for index in patterns.indices {
            let p = try #require(profiled.searchProfile(forPatternAt: index))
            // The profile's searches are the counter the engine always keeps.
            #expect(p.searches == plain.searches(forPatternAt: index), "\(patterns[index].id)")
            // A confirmed match was a regex match first; a regex match needs a search.
            #expect(p.regexMatches <= p.searches && profiled.count(forPatternAt: index) <= p.regexMatches,
                    "\(patterns[index].id)")
            if p.searches > 0 {
                searched += 1
                #if arch(x86_64)  // arm64's virtual counter runs at 24-100 MHz: a few short searches may sum to 0
                #expect(p.searchTicks > 0, "\(patterns[index].id): ticks")
                #endif
            } else {
                #expect(p.searchTicks == 0 && p.validatorTicks == 0 && p.regexMatches == 0, "\(patterns[index].id)")
            }
        }
        #expect(searched >= 5)
        // `phone-national` matches the 10-digit and year-range shapes and its validator refuses them.
        let national = try #require(patterns.firstIndex { $0.id == "phone-national" })
        let n = try #require(profiled.searchProfile(forPatternAt: national))
        #expect(n.regexMatches > profiled.count(forPatternAt: national))
        #if arch(x86_64)  // arm64's virtual counter runs at 24-100 MHz: a few short searches may sum to 0
        #expect(n.validatorTicks > 0)
        #endif
        profiled.resetCounts()
        #expect(profiled.searchProfile(forPatternAt: national) == SearchProfile())
    }

    @Test("TextFilter sums the workers' profiles per pattern id, with one job or two, and writes the same bytes")
    func filterProfile() throws {
        let scrubber = Scrubber(patternSet: try TestSets.load("default"))
        let input = Array(Self.text.prefix(8192)) + Array(repeating: UInt8(ascii: "\n"), count: 1)
            + Array(String(repeating: "mail bob@example.com\n", count: 4000).utf8)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("profile-\(UUID().uuidString).txt").path
        try Data(input).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var outputs: [[UInt8]] = []
        for (jobs, profile) in [(1, false), (1, true), (2, true)] {
            let out = path + ".out\(jobs)\(profile)"
            FileManager.default.createFile(atPath: out, contents: nil)
            defer { try? FileManager.default.removeItem(atPath: out) }
            let outFD = open(out, O_WRONLY | O_TRUNC)
            defer { close(outFD) }
            let source = try ByteSource.open(path)
            defer { source.close() }
            let filter = TextFilter(scrubber: scrubber, jobs: jobs, blockSize: 4096, profileSearches: profile)
            let stats = try filter.run(sources: [source], sink: ByteSink(fd: outFD, name: "out"))
            outputs.append(Array(try Data(contentsOf: URL(fileURLWithPath: out))))
            if profile {
                let email = try #require(stats.searchProfiles["email"])
                #expect(email.searches >= 4000 && email.regexMatches >= 4000 && stats.counts["email"]! >= 4000,
                        "jobs \(jobs)")
                #expect(stats.searchProfiles.count == scrubber.patternSet.patterns.count)
            } else {
                #expect(stats.searchProfiles.isEmpty)
            }
        }
        let same = outputs.allSatisfy { $0 == outputs[0] }  // a Bool: prints no text
        #expect(same)
    }
}
