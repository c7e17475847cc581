#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The keep and only field rules as a trie of path segments, flattened for the per-key step of
/// the field-rule frames (``RuleFrames``). Node 0 is the root; a node at depth d stands for the
/// first d segments shared by one or more rules, and its flags say whether a keep rule or an only
/// rule ends there and whether an only rule goes on below. A key push looks for the key among a
/// node's literal children (length and first 8 bytes reject most in one comparison, in one
/// contiguous run) and takes its `*` child: a Langfuse OTLP body's span objects meet 17 rules but
/// one node with 8 children. Plain buffers, so no reference counting.
///
/// ## Thread safety
/// Immutable after `init`; owned by one worker.
final class RuleTable {
    let nodeCount: Int
    /// No rule has a `*` segment: every frame holds at most one node (the Langfuse rules).
    let singlePath: Bool
    /// Per node: ``RuleFrames/keepEnds``... bits, its literal children (`childCount` edges from
    /// `firstChild`), and its `*` child (-1: none).
    private let nodeFlags: UnsafeMutableBufferPointer<UInt8>
    private let firstChild: UnsafeMutableBufferPointer<Int>
    private let childCount: UnsafeMutableBufferPointer<Int>
    private let wildcardChild: UnsafeMutableBufferPointer<Int>
    /// Per literal edge: the segment's byte length, first 8 bytes (little-endian, zero-padded),
    /// offset in `bytes`, and the child node.
    private let edgeLengths: UnsafeMutableBufferPointer<Int>
    private let edgeHeads: UnsafeMutableBufferPointer<UInt64>
    private let edgeOffsets: UnsafeMutableBufferPointer<Int>
    private let edgeNodes: UnsafeMutableBufferPointer<Int>
    private let bytes: UnsafeMutableBufferPointer<UInt8>

    init(keep: [FieldPath], only: [FieldPath]) {
        // Build with arrays, then flatten: node n's literal children in insertion order.
        var literal: [[(segment: [UInt8], node: Int)]] = [[]]
        var wildcard: [Int] = [-1]
        var flags: [UInt8] = [0]
        for (isKeep, rule) in keep.map({ (true, $0) }) + only.map({ (false, $0) }) {
            var node = 0
            for (d, part) in rule.segments.enumerated() {
                if !isKeep { flags[node] |= RuleFrames.onlyContinues }
                let next: Int
                if part == [UInt8(ascii: "*")] {
                    if wildcard[node] < 0 {
                        wildcard[node] = flags.count
                        literal.append([])
                        wildcard.append(-1)
                        flags.append(0)
                    }
                    next = wildcard[node]
                } else if let edge = literal[node].first(where: { $0.segment == part }) {
                    next = edge.node
                } else {
                    next = flags.count
                    literal[node].append((part, next))
                    literal.append([])
                    wildcard.append(-1)
                    flags.append(0)
                }
                node = next
                if d == rule.segments.count - 1 { flags[node] |= isKeep ? RuleFrames.keepEnds : RuleFrames.onlyEnds }
            }
        }
        nodeCount = flags.count
        singlePath = wildcard.allSatisfy { $0 < 0 }
        let edgeTotal = literal.reduce(0) { $0 + $1.count }
        let byteTotal = literal.reduce(0) { $0 + $1.reduce(0) { $0 + $1.segment.count } }
        nodeFlags = .allocate(capacity: nodeCount)
        firstChild = .allocate(capacity: nodeCount)
        childCount = .allocate(capacity: nodeCount)
        wildcardChild = .allocate(capacity: nodeCount)
        edgeLengths = .allocate(capacity: max(1, edgeTotal))
        edgeHeads = .allocate(capacity: max(1, edgeTotal))
        edgeOffsets = .allocate(capacity: max(1, edgeTotal))
        edgeNodes = .allocate(capacity: max(1, edgeTotal))
        bytes = .allocate(capacity: max(1, byteTotal))
        var edge = 0
        var offset = 0
        for node in 0..<nodeCount {
            nodeFlags[node] = flags[node]
            wildcardChild[node] = wildcard[node]
            firstChild[node] = edge
            childCount[node] = literal[node].count
            for (segment, child) in literal[node] {
                edgeLengths[edge] = segment.count
                edgeHeads[edge] = segment.withUnsafeBytes { Self.head($0) }
                edgeOffsets[edge] = offset
                edgeNodes[edge] = child
                for b in segment {
                    bytes[offset] = b
                    offset += 1
                }
                edge += 1
            }
        }
    }

