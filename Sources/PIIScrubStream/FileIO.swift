#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An I/O failure of the filter; never carries data, only the operation and errno.
public struct FilterIOError: Error, Sendable, CustomStringConvertible {
    public enum Operation: String, Sendable { case open, read, write }
    public var operation: Operation
    public var path: String
    public var errno: Int32

    public var isBrokenPipe: Bool { operation == .write && errno == EPIPE }

    public var description: String {
        let reason = String(cString: strerror(errno))
        return "cannot \(operation.rawValue) \(path): \(reason)"
    }
}

/// Reads a file descriptor with `read(2)`, retrying on EINTR.
public struct ByteSource: Sendable {
    public let fd: Int32
    public let name: String
    let ownsDescriptor: Bool

    public static let standardInput = ByteSource(fd: 0, name: "<stdin>", ownsDescriptor: false)

    public init(fd: Int32, name: String, ownsDescriptor: Bool) {
        self.fd = fd
        self.name = name
        self.ownsDescriptor = ownsDescriptor
    }

    /// Opens `path` for reading.
    public static func open(_ path: String) throws(FilterIOError) -> ByteSource {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FilterIOError(operation: .open, path: path, errno: errno) }
        return ByteSource(fd: fd, name: path, ownsDescriptor: true)
    }

    /// When the source is a pipe, asks the kernel for a 1 MiB pipe buffer (`F_SETPIPE_SZ`, the
    /// unprivileged maximum by default) so each `read` moves up to a whole block instead of 64 KiB:
    /// piping 2.3 GB spent a third of its CPU time in the kernel with the default size. Failure
    /// (an older kernel, a lower `pipe-max-size`) leaves the pipe as it was.
    public func enlargePipeBuffer() {
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFIFO else { return }
        _ = fcntl(fd, 1031 /* F_SETPIPE_SZ */, Int32(1 << 20))
    }

    /// Reads up to `count` bytes into `buffer`; returns 0 at end of input.
    public func read(into buffer: UnsafeMutableRawPointer, count: Int) throws(FilterIOError) -> Int {
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw FilterIOError(operation: .read, path: name, errno: errno)
        }
    }

    /// Fills `buffer` as far as possible (short only at end of input).
    public func readFully(into buffer: UnsafeMutableRawPointer, count: Int) throws(FilterIOError) -> Int {
        var total = 0
        while total < count {
            let n = try read(into: buffer + total, count: count - total)
            if n == 0 { break }
            total += n
        }
        return total
    }

    /// The size of a regular file, for progress estimates.
    public var regularFileSize: Int? {
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(st.st_size)
    }

    /// Calls `body` with the whole file mapped read-only, in slices of `sliceSize` bytes; each
    /// slice is dropped from memory (MADV_DONTNEED) once `body` returns, so resident memory stays
    /// bounded by the slice size whatever the file size. Returns false (and calls nothing) when
    /// the source is not a regular file or cannot be mapped.
    public func withMappedSlices(sliceSize: Int, isCancelled: () -> Bool = { false },
                                 _ body: (UnsafeRawBufferPointer) throws -> Void) rethrows -> Bool {
        guard let size = regularFileSize else { return false }
        if size == 0 { return true }
        let offset = Int(lseek(fd, 0, SEEK_CUR))
        guard offset >= 0, offset <= size else { return false }
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else { return false }
        defer { munmap(map, size) }
        _ = madvise(map, size, MADV_SEQUENTIAL)
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var at = offset
        while at < size && !isCancelled() {
            let end = min(size, at + sliceSize)
            try body(UnsafeRawBufferPointer(start: map + at, count: end - at))
            let dropFrom = (at / page) * page
            let dropTo = (end / page) * page
            if dropTo > dropFrom { _ = madvise(map + dropFrom, dropTo - dropFrom, MADV_DONTNEED) }
            at = end
        }
        _ = lseek(fd, off_t(size), SEEK_SET)
        return true
    }

    /// Hands `body` the source's bytes in chunks: slices of a read-only mapping for regular files
    /// (no copy through the kernel, see ``withMappedSlices(sliceSize:isCancelled:_:)``), `read(2)`
    /// into `readBuffer` otherwise, from a pipe enlarged to 1 MiB. Stops early once `isCancelled`.
    public func forEachChunk(sliceSize: Int, readBuffer: UnsafeMutableRawBufferPointer,
                             isCancelled: () -> Bool, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        if try withMappedSlices(sliceSize: sliceSize, isCancelled: isCancelled, body) { return }
        enlargePipeBuffer()
        while !isCancelled() {
            let n = try read(into: readBuffer.baseAddress!, count: readBuffer.count)
            if n == 0 { return }
            try body(UnsafeRawBufferPointer(rebasing: readBuffer[..<n]))
        }
    }

    /// Maps the rest of a regular file read-only (nil for pipes, terminals, empty or unmappable
    /// files). Release with ``FileMapping/unmap()`` once every borrowed block is done.
    func mapRemainder() -> FileMapping? {
        guard let size = regularFileSize else { return nil }
        let start = Int(lseek(fd, 0, SEEK_CUR))
        guard start >= 0, start < size else { return nil }
        guard let map = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else { return nil }
        _ = madvise(map, size, MADV_SEQUENTIAL)
        _ = lseek(fd, off_t(size), SEEK_SET)
        return FileMapping(base: UnsafeRawPointer(map), size: size, start: start)
    }

    public func close() {
        if ownsDescriptor { _ = Glibc.close(fd) }
    }
}

