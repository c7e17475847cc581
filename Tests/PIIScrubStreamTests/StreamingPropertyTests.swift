import Foundation
import PIIScrub
import PIIScrubStream
import PIIScrubTestSupport
import Testing

/// Generates inputs whose PII lands on every chunk and segment boundary: PII pieces glued with
/// filler of random lengths, multi-byte characters next to them.
struct BoundaryTextGenerator {
    var base: SeedTextGenerator

    init(seed: UInt64) { base = SeedTextGenerator(rng: SplitMix64(seed: seed)) }

    mutating func next(pieces: Int) -> [UInt8] {
        var out: [UInt8] = []
        for _ in 0..<pieces {
            out += Array(base.next().utf8)
            let fill = Int(base.rng.next() % 9)
            out += Array(repeating: UInt8(ascii: " "), count: fill)
        }
        return out
    }
}

@Suite("Streaming: any chunking equals whole-input scrubbing")
struct StreamingPropertyTests {
    static let chunkSizes = [1, 2, 3, 7, 64, 4096, 0]  // 0 = random sizes

    @Test("random inputs × chunk sizes 1, 2, 3, 7, 64, 4096, random", arguments: ["seed"])
    func chunkings(setName: String) throws {
        let scrubber = Scrubber(patternSet: try TestSets.load(setName))
        var generator = BoundaryTextGenerator(seed: 0xC0FFEE)
        var rng = SplitMix64(seed: 42)
        for round in 0..<300 {
            let input = generator.next(pieces: 1 + round % 40)
            let whole = scrubber.scrub(input)
            for size in Self.chunkSizes {
                let chunks = chunked(input, size: size, rng: &rng)
                let output = streamed(chunks, scrubber: scrubber)
                if output != whole {
                    let minimal = shrink(input) { candidate in
                        var r = SplitMix64(seed: 7)
                        return streamed(chunked(candidate, size: max(size, 1), rng: &r), scrubber: scrubber)
                            != scrubber.scrub(candidate)
                    }
                    Issue.record("round \(round) chunk \(size): streamed != whole; shrunk input: \(escaped(minimal))")
                    return
                }
            }
        }
    }

    @Test("every split point of PII-dense text, UTF-8 sequences split included")
    func everySplit() throws {
        let scrubber = Scrubber(patternSet: try TestSets.load("seed"))
        let input = Array("é a@b.io ١٢٣-٤٥٦-7890 中555.123.4567 x 123-45-6789\u{2028}u@d.\u{212A}a 😀".utf8)
        let whole = scrubber.scrub(input)
        for split in 0...input.count {
            let output = streamed([Array(input[..<split]), Array(input[split...])], scrubber: scrubber)
            #expect(output == whole, "split at byte \(split)")
        }
    }

    @Test("tiny chunks with the default minimum block batch but stay exact")
    func batchedTokens() throws {
        let scrubber = Scrubber(patternSet: try TestSets.load("seed"))
        var generator = BoundaryTextGenerator(seed: 99)
        let input = generator.next(pieces: 200)
        var rng = SplitMix64(seed: 3)
        let output = streamed(chunked(input, size: 4, rng: &rng), scrubber: scrubber, minimumBlock: 64)
        #expect(output == scrubber.scrub(input))
    }

    @Test("flush emits up to the last separator early and keeps output identical")
    func flushEarly() throws {
        let scrubber = Scrubber(patternSet: try TestSets.load("seed"))
        let input = Array("hello a@b.io and 555-123-4567 then partial 555-12".utf8)
        let stream = StreamScrubber(worker: scrubber.makeWorker())
        var output: [UInt8] = []
        stream.feed(input) { output.append(contentsOf: $0) }
        #expect(output.isEmpty, "below the minimum block nothing is emitted yet")
        stream.flush { output.append(contentsOf: $0) }
        #expect(String(decoding: output, as: UTF8.self) == "hello [EMAIL] and [PHONE] then partial ")
        stream.feed(Array("34-567 x".utf8)) { output.append(contentsOf: $0) }
        stream.finish { output.append(contentsOf: $0) }
        #expect(output == scrubber.scrub(input + Array("34-567 x".utf8)))
    }

    /// Pieces as a gathering writer keeps them: pointers only, copied when a block's output ends
    /// (the empty piece), so a piece that did not stay valid until then shows in the output.
    struct PieceCollector {
        var output: [UInt8] = []
        var pending: [UnsafeRawBufferPointer] = []
        var blocks = 0, gathered = 0

        mutating func take(_ piece: UnsafeRawBufferPointer) {
            guard piece.isEmpty else {
                pending.append(piece)
                return
            }
            for p in pending { output += p }
            blocks += 1
            if pending.count > 1 { gathered += 1 }
            pending.removeAll()
        }
    }

