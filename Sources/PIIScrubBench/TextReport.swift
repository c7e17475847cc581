#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Fixed-point formatting without Foundation's locale machinery.
func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "-" }
    var scale = 1.0
    for _ in 0 ..< digits { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let whole = Int(scaled / scale)
    let fraction = Int(scaled - Double(whole) * scale)
    var text = String(whole)
    if digits > 0 {
        let f = String(fraction)
        text += "." + String(repeating: "0", count: digits - f.count) + f
    }
    return (value < 0 && scaled != 0 ? "-" : "") + text
}

func optional(_ value: Double?, _ digits: Int = 3) -> String { value.map { fixed($0, digits) } ?? "-" }

func signed(_ value: Double?, _ digits: Int = 3) -> String {
    guard let value else { return "-" }
    return (value >= 0 ? "+" : "") + fixed(value, digits)
}

func percent(_ value: Double) -> String { fixed(value * 100, 1) + "%" }

extension BenchReport {
    /// The terminal report: one table per set, then the comparison when there are two.
    public func renderText() -> String {
        var out = "corpus \(corpus): \(records) records, \(bytes) bytes, \(labelled ? "labelled" : "unlabelled (speed only)")\n"
        for run in runs {
            out += "\n== set \(run.name) (\(run.source)): \(fixed(run.megabytesPerSecond, 1)) MB/s whole set, "
                + "\(run.failures) failed records"
                + (run.scaling.map { ", growth \(fixed($0.growth, 2))x \($0.input)" } ?? "")
                + (run.flags.map { $0.isEmpty ? "" : " " + $0.joined(separator: ",") } ?? "") + "\n"
            var rows = [["pattern", "type", "MB/s alone", "time", "candidates", "matches", "conf/cand", "growth", "flags"]]
            for p in run.patterns {
                rows.append([p.id, p.type, fixed(p.megabytesPerSecond, 1), percent(p.timeShare), String(p.candidates),
                             String(p.matches), p.candidates > 0 ? percent(Double(p.matches) / Double(p.candidates)) : "-",
                             p.scaling.map { fixed($0.growth, 2) + "x " + $0.input } ?? "-",
                             p.flags.isEmpty ? "" : p.flags.joined(separator: ",")])
            }
            out += table(rows, rightAligned: [2, 3, 4, 5, 6])
            if labelled {
                out += "\n"
                var typeRows = [["type", "patterns", "labelled", "TP", "FN", "FP", "keep lost", "partial", "precision",
                                 "recall", "F1"]]
                for t in run.types + [run.overall] {
                    typeRows.append([t.type, t.type == "all" ? "" : (t.patterns.isEmpty ? "(none)" : abbreviated(t.patterns)),
                                     String(t.labelled), String(t.truePositives), String(t.falseNegatives),
                                     String(t.falsePositives), String(t.keepLost), String(t.partial), optional(t.precision),
                                     optional(t.recall), optional(t.f1)])
                }
                out += table(typeRows, rightAligned: [2, 3, 4, 5, 6, 7, 8, 9, 10])
                out += examples("worst misses", run.misses)
                out += examples("worst false positives", run.falsePositives)
            }
        }
        if runs.count == 2 {
            let (a, b) = (runs[0], runs[1])
            out += "\n== \(a.name) vs \(b.name) (B - A)\n"
            out += "whole set MB/s: \(fixed(a.megabytesPerSecond, 1)) -> \(fixed(b.megabytesPerSecond, 1)) "
                + "(\(signed((b.megabytesPerSecond / max(a.megabytesPerSecond, 1e-9) - 1) * 100, 1))%)\n"
            if labelled {
                var rows = [["type", "P A", "P B", "dP", "R A", "R B", "dR", "F1 A", "F1 B", "dF1"]]
                for d in TypeDelta.all(a, b) {
                    rows.append([d.type, optional(d.a?.precision), optional(d.b?.precision), signed(d.precisionDelta),
                                 optional(d.a?.recall), optional(d.b?.recall), signed(d.recallDelta),
                                 optional(d.a?.f1), optional(d.b?.f1), signed(d.f1Delta)])
                }
                out += table(rows, rightAligned: Array(1 ... 9))
            }
        }
        return out
    }

    private func examples(_ title: String, _ list: [ErrorExample]) -> String {
        guard !list.isEmpty else { return "\(title): none\n" }
        var out = "\(title)\(showValues ? "" : " (values hidden; --show-values to print context)"):\n"
        for e in list {
            out += "  line \(e.line) bytes \(e.start)..<\(e.end) \(e.patternID ?? "-")/\(e.type) \(e.kind)"
            if let context = e.context { out += "  \"\(context)\"" }
            out += "\n"
        }
        return out
    }

    /// The report as pretty JSON.
    public func renderJSON() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try encoder.encode(self)) + [0x0A]
    }
}

/// One kind's scores in A and B.
public struct TypeDelta: Sendable {
    public var type: String
    public var a: TypeScore?
    public var b: TypeScore?

    public var precisionDelta: Double? { diff(a?.precision, b?.precision) }
    public var recallDelta: Double? { diff(a?.recall, b?.recall) }
    public var f1Delta: Double? { diff(a?.f1, b?.f1) }

    private func diff(_ x: Double?, _ y: Double?) -> Double? {
        guard let x, let y else { return nil }
        return y - x
    }

    /// The union of both runs' kinds, sorted.
    public static func all(_ a: SetReport, _ b: SetReport) -> [TypeDelta] {
        let types = Set(a.types.map(\.type)).union(b.types.map(\.type)).sorted()
        return types.map { t in TypeDelta(type: t, a: a.types.first { $0.type == t }, b: b.types.first { $0.type == t }) }
    }
}

/// Left/right aligned columns separated by two spaces.
func table(_ rows: [[String]], rightAligned: [Int]) -> String {
    guard let header = rows.first else { return "" }
    var widths = Array(repeating: 0, count: header.count)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    var out = ""
    for row in rows {
        var line = ""
        for (i, cell) in row.enumerated() {
            let pad = String(repeating: " ", count: widths[i] - cell.count)
            line += (i > 0 ? "  " : "") + (rightAligned.contains(i) ? pad + cell : cell + (i == row.count - 1 ? "" : pad))
        }
        while line.hasSuffix(" ") { line.removeLast() }
        out += line + "\n"
    }
    return out
}

/// Pattern ids joined for a table cell, cut to about 40 characters with the total count.
func abbreviated(_ ids: [String], limit: Int = 40) -> String {
    let joined = ids.joined(separator: ",")
    guard joined.count > limit else { return joined }
    var shown = ""
    for id in ids where shown.count + id.count + 1 <= limit - 6 { shown += (shown.isEmpty ? "" : ",") + id }
    return shown + ",… (\(ids.count))"
}