/// Writes to a file descriptor with `write(2)`, retrying on EINTR and short writes.
public struct ByteSink: Sendable {
    public let fd: Int32
    public let name: String

    public static let standardOutput = ByteSink(fd: 1, name: "<stdout>")

    public init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
    }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(FilterIOError) {
        guard var p = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let n = Glibc.write(fd, p, remaining)
            if n < 0 {
                if errno == EINTR { continue }
                throw FilterIOError(operation: .write, path: name, errno: errno)
            }
            p += n
            remaining -= n
        }
    }
}

extension ByteSink {
    /// Writes the bytes of `pieces` in order with `writev(2)`, retrying on EINTR and short writes
    /// (`pieces` is changed: the entries a short write left are moved on).
    func write(gathering pieces: UnsafeMutableBufferPointer<iovec>) throws(FilterIOError) {
        var first = 0
        while first < pieces.count {
            let n = writev(fd, pieces.baseAddress! + first, Int32(pieces.count - first))
            if n < 0 {
                if errno == EINTR { continue }
                throw FilterIOError(operation: .write, path: name, errno: errno)
            }
            first = Self.advance(pieces, from: first, written: n)
        }
    }

    /// After a write of `written` bytes of pieces[first...]: the first piece not written whole
    /// (pieces.count when all were), with its written part cut off.
    static func advance(_ pieces: UnsafeMutableBufferPointer<iovec>, from first: Int, written: Int) -> Int {
        var first = first, written = written
        while first < pieces.count && written >= pieces[first].iov_len {
            written -= pieces[first].iov_len
            first += 1
        }
        if written > 0 {
            pieces[first].iov_base += written
            pieces[first].iov_len -= written
        }
        return first
    }
}

/// Output pieces collected and written with one `writev(2)` per ``flush()`` (or when 1,024, the
/// Linux `IOV_MAX`, are waiting): the sequential filter's writer, so a block with few
/// replacements goes out as slices of its input and the tokens, without being copied into one
/// buffer. A piece must stay valid until the next flush.
final class GatheringWriter {
    let sink: ByteSink
    private let pieces: UnsafeMutableBufferPointer<iovec>
    private var count = 0

    init(sink: ByteSink, capacity: Int = 1024) {
        self.sink = sink
        pieces = .allocate(capacity: capacity)
    }

    deinit { pieces.deallocate() }

    func append(_ bytes: UnsafeRawBufferPointer) throws(FilterIOError) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        if count == pieces.count { try flush() }
        pieces[count] = iovec(iov_base: UnsafeMutableRawPointer(mutating: base), iov_len: bytes.count)
        count += 1
    }

    func flush() throws(FilterIOError) {
        guard count > 0 else { return }
        defer { count = 0 }
        try sink.write(gathering: UnsafeMutableBufferPointer(rebasing: pieces[..<count]))
    }
}

/// A read-only whole-file mapping whose slices the parallel pipeline hands to workers without
/// copying. Pages are dropped (`MADV_DONTNEED`) as blocks are written, so resident memory stays
/// bounded by the blocks in flight; a dropped page touched again is re-read from the file.
struct FileMapping: @unchecked Sendable {
    // SAFETY: the mapping is read-only and outlives every block borrowed from it (unmapped only
    // after all pipeline threads are joined).
    let base: UnsafeRawPointer
    let size: Int
    let start: Int

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base + start, count: size - start) }

    func contains(_ block: UnsafeRawBufferPointer) -> Bool {
        guard let p = block.baseAddress else { return false }
        return p >= base && p + block.count <= base + size
    }

    /// Drops the whole pages inside `block` from memory.
    func release(_ block: UnsafeRawBufferPointer) {
        guard let p = block.baseAddress, contains(block) else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let from = ((p - base + page - 1) / page) * page
        let to = ((p - base + block.count) / page) * page
        if to > from { _ = madvise(UnsafeMutableRawPointer(mutating: base + from), to - from, MADV_DONTNEED) }
    }

    func unmap() {
        munmap(UnsafeMutableRawPointer(mutating: base), size)
    }
}

/// Drops the pages of blocks lent from file mappings once they are written, so resident memory
/// stays bounded whatever the file size. Pages go in batches of >= 16 MiB: each MADV_DONTNEED in
/// a multi-threaded process costs a TLB shootdown on every core.
///
/// Used by the writer thread of ``TextFilter`` and ``LineFilter`` only.
struct PageReleaser {
    private var pending: (mapping: FileMapping, start: UnsafeRawPointer, end: UnsafeRawPointer)?

    /// Adds a written block (nil: nothing lent); releases the batch when it is large enough.
    mutating func add(_ loan: (bytes: UnsafeRawBufferPointer, mapping: FileMapping)?) {
        guard let loan, let start = loan.bytes.baseAddress else { return }
        if let batch = pending, batch.mapping.base == loan.mapping.base, start >= batch.end {
            pending = (batch.mapping, batch.start, start + loan.bytes.count)
        } else {
            flush()
            pending = (loan.mapping, start, start + loan.bytes.count)
        }
        if let batch = pending, batch.end - batch.start >= 16 << 20 { flush() }
    }

    /// Releases what is pending.
    mutating func flush() {
        guard let batch = pending else { return }
        batch.mapping.release(UnsafeRawBufferPointer(start: batch.start, count: batch.end - batch.start))
        pending = nil
    }
}
