import Foundation
import PIIScrub
import PIIScrubTestSupport
import Testing

/// The `default` set against labelled data: the evaluation corpus (recall per type, hard-negative
/// survival), the Langfuse fixtures' planted values, and hand-written boundary cases.
///
/// Failure messages carry pattern ids, types, counts and record numbers, never values: the
/// corpus is synthetic, but the habit is the rule.
@Suite("Default set")
struct DefaultSetTests {
    static let set: PatternSet? = try? TestSets.load("default")

    struct Labelled {
        var text: String
        var pii: [(type: String, value: String)]
        var keep: [(type: String, value: String)]
    }

    static func loadCorpus(_ name: String = "eval-default.jsonl") throws -> [Labelled] {
        let path = TestPaths.repositoryRoot + "/samples/" + name
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var records: [Labelled] = []
        for line in text.split(separator: "\n") where !line.isEmpty {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            // Entries are {"type", "value"} objects, or (keep) plain strings.
            func pairs(_ key: String) -> [(type: String, value: String)] {
                (object[key] as? [Any] ?? []).map { entry in
                    if let value = entry as? String { return ("keep", value) }
                    let pair = entry as? [String: String] ?? [:]
                    return (pair["type"] ?? "", pair["value"] ?? "")
                }
            }
            records.append(Labelled(text: object["text"] as? String ?? "", pii: pairs("pii"), keep: pairs("keep")))
        }
        return records
    }

    /// Recall targets per type (issue 6): 98% for email, phone, SSN; 93% for cards, IBANs, IPs,
    /// MACs and secrets.
    static let recallTargets: [String: Double] = [
        "email": 0.98, "phone": 0.98, "ssn": 0.98, "card": 0.93, "iban": 0.93, "ip": 0.93, "mac": 0.93, "secret": 0.93,
    ]

    /// `eval-default.jsonl` (tools/gen_eval_corpus.py) and `holdout-default.jsonl`
    /// (tools/gen_holdout_corpus.py: written later, independently, from scratch, to check the set
    /// on formats it was not tuned on; what it found is in docs/PATTERNS-DEFAULT.md).
    @Test("evaluation corpora: recall per type and hard-negative survival meet the targets",
          arguments: ["eval-default.jsonl", "holdout-default.jsonl"])
    func evaluationCorpus(_ corpus: String) throws {
        let set = try #require(Self.set)
        let records = try Self.loadCorpus(corpus)
        #expect(records.count >= 1000, "corpus loaded")
        let worker = Scrubber(patternSet: set).makeWorker()
        var total: [String: Int] = [:], found: [String: Int] = [:]
        var keepTotal = 0, keepLost = 0
        var lostByType: [String: Int] = [:]
        // Grouped cards and IBANs found as a whole, not in pieces: a value is gone once it no
        // longer appears whole, so `FR76 [CARD] 7890 189` (an IBAN's middle taken by a card
        // pattern) counted as found while its first and last groups stayed.
        var grouped: [String: Int] = [:], piecesLeft: [String: Int] = [:]
        for record in records {
            let out = worker.scrub(record.text)
            for (type, value) in record.pii {
                total[type, default: 0] += 1
                if !out.contains(value) { found[type, default: 0] += 1 }
                // Its first and last groups of four or more characters, when the text holds them
                // only inside the value.
                let groups = value.split(whereSeparator: { $0 == " " || $0 == "-" }).filter { $0.count >= 4 }.map(String.init)
                // Lower-case IBANs (`gb94 nwbk …`) are a known gap (docs/PATTERNS-DEFAULT.md).
                guard type == "card" || type == "iban", groups.count >= 3, !out.contains(value),
                      value.first?.isLowercase != true else { continue }
                let ends = [groups.first!, groups.last!].filter { record.text.components(separatedBy: $0).count == 2 }
                grouped[type, default: 0] += 1
                if ends.contains(where: { out.contains($0) }) { piecesLeft[type, default: 0] += 1 }
            }
            for (type, value) in record.keep {
                keepTotal += 1
                if !out.contains(value) {
                    keepLost += 1
                    lostByType[type, default: 0] += 1
                }
            }
        }
        var report = ""
        for type in total.keys.sorted() {
            let recall = Double(found[type, default: 0]) / Double(total[type]!)
            report += "\(type) \(found[type, default: 0])/\(total[type]!) (\(String(format: "%.4f", recall))); "
            #expect(recall >= Self.recallTargets[type] ?? 0.98, "recall of \(type): \(recall)")
        }
        for (type, count) in grouped {
            let share = Double(piecesLeft[type, default: 0]) / Double(count)
            report += "\(type) in pieces \(piecesLeft[type, default: 0])/\(count); "
            #expect(share <= 0.02, "grouped \(type) values left in pieces: \(share)")
        }
        let survival = 1 - Double(keepLost) / Double(max(1, keepTotal))
        report += "hard negatives \(keepTotal - keepLost)/\(keepTotal) (\(String(format: "%.4f", survival))) lost \(lostByType)"
        #expect(survival >= 0.995, "hard negatives surviving: \(survival) \(lostByType)")
        #expect(Set(total.keys).isSuperset(of: Self.recallTargets.keys), "every type is in the corpus")
        print("DefaultSetTests.evaluationCorpus \(corpus): \(report)")
    }

