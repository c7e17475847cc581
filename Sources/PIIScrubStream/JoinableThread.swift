#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A POSIX thread running one closure, joined explicitly.
///
/// Used instead of Foundation's `Thread` so the command-line tool does not link Foundation (whose
/// start-up cost is a large share of a short run).
final class JoinableThread: @unchecked Sendable {
    // SAFETY: `handle` is written once in `init` before any other thread can see `self`, and read
    // only by `join`, which the creating thread calls.
    private var handle = pthread_t()

    private final class Box {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }

    init(_ body: @escaping @Sendable () -> Void) {
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, 1 << 20)
        // SAFETY: the box is retained here and released exactly once by the thread's entry point.
        let rc = pthread_create(&handle, &attributes, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, box)
        pthread_attr_destroy(&attributes)
        precondition(rc == 0, "pthread_create failed: \(rc)")
    }

    func join() {
        pthread_join(handle, nil)
    }
}
