import Foundation
import PIIScrubTestSupport
@testable import PIIScrubStream
import Testing

/// The sequential filter's writer (`GatheringWriter`, `ByteSink.write(gathering:)`): pieces go
/// out in order and whole through short writes (a pipe takes 64 KiB at a time) and past 1,024
/// pieces a `writev`.
@Suite("Gathering writer")
struct GatheringWriterTests {
    @Test("thousands of pieces through a pipe with a slow reader arrive whole and in order")
    func shortWrites() throws {
        var rng = SplitMix64(seed: 0x6A7E_2000)
        // Pieces of 0 to 200 bytes and now and then 100 KiB, cut from one buffer.
        var bytes: [UInt8] = []
        var cuts: [Range<Int>] = []
        for _ in 0..<3000 {
            let length = Int.random(in: 0..<50, using: &rng) == 0 ? 100_000 : Int.random(in: 0...200, using: &rng)
            cuts.append(bytes.count..<bytes.count + length)
            for _ in 0..<length { bytes.append(UInt8(truncatingIfNeeded: rng.next())) }
        }
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let readEnd = fds[0], writeEnd = fds[1]
        // The reader takes a few KiB at a time, so the writer's writev calls come back short.
        let received = LockedBytes()
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 3000)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                received.append(buffer[..<n])
            }
            close(readEnd)
            received.finish()
        }
        reader.start()
        let writer = GatheringWriter(sink: ByteSink(fd: writeEnd, name: "pipe"))
        try bytes.withUnsafeBytes { raw in
            for (k, cut) in cuts.enumerated() {
                try writer.append(UnsafeRawBufferPointer(rebasing: raw[cut]))
                // Flushed now and then, and past 1,024 pieces by the writer itself.
                if k % 1500 == 1499 { try writer.flush() }
            }
            try writer.flush()
        }
        close(writeEnd)
        received.wait()
        #expect(received.bytes.count == bytes.count)
        #expect(received.bytes == bytes)
    }
}

extension GatheringWriterTests {
    @Test("a short write leaves the pieces' unwritten bytes, in order, at any count written")
    func shortWriteArithmetic() {
        var rng = SplitMix64(seed: 0x6A7E_2001)
        var wrong = 0
        for _ in 0..<2000 {
            let lengths = (0..<Int.random(in: 1...12, using: &rng)).map { _ in Int.random(in: 0...9, using: &rng) }
            let total = lengths.reduce(0, +)
            var bytes = (0..<total).map { UInt8(truncatingIfNeeded: $0) }
            let first = Int.random(in: 0..<lengths.count, using: &rng)
            bytes.withUnsafeMutableBytes { raw in
                let pieces = UnsafeMutableBufferPointer<iovec>.allocate(capacity: lengths.count)
                defer { pieces.deallocate() }
                var at = 0
                for (k, length) in lengths.enumerated() {
                    pieces[k] = iovec(iov_base: raw.baseAddress! + at, iov_len: length)
                    at += length
                }
                let start = lengths[..<first].reduce(0, +)
                let written = Int.random(in: 0...(total - start), using: &rng)
                let next = ByteSink.advance(pieces, from: first, written: written)
                // What is left to write: exactly the bytes after the written ones.
                var left: [UInt8] = []
                for k in next..<lengths.count {
                    left += UnsafeRawBufferPointer(start: pieces[k].iov_base, count: pieces[k].iov_len)
                }
                if left != Array(raw[(start + written)...]) { wrong += 1 }
            }
        }
        #expect(wrong == 0, "\(wrong) of 2000 rounds")
    }
}

/// Bytes a reader thread appends, and a wait for its end.
final class LockedBytes: @unchecked Sendable {
    // SAFETY: `bytes` is written by the reader under `lock` and read after `wait()`.
    private let lock = NSCondition()
    private var done = false
    private(set) var bytes: [UInt8] = []

    func append(_ chunk: ArraySlice<UInt8>) {
        lock.lock()
        bytes += chunk
        lock.unlock()
    }

    func finish() {
        lock.lock()
        done = true
        lock.broadcast()
        lock.unlock()
    }

    func wait() {
        lock.lock()
        while !done { lock.wait() }
        lock.unlock()
    }
}