    struct TruthRow {
        var line: Int
        var kind: String
        var value: String
    }

    /// The fixture's planted values that a regex can detect (not names, addresses or birth dates)
    /// and that are visible in the raw line.
    static func truthRows(expect: String) throws -> [TruthRow] {
        let text = try String(contentsOfFile: TestPaths.fixtures + "/export-sample.truth.jsonl", encoding: .utf8)
        var rows: [TruthRow] = []
        for line in text.split(separator: "\n") where !line.isEmpty {
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            guard o["expect"] as? String == expect, o["visible_as"] as? String == "raw",
                  let kind = o["kind"] as? String, !["person_name", "address", "date_of_birth"].contains(kind)
            else { continue }
            rows.append(TruthRow(line: o["line"] as? Int ?? 0, kind: kind, value: o["value"] as? String ?? ""))
        }
        return rows
    }

    @Test("Langfuse fixture: every detectable planted value is redacted, decoys kept, all configurations equal")
    func fixturePlantedValues() throws {
        let set = try #require(Self.set)
        let lines = try String(contentsOfFile: TestPaths.fixtures + "/export-sample.jsonl", encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let redact = try Self.truthRows(expect: "redact")
        let keep = try Self.truthRows(expect: "keep")
        #expect(redact.count > 400 && keep.count > 100, "truth rows loaded")
        var reference: [String]?
        for configuration in EngineConfiguration.all {
            let worker = configuration.scrubber(set).makeWorker()
            // The reference configuration (JIT + prefilter) scrubs every line, including the
            // 256 KiB ones with PII at the very end; the slow configurations (interpreter, no
            // prefilter) scrub the lines under 32 KiB, which hold most planted values, so the
            // debug suite stays fast.
            let isReference = reference == nil
            let out = lines.map { isReference || $0.utf8.count < 32 * 1024 ? worker.scrub($0) : "" }
            // Booleans only in expectations: a failure names the line and kind, never the text.
            for row in redact where lines[row.line - 1].contains(row.value) && !out[row.line - 1].isEmpty {
                let leaked = out[row.line - 1].contains(row.value)
                #expect(!leaked, "line \(row.line) \(row.kind) redacted [\(configuration)]")
            }
            for row in keep where lines[row.line - 1].contains(row.value) && !out[row.line - 1].isEmpty {
                let kept = out[row.line - 1].contains(row.value)
                #expect(kept, "line \(row.line) \(row.kind) kept [\(configuration)]")
            }
            if let reference {
                for (i, line) in out.enumerated() where !line.isEmpty {
                    let same = line == reference[i]
                    #expect(same, "line \(i + 1) equal to jit+prefilter [\(configuration)]")
                }
            } else {
                reference = out
            }
        }
        // The values fake_pii.py plants in the SDK captures.
        let fake = ["jane.doe@example.com", "r.ramirez+billing@mail.example.org", "山田.太郎@example.jp", "(555) 010-4477",
                    "+1 555-013-9921", "+44 20 7946 0958", "078-05-1120", "900-12-3456", "4111 1111 1111 1111",
                    "GB82 WEST 1234 5698 7654 32", "203.0.113.42"]
        for configuration in EngineConfiguration.all {
            let scrubber = configuration.scrubber(set)
            for (i, value) in fake.enumerated() {
                let leaked = scrubber.scrub("x \(value) y").contains(value)
                #expect(!leaked, "fake_pii value #\(i) [\(configuration)]")
            }
        }
    }

    /// Text, and the substrings that must be gone (redact) or stay (keep).
    struct BoundaryCase: CustomStringConvertible, Sendable {
        var name: String
        var text: String
        var redact: [String]
        var keep: [String] = []
        var description: String { name }
    }

    static let boundaryCases: [BoundaryCase] = [
        .init(name: "cjk-phone", text: "电话13812345678请回电", redact: ["13812345678"]),
        .init(name: "cjk-phone-intl", text: "電話+81 3-1234-5678まで", redact: ["3-1234-5678"]),
        .init(name: "cjk-email", text: "邮箱jane@example.com。", redact: ["jane@example.com"]),
        .init(name: "thai-phone", text: "โทร0812345678ครับ", redact: ["0812345678"]),
        .init(name: "cjk-ip", text: "服务器203.0.113.42出错", redact: ["203.0.113.42"]),
        .init(name: "cjk-ssn", text: "号码078-05-1120。", redact: ["078-05-1120"]),
        .init(name: "cjk-card", text: "卡号4111 1111 1111 1111。", redact: ["4111 1111 1111 1111"]),
        .init(name: "json-escaped-newline", text: #"{"t":"call\n555-123-4567"}"#, redact: ["555-123-4567"]),
        .init(name: "ssn-invalid-area-formatted", text: "SSN 666-12-3456 and 000-12-3456 and 987 65 4320",
              redact: ["666-12-3456", "000-12-3456", "987 65 4320"]),
        .init(name: "ssn-labelled-bare", text: "social security number: 123456789", redact: ["123456789"]),
        .init(name: "ssn-bare-unlabelled-kept", text: "batch 123456789 done", redact: [], keep: ["123456789"]),
        // Labels in keys, quotes, tables and brackets (`\K`: the label stays).
        .init(name: "ssn-labelled-json-key", text: #"{"ssn": "078051120", "itin": "912701234"}"#,
              redact: ["078051120", "912701234"], keep: [#"{"ssn": ""#, #""itin": ""#]),
        .init(name: "ssn-labelled-escaped-json", text: #"{"args": "{\"social_security_number\": \"078051120\"}"}"#,
              redact: ["078051120"], keep: [#"social_security_number\": \""#]),
        .init(name: "ssn-labelled-forms",
              text: "SSN No. 078051120, | SSN | 219099999 |, ssn='078051121', SSN `078051122`, SSN (078051123), SSN：078051124",
              redact: ["078051120", "219099999", "078051121", "078051122", "078051123", "078051124"],
              keep: ["SSN No. ", "| SSN | ", "ssn='", "SSN `", "SSN (", "SSN："]),
        .init(name: "phone-labelled-forms",
              text: #"{"phone": "532224757"} phone_number="812828688" PHONE_NUMBER=2221234567 tel = '96110220'"#,
              redact: ["532224757", "812828688", "2221234567", "96110220"], keep: [#"{"phone": ""#, "PHONE_NUMBER="]),
        .init(name: "zip-plus-4-kept", text: "Seattle, WA 98101-2345 and zip 94105-1234", redact: [],
              keep: ["98101-2345", "94105-1234"]),
        // With a leading 0 the shape is also a trunk prefix and a subscriber number: a postal
        // label or a state before it says ZIP code, anything else leaves it a phone number.
        .init(name: "zip-plus-4-leading-zero-after-postal-label",
              text: #"zip=07795-0337 Zip: 08530-5626 {"zipCode": "05685-5952"} postal_code 09388-2709 ZIP code: 06972-9484 Newark, NJ 07102-1234"#,
              redact: [], keep: ["07795-0337", "08530-5626", "05685-5952", "09388-2709", "06972-9484", "07102-1234"]),
        .init(name: "phone-au-parenthesised-trunk-with-dots", text: #"{"phoneNumber": "(02).0809.5346"} section (1).2345.6789"#,
              redact: ["(02).0809.5346"], keep: ["(1).2345.6789"]),
        // The last line of a PEM body, shorter than the others and without padding: alone on its
        // line, or JSON-escaped before the escaped newline and the block's end.
        .init(name: "pem-last-line-without-padding",
              text: "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5hkNDK1ixKOSjoAoGCCqGSM49\n"
                  + "Kq3x9Vb7Lm2Np8Rt4Wy6Zc1Df5Gh0Jk3\n-----END EC PRIVATE KEY-----\n"
                  + #"{"pem": "-----BEGIN PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5hkNDK1ixKOSjoAoGCCqGSM49\nR9drM0uYIQeWql6oolw7Y/e7UYufQ5ba\n-----END PRIVATE KEY-----"}"#,
              redact: ["Kq3x9Vb7Lm2Np8Rt4Wy6Zc1Df5Gh0Jk3", "R9drM0uYIQeWql6oolw7Y/e7UYufQ5ba"],
              keep: ["-----END EC PRIVATE KEY-----", "-----END PRIVATE KEY-----"]),
        // Not a last line: a hash, an identifier, a token inside a sentence, a line of 30.
        .init(name: "pem-last-line-look-alikes-kept",
              text: "e3b0c44298fc1c149afbf4c8996fb924\ngetUserAuthenticationToken2024V1\nProductCatalogueExport20241202ab\n"
                  + "see Kq3x9Vb7Lm2Np8Rt4Wy6Zc1Df5Gh0Jk3 here\nKq3x9Vb7Lm2Np8Rt4Wy6Zc1Df5Gh0J\n",
              redact: [], keep: ["e3b0c44298fc1c149afbf4c8996fb924", "getUserAuthenticationToken2024V1", "ProductCatalogueExport20241202ab",
                                 "Kq3x9Vb7Lm2Np8Rt4Wy6Zc1Df5Gh0Jk3 here", "\nKq3x9Vb7Lm2Np8Rt4Wy6Zc1Df5Gh0J\n"]),
        // A number after a phone number: the regex takes it as one more group, the validator
        // refuses the whole, and the match is cut back to the space before it.
        .init(name: "phone-followed-by-number",
              text: "call +14155550132 2024-01-01, +1 415 555 0132 2024; +44 20 7946 0958 1982 5; "
                  + "信息+38512349130 1982-05-27, 0044 20 7946 0958 12",
              redact: ["+14155550132", "+1 415 555 0132", "+44 20 7946 0958", "+38512349130", "0044 20 7946 0958"],
              keep: [" 2024-01-01,", " 2024;", " 1982 5;", "信息", " 1982-05-27,", " 12"]),
        // Python's json.dumps escapes non-ASCII characters by default: addresses in JSON text
        // with \u escapes, whole (not the part after the last escape).
        .init(name: "email-json-escaped",
              text: #"{"email": "\u0142ukasz.w\u00f3jcik@\u4f8b\u3048.jp", "to": "jos\u00e9@example.com", "n": "caf\u00e9 bob@example.org"}"#,
              redact: [#"\u0142ukasz.w\u00f3jcik@\u4f8b\u3048.jp"#, #"jos\u00e9@example.com"#, "bob@example.org"],
              keep: [#"{"email": ""#, #"", "to": ""#, #""n": "caf\u00e9 "#]),
        // IBANs whose middle groups have a formatted card's shape, and one before a short word
        // that the optional last group would take.
        .init(name: "iban-grouped-before-card-and-word",
              text: "FR76 3000 6000 0112 3456 7890 189, IT60 X054 2811 1010 0000 0123 456; LT12 1000 0111 0100 1000 SSN",
              redact: ["FR76 3000 6000 0112 3456 7890 189", "IT60 X054 2811 1010 0000 0123 456", "LT12 1000 0111 0100 1000"],
              keep: [", ", "; ", " SSN"]),
        .init(name: "zip-plus-4-leading-zero-phone",
              text: "call 02134-1234, tel 03865-4321 or me 04412-5566 (code 05512-6677, nj 06612-7788)",
              redact: ["02134-1234", "03865-4321", "04412-5566", "05512-6677", "06612-7788"]),
        .init(name: "authorization-lowercase-scheme",
              text: "authorization: bearer 1ZUQfADXw4aG00rq5rtXiACfdFEmCYZNDuop\nAuthorization: token ghp_abcdefghijklmnopqrstuvwxyz0123456789",
              redact: ["1ZUQfADXw4aG00rq5rtXiACfdFEmCYZNDuop", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"],
              keep: ["authorization: bearer ", "Authorization: token "]),
        .init(name: "slack-webhook-and-app-token",
              text: "post to https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBBBB/abcdefghijklmnopqrstuvwx with "
                  + "xapp-1-A1J37TOQWWE-3543873410842-adb937cb3f451ee90f232e62b6343a94b59634da098119f3cb85c3e74a482060",
              redact: ["T0AAAAAAA/B0BBBBBBBBB/abcdefghijklmnopqrstuvwx", "adb937cb3f451ee90f232e62b6343a94"],
              keep: ["https://hooks.slack.com/services/"]),
        .init(name: "aws-secret-space-and-table",
              text: "aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n| aws_secret_access_key | /cUrcHGKjAHzmcBHIz6pHaLz2rviXXF+5m1GLfQj |",
              redact: ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "/cUrcHGKjAHzmcBHIz6pHaLz2rviXXF+5m1GLfQj"]),
        .init(name: "ipv4-small-octets-in-context",
              text: "GET http://10.1.1.22/admin from root@10.0.0.5 via //8.8.8.8/; build 10.4.22.1, \"build\":\"1.0.0.1\"",
              redact: ["10.1.1.22", "10.0.0.5", "8.8.8.8"], keep: ["http://", "root@", "10.4.22.1", "1.0.0.1"]),
        .init(name: "ipv4-small-octets-port-or-address-word",
              text: "remote_addr = '10.0.0.8:443'; IP = 10.14.0.11, SRC_IP=10.2.5.2 clientIp 4.2.2.2 IPアドレス:8.8.4.4吗 dns 9.9.9.9 ok",
              redact: ["10.0.0.8", "10.14.0.11", "10.2.5.2", "4.2.2.2", "8.8.4.4", "9.9.9.9"],
              keep: [":443", "remote_addr = '", "IPアドレス:", "吗 dns "]),
        .init(name: "ipv4-small-octets-sshd-and-access-log",
              text: "Accepted password for root from 10.0.0.5 port 22 ssh2\n"
                  + #"10.1.2.3 - - [06/Dec/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 512"#,
              redact: ["10.0.0.5", "10.1.2.3"], keep: [" port 22 ssh2", " - - [06/Dec/2026"]),
        .init(name: "ipv4-small-octets-versions",
              text: "version 10.4.22.1, pip 1.0.0.1; zip: 1.2.3.4 release 4.0.0.0 1.2.3.4:99999 build 2.1.0.3",
              redact: [], keep: ["10.4.22.1", "1.0.0.1", "1.2.3.4", "4.0.0.0", "1.2.3.4:99999", "2.1.0.3"]),
        .init(name: "email-touching-cjk-thai",
              text: "邮箱:li.wei@example.com.cn账户 อีเมล:somchai@example.co.thขอบคุณ メールwarner@example.jpまで ivan@пример.рфหรือ",
              redact: ["li.wei@example.com.cn", "somchai@example.co.th", "warner@example.jp", "ivan@пример.рф"],
              keep: ["账户", "ขอบคุณ", "まで", "หรือ"]),
        .init(name: "email-quoted-csv", text: #"name,"""j.doe""@example.com",x"#, redact: ["j.doe"], keep: ["name,"]),
        .init(name: "mac-after-label",
              text: "MAC:30:D3:D5:8F:49:36です MAC地址:BE-47-47-E8-87-4E令牌 mac:ac:de:48:00:11:22",
              redact: ["30:D3:D5:8F:49:36", "BE-47-47-E8-87-4E", "ac:de:48:00:11:22"], keep: ["MAC:", "MAC地址:", "mac:"]),
        .init(name: "aws-secret-in-brackets",
              text: "AWS_SECRET_ACCESS_KEY (wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY) aws_secret_access_key "
                  + "<je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY> SecretAccessKey [/cUrcHGKjAHzmcBHIz6pHaLz2rviXXF+5m1GLfQj]",
              redact: ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
                       "/cUrcHGKjAHzmcBHIz6pHaLz2rviXXF+5m1GLfQj"]),
        // The longest contexts the labelled patterns read, 48 and 49 bytes before the digits
        // (digitRunWithin 56 must reach them), and labels in other scripts.
        .init(name: "labelled-longest-and-other-scripts",
              text: "Taxpayer-Identification-Number：：：：：：219099999 โทรศัพท์-number：：：：：：0812345678 "
                  + "電話番号:81103372까지 फ़ोन \"2221234567\" "
                  + "| मोबाइल | `88937930` | Телефон: 4951234567. 전화번호: 0212345678 هاتف: 0501234567",
              redact: ["219099999", "0812345678", "81103372", "2221234567", "88937930", "4951234567", "0212345678", "0501234567"],
              keep: ["Taxpayer-Identification-Number：", "電話番号:", "까지", "फ़ोन", "मोबाइल", "Телефон: ", "هاتف: "]),
        .init(name: "email-quoted-local", text: #"mail "o'hara"@example.com or {"to": "\"john doe\"@example.com"}"#,
              redact: ["o'hara", "john doe"]),
        .init(name: "fictional-phone", text: "call (555) 010-4477 now", redact: ["(555) 010-4477"]),
        .init(name: "nanp-extension", text: "415-555-0132 ext. 123", redact: ["415-555-0132"]),
        .init(name: "test-card-luhn-invalid-grouped", text: "card 4111 1111 1111 1112", redact: ["4111 1111 1111 1112"]),
        .init(name: "bare-card-luhn-invalid-kept", text: "id 4111111111111112", redact: [], keep: ["4111111111111112"]),
        .init(name: "iban-grouped", text: "IBAN: DE89 3704 0044 0532 0130 00.", redact: ["DE89 3704 0044 0532 0130 00"]),
        .init(name: "ipv6", text: "from 2001:db8::8a2e:370:7334 port 443", redact: ["2001:db8::8a2e:370:7334"]),
        .init(name: "mac", text: "hw 00:1A:2B:3C:4D:5E up", redact: ["00:1A:2B:3C:4D:5E"]),
        .init(name: "secrets",
              text: "OPENAI_API_KEY=sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123 key AKIAIOSFODNN7EXAMPLE "
                  + "token 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 hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567",
              redact: ["sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123", "AKIAIOSFODNN7EXAMPLE", "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",
                       "hf_AbCdEfGhIjKlMnOpQrStUvWxYz01234567"]),
        .init(name: "authorization", text: "Authorization: Bearer abcDEF0123456789xyz", redact: ["abcDEF0123456789xyz"],
              keep: ["Authorization:"]),
        .init(name: "url-credentials", text: "DATABASE_URL=postgres://app:s3cret@db.example.com:5432/app",
              redact: ["app:s3cret"]),
        .init(name: "pem-real-newlines",
              text: "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"
                  + "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\nQ2hQ3kJ8xZ9pL4mN7vR2==\n"
                  + "-----END RSA PRIVATE KEY-----\n",
              redact: ["MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
                       "VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK", "Q2hQ3kJ8xZ9pL4mN7vR2=="]),
        .init(name: "pem-json-escaped",
              text: #"{"key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\nQ2hQ3kJ8xZ9pL4mN7vR2==\n-----END PRIVATE KEY-----"}"#,
              redact: ["BEGIN PRIVATE KEY", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj", "Q2hQ3kJ8xZ9pL4mN7vR2=="]),
        .init(name: "hard-negatives",
              text: "2024-01-15T10:30:45Z 1700000000 1700000000123 550e8400-e29b-41d4-a716-446655440000 "
                  + "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 9bc6dae v1.2.3 10.4.22.1 "
                  + "ISBN 978-3-16-148410-0 $1,234.56 Order #4829301746 ORD-239-44-4181 12 * 34 = 408 arr[1::2] 12:30:45",
              redact: [],
              keep: ["2024-01-15T10:30:45Z", "1700000000", "1700000000123", "550e8400-e29b-41d4-a716-446655440000",
                     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "9bc6dae", "v1.2.3", "10.4.22.1",
                     "978-3-16-148410-0", "$1,234.56", "#4829301746", "ORD-239-44-4181", "12 * 34 = 408", "arr[1::2]",
                     "12:30:45"]),
    ]

    @Test("boundary cases (CJK/Thai adjacency, formatted-but-invalid values, hard negatives)", arguments: boundaryCases)
    func boundary(_ c: BoundaryCase) throws {
        let set = try #require(Self.set)
        for configuration in EngineConfiguration.all {
            let out = configuration.scrubber(set).scrub(c.text)
            for (i, value) in c.redact.enumerated() {
                let leaked = out.contains(value)
                #expect(!leaked, "default/\(c.name) redact #\(i) [\(configuration)]")
            }
            for (i, value) in c.keep.enumerated() {
                let kept = out.contains(value)
                #expect(kept, "default/\(c.name) keep #\(i) [\(configuration)]")
            }
        }
    }

    @Test("phone-bare: the guard before the order-label lookbehinds changes no match; every label keeps its number")
    func phoneBareLabelGuard() throws {
        // The guard `(?(?<![rR…=] \d{10}| #\d{10})|…)` skips the 38 label lookbehinds unless the
        // character before the last space or `#` ends one of them. Compared here with the list
        // alone (the regex before the guard), on every label in three cases, other words and
        // separators, under every engine configuration.
        let set = try #require(Self.set)
        let bare = try #require(set.patterns.first { $0.id == "phone-bare" }).definition
        func unguarded(_ regex: String) throws -> String {
            let start = try #require(regex.range(of: "(?(?<!"))
            let list = try #require(regex.range(of: ")|(?<!(?i:order )", range: start.upperBound..<regex.endIndex))
            #expect(regex.hasSuffix("))"))
            return String(regex[..<start.lowerBound]) + String(regex[list.lowerBound...].dropFirst(2).dropLast())
        }
        var plain = bare
        plain.regex = try unguarded(bare.regex)
        plain.asciiRegex = try bare.asciiRegex.map(unguarded)
        #expect(plain.regex != bare.regex && plain.asciiRegex != bare.asciiRegex)
        let guarded = try PatternSet(name: "guarded", definitions: [bare])
        let reference = try PatternSet(name: "list", definitions: [plain])
        // The labels, read back from the list: `(?i:order no\. )\d{10}` is `order no. `.
        let listStart = try #require(bare.regex.range(of: "(?<!(?i:order )"))
        let labels = bare.regex[listStart.lowerBound...].dropFirst(4).dropLast(2)
            .components(separatedBy: "\\d{10}|").map { alternative in
                alternative.replacingOccurrences(of: "\\d{10}", with: "")
                    .replacingOccurrences(of: "(?i:", with: "").replacingOccurrences(of: ")", with: "")
                    .replacingOccurrences(of: "\\.", with: ".")
            }
        #expect(labels.count == 38 && labels.first == "order " && labels.last == "= ")
        let others = ["", " ", "Julius ", "pin ", "orders ", "order  ", "id:", "#", "no.", "isbn-11 ", "x=", "ORDER#"]
        var texts: [String] = []
        for label in labels + others {
            for variant in [label, label.uppercased(), label.prefix(1).uppercased() + label.dropFirst()] {
                texts.append("\(variant)4155550132")
                texts.append("see \(variant)4155550132 and \(variant)415555013299.")
            }
        }
        var differences = 0
        var takenWithLabel = 0
        for configuration in EngineConfiguration.all {
            let a = configuration.scrubber(guarded)
            let b = configuration.scrubber(reference)
            for text in texts where a.scrub(text) != b.scrub(text) { differences += 1 }
            for label in labels where !a.scrub("\(label)4155550132").hasSuffix("4155550132") { takenWithLabel += 1 }
        }
        #expect(differences == 0)
        #expect(takenWithLabel == 0)  // every label keeps its number: counts only, no text printed
        let julius = Scrubber(patternSet: guarded).scrub("Julius 4155550132") == "Julius [PHONE]"  // a Bool
        #expect(julius)
    }

    @Test("the default set is cuttable and streams like whole text (lookbehinds longer than one character included)")
    func streamingEqualsWhole() throws {
        let set = try #require(Self.set)
        #expect(set.isCuttable)
        let scrubber = Scrubber(patternSet: set)
        let records = try Self.loadCorpus().prefix(400)
        let input = Array(records.map(\.text).joined(separator: "\n").utf8)
        let whole = scrubber.scrub(input)
        var rng = SplitMix64(seed: 6)
        for size in [0, 7, 4096] {
            let same = streamed(chunked(input, size: size, rng: &rng), scrubber: scrubber) == whole
            #expect(same, "streamed in chunks of \(size == 0 ? "random" : String(size)) equals whole")
        }
        // The negative lookbehinds for order labels and access-log request lines see the same text
        // wherever the cut falls.
        let labelled = Array(String(repeating: "Order 4829301746, call 4155550132; ref: 2125550143 "
                                        + #""GET /v1/chat HTTP/1.1" 200 6381 "-"\#n"#, count: 50).utf8)
        let expected = scrubber.scrub(labelled)
        let expectedText = String(decoding: expected, as: UTF8.self)
        let orderKept = expectedText.contains("Order 4829301746") && expectedText.contains(#"HTTP/1.1" 200 6381 "-""#)
        #expect(orderKept)
        for size in [1, 2, 3, 5] {
            let same = streamed(chunked(labelled, size: size, rng: &rng), scrubber: scrubber) == expected
            #expect(same, "chunk \(size)")
        }
        // A label read before `\K` (context, not match) sees the same text wherever the cut falls:
        // its characters are span characters, never separators.
        let keyed = Array(String(repeating: #"{"ssn": "078051120"} | SSN | 219099999 | phone_number='812828688' "#
                                     + "authorization: bearer 1ZUQfADXw4aG00rq5rtXiACfdFEmCYZNDuop\n", count: 20).utf8)
        let keyedWhole = scrubber.scrub(keyed)
        let keyedText = String(decoding: keyedWhole, as: UTF8.self)
        let keyedScrubbed = keyedText.contains(
            #"{"ssn": "[SSN]"} | SSN | [SSN] | phone_number='[PHONE]' authorization: bearer [SECRET]"#)
        #expect(keyedScrubbed)
        for size in [1, 2, 3, 5, 0] {
            let same = streamed(chunked(keyed, size: size, rng: &rng), scrubber: scrubber) == keyedWhole
            #expect(same, "labelled context, chunk \(size)")
        }
        // The ipv4 validator's context (a port after, an address word before) reads no byte past
        // a separator.
        let addressed = Array(String(repeating: "remote_addr = 10.0.0.8:443, IP = 10.14.0.11 'SRC_IP=10.2.5.2' "
                                         + "version 10.4.22.1\n", count: 20).utf8)
        let addressedWhole = scrubber.scrub(addressed)
        let addressedText = String(decoding: addressedWhole, as: UTF8.self)
        let addressedScrubbed = addressedText.contains("remote_addr = [IP]:443, IP = [IP] 'SRC_IP=[IP]' version 10.4.22.1")
        #expect(addressedScrubbed)
        for size in [1, 2, 3, 5, 0] {
            let same = streamed(chunked(addressed, size: size, rng: &rng), scrubber: scrubber) == addressedWhole
            #expect(same, "ipv4 context, chunk \(size)")
        }
    }
}
