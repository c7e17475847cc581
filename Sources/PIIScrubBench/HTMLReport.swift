/// Escapes text for HTML element content and attribute values.
func html(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}

private let colorA = "#3b6fb6"
private let colorB = "#e08a2e"
private let colorGood = "#2e8b57"
private let colorBad = "#c0392b"

/// One bar of a horizontal bar chart.
struct Bar {
    var label: String
    var value: Double
    var color: String
    var text: String
}

/// Horizontal grouped bar chart as inline SVG: one group per row label, bars from 0 to `maximum`.
func barChart(title: String, groups: [(label: String, bars: [Bar])], maximum: Double, legend: [(String, String)]) -> String {
    let labelWidth = 170.0, chartWidth = 520.0, valueWidth = 90.0, barHeight = 14.0, gap = 10.0
    let rowHeights = groups.map { Double(max($0.bars.count, 1)) * barHeight + gap }
    let height = 40 + rowHeights.reduce(0, +) + 10
    let width = labelWidth + chartWidth + valueWidth
    var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
        + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(html(title))\">"
    svg += "<text x=\"0\" y=\"16\" class=\"ct\">\(html(title))</text>"
    var lx = labelWidth
    for (name, color) in legend {
        svg += "<rect x=\"\(fixed(lx, 1))\" y=\"24\" width=\"10\" height=\"10\" fill=\"\(color)\"/>"
        svg += "<text x=\"\(fixed(lx + 14, 1))\" y=\"33\" class=\"cl\">\(html(name))</text>"
        lx += 20 + Double(name.count) * 7
    }
    var y = 40.0
    let scale = maximum > 0 ? chartWidth / maximum : 0
    svg += "<line x1=\"\(labelWidth)\" y1=\"38\" x2=\"\(labelWidth)\" y2=\"\(fixed(height - 8, 1))\" stroke=\"#999\"/>"
    for (index, group) in groups.enumerated() {
        let groupHeight = Double(max(group.bars.count, 1)) * barHeight
        svg += "<text x=\"\(fixed(labelWidth - 6, 1))\" y=\"\(fixed(y + groupHeight / 2 + 4, 1))\" text-anchor=\"end\" class=\"cl\">"
            + "\(html(group.label))</text>"
        for (i, bar) in group.bars.enumerated() {
            let by = y + Double(i) * barHeight
            let w = max(0, min(chartWidth, bar.value * scale))
            svg += "<rect x=\"\(labelWidth)\" y=\"\(fixed(by + 1, 1))\" width=\"\(fixed(w, 1))\" height=\"\(fixed(barHeight - 2, 1))\" "
                + "fill=\"\(bar.color)\"><title>\(html(bar.label + ": " + bar.text))</title></rect>"
            svg += "<text x=\"\(fixed(labelWidth + w + 4, 1))\" y=\"\(fixed(by + barHeight - 3, 1))\" class=\"cv\">\(html(bar.text))</text>"
        }
        y += rowHeights[index]
    }
    return svg + "</svg>"
}

