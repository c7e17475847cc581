import PIIScrub
internal import CPIIScan

/// The buffers of ``CPIIScan_jsonCollectFlat`` besides the batch: slots, keys and the container
/// stack, grown on demand and kept across documents.
///
/// ## Thread safety
/// Not `Sendable`; owned by one ``JSONScrubber/Worker``.
final class FlatBuffers {
    @exclusivity(unchecked) private(set) var slots: UnsafeMutablePointer<CPIIScan_JSONSlot>
    @exclusivity(unchecked) private(set) var slotCapacity: Int
    @exclusivity(unchecked) private(set) var keys: UnsafeMutablePointer<CPIIScan_JSONKey>
    @exclusivity(unchecked) private(set) var keyCapacity: Int
    let stackKinds: UnsafeMutablePointer<UInt8>
    let stackKeys: UnsafeMutablePointer<Int32>
    let maxDepth: Int

    init(maxDepth: Int) {
        self.maxDepth = maxDepth
        slotCapacity = maxDepth > 0 ? 256 : 1
        keyCapacity = slotCapacity
        slots = .allocate(capacity: slotCapacity)
        keys = .allocate(capacity: keyCapacity)
        stackKinds = .allocate(capacity: max(1, maxDepth))
        stackKeys = .allocate(capacity: max(1, maxDepth))
    }

    deinit {
        slots.deallocate()
        keys.deallocate()
        stackKinds.deallocate()
        stackKeys.deallocate()
    }

    /// Doubles the slot storage, keeping the first `kept` slots (the caller collects the rest
    /// again).
    func growSlots(keeping kept: Int = 0) {
        let grown = UnsafeMutablePointer<CPIIScan_JSONSlot>.allocate(capacity: slotCapacity * 2)
        grown.update(from: slots, count: kept)
        slots.deallocate()
        slotCapacity *= 2
        slots = grown
    }

    func growKeys() {
        keys.deallocate()
        keyCapacity *= 2
        keys = .allocate(capacity: keyCapacity)
    }

    /// Gives back what a very long document grew.
    func trim() {
        if slotCapacity > 1 << 16 {
            slots.deallocate()
            slotCapacity = 256
            slots = .allocate(capacity: slotCapacity)
        }
        if keyCapacity > 1 << 16 {
            keys.deallocate()
            keyCapacity = 256
            keys = .allocate(capacity: keyCapacity)
        }
    }
}

extension JSONScrubber.Worker {
    /// Pass 1 of a `--flat` document in C: fills the batch and `flat.slots` (``slotCount``,
    /// ``slotStart(_:)`` and ``slotToken(_:)`` read them; ``slotStarts`` and ``slotTokens`` stay
    /// empty). Returns false when the document is not valid JSON, and then leaves the batch in an
    /// unspecified state and ``cSlotCount`` at -1.
    func collectFlat(_ base: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        batch.count = 0
        batch.reserve(count + 64)
        cSlotCount = -1
        while true {
            var b = flatBatch(batchCount: 0, slotCount: 0)
            switch CPIIScan_jsonCollectFlat(base, count, &b) {
            case 1:
                batch.count = b.batchCount
                batchPoisoned = b.poisoned != 0
                // Read in place: copying each slot into Swift arrays cost 3.5 % of `jsonl --flat`.
                cSlotCount = b.slotCount
                return true
            case 0:
                return false
            default:
                // A buffer was full: grow the one that was and collect again.
                if b.slotCount == flat.slotCapacity {
                    flat.growSlots()
                } else if b.keyCount == flat.keyCapacity {
                    flat.growKeys()
                } else {
                    batch.reserve(batch.capacity)
                }
            }
        }
    }

    /// Sets ``pathBytes`` to the field path of a value whose innermost key is `key` (an index
    /// into the keys ``collectFlat(_:_:)`` recorded; -1 for none): keys decoded, joined by `.`.
    func loadKeyPath(_ key: Int, _ base: UnsafePointer<UInt8>) {
        pathBytes.count = 0
        keyChain.removeAll(keepingCapacity: true)
        var k = key
        while k >= 0 {
            keyChain.append(Int32(k))
            k = Int(flat.keys[k].parentKey)
        }
        for (n, index) in keyChain.reversed().enumerated() {
            if n > 0 { pathBytes.append(UInt8(ascii: ".")) }
            let entry = flat.keys[Int(index)]
            let start = Int(entry.start) + 1
            let length = Int(entry.end) - 1 - start
            if entry.hasEscape != 0 {
                var style = StringStyle()
                // Decoded once already when the document was validated.
                _ = decodeEscapes(base + start, length, into: decode[0], style: &style)
                pathBytes.append(decode[0].base, decode[0].count)
            } else {
                pathBytes.append(base + start, length)
            }
        }
    }
}

extension JSONScrubber.Worker {
    /// The collector's state over this worker's buffers, appending after `batchCount` bytes and
    /// `slotCount` slots (keys always start at 0).
    @inline(__always)
    func flatBatch(batchCount: Int, slotCount: Int) -> CPIIScan_JSONFlatBatch {
        CPIIScan_JSONFlatBatch(
            batch: batch.base, batchCapacity: batch.capacity, batchCount: batchCount,
            slots: flat.slots, slotCapacity: flat.slotCapacity, slotCount: slotCount,
            keys: flat.keys, keyCapacity: flat.keyCapacity, keyCount: 0,
            stackKinds: flat.stackKinds, stackKeys: flat.stackKeys, maxDepth: flat.maxDepth,
            trigger: triggerFilter.table, triggerNibbles: triggerFilter.nibbles,
            triggerGroups: triggerFilter.groups, groupsFitting: triggerFilter.fitting,
            fittingCount: triggerFilter.fittingCount,
            separator: batchSeparator, vector: vectorStringScan ? 1 : 0, poisoned: 0)
    }

    /// Strings in the batch: the C collector's slots, or the walk's.
    @inline(__always)
    var slotCount: Int { cSlotCount >= 0 ? cSlotCount : slotStarts.count }

    /// Where slot `k`'s text starts in the batch.
    @inline(__always)
    func slotStart(_ k: Int) -> Int { cSlotCount >= 0 ? Int(flat.slots[k].batchStart) : slotStarts[k] }

    /// Slot `k`'s token in the document (for C slots, `pathOffset` is the innermost key's index).
    @inline(__always)
    func slotToken(_ k: Int) -> SlotToken {
        cSlotCount >= 0 ? cSlotToken(k) : slotTokens[k]
    }

    /// The token of the C collector's slot `k`.
    @inline(__always)
    func cSlotToken(_ k: Int) -> SlotToken {
        let slot = flat.slots[k]
        var style = StringStyle()
        style.add(decodeFlags: slot.flags)
        return SlotToken(start: Int(slot.start), end: Int(slot.end), style: style, pathOffset: Int(slot.parentKey),
                         pathLength: 0)
    }
}