    @Test("gathered pieces, valid until each block's end, equal whole-input scrubbing", arguments: ["default", "seed"])
    func gatheredPieces(setName: String) throws {
        let scrubber = Scrubber(patternSet: try TestSets.load(setName))
        var generator = BoundaryTextGenerator(seed: 0x6A7E)
        var rng = SplitMix64(seed: 43)
        var blocks = 0, gathered = 0
        for round in 0..<200 {
            let input = generator.next(pieces: 1 + round % 60)
            let whole = scrubber.scrub(input)
            for size in [7, 64, 4096, 0] {
                // Blocks of one line up to many: some with more replacements than the limit.
                let stream = StreamScrubber(worker: scrubber.makeWorker(), minimumBlock: [1, 64, 512][round % 3])
                stream.gatherPieces(maxReplacements: [1, 3, 64][round % 3])
                var collector = PieceCollector()
                for chunk in chunked(input, size: size, rng: &rng) { stream.feed(chunk) { collector.take($0) } }
                stream.finish { collector.take($0) }
                #expect(collector.pending.isEmpty, "round \(round) chunk \(size): pieces after the last block's end")
                #expect(collector.output == whole, "round \(round) chunk \(size)")
                blocks += collector.blocks
                gathered += collector.gathered
            }
        }
        // Many blocks are gathered (more than one piece); the others have no replacement or too many.
        #expect(gathered > blocks / 20 && gathered < blocks, "\(gathered) of \(blocks) blocks gathered")
    }

    @Test("gathered pieces after an engine failure: the same lines redacted, counted")
    func gatheredFailure() throws {
        let scrubber = try TestSets.withCatastrophicPattern()
        var lines: [UInt8] = []
        for k in 0..<40 {
            lines += Array((k % 3 == 0 ? String(repeating: "a", count: 40) + "cb" : "mail x\(k)@example.com ok").utf8)
            lines.append(0x0A)
        }
        func run(gathering: Bool) -> ([UInt8], Int) {
            let stream = StreamScrubber(worker: scrubber.makeWorker(), minimumBlock: 200)
            if gathering { stream.gatherPieces(maxReplacements: 8) }
            var collector = PieceCollector()
            var plain: [UInt8] = []
            var rng = SplitMix64(seed: 5)
            for chunk in chunked(lines, size: 0, rng: &rng) {
                stream.feed(chunk) { gathering ? collector.take($0) : plain.append(contentsOf: $0) }
            }
            stream.finish { gathering ? collector.take($0) : plain.append(contentsOf: $0) }
            return (gathering ? collector.output : plain, stream.worker.failureCount)
        }
        let (plain, plainFailures) = run(gathering: false)
        let (gathered, failures) = run(gathering: true)
        #expect(plainFailures > 0 && failures == plainFailures)
        #expect(gathered == plain)
    }

    @Test("a run longer than maxHoldBack fails closed: redacted, counted, never emitted raw")
    func overflowFailsClosed() throws {
        let scrubber = Scrubber(patternSet: try TestSets.load("seed"))
        let secret = "555-123-4567"
        let longRun = Array(repeating: UInt8(ascii: "a"), count: 5000) + Array(secret.utf8) + Array("@x".utf8)
        let input = Array("before ".utf8) + longRun + Array(" after 555-123-4567\n".utf8)
        let stream = StreamScrubber(worker: scrubber.makeWorker(), maxHoldBack: 1024, minimumBlock: 1)
        var output: [UInt8] = []
        var rng = SplitMix64(seed: 1)
        for chunk in chunked(input, size: 100, rng: &rng) { stream.feed(chunk) { output.append(contentsOf: $0) } }
        stream.finish { output.append(contentsOf: $0) }
        let text = String(decoding: output, as: UTF8.self)
        #expect(stream.overflowCount == 1)
        #expect(stream.worker.failureCount == 1)
        #expect(!text.contains(secret))
        #expect(!text.contains("aaaa"))
        #expect(text == "before [REDACTED:SCRUB-ERROR] after [PHONE]\n")
        // Gathered: the same, the marker too ended as a block.
        let gathering = StreamScrubber(worker: scrubber.makeWorker(), maxHoldBack: 1024, minimumBlock: 1)
        gathering.gatherPieces(maxReplacements: 4)
        var collector = PieceCollector()
        for chunk in chunked(input, size: 100, rng: &rng) { gathering.feed(chunk) { collector.take($0) } }
        gathering.finish { collector.take($0) }
        #expect(collector.pending.isEmpty && collector.output == output)
    }
}

