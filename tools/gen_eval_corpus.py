#!/usr/bin/env python3
"""Generates the labelled evaluation corpus for the `default` pattern set.

Output: samples/eval-default.jsonl, one record per line:
  {"text": ..., "pii": [{"type": ..., "value": ...}], "keep": [{"type": ..., "value": ...}]}

A PII value counts as found when it no longer appears in the scrubbed text; a keep value (hard
negative) is a false positive when it disappeared. DefaultSetTests computes per-type recall and
the hard-negative survival rate from this file.

Values come from public generators, in the formats they occur in the world, not from the
patterns: Faker (many locales) for e-mails, phone numbers, SSNs, cards, IBANs, IPs and MACs;
libphonenumber (phonenumbers) for valid numbers of the 30 most populous regions plus the EU in
E.164, international and national formats; vendor-documented shapes for secrets with random
bodies. Hard negatives: ISO dates and times, epoch timestamps, UUIDs, hashes and git SHAs, year
ranges, version strings, ISBNs, prices, order numbers, arithmetic and code.

Seeded: the same seed gives the same file. Usage:
  pip install faker phonenumbers && python3 tools/gen_eval_corpus.py [--seed 7] [--count 4000]
"""
import argparse
import base64
import hashlib
import json
import os
import random
import string
import uuid
from datetime import datetime

import phonenumbers
from faker import Faker
from phonenumbers import PhoneNumberFormat, PhoneNumberType

# Faker dates default to "now"; a fixed end keeps the corpus reproducible.
END = datetime(2025, 6, 1)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The 30 most populous countries plus the EU members not already in that list.
POPULOUS = ["IN", "CN", "US", "ID", "PK", "NG", "BR", "BD", "RU", "ET", "MX", "JP", "EG", "PH", "CD", "VN",
            "IR", "TR", "DE", "TH", "GB", "TZ", "FR", "ZA", "IT", "KE", "MM", "CO", "KR", "SD"]
EU = ["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "GR", "HU", "IE", "LV", "LT", "LU", "MT", "NL",
      "PL", "PT", "RO", "SK", "SI", "ES", "SE"]
PHONE_REGIONS = POPULOUS + EU

FAKER_LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "pt_BR", "ru_RU", "zh_CN", "ja_JP",
                 "ko_KR", "hi_IN", "nl_NL", "pl_PL", "tr_TR", "id_ID", "vi_VN", "th_TH", "en_AU", "en_CA",
                 "sv_SE", "cs_CZ", "pt_PT", "el_GR", "hu_HU", "ro_RO", "fi_FI", "da_DK", "en_IN", "es_MX",
                 "uk_UA", "he_IL", "fa_IR", "bg_BG", "sk_SK", "hr_HR", "lt_LT", "sl_SI", "et_EE",
                 "lv_LV", "fr_CH", "de_AT", "nl_BE", "en_IE", "zh_TW", "ar_AE", "es_CO", "es_AR", "en_NZ"]