    deinit {
        nodeFlags.deallocate()
        firstChild.deallocate()
        childCount.deallocate()
        wildcardChild.deallocate()
        edgeLengths.deallocate()
        edgeHeads.deallocate()
        edgeOffsets.deallocate()
        edgeNodes.deallocate()
        bytes.deallocate()
    }

    /// The first 8 bytes of `key`, little-endian, zero-padded: one load from 8 bytes on, two
    /// overlapping ones from 4 (a key push computes one per key).
    @inline(__always)
    static func head(_ key: UnsafeRawBufferPointer) -> UInt64 {
        let n = key.count
        guard let p = key.baseAddress else { return 0 }
        if n >= 8 { return UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)) }
        if n >= 4 {
            let low = UInt64(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)))
            return low | high << (8 * UInt64(n - 4))
        }
        var value: UInt64 = 0
        for i in 0..<n { value |= UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << (8 * UInt64(i)) }
        return value
    }

    @inline(__always)
    func flags(_ node: Int) -> UInt8 { nodeFlags[node] }

    @inline(__always)
    func wildcard(_ node: Int) -> Int { wildcardChild[node] }

    /// The child of `node` along the literal segment `key` (whose ``head(_:)`` is `keyHead`), or -1.
    @inline(__always)
    func literalChild(_ node: Int, key: UnsafeRawBufferPointer, keyHead: UInt64) -> Int {
        let first = firstChild[node]
        for e in first..<first + childCount[node] {
            let length = edgeLengths[e]
            guard length == key.count, edgeHeads[e] == keyHead else { continue }
            if length <= 8 || memcmp(bytes.baseAddress! + edgeOffsets[e] + 8, key.baseAddress! + 8, length - 8) == 0 {
                return edgeNodes[e]
            }
        }
        return -1
    }
}

/// The field-rule trie nodes alive along the current path, by depth (see ``JSONScrubber/Worker``):
/// frame d holds the nodes (``RuleTable``) whose d segments match the path's first d (more than
/// one only through `*`), `node(at:)` for k in `frame(d)`. Frame 0 holds the root. Plain
/// buffers: a key push costs no array bookkeeping.
///
/// ## Thread safety
/// Not `Sendable`; owned by one worker.
final class RuleFrames {
    private var nodes: UnsafeMutablePointer<Int32>
    private var nodeCapacity: Int
    private var bounds: UnsafeMutablePointer<Int>
    /// Per frame: ``keepEnds``, ``onlyEnds``, ``onlyContinues`` bits of the nodes in it.
    private var flags: UnsafeMutablePointer<UInt8>
    private var boundCapacity: Int
    /// Frames 0 ..< `count` are stored (`bounds` has `count + 1` entries).
    private var count = 1
    private var top: Int

    /// A keep rule ends at this depth (the field is kept).
    static let keepEnds: UInt8 = 1
    /// An only rule ends at this depth (the field is selected).
    static let onlyEnds: UInt8 = 2
    /// An only rule goes deeper than this depth.
    static let onlyContinues: UInt8 = 4

    init(table: RuleTable) {
        nodeCapacity = max(64, 4 * table.nodeCount)
        nodes = .allocate(capacity: nodeCapacity)
        nodes[0] = 0
        boundCapacity = 64
        bounds = .allocate(capacity: boundCapacity)
        flags = .allocate(capacity: boundCapacity)
        bounds[0] = 0
        bounds[1] = 1
        // Every rule has at least one segment: at the root only "only rules go deeper" can hold.
        flags[0] = table.flags(0)
        top = 1
    }

    deinit {
        nodes.deallocate()
        bounds.deallocate()
        flags.deallocate()
    }

    @inline(__always)
    func flags(_ depth: Int) -> UInt8 { flags[depth] }

    @inline(__always)
    func frame(_ depth: Int) -> Range<Int> { bounds[depth]..<bounds[depth + 1] }