/// Diverging bar chart around zero as inline SVG (deltas B - A).
func deltaChart(title: String, rows: [(label: String, bars: [(name: String, value: Double?)])], limit: Double, unit: String) -> String {
    let labelWidth = 170.0, half = 260.0, barHeight = 14.0, gap = 10.0, valueWidth = 90.0
    let rowHeights = rows.map { Double(max($0.bars.count, 1)) * barHeight + gap }
    let height = 40 + rowHeights.reduce(0, +) + 10
    let width = labelWidth + 2 * half + valueWidth
    let zero = labelWidth + half
    var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
        + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(html(title))\">"
    svg += "<text x=\"0\" y=\"16\" class=\"ct\">\(html(title))</text>"
    svg += "<text x=\"\(labelWidth)\" y=\"33\" class=\"cl\">worse</text>"
    svg += "<text x=\"\(fixed(zero + half, 1))\" y=\"33\" text-anchor=\"end\" class=\"cl\">better</text>"
    svg += "<line x1=\"\(fixed(zero, 1))\" y1=\"38\" x2=\"\(fixed(zero, 1))\" y2=\"\(fixed(height - 8, 1))\" stroke=\"#666\"/>"
    let scale = limit > 0 ? half / limit : 0
    var y = 40.0
    for (index, row) in rows.enumerated() {
        let groupHeight = Double(max(row.bars.count, 1)) * barHeight
        svg += "<text x=\"\(fixed(labelWidth - 6, 1))\" y=\"\(fixed(y + groupHeight / 2 + 4, 1))\" text-anchor=\"end\" class=\"cl\">"
            + "\(html(row.label))</text>"
        for (i, bar) in row.bars.enumerated() {
            let by = y + Double(i) * barHeight
            guard let value = bar.value else {
                svg += "<text x=\"\(fixed(zero + 4, 1))\" y=\"\(fixed(by + barHeight - 3, 1))\" class=\"cv\">\(html(bar.name)) n/a</text>"
                continue
            }
            let w = min(half, abs(value) * scale)
            let x = value >= 0 ? zero : zero - w
            let text = "\(bar.name) \(signed(value, unit == "%" ? 1 : 3))\(unit)"
            svg += "<rect x=\"\(fixed(x, 1))\" y=\"\(fixed(by + 1, 1))\" width=\"\(fixed(max(w, 0.5), 1))\" height=\"\(fixed(barHeight - 2, 1))\" "
                + "fill=\"\(value >= 0 ? colorGood : colorBad)\"><title>\(html(text))</title></rect>"
            let tx = value >= 0 ? zero + w + 4 : zero + 4
            svg += "<text x=\"\(fixed(tx, 1))\" y=\"\(fixed(by + barHeight - 3, 1))\" class=\"cv\">\(html(text))</text>"
        }
        y += rowHeights[index]
    }
    return svg + "</svg>"
}

