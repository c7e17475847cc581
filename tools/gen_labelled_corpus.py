#!/usr/bin/env python3
"""Generate a labelled JSONL corpus for `pii-scrub bench` (format: docs/BENCH.md).

Pure standard library, fixed seed: the same arguments always give the same bytes, so CI can
regenerate it offline. Every value is synthetic (reserved example domains, 555 phone numbers,
invalid-area SSNs 9xx/000/666 are avoided only where the format needs it, test card numbers).

Each record: {"text": ..., "pii": [{"type": ..., "value": ...}], "keep": [...]}
  pii  - values that must disappear from the scrubbed text (types: email, phone, ssn, card,
         iban, ip, secret)
  keep - hard negatives that must survive: ISO dates, epoch timestamps, UUIDs, hex hashes,
         versions, order numbers, prices, zip codes.

Usage: tools/gen_labelled_corpus.py [--records N] [--seed S] [--out FILE]
  The shipped samples/labelled-small.jsonl is `--records 300 --seed 7`.
"""
import argparse
import json
import random
import string
import sys

FIRST = ["john", "maria", "wei", "aisha", "olga", "carlos", "priya", "lena", "tom", "yuki", "omar", "sofia",
         "li", "noah", "emma", "ivan", "fatima", "lucas", "mei", "arjun"]
LAST = ["smith", "garcia", "chen", "khan", "petrova", "silva", "patel", "muller", "brown", "tanaka",
        "haddad", "rossi", "wang", "jones", "novak", "kowalski", "nguyen", "okafor"]
DOMAINS = ["example.com", "example.org", "example.net", "mail.example.co.uk", "corp.example.io",
           "test.example.de", "sub.example.travel"]
WORDS = ("the customer asked about the invoice and wants a callback regarding the refund for the order "
         "please update the ticket after the meeting our team reviewed the logs from last night and "
         "found nothing unusual except the deployment notes mention a retry the agent replied that "
         "shipping takes three business days").split()


def luhn_complete(prefix, length, rng):
    digits = prefix + [rng.randrange(10) for _ in range(length - len(prefix) - 1)]
    total = 0
    for i, d in enumerate(reversed(digits)):
        d2 = d * 2 if i % 2 == 0 else d
        total += d2 - 9 if d2 > 9 else d2
    return digits + [(10 - total % 10) % 10]


def iban_checksum(country, bban):
    s = bban + country + "00"
    num = "".join(str(int(c, 36)) for c in s)
    return "%02d" % (98 - int(num) % 97)