@Suite("Concurrency: workers, segments and batches equal sequential scrubbing")
struct ConcurrencyTests {
    func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pii-\(UUID().uuidString)").path
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func runFilter(_ input: [UInt8], jobs: Int, blockSize: Int, viaPipe: Bool) throws -> ([UInt8], FilterStatistics) {
        let scrubber = Scrubber(patternSet: try TestSets.load("seed"))
        let inPath = try temporaryFile(input)
        let outPath = try temporaryFile([])
        defer {
            try? FileManager.default.removeItem(atPath: inPath)
            try? FileManager.default.removeItem(atPath: outPath)
        }
        let outFD = open(outPath, O_WRONLY | O_TRUNC)
        defer { close(outFD) }
        let filter = TextFilter(scrubber: scrubber, jobs: jobs, blockSize: blockSize)
        let stats: FilterStatistics
        if viaPipe {
            // A pipe is not mappable: exercises the read(2) path.
            let source = ByteSource(fd: pipeFeeding(input), name: "pipe", ownsDescriptor: true)
            defer { source.close() }
            stats = try filter.run(sources: [source], sink: ByteSink(fd: outFD, name: "out"))
        } else {
            let source = try ByteSource.open(inPath)
            defer { source.close() }
            stats = try filter.run(sources: [source], sink: ByteSink(fd: outFD, name: "out"))
        }
        return ([UInt8](try Data(contentsOf: URL(fileURLWithPath: outPath))), stats)
    }

    @Test("TextFilter: workers 1...4 × block sizes × file and pipe input equal whole-input scrubbing")
    func pipelineMatrix() throws {
        let scrubber = Scrubber(patternSet: try TestSets.load("seed"))
        var generator = BoundaryTextGenerator(seed: 2024)
        for round in 0..<6 {
            let input = generator.next(pieces: 50 + round * 200)
            let whole = scrubber.scrub(input)
            for jobs in 1...4 {
                for blockSize in [64, 1000, 65536] {
                    for viaPipe in [false, true] {
                        let (output, stats) = try runFilter(input, jobs: jobs, blockSize: blockSize, viaPipe: viaPipe)
                        #expect(output == whole, "round \(round) jobs \(jobs) block \(blockSize) pipe \(viaPipe)")
                        #expect(stats.bytesIn == input.count)
                        #expect(stats.bytesOut == whole.count)
                    }
                }
            }
        }
    }

    @Test("TextFilter counts match sequential counts (determinism of stats)")
    func pipelineCounts() throws {
        var generator = BoundaryTextGenerator(seed: 77)
        let input = generator.next(pieces: 2000)
        let (_, one) = try runFilter(input, jobs: 1, blockSize: 4096, viaPipe: false)
        for jobs in 2...4 {
            let (_, many) = try runFilter(input, jobs: jobs, blockSize: 512, viaPipe: false)
            #expect(many.counts == one.counts, "jobs \(jobs)")
        }
    }

    @Test("scrubConcurrently: segments cut at separators equal sequential, for 1...4 jobs")
    func segments() async throws {
        let scrubber = Scrubber(patternSet: try TestSets.load("seed"))
        var generator = BoundaryTextGenerator(seed: 5)
        for round in 0..<5 {
            let input = generator.next(pieces: 500 + round * 300)
            let whole = scrubber.scrub(input)
            for jobs in 1...4 {
                let output = await scrubber.scrubConcurrently(input, jobs: jobs, minimumSegment: 64)
                #expect(output == whole, "round \(round) jobs \(jobs)")
            }
        }
    }

    @Test("scrubBatch: many payloads, in order, equal one by one")
    func batch() async throws {
        let scrubber = Scrubber(patternSet: try TestSets.load("seed"))
        var generator = SeedTextGenerator(rng: SplitMix64(seed: 11))
        let texts = (0..<500).map { _ in generator.next() }
        let expected = texts.map { scrubber.scrub($0) }
        for jobs in 1...4 {
            let output = await scrubber.scrubBatch(texts, jobs: jobs)
            #expect(output == expected, "jobs \(jobs)")
        }
    }

    @Test("AsyncSequence adapter over a token stream equals whole-input scrubbing")
    func asyncSequence() async throws {
        let scrubber = Scrubber(patternSet: try TestSets.load("seed"))
        var generator = BoundaryTextGenerator(seed: 8)
        let input = generator.next(pieces: 300)
        var rng = SplitMix64(seed: 9)
        let chunks = chunked(input, size: 0, rng: &rng, maxRandom: 16)
        let tokens = AsyncStream<[UInt8]> { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        }
        var output: [UInt8] = []
        for try await piece in tokens.scrubbed(with: scrubber) { output += piece }
        #expect(output == scrubber.scrub(input))
    }
}