extension BenchReport {
    /// A self-contained HTML page: inline CSS and SVG, no scripts, no network assets.
    public func renderHTML() -> String {
        let setNames = runs.map(\.name).joined(separator: " vs ")
        // "A: seed" / "B: default": the letters keep the two apart even when both sets share a name.
        let labels = runs.count == 1 ? runs.map(\.name) : runs.enumerated().map { "\($0.offset == 0 ? "A" : "B"): \($0.element.name)" }
        var body = "<h1>pii-scrub bench: \(html(setNames))</h1>"
        body += "<p class=\"meta\">corpus <code>\(html(corpus))</code>: \(records) records, \(bytes) bytes, "
            + "\(labelled ? "labelled" : "unlabelled (speed only)"). Values are \(showValues ? "<b>shown</b> (--show-values)" : "hidden")."
            + " Scaling flag: growth above \(fixed(growthThreshold, 1))&#215; linear.</p>"
        body += "<div class=\"cards\">"
        for (i, run) in runs.enumerated() {
            let o = run.overall
            body += "<div class=\"card\" style=\"border-color:\(i == 0 ? colorA : colorB)\"><h2>\(i == 0 ? "A" : "B"): \(html(run.name))</h2>"
                + "<div class=\"big\">\(fixed(run.megabytesPerSecond, 1)) MB/s</div>"
                + (labelled ? "<div>precision \(optional(o.precision)) &#183; recall \(optional(o.recall)) &#183; F1 \(optional(o.f1))</div>" : "")
                + "<div>\(run.patterns.count) patterns &#183; \(run.failures) failed records</div>"
                + (run.scaling.map { s in
                    "<div>scaling \(fixed(s.growth, 2))&#215; (\(html(s.input)), \(s.smallBytes >> 10)&#8594;\(s.largeBytes >> 10) KiB)"
                        + "\((run.flags ?? []).isEmpty ? "" : " " + html((run.flags ?? []).joined(separator: ", ")))</div>"
                } ?? "")
                + "</div>"
        }
        body += "</div>"

        // Throughput per pattern.
        var ids: [String] = []
        for run in runs { for p in run.patterns where !ids.contains(p.id) { ids.append(p.id) } }
        var maxRate = 0.0
        let groups: [(label: String, bars: [Bar])] = ids.map { id in
            var bars: [Bar] = []
            for (i, run) in runs.enumerated() {
                if let p = run.patterns.first(where: { $0.id == id }) {
                    maxRate = max(maxRate, p.megabytesPerSecond)
                    bars.append(Bar(label: "\(labels[i]) \(id)", value: p.megabytesPerSecond, color: i == 0 ? colorA : colorB,
                                    text: "\(fixed(p.megabytesPerSecond, 1)) MB/s"))
                }
            }
            return (id, bars)
        }
        let legend = labels.enumerated().map { ($0.element, $0.offset == 0 ? colorA : colorB) }
        body += "<section><h2>Throughput per pattern (each pattern alone on the corpus)</h2>"
            + barChart(title: "MB/s per pattern", groups: groups, maximum: maxRate * 1.1, legend: legend) + "</section>"

        if labelled {
            var types: [String] = []
            for run in runs { for t in run.types where !types.contains(t.type) { types.append(t.type) } }
            types.sort()
            let prGroups: [(label: String, bars: [Bar])] = types.map { type in
                var bars: [Bar] = []
                for (i, run) in runs.enumerated() {
                    let t = run.types.first { $0.type == type }
                    let tag = runs.count > 1 ? "\(i == 0 ? "A" : "B") " : ""
                    if t?.patterns.isEmpty ?? true {
                        // No pattern of this type in the set: one line instead of two empty bars.
                        bars.append(Bar(label: "\(labels[i]) \(type)", value: 0, color: i == 0 ? colorA : colorB,
                                        text: "\(tag)no \(type) pattern; R \(optional(t?.recall))"))
                        continue
                    }
                    if let t, t.labelled == 0, t.precision == nil {
                        bars.append(Bar(label: "\(labels[i]) \(type)", value: 0, color: i == 0 ? colorA : colorB,
                                        text: "\(tag)nothing labelled or matched"))
                        continue
                    }
                    bars.append(Bar(label: "\(labels[i]) \(type) precision", value: t?.precision ?? 0,
                                    color: i == 0 ? colorA : colorB, text: "\(tag)P \(optional(t?.precision))"))
                    bars.append(Bar(label: "\(labels[i]) \(type) recall", value: t?.recall ?? 0,
                                    color: i == 0 ? "#8fb3e3" : "#f3c28e", text: "\(tag)R \(optional(t?.recall))"))
                }
                return (type, bars)
            }
            var prLegend: [(String, String)] = []
            for i in runs.indices {
                prLegend.append(("\(labels[i]) precision", i == 0 ? colorA : colorB))
                prLegend.append(("\(labels[i]) recall", i == 0 ? "#8fb3e3" : "#f3c28e"))
            }
            body += "<section><h2>Precision and recall per type</h2>"
                + barChart(title: "precision / recall (0 to 1)", groups: prGroups, maximum: 1.0, legend: prLegend) + "</section>"
        }

        if runs.count == 2 {
            let (a, b) = (runs[0], runs[1])
            body += "<section><h2>B (\(html(b.name))) minus A (\(html(a.name)))</h2>"
                + "<p class=\"meta\">Scores are exact. Speeds are the best of three rounds per pattern; on a shared machine, "
                + "run-to-run differences of tens of percent can be noise (raise --min-time, or run twice).</p>"
            if labelled {
                let rows = TypeDelta.all(a, b).map { d in
                    (label: d.type, bars: [(name: "P", value: d.precisionDelta), (name: "R", value: d.recallDelta),
                                           (name: "F1", value: d.f1Delta)])
                }
                body += deltaChart(title: "score deltas per type (B - A)", rows: rows, limit: 1.0, unit: "")
            }
            let common = ids.filter { id in a.patterns.contains { $0.id == id } && b.patterns.contains { $0.id == id } }
            var speedRows = common.map { id -> (label: String, bars: [(name: String, value: Double?)]) in
                let pa = a.patterns.first { $0.id == id }!, pb = b.patterns.first { $0.id == id }!
                return (id, [(name: "MB/s", value: (pb.megabytesPerSecond / max(pa.megabytesPerSecond, 1e-9) - 1) * 100)])
            }
            speedRows.append(("whole set", [(name: "MB/s", value: (b.megabytesPerSecond / max(a.megabytesPerSecond, 1e-9) - 1) * 100)]))
            let limit = max(10, speedRows.compactMap { $0.bars.first?.value.map(abs) }.max() ?? 10)
            body += deltaChart(title: "throughput change (B vs A, percent)", rows: speedRows, limit: limit * 1.1, unit: "%")
            body += "</section>"
        }

        for (i, run) in runs.enumerated() {
            body += "<section><h2>\(i == 0 ? "A" : "B"): \(html(run.name)) <small>(\(html(run.source)))</small></h2>"
            body += "<table><thead><tr><th>pattern</th><th>type</th><th>strategy</th><th>MB/s alone</th><th>time share</th>"
                + "<th>candidates</th><th>matches</th><th>confirmed</th><th>scaling</th><th>flags</th></tr></thead><tbody>"
            for p in run.patterns {
                let flags = p.flags.map { "<span class=\"flag\">\(html($0))</span>" }.joined(separator: " ")
                body += "<tr><td><code>\(html(p.id))</code></td><td>\(html(p.type))</td><td>\(html(p.strategy))</td>"
                    + "<td class=\"n\">\(fixed(p.megabytesPerSecond, 1))</td><td class=\"n\">\(percent(p.timeShare))</td>"
                    + "<td class=\"n\">\(p.candidates)</td><td class=\"n\">\(p.matches)</td>"
                    + "<td class=\"n\">\(p.candidates > 0 ? percent(Double(p.matches) / Double(p.candidates)) : "-")</td>"
                    + "<td>\(p.scaling.map { "\(fixed($0.growth, 2))&#215; (\(html($0.input)), \($0.smallBytes >> 10)&#8594;\($0.largeBytes >> 10) KiB)" } ?? "-")</td>"
                    + "<td>\(flags)</td></tr>"
            }
            body += "</tbody></table>"
            if labelled {
                body += "<table><thead><tr><th>type</th><th>patterns</th><th>labelled</th><th>TP</th><th>FN</th><th>FP</th>"
                    + "<th>keep lost</th><th>partial</th><th>precision</th><th>recall</th><th>F1</th></tr></thead><tbody>"
                for t in run.types + [run.overall] {
                    body += "<tr\(t.type == "all" ? " class=\"total\"" : "")><td>\(html(t.type))</td>"
                        + "<td>\(t.type == "all" ? "" : (t.patterns.isEmpty ? "<i>none</i>" : html(t.patterns.joined(separator: ", "))))</td>"
                        + "<td class=\"n\">\(t.labelled)</td><td class=\"n\">\(t.truePositives)</td><td class=\"n\">\(t.falseNegatives)</td>"
                        + "<td class=\"n\">\(t.falsePositives)</td><td class=\"n\">\(t.keepLost)</td><td class=\"n\">\(t.partial)</td>"
                        + "<td class=\"n\">\(optional(t.precision))</td><td class=\"n\">\(optional(t.recall))</td>"
                        + "<td class=\"n\">\(optional(t.f1))</td></tr>"
                }
                body += "</tbody></table>"
                body += examplesTable("Worst misses", run.misses) + examplesTable("Worst false positives", run.falsePositives)
            }
            body += "</section>"
        }