IBAN_LOCALES = ["de_DE", "fr_FR", "en_GB", "es_ES", "it_IT", "nl_NL", "pl_PL", "pt_PT", "de_AT", "nl_BE",
                "fi_FI", "da_DK", "sv_SE", "cs_CZ", "el_GR", "hu_HU", "ro_RO", "en_IE", "de_CH", "tr_TR",
                "uk_UA", "sk_SK", "hr_HR", "lt_LT", "sl_SI", "et_EE", "lv_LV", "bg_BG", "no_NO", "pt_BR"]


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        Faker.seed(seed)
        self.fakers = {loc: Faker(loc) for loc in FAKER_LOCALES + IBAN_LOCALES}
        for i, f in enumerate(self.fakers.values()):
            f.seed_instance(seed * 1000 + i)
        self.en = self.fakers["en_US"]
        self.valid_numbers = self._valid_numbers()

    def choice(self, xs):
        return self.rng.choice(xs)

    def rand(self, alphabet, n):
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    # ------------------------------------------------------------------ PII values
    def _valid_numbers(self):
        """Valid numbers per region: libphonenumber's examples with random subscriber digits."""
        out = {}
        for region in PHONE_REGIONS:
            nums = []
            for kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE):
                ex = phonenumbers.example_number_for_type(region, kind)
                if ex is None:
                    continue
                national = str(ex.national_number)
                for _ in range(60):
                    tail = "".join(str(self.rng.randrange(10)) for _ in range(4))
                    cand = national[:-4] + tail
                    try:
                        n = phonenumbers.parse("+%d%s" % (ex.country_code, cand))
                    except phonenumbers.NumberParseException:
                        continue
                    if phonenumbers.is_valid_number(n):
                        nums.append(n)
                    if len(nums) >= 12:
                        break
            out[region] = nums
        return out

    def phone(self):
        r = self.rng.random()
        if r < 0.45:
            region = self.choice(PHONE_REGIONS)
            n = self.choice(self.valid_numbers[region])
            fmt = self.choice([PhoneNumberFormat.E164, PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.NATIONAL,
                               PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.NATIONAL])
            return phonenumbers.format_number(n, fmt)
        if r < 0.75:
            return self.fakers[self.choice(FAKER_LOCALES)].phone_number()
        # NANP in the common hand-written layouts.
        a = self.choice(["212", "310", "415", "646", "202", "312", "617", "305", "713", "555", "206", "503"])
        b = "%03d" % self.rng.randrange(200, 1000)
        c = "%04d" % self.rng.randrange(0, 10000)
        layout = self.choice([
            "({a}) {b}-{c}", "{a}-{b}-{c}", "{a}.{b}.{c}", "{a} {b} {c}", "+1 {a} {b} {c}", "+1-{a}-{b}-{c}",
            "1-{a}-{b}-{c}", "+1 ({a}) {b}-{c}", "({a}){b}-{c}", "1 ({a}) {b}-{c}", "+1{a}{b}{c}",
            "({a}) {b}-{c} x{e}", "{a}-{b}-{c} ext. {e}", "{a}.{b}.{c} ext {e}", "+1.{a}.{b}.{c}",
        ])
        return layout.format(a=a, b=b, c=c, e=self.rng.randrange(1, 9999))

    def email(self):
        r = self.rng.random()
        f = self.fakers[self.choice(FAKER_LOCALES)]
        if r < 0.55:
            return f.email()
        if r < 0.7:
            return self.choice([f.free_email(), f.company_email(), f.safe_email()])
        if r < 0.85:
            # Internationalised local part (SMTPUTF8): the name in its own script.
            loc = self.choice(["ru_RU", "zh_CN", "ja_JP", "ko_KR", "el_GR", "hi_IN", "ar_AE", "he_IL", "uk_UA", "th_TH"])
            g = self.fakers[loc]
            local = (g.last_name() + self.choice([".", "_", ""]) + g.first_name()).replace(" ", "")
            return local + "@" + self.choice(["example.com", "example.jp", "mail.example.org", "example.cn", "пример.рф", "例え.jp"])
        if r < 0.93:
            user = self.en.user_name()
            tag = self.choice(["+news", "+billing", "+" + self.rand(string.ascii_lowercase, 4), ""])
            dom = self.choice(["bücher.example", "müller.de", "exämple.com", "xn--bcher-kva.example", "sub.mail.example.co.uk"])
            return user + tag + "@" + dom
        return self.en.first_name().lower() + "." + self.en.last_name().lower() + "@" + self.en.domain_name(2)

    def ssn(self):
        r = self.rng.random()
        if r < 0.6:
            return self.en.ssn()
        if r < 0.75:
            return self.en.ssn().replace("-", " ")
        if r < 0.9:
            return self.en.itin()
        return self.choice(["078-05-1120", "219-09-9999", "000-12-3456", "666-12-3456", "987-65-4320"])

    def card(self):
        f = self.en
        kind = self.choice(["visa16", "visa16", "mastercard", "mastercard", "amex", "discover", "jcb16", "diners", "visa13", "maestro"])
        digits = f.credit_card_number(card_type=kind)
        r = self.rng.random()
        if r < 0.45:
            return digits
        sep = " " if r < 0.8 else "-"
        if len(digits) == 15:
            return sep.join([digits[:4], digits[4:10], digits[10:]])
        if len(digits) == 14:
            return sep.join([digits[:4], digits[4:10], digits[10:]])
        return sep.join(digits[i:i + 4] for i in range(0, len(digits), 4))

    def iban(self):
        loc = self.choice(IBAN_LOCALES)
        try:
            value = self.fakers[loc].iban()
        except AttributeError:
            value = self.fakers["de_DE"].iban()
        if self.rng.random() < 0.5:
            return " ".join(value[i:i + 4] for i in range(0, len(value), 4))
        return value

    def ip(self):
        r = self.rng.random()
        if r < 0.45:
            return self.en.ipv4()
        if r < 0.65:
            return self.en.ipv4_public()
        if r < 0.75:
            return self.en.ipv4_private()
        v6 = self.en.ipv6()
        if self.rng.random() < 0.5:
            # Compressed form, as systems print it.
            import ipaddress
            v6 = str(ipaddress.IPv6Address(v6))
        return v6

    def mac(self):
        m = self.en.mac_address()
        return self.choice([m, m.upper(), m.replace(":", "-"), m.upper().replace(":", "-")])

    def secret(self):
        a62 = string.ascii_letters + string.digits
        b64u = a62 + "-_"
        kind = self.choice(["openai", "openai-proj", "anthropic", "aws-id", "aws-secret", "google", "github",
                            "github-pat", "gitlab", "slack", "stripe", "hf", "jwt", "bearer", "basic", "url",
                            "langfuse-sk", "langfuse-pk", "pem"])
        if kind == "openai":
            return "sk-" + self.rand(a62, 20) + "T3BlbkFJ" + self.rand(a62, 20)
        if kind == "openai-proj":
            return "sk-proj-" + self.rand(b64u, 156)
        if kind == "anthropic":
            return "sk-ant-api03-" + self.rand(b64u, 93) + "AA"
        if kind == "aws-id":
            return self.choice(["AKIA", "ASIA"]) + self.rand(string.ascii_uppercase + "234567", 16)
        if kind == "aws-secret":
            # Secret keys are only recognisable next to their name, as in config files and env.
            return self.choice(["aws_secret_access_key = %s", "AWS_SECRET_ACCESS_KEY=%s", "\"SecretAccessKey\": \"%s\"",
                                "aws_secret_access_key: %s"]) % self.rand(a62 + "/+", 40)
        if kind == "google":
            return "AIza" + self.rand(b64u, 35)
        if kind == "github":
            return self.choice(["ghp_", "gho_", "ghs_", "ghu_"]) + self.rand(a62, 36)
        if kind == "github-pat":
            return "github_pat_" + self.rand(a62, 22) + "_" + self.rand(a62, 59)
        if kind == "gitlab":
            return "glpat-" + self.rand(b64u, 20)
        if kind == "slack":
            return self.choice(["xoxb-", "xoxp-"]) + self.rand(string.digits, 12) + "-" + self.rand(string.digits, 13) + "-" + self.rand(a62, 24)
        if kind == "stripe":
            return self.choice(["sk_live_", "sk_test_", "rk_live_", "pk_live_"]) + self.rand(a62, 24 + self.rng.randrange(0, 76))
        if kind == "hf":
            return "hf_" + self.rand(string.ascii_letters, 34)
        if kind == "jwt":
            def seg(obj):
                return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).rstrip(b"=").decode()
            header = seg({"alg": self.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"})
            payload = seg({"sub": str(self.rng.randrange(10 ** 9)), "name": self.en.name(), "iat": 1700000000 + self.rng.randrange(10 ** 7)})
            sig = base64.urlsafe_b64encode(self.rng.randbytes(32)).rstrip(b"=").decode()
            return header + "." + payload + "." + sig
        if kind == "bearer":
            return "Bearer " + self.rand(a62 + "-._~", 32 + self.rng.randrange(0, 32))
        if kind == "basic":
            cred = (self.en.user_name() + ":" + self.rand(a62, 12)).encode()
            return "Basic " + base64.b64encode(cred).decode()
        if kind == "url":
            return "%s://%s:%s@%s" % (self.choice(["https", "postgres", "mysql", "redis", "amqp", "mongodb+srv"]),
                                      self.en.user_name(), self.rand(a62 + "!$", 14), self.en.domain_name())
        if kind == "langfuse-sk":
            return "sk-lf-" + str(uuid.UUID(int=self.rng.getrandbits(128)))
        if kind == "langfuse-pk":
            return "pk-lf-" + str(uuid.UUID(int=self.rng.getrandbits(128)))
        body = base64.b64encode(self.rng.randbytes(self.rng.choice([96, 120, 180]))).decode()
        lines = [body[i:i + 64] for i in range(0, len(body), 64)]
        label = self.choice(["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"])
        sep = self.choice(["\n", "\\n"])
        return "-----BEGIN %s-----%s%s%s-----END %s-----" % (label, sep, sep.join(lines), sep, label)

    # ------------------------------------------------------------------ hard negatives
    def negative(self):
        kind = self.choice(["iso_date", "iso_datetime", "time", "epoch", "epoch_ms", "uuid", "md5", "sha1", "sha256",
                            "git_sha", "version", "isbn", "price", "order", "arithmetic", "code", "date_other",
                            "decimal", "count", "zip", "port", "year_range"])
        r = self.rng
        if kind == "iso_date":
            return kind, self.en.date(end_datetime=END)
        if kind == "iso_datetime":
            return kind, self.choice([self.en.iso8601(end_datetime=END), self.en.iso8601(end_datetime=END) + "Z", self.en.date_time(end_datetime=END).strftime("%Y-%m-%d %H:%M:%S"),
                                      self.en.date_time(end_datetime=END).strftime("%Y-%m-%dT%H:%M:%S.%f")])
        if kind == "time":
            return kind, self.en.time(end_datetime=END)
        if kind == "epoch":
            return kind, str(r.randrange(1_000_000_000, 1_900_000_000))
        if kind == "epoch_ms":
            return kind, str(r.randrange(1_000_000_000_000, 1_900_000_000_000))
        if kind == "uuid":
            return kind, str(uuid.UUID(int=r.getrandbits(128)))
        if kind == "md5":
            return kind, hashlib.md5(r.randbytes(16)).hexdigest()
        if kind == "sha1":
            return kind, hashlib.sha1(r.randbytes(16)).hexdigest()
        if kind == "sha256":
            return kind, hashlib.sha256(r.randbytes(16)).hexdigest()
        if kind == "git_sha":
            return kind, hashlib.sha1(r.randbytes(16)).hexdigest()[:self.choice([7, 8, 10, 12])]
        if kind == "version":
            return kind, self.choice([
                "%d.%d.%d" % (r.randrange(0, 20), r.randrange(0, 40), r.randrange(0, 200)),
                "v%d.%d.%d" % (r.randrange(0, 20), r.randrange(0, 40), r.randrange(0, 200)),
                "%d.%d.%d-beta.%d" % (r.randrange(0, 5), r.randrange(0, 20), r.randrange(0, 20), r.randrange(1, 9)),
                "%d.%d" % (r.randrange(1, 13), r.randrange(0, 30)),
                "%d.0.%d.%d" % (r.randrange(100, 130), r.randrange(5000, 7000), r.randrange(0, 250)),
                "10.0.%d.%d" % (r.randrange(17000, 26000), r.randrange(0, 5000)),
                "%d.%d.%d.%d" % (r.randrange(1, 12), r.randrange(0, 20), r.randrange(0, 30), r.randrange(0, 10)),
            ])
        if kind == "isbn":
            return kind, self.choice([self.en.isbn13(), self.en.isbn10(), self.en.isbn13().replace("-", "")])
        if kind == "price":
            return kind, self.choice([
                "$%s" % format(r.randrange(1, 10 ** 7) / 100, ",.2f"),
                "€%d,%02d" % (r.randrange(1, 5000), r.randrange(100)),
                "%s €" % format(r.randrange(1000, 10 ** 6), ",").replace(",", " "),
                "USD %s" % format(r.randrange(1, 10 ** 8) / 100, ",.2f"),
                "¥%s" % format(r.randrange(100, 10 ** 7), ","),
                "%d.%02d" % (r.randrange(1, 100000), r.randrange(100)),
            ])
        if kind == "order":
            return kind, self.choice([
                "#%d" % r.randrange(10 ** 9, 10 ** 10),
                "ORD-%d" % r.randrange(10 ** 9, 10 ** 10),
                "%d" % r.randrange(10 ** 9, 10 ** 10),
                "ORD-%03d-%02d-%04d" % (r.randrange(100, 1000), r.randrange(10, 100), r.randrange(10000)),
                "INV-%d-%06d" % (r.randrange(2018, 2026), r.randrange(10 ** 6)),
                "PO%d" % r.randrange(10 ** 7, 10 ** 8),
            ])
        if kind == "arithmetic":
            a, b = r.randrange(1, 100000), r.randrange(1, 100000)
            return kind, self.choice(["%d + %d = %d" % (a, b, a + b), "%d * %d = %d" % (a, b, a * b),
                                      "%d - %d" % (a, b), "%d/%d" % (a, b), "(%d + %d) * 2" % (a, b)])
        if kind == "code":
            return kind, self.choice([
                "for (int i = 0; i < %d; i++)" % r.randrange(10, 100000),
                "arr[%d::%d]" % (r.randrange(0, 10), r.randrange(1, 10)),
                "std::vector<int> v(%d);" % r.randrange(1, 1000),
                "0x%08x" % r.getrandbits(32),
                "sleep(%d)" % r.randrange(1, 100000),
                "matrix[%d][%d] = %d.%d" % (r.randrange(100), r.randrange(100), r.randrange(1000), r.randrange(1000)),
                "timeout=%d" % r.randrange(1000, 10 ** 7),
            ])
        if kind == "date_other":
            d = self.en.date_object(end_datetime=END)
            return kind, self.choice([d.strftime("%d.%m.%Y"), d.strftime("%m/%d/%Y"), d.strftime("%Y/%m/%d"), d.strftime("%d-%m-%Y")])
        if kind == "decimal":
            return kind, self.choice(["%.6f" % r.uniform(-180, 180), "%.4f %.4f" % (r.random(), r.random()), "%.2f%%" % (r.random() * 100)])
        if kind == "count":
            return kind, format(r.randrange(10 ** 5, 10 ** 10), ",")
        if kind == "zip":
            return kind, self.en.postcode()
        if kind == "year_range":
            start = r.randrange(1200, 2020)
            end = min(2099, start + r.randrange(0, 120))
            return kind, self.choice(["(%d-%d)" % (start, end), "%d-%d" % (start, end), "%d/%d" % (start, end)])
        return kind, "localhost:%d" % r.randrange(1024, 65535)

    # ------------------------------------------------------------------ contexts
    def sentence(self, label, value):
        f = self.en
        t = self.choice([
            "Please contact me at {v} if anything changes.",
            "{L}: {v}",
            "{L} {v}",
            "Customer wrote: \"my {l} is {v}, thanks\"",
            '{{"{k}": "{v}", "name": "{n}"}}',
            "{n} <{v}>",
            "[{ts}] INFO user={v} action=login",
            "{n},{v},{c}",
            "我的{zl}是{v}，请联系。",
            "{zl}：{v}",
            "{zl}{v}",
            "連絡先は{v}です。",
            "โทร{v}",
            "Bitte unter {v} melden.",
            "Mon {l} : {v}.",
            "- {l}: {v}\n- next: none",
            "{l}\t{v}\n",
            "value={v}",
            "({v})",
            "Tool output:\\n{L}: {v}\\n",
        ])
        zl = {"email": "邮箱", "phone": "电话", "ssn": "社会安全号码", "card": "卡号", "iban": "账户", "ip": "地址",
              "mac": "设备", "secret": "密钥"}.get(label, "信息")
        return t.format(v=value, L=label.upper() if len(label) <= 4 else label.capitalize(), l=label, k=label,
                        n=f.name(), c=f.city(), ts=f.iso8601(end_datetime=END), zl=zl)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--count", type=int, default=4000)
    ap.add_argument("--out", default=os.path.join(ROOT, "samples/eval-default.jsonl"))
    args = ap.parse_args()
    g = Gen(args.seed)
    weights = [("email", 16), ("phone", 24), ("ssn", 8), ("card", 8), ("iban", 6), ("ip", 8), ("mac", 3), ("secret", 12), ("none", 15)]
    kinds = [k for k, w in weights for _ in range(w)]
    labels = {"email": ["email", "e-mail", "mail"], "phone": ["phone", "tel", "mobile", "contact"], "ssn": ["SSN", "social security number"],
              "card": ["card", "credit card", "card number"], "iban": ["IBAN", "account"], "ip": ["ip", "client ip", "remote addr"],
              "mac": ["mac", "device"], "secret": ["api key", "token", "Authorization", "key"]}
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as out:
        for _ in range(args.count):
            parts, pii, keep = [], [], []
            for _ in range(g.rng.randrange(1, 4)):
                kind = g.choice(kinds)
                if kind == "none":
                    nk, nv = g.negative()
                    parts.append(g.choice(["Order placed on {v}.", "build {v}", "{v}", "ref {v} ok", "at {v}", "total {v}", "id: {v}",
                                           "checksum {v}", "see {v} for details", "\"{v}\""]).format(v=nv))
                    keep.append({"type": nk, "value": nv})
                    continue
                value = getattr(g, kind)()
                label = g.choice(labels[kind])
                parts.append(g.sentence(label, value))
                if kind == "secret" and value.startswith(("Bearer ", "Basic ")):
                    value = value.split(" ", 1)[1]
                if kind == "secret" and ("ecret_access_key" in value or "SecretAccessKey" in value or "SECRET_ACCESS_KEY" in value):
                    value = value.rstrip('"')[-40:]
                if kind == "secret" and value.startswith("-----BEGIN"):
                    # The key material is what must go; each body line is checked.
                    sep = "\\n" if "\\n" in value else "\n"
                    for line in value.split(sep)[1:-1]:
                        if len(line) >= 16:
                            pii.append({"type": "secret", "value": line})
                    continue
                if kind == "secret" and "://" in value:
                    value = value.split("://", 1)[1].split("@", 1)[0]
                pii.append({"type": kind, "value": value})
            # A hard negative next to PII in one record too.
            if g.rng.random() < 0.5:
                nk, nv = g.negative()
                parts.append("(ref %s)" % nv)
                keep.append({"type": nk, "value": nv})
            out.write(json.dumps({"text": " ".join(parts), "pii": pii, "keep": keep}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