    @inline(__always)
    func node(at k: Int) -> Int { Int(nodes[k]) }

    /// Replaces the frames from `depth` on (1 ... the number stored) with the frame of a path
    /// whose segment `depth - 1` is `key`: the literal child named `key`, and the `*` child, of
    /// each node of frame `depth - 1`.
    @inline(__always)
    func push(depth: Int, key: UnsafeRawBufferPointer, in table: RuleTable) {
        if table.singlePath {
            pushSingle(depth: depth, key: key, in: table)
            return
        }
        startFrame(depth)
        let parent = frame(depth - 1)
        var frameFlags: UInt8 = 0
        if !parent.isEmpty {
            let keyHead = RuleTable.head(key)
            for k in parent {
                let node = node(at: k)
                let child = table.literalChild(node, key: key, keyHead: keyHead)
                if child >= 0 {
                    append(child)
                    frameFlags |= table.flags(child)
                }
                let any = table.wildcard(node)
                if any >= 0 {
                    append(any)
                    frameFlags |= table.flags(any)
                }
            }
        }
        endFrame(flags: frameFlags)
    }

    /// ``push(depth:key:in:)`` when no rule has a `*`: frame `depth - 1` holds at most one node,
    /// so frame `depth` is its literal child named `key` or nothing (a 1 MiB OTLP body pushes
    /// 17,000 keys; no frame loop, no capacity check per node).
    @inline(__always)
    private func pushSingle(depth: Int, key: UnsafeRawBufferPointer, in table: RuleTable) {
        precondition(depth >= 1 && depth <= count, "rule frame out of order")
        if depth + 2 > boundCapacity { growBounds() }
        let start = bounds[depth]
        var end = start
        var frameFlags: UInt8 = 0
        if bounds[depth - 1] < start {
            let child = table.literalChild(Int(nodes[start - 1]), key: key, keyHead: RuleTable.head(key))
            if child >= 0 {
                nodes[start] = Int32(child)
                end += 1
                frameFlags = table.flags(child)
            }
        }
        bounds[depth + 1] = end
        flags[depth] = frameFlags
        count = depth + 1
        top = end
    }

    /// Doubles the frame bounds and flags (and the nodes, to at least as many: one node per
    /// frame fits in single-path mode).
    @inline(never)
    private func growBounds() {
        let bigger = UnsafeMutablePointer<Int>.allocate(capacity: 2 * boundCapacity)
        bigger.update(from: bounds, count: count + 1)
        bounds.deallocate()
        bounds = bigger
        let biggerFlags = UnsafeMutablePointer<UInt8>.allocate(capacity: 2 * boundCapacity)
        biggerFlags.update(from: flags, count: count)
        flags.deallocate()
        flags = biggerFlags
        boundCapacity *= 2
        if nodeCapacity < boundCapacity {
            let biggerNodes = UnsafeMutablePointer<Int32>.allocate(capacity: boundCapacity)
            biggerNodes.update(from: nodes, count: top)
            nodes.deallocate()
            nodes = biggerNodes
            nodeCapacity = boundCapacity
        }
    }

    /// Drops frames `depth` and deeper (frames 0 ..< `depth` must be stored) and starts frame
    /// `depth`, empty.
    @inline(__always)
    func startFrame(_ depth: Int) {
        precondition(depth >= 1 && depth <= count, "rule frame out of order")
        count = depth
        top = bounds[depth]
    }

    @inline(__always)
    func append(_ node: Int) {
        if top == nodeCapacity {
            let bigger = UnsafeMutablePointer<Int32>.allocate(capacity: 2 * nodeCapacity)
            bigger.update(from: nodes, count: top)
            nodes.deallocate()
            nodes = bigger
            nodeCapacity *= 2
        }
        nodes[top] = Int32(node)
        top += 1
    }

    /// Closes the frame started by ``startFrame(_:)``, with the ``keepEnds``... bits of its nodes.
    @inline(__always)
    func endFrame(flags frameFlags: UInt8) {
        if count + 2 > boundCapacity { growBounds() }
        bounds[count + 1] = top
        flags[count] = frameFlags
        count += 1
    }
}