        let style = """
            body{font:14px/1.4 -apple-system,system-ui,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:24px;color:#222;max-width:1100px}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:18px 0 8px}.meta{color:#555}
            .cards{display:flex;gap:16px;flex-wrap:wrap}.card{border-left:6px solid;padding:8px 14px;background:#f6f7f9;min-width:260px}
            .card h2{margin:0 0 4px}.big{font-size:24px;font-weight:600}
            table{border-collapse:collapse;margin:10px 0;font-size:13px}th,td{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left}
            th{background:#f0f0f0}td.n{text-align:right;font-variant-numeric:tabular-nums}tr.total td{font-weight:600}
            .flag{background:#c0392b;color:#fff;border-radius:3px;padding:0 4px;font-size:12px;white-space:nowrap}
            svg{display:block;margin:8px 0}svg .ct{font-weight:600;font-size:13px}svg .cl{font-size:12px}svg .cv{font-size:11px;fill:#333}
            code{font-size:12px}
            """
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>pii-scrub bench: \(html(setNames))</title>"
            + "<style>\(style)</style></head><body>\(body)</body></html>\n"
    }

    private func examplesTable(_ title: String, _ list: [ErrorExample]) -> String {
        var out = "<h3>\(html(title))</h3>"
        guard !list.isEmpty else { return out + "<p>none</p>" }
        if !showValues { out += "<p class=\"meta\">Values hidden; rerun with --show-values to include escaped context.</p>" }
        out += "<table><thead><tr><th>line</th><th>bytes</th><th>pattern/type</th><th>kind</th>"
            + (showValues ? "<th>context</th>" : "") + "</tr></thead><tbody>"
        for e in list {
            out += "<tr><td class=\"n\">\(e.line)</td><td class=\"n\">\(e.start)..&lt;\(e.end)</td>"
                + "<td>\(html((e.patternID ?? "-") + "/" + e.type))</td><td>\(html(e.kind))</td>"
                + (showValues ? "<td><code>\(html(e.context ?? ""))</code></td>" : "") + "</tr>"
        }
        return out + "</tbody></table>"
    }
}
