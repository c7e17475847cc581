#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PIIScrub

/// One labelled value: its kind and its exact text.
public struct Label: Codable, Sendable, Hashable {
    public var type: String
    public var value: String
    public init(type: String, value: String) {
        self.type = type
        self.value = value
    }
}

/// One record of a corpus: a payload and, for a labelled corpus, what must go and what must stay.
public struct CorpusRecord: Sendable {
    /// The payload as UTF-8 bytes.
    public var bytes: [UInt8]
    /// Values that must disappear from the scrubbed text.
    public var pii: [Label]
    /// Values that must survive scrubbing (hard negatives).
    public var keep: [String]
    /// 1-based line number in the corpus file.
    public var line: Int

    public init(bytes: [UInt8], pii: [Label] = [], keep: [String] = [], line: Int) {
        self.bytes = bytes
        self.pii = pii
        self.keep = keep
        self.line = line
    }
}

/// A benchmark corpus: plain text (one record per line) or labelled JSONL (docs/BENCH.md).
public struct Corpus: Sendable {
    public var name: String
    public var records: [CorpusRecord]
    public var isLabelled: Bool

    public var byteCount: Int { records.reduce(0) { $0 + $1.bytes.count } }

    public init(name: String, records: [CorpusRecord], isLabelled: Bool) {
        self.name = name
        self.records = records
        self.isLabelled = isLabelled
    }

    private struct RecordFile: Decodable {
        var text: String
        var pii: [Label]?
        var keep: [KeepEntry]?
    }

    /// A hard negative: the value as a string, or `{"type": …, "value": …}` like a `pii` entry
    /// (the form `tools/gen_eval_corpus.py` writes; the type is kept for reading, not scored).
    private struct KeepEntry: Decodable {
        var value: String

        init(from decoder: any Decoder) throws {
            if let value = try? decoder.singleValueContainer().decode(String.self) {
                self.value = value
            } else {
                self.value = try Label(from: decoder).value
            }
        }
    }

    /// Loads a corpus file. A file whose first non-blank line starts with `{` is labelled JSONL,
    /// and every non-blank line must then be a record object; anything else is plain text.
    ///
    /// - Throws: ``BenchError`` with the file and line number (never the line's content).
    public static func load(path: String) throws -> Corpus {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw BenchError("cannot read corpus \(path)")
        }
        return try parse(Array(data), name: path)
    }

    /// Parses corpus bytes (see ``load(path:)``).
    public static func parse(_ bytes: [UInt8], name: String) throws -> Corpus {
        var lines: [ArraySlice<UInt8>] = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        let firstNonBlank = lines.first { line in line.contains { !isBlank($0) } }
        let labelled = firstNonBlank?.first { !isBlank($0) } == UInt8(ascii: "{")
        var records: [CorpusRecord] = []
        if labelled {
            let decoder = JSONDecoder()
            for (index, line) in lines.enumerated() where line.contains(where: { !isBlank($0) }) {
                let record: RecordFile
                do { record = try decoder.decode(RecordFile.self, from: Data(line)) } catch {
                    throw BenchError("\(name):\(index + 1): not a labelled record {\"text\", \"pii\", \"keep\"}")
                }
                let pii = (record.pii ?? []).map { Label(type: PIITypes.normalize(label: $0.type), value: $0.value) }
                records.append(CorpusRecord(bytes: Array(record.text.utf8), pii: pii.filter { !$0.value.isEmpty },
                                            keep: (record.keep ?? []).map(\.value).filter { !$0.isEmpty }, line: index + 1))
            }
        } else {
            for (index, line) in lines.enumerated() {
                records.append(CorpusRecord(bytes: Array(line), line: index + 1))
            }
        }
        return Corpus(name: name, records: records, isLabelled: labelled)
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D
    }
}

/// An error of the bench harness; its message never contains corpus text.
public struct BenchError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// All start offsets of `needle` in `haystack` (non-overlapping, left to right).
func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> [Range<Int>] {
    guard !needle.isEmpty, needle.count <= haystack.count else { return [] }
    var result: [Range<Int>] = []
    let first = needle[0]
    var i = 0
    let last = haystack.count - needle.count
    while i <= last {
        if haystack[i] == first {
            var j = 1
            while j < needle.count && haystack[i + j] == needle[j] { j += 1 }
            if j == needle.count {
                result.append(i ..< i + needle.count)
                i += needle.count
                continue
            }
        }
        i += 1
    }
    return result
}

/// Printable ASCII kept, `"` and `\` escaped, everything else as `\u{..}` or `\n`; for the
/// `--show-values` context only.
public func escapedContext(_ bytes: ArraySlice<UInt8>) -> String {
    var out = ""
    for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
        switch scalar.value {
        case 0x0A: out += "\\n"
        case 0x09: out += "\\t"
        case 0x22: out += "\\\""
        case 0x5C: out += "\\\\"
        case 0x20 ..< 0x7F: out.unicodeScalars.append(scalar)
        default: out += "\\u{\(String(scalar.value, radix: 16))}"
        }
    }
    return out
}