class Gen:
    def __init__(self, rng):
        self.r = rng

    def email(self):
        r = self.r
        f, l = r.choice(FIRST), r.choice(LAST)
        local = r.choice([f + "." + l, f + l, f[0] + l, f + "_" + l + str(r.randrange(100)), f + "+tag", l + "." + f])
        if r.random() < 0.15:
            local = local.upper()
        return local + "@" + r.choice(DOMAINS)

    def phone(self):
        r = self.r
        a, b, c = "555", "%03d" % r.randrange(100, 1000), "%04d" % r.randrange(10000)
        fmt = r.choice(["{a}-{b}-{c}", "{a}.{b}.{c}", "{a}{b}{c}", "({a}) {b}-{c}", "+1 {a} {b} {c}",
                        "+1-{a}-{b}-{c}", "{a} {b} {c}", "+44 20 7946 {c}", "+49 30 {b}{c}",
                        "+33 1 {b2} {c2} {c3}", "1-{a}-{b}-{c}"])
        return fmt.format(a=a, b=b, c=c, b2=b[:2], c2=c[:2], c3=c[2:])

    def ssn(self):
        r = self.r
        return "%03d-%02d-%04d" % (r.randrange(100, 900), r.randrange(1, 100), r.randrange(1, 10000))

    def card(self):
        r = self.r
        kind = r.choice(["visa", "mc", "amex"])
        if kind == "amex":
            d = luhn_complete([3, 7], 15, r)
            s = "".join(map(str, d))
            return r.choice([s, s[:4] + " " + s[4:10] + " " + s[10:]])
        d = luhn_complete([4] if kind == "visa" else [5, r.randrange(1, 6)], 16, r)
        s = "".join(map(str, d))
        sep = r.choice(["", " ", "-"])
        return sep.join(s[i:i + 4] for i in range(0, 16, 4))

    def iban(self):
        r = self.r
        country, n = r.choice([("DE", 18), ("GB", None), ("FR", 23), ("NL", None)])
        if country == "GB":
            bban = "NWBK" + "".join(r.choice(string.digits) for _ in range(14))
        elif country == "NL":
            bban = "ABNA" + "".join(r.choice(string.digits) for _ in range(10))
        else:
            bban = "".join(r.choice(string.digits) for _ in range(n))
        iban = country + iban_checksum(country, bban) + bban
        if r.random() < 0.5:
            iban = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
        return iban

    def ip(self):
        r = self.r
        if r.random() < 0.75:
            return "%d.%d.%d.%d" % (r.choice([10, 172, 192, 203, 198]), r.randrange(256), r.randrange(256), r.randrange(1, 255))
        return "2001:db8:%x:%x::%x" % (r.randrange(65536), r.randrange(65536), r.randrange(1, 65536))

    def secret(self):
        r = self.r
        alnum = string.ascii_letters + string.digits
        kind = r.choice(["openai", "aws", "github", "stripe", "slack", "jwt"])
        if kind == "openai":
            return "sk-" + "".join(r.choice(alnum) for _ in range(48))
        if kind == "aws":
            return "AKIA" + "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(16))
        if kind == "github":
            return "ghp_" + "".join(r.choice(alnum) for _ in range(36))
        if kind == "stripe":
            return "sk_live_" + "".join(r.choice(alnum) for _ in range(24))
        if kind == "slack":
            return "xoxb-" + "-".join("".join(r.choice(string.digits) for _ in range(12)) for _ in range(2)) + "-" + "".join(r.choice(alnum) for _ in range(24))
        b64 = string.ascii_letters + string.digits + "-_"
        return "eyJhbGciOiJIUzI1NiJ9." + "".join(r.choice(b64) for _ in range(40)) + "." + "".join(r.choice(b64) for _ in range(43))

    # hard negatives
    def decoy(self):
        r = self.r
        kind = r.choice(["date", "epoch", "uuid", "sha", "version", "order", "price", "zip", "ms"])
        if kind == "date":
            return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (r.randrange(2015, 2027), r.randrange(1, 13), r.randrange(1, 29), r.randrange(24), r.randrange(60), r.randrange(60))
        if kind == "epoch":
            return str(r.randrange(1_500_000_000, 1_800_000_000))
        if kind == "ms":
            return str(r.randrange(1_500_000_000_000, 1_800_000_000_000))
        if kind == "uuid":
            h = "%032x" % r.getrandbits(128)
            return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])
        if kind == "sha":
            return "%040x" % r.getrandbits(160)
        if kind == "version":
            return "%d.%d.%d" % (r.randrange(10), r.randrange(30), r.randrange(100))
        if kind == "order":
            return r.choice(["ORD-", "INV-", "#"]) + "%d-%d" % (r.randrange(1000, 10000), r.randrange(100000, 1000000))
        if kind == "price":
            return "$%d,%03d.%02d" % (r.randrange(1, 100), r.randrange(1000), r.randrange(100))
        return "%05d" % r.randrange(10000, 99999)


TEMPLATES = {
    "email": ["contact me at {v}", "email: {v}", "cc {v} on the thread", "<{v}>", "user={v};"],
    "phone": ["call {v} tomorrow", "phone: {v}", "mobile {v} (after 5pm)", "tel:{v}"],
    "ssn": ["SSN {v} on file", "ssn={v}", "social security number: {v}"],
    "card": ["card {v} was declined", "paid with {v}", "cc_number: {v}"],
    "iban": ["wire to IBAN {v}", "account {v} (SEPA)"],
    "ip": ["request from {v}", "client_ip={v}", "blocked {v} after 5 attempts"],
    "secret": ["Authorization: Bearer {v}", "OPENAI_API_KEY={v}", "token {v} leaked in the log", "\"api_key\": \"{v}\""],
}
DECOY_TEMPLATES = ["at {v}", "ts={v}", "id {v}", "build {v}", "ref {v}", "total {v}", "(zip {v})"]


def record(g, rng, density):
    parts, pii, keep = [], [], []
    for _ in range(rng.randrange(2, 7)):
        parts.append(" ".join(rng.choice(WORDS) for _ in range(rng.randrange(3, 12))))
        roll = rng.random()
        if roll < density:
            t = rng.choice(list(TEMPLATES))
            v = getattr(g, t)()
            if any(v in p["value"] or p["value"] in v for p in pii) or any(v in k or k in v for k in keep):
                continue
            parts.append(rng.choice(TEMPLATES[t]).format(v=v))
            pii.append({"type": t, "value": v})
        elif roll < density + 0.35:
            v = g.decoy()
            if any(v in p["value"] or p["value"] in v for p in pii) or any(v in k or k in v for k in keep):
                continue
            parts.append(rng.choice(DECOY_TEMPLATES).format(v=v))
            keep.append(v)
    text = (rng.choice([". ", ", ", "; ", " - "])).join(parts)
    return {"text": text, "pii": pii, "keep": keep}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--density", type=float, default=0.45, help="chance per sentence of a PII value")
    ap.add_argument("--out", default="-")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    g = Gen(rng)
    out = sys.stdout if a.out == "-" else open(a.out, "w", encoding="utf-8")
    for _ in range(a.records):
        out.write(json.dumps(record(g, rng, a.density), ensure_ascii=False) + "\n")
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
