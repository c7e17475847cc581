#!/usr/bin/env python3
"""Independent hold-out corpus for pii-scrub's `default` set.

Written in the thirteenth session from scratch, without reading tools/gen_eval_corpus.py or
samples/, to check the set on formats it was not tuned on (what it found and what changed:
docs/PATTERNS-DEFAULT.md, "Hold-out corpus"). Values and hard negatives in chat transcripts,
tickets, logs, CSV, JSON (also with \\u escapes), markdown tables, code and access logs in a dozen
languages; Faker (50+ locales) and phonenumbers (about 90 regions); IBANs pass mod-97, cards Luhn,
non-NANP phones is_valid_number. Test-only; needs Faker and phonenumbers (pip):

    python3 tools/gen_holdout_corpus.py --records 3000 --seed 20261206 \
        --out samples/holdout-default.jsonl --meta /tmp/holdout_meta.jsonl

Writes the corpus (bench format, see docs/BENCH.md) and, in the same line order, each value's
format class (for analysing misses).
"""
import argparse, base64, datetime, hashlib, ipaddress, json, random, string, uuid, urllib.parse

import phonenumbers
from phonenumbers import PhoneNumberFormat as PNF, PhoneNumberType as PNT
from faker import Faker

ap = argparse.ArgumentParser()
ap.add_argument("--records", type=int, default=3000)
ap.add_argument("--seed", type=int, default=20261206)
ap.add_argument("--out", default="holdout.jsonl")
ap.add_argument("--meta", default="holdout_meta.jsonl")
args = ap.parse_args()

R = random.Random(args.seed)
# Dates relative to a fixed day, not to today: the same seed writes the same corpus.
NOW = datetime.datetime(2026, 12, 6, 12, 0, 0)


def days(n):
    return NOW + datetime.timedelta(days=n)

Faker.seed(args.seed)
_fk = {}


def fk(loc):
    if loc not in _fk:
        f = Faker(loc)
        f.seed_instance(R.randrange(1 << 30))
        _fk[loc] = f
    return _fk[loc]


ALNUM = string.ascii_letters + string.digits
B64URL = ALNUM + "-_"
UPPER_D = string.ascii_uppercase + string.digits


def rs(n, alpha=ALNUM):
    return "".join(R.choice(alpha) for _ in range(n))


def W(choices):
    """weighted choice from [(weight, value), ...]"""
    tot = sum(w for w, _ in choices)
    x = R.uniform(0, tot)
    for w, v in choices:
        x -= w
        if x <= 0:
            return v
    return choices[-1][1]


class Item:
    def __init__(self, typ, value, cls, display=None, field=None, need_field=False):
        self.type, self.value, self.cls = typ, value, cls
        self.display = display if display is not None else value
        self.field = field
        self.need_field = need_field


# ---------------------------------------------------------------- email
LOCALES_LATIN = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "es_MX", "it_IT", "pt_BR", "pt_PT", "nl_NL",
                 "pl_PL", "sv_SE", "da_DK", "fi_FI", "cs_CZ", "hu_HU", "ro_RO", "tr_TR", "id_ID", "en_IN",
                 "en_AU", "en_CA", "fr_CA", "de_AT", "de_CH", "en_IE", "en_NG", "en_PH", "es_AR", "es_CO"]
LOCALES_ALL = LOCALES_LATIN + ["ja_JP", "zh_CN", "zh_TW", "ko_KR", "th_TH", "hi_IN", "ru_RU", "uk_UA", "el_GR",
                               "bg_BG", "he_IL", "fa_IR", "ar_EG", "vi_VN", "bn_BD"]

IDN_LOCAL = ["josé.garcía", "müller", "zoë.o'neill", "françois", "søren.ærø", "łukasz.wójcik", "用户", "张伟",
             "たなか", "ユーザー", "пользователь", "иван.петров", "δοκιμή", "ชื่อผู้ใช้", "สมชาย", "उपयोगकर्ता",
             "राज", "사용자", "dörte", "ñandú", "çağla", "ğüşiöç"]
IDN_DOMAIN = ["bücher.de", "münchen.de", "例え.jp", "例子.中国", "公司.cn", "пример.рф", "почта.рф", "παράδειγμα.gr",
              "ตัวอย่าง.ไทย", "उदाहरण.भारत", "도메인.한국", "köln-büro.de", "café.fr", "xn--bcher-kva.de",
              "xn--mnchen-3ya.de", "xn--r8jz45g.jp"]
TLDS = ["com", "org", "net", "de", "co.uk", "fr", "es", "io", "dev", "ai", "co.jp", "com.br", "in", "com.au",
        "ch", "nl", "photography", "museum", "technology", "app", "cloud", "xyz", "gov.uk", "ac.jp", "edu"]


def ascii_local(loc="en_US"):
    f = fk(loc)
    s = f.email().split("@")[0]
    return s


def ascii_domain():
    return W([(5, lambda: fk(R.choice(LOCALES_LATIN)).free_email_domain()),
              (5, lambda: fk(R.choice(LOCALES_LATIN)).domain_name()),
              (3, lambda: "%s.%s" % (fk("en_US").word(), R.choice(TLDS))),
              (2, lambda: "%s.%s.%s" % (R.choice(["mail", "eu", "corp", "support", "dept"]),
                                         fk("en_US").word(), R.choice(TLDS)))])()


def gen_email():
    k = W([(30, "faker"), (12, "plus_tag"), (8, "subdomain_longtld"), (6, "upper_mixed"), (10, "idn_local"),
           (8, "idn_domain"), (4, "quoted_local"), (8, "mailto"), (3, "special_chars"), (5, "digits_hyphen"),
           (1, "ip_literal"), (2, "url_encoded")])
    if k == "faker":
        loc = R.choice(LOCALES_ALL)
        f = fk(loc)
        v = W([(1, f.email), (1, f.free_email), (1, f.company_email)])()
        return Item("email", v, "email/faker")
    if k == "plus_tag":
        v = "%s+%s@%s" % (ascii_local(R.choice(LOCALES_LATIN)), R.choice(["news", "billing", "test1", "langfuse", "2024", "a.b", "x_y"]), ascii_domain())
        return Item("email", v, "email/plus_tag")
    if k == "subdomain_longtld":
        v = "%s@%s.%s.%s" % (ascii_local(), R.choice(["mail", "eng", "hr", "ops", "lab"]), fk("en_US").word(), R.choice(["photography", "museum", "technology", "international", "co.uk", "com.au", "ac.jp"]))
        return Item("email", v, "email/subdomain_longtld")
    if k == "upper_mixed":
        v = "%s@%s" % (ascii_local(R.choice(LOCALES_LATIN)), ascii_domain())
        v = R.choice([v.upper(), v.title(), v[0].upper() + v[1:]])
        return Item("email", v, "email/upper_mixed")
    if k == "idn_local":
        v = "%s@%s" % (R.choice(IDN_LOCAL), R.choice([ascii_domain(), R.choice(IDN_DOMAIN)]))
        return Item("email", v, "email/idn_local")
    if k == "idn_domain":
        v = "%s@%s" % (ascii_local(), R.choice(IDN_DOMAIN))
        return Item("email", v, "email/idn_domain")
    if k == "quoted_local":
        v = '"%s"@%s' % (R.choice(["john doe", "jane.smith ", "a@b", "x..y", "o'hara", "support team"]), ascii_domain())
        return Item("email", v, "email/quoted_local")
    if k == "mailto":
        v = "%s@%s" % (ascii_local(R.choice(LOCALES_LATIN)), ascii_domain())
        d = R.choice(["mailto:%s", "mailto:%s?subject=Invoice%20123", "[%s](mailto:%s)", "<a href=\"mailto:%s\">"])
        disp = d.replace("%s", v, 2) if d.count("%s") else d
        return Item("email", v, "email/mailto", display=disp)
    if k == "special_chars":
        v = "%s%s%s@%s" % (fk("en_US").first_name().lower(), R.choice(["_", "'", "=", "%", "&", "!", "#", "~", "^"]), fk("en_US").last_name().lower(), ascii_domain())
        return Item("email", v, "email/special_chars")
    if k == "digits_hyphen":
        v = "%s-%s%d@%s" % (fk("en_US").first_name().lower(), fk("en_US").last_name().lower(), R.randrange(1, 9999), ascii_domain())
        return Item("email", v, "email/digits_hyphen")
    if k == "ip_literal":
        v = "%s@[%s]" % (ascii_local(), fk("en_US").ipv4_public())
        return Item("email", v, "email/ip_literal")
    # url_encoded in query string
    raw = "%s@%s" % (ascii_local(), ascii_domain())
    enc = raw.replace("@", "%40")
    return Item("email", enc, "email/url_encoded_%40", display="https://app.example.net/unsubscribe?email=%s&t=%s" % (enc, rs(8)))


# ---------------------------------------------------------------- phone
TOP30 = ["CN", "IN", "US", "ID", "PK", "NG", "BR", "BD", "RU", "ET", "MX", "JP", "EG", "PH", "CD", "VN", "IR",
         "TR", "DE", "TH", "GB", "FR", "TZ", "ZA", "IT", "KE", "MM", "CO", "KR", "UG", "ES", "SD"]
EU = ["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
      "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"]
EXTRA = ["CA", "AU", "CH", "NO", "AR", "UA", "SA", "AE", "IL", "SG", "NZ", "MY"]
REGIONS = sorted(set(TOP30 + EU + EXTRA))


def rand_valid(region, ptype):
    ex = phonenumbers.example_number_for_type(region, ptype)
    if ex is None:
        return None
    nsn = phonenumbers.national_significant_number(ex)
    keep = min(len(nsn) - 4, R.choice([1, 2, 3]))
    for _ in range(80):
        cand = nsn[:keep] + "".join(R.choice(string.digits) for _ in range(len(nsn) - keep))
        try:
            n = phonenumbers.parse("+%d%s" % (ex.country_code, cand))
        except Exception:
            continue
        if phonenumbers.is_valid_number(n) and phonenumbers.number_type(n) == ptype:
            return n
    return ex


NANP_AREAS = ["212", "213", "310", "312", "323", "404", "415", "469", "503", "512", "617", "646", "702", "713",
              "718", "786", "805", "818", "917", "206", "303", "416", "604", "514", "905", "202", "305", "408"]


def gen_nanp():
    a = R.choice(NANP_AREAS) if R.random() < .8 else str(R.randint(201, 989))
    if R.random() < .3:
        e, l = "555", "01%02d" % R.randrange(100)
    else:
        e, l = str(R.randint(201, 999)), "%04d" % R.randrange(10000)
    if R.random() < .04:
        a, e, l = "555", "0%02d" % R.randrange(10, 100), "%04d" % R.randrange(10000)  # (555) 010-4477 style
    fmts = [("paren", "(%s) %s-%s"), ("paren_nospace", "(%s)%s-%s"), ("dash", "%s-%s-%s"), ("dot", "%s.%s.%s"),
            ("space", "%s %s %s"), ("plus1_space", "+1 %s %s %s"), ("plus1_dash", "+1-%s-%s-%s"),
            ("plus1_paren", "+1 (%s) %s-%s"), ("1_dash", "1-%s-%s-%s"), ("1_paren", "1 (%s) %s-%s"),
            ("plus1_dot", "+1.%s.%s.%s"), ("e164", "+1%s%s%s"), ("1_dot", "1.%s.%s.%s")]
            
    name, f = R.choice(fmts)
    v = f % (a, e, l)
    cls = "phone/nanp_" + name
    disp = v
    if R.random() < .15:
        ext = R.choice([" x%d", " ext. %d", " ext %d", " Ext. %d", " x %d", ", ext. %d", " #%d"]) % R.randint(1, 99999)
        v = v + ext
        cls += "+ext"
        disp = v
    if R.random() < .05:
        v = "%s%s%s" % (a, e, l)
        cls = "phone/nanp_bare10_labelled"
        disp = v
        return Item("phone", v, cls, display=disp, field=R.choice(["Phone", "phone", "Tel", "cell", "mobile"]), need_field=True)
    return Item("phone", v, cls, display=disp)


def gen_phone():
    if R.random() < .3:
        return gen_nanp()
    region = R.choice(REGIONS)
    if region in ("US", "CA"):
        return gen_nanp()
    ptype = R.choice([PNT.MOBILE, PNT.MOBILE, PNT.FIXED_LINE])
    n = rand_valid(region, ptype)
    if n is None:
        return gen_nanp()
    tname = "mobile" if ptype == PNT.MOBILE else "fixed"
    fmt = W([(3, "INTERNATIONAL"), (2, "E164"), (4, "NATIONAL"), (1, "national_compact"), (1, "intl_00"),
             (0.6, "intl_(0)"), (0.5, "intl_dashes"), (0.4, "tel_uri")])
    if fmt == "INTERNATIONAL":
        v = phonenumbers.format_number(n, PNF.INTERNATIONAL)
    elif fmt == "E164":
        v = phonenumbers.format_number(n, PNF.E164)
    elif fmt == "NATIONAL":
        v = phonenumbers.format_number(n, PNF.NATIONAL)
    elif fmt == "national_compact":
        v = "".join(c for c in phonenumbers.format_number(n, PNF.NATIONAL) if c.isdigit() or c == "+")
    elif fmt == "intl_00":
        v = "00" + phonenumbers.format_number(n, PNF.INTERNATIONAL)[1:]
    elif fmt == "intl_(0)":
        intl = phonenumbers.format_number(n, PNF.INTERNATIONAL)
        cc = "+%d" % n.country_code
        if phonenumbers.format_number(n, PNF.NATIONAL).startswith("0"):
            v = cc + " (0)" + intl[len(cc):]
        else:
            v = intl
            fmt = "INTERNATIONAL"
    elif fmt == "intl_dashes":
        v = phonenumbers.format_number(n, PNF.INTERNATIONAL).replace(" ", "-")
    else:
        v = phonenumbers.format_number(n, PNF.RFC3966)
        return Item("phone", v[4:], "phone/tel_uri", display=v)
    return Item("phone", v, "phone/%s_%s_%s" % (region, tname, fmt))


def gen_faker_phone():
    loc = R.choice(["en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL", "pt_BR", "ja_JP", "zh_CN",
                    "ko_KR", "hi_IN", "en_IN", "ru_RU", "tr_TR", "id_ID", "th_TH", "en_AU", "sv_SE", "de_AT"])
    reg = loc.split("_")[1]
    for _ in range(50):
        v = fk(loc).phone_number()
        try:
            if phonenumbers.is_valid_number(phonenumbers.parse(v, reg)):
                break
        except Exception:
            pass
    else:
        return gen_phone()
    return Item("phone", v, "phone/faker_" + loc)


# ---------------------------------------------------------------- ssn
def gen_ssn():
    k = W([(35, "dashed"), (12, "spaced"), (15, "bare_labelled"), (10, "itin_dashed"), (10, "invalid_area_dashed"),
           (5, "faker"), (3, "itin_bare_labelled"), (4, "dashed_labelled_kv")])
    area = R.choice([i for i in range(1, 900) if i != 666])
    grp, ser = R.randint(1, 99), R.randint(1, 9999)
    if k in ("itin_dashed", "itin_bare_labelled"):
        area = R.randint(900, 999)
        grp = R.choice(list(range(50, 66)) + list(range(70, 89)) + [90, 91, 92] + list(range(94, 100)))
    if k == "invalid_area_dashed":
        area = R.choice([0, 666, R.randint(900, 999)])
        if R.random() < .2:
            grp = 0
    d = "%03d-%02d-%04d" % (area, grp, ser)
    if k == "faker":
        d = fk("en_US").ssn()
    if k == "spaced":
        return Item("ssn", d.replace("-", " "), "ssn/spaced")
    if k in ("bare_labelled", "itin_bare_labelled"):
        lab = R.choice(["SSN", "SSN:", "ssn", "SSN#", "Social Security Number:", "social security no.", "SSN No.",
                        "ITIN", "ITIN:", "Soc. Sec. #"]) if k == "itin_bare_labelled" or True else "SSN"
        if k == "itin_bare_labelled":
            lab = R.choice(["ITIN", "ITIN:", "itin#"])
        return Item("ssn", d.replace("-", ""), "ssn/" + k, field=lab, need_field=True)
    return Item("ssn", d, "ssn/" + k)


# ---------------------------------------------------------------- card
def luhn_complete(prefix, length):
    body = prefix + "".join(R.choice(string.digits) for _ in range(length - len(prefix) - 1))
    tot = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        tot += d
    return body + str((10 - tot % 10) % 10)


def luhn_ok(s):
    s = [int(c) for c in s if c.isdigit()]
    tot = 0
    for i, d in enumerate(reversed(s)):
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        tot += d
    return tot % 10 == 0


ISSUERS = [("visa16", lambda: "4", 16, 30), ("visa13", lambda: "4", 13, 1), ("visa19", lambda: "4", 19, 1),
           ("mc51-55", lambda: str(R.randint(51, 55)), 16, 15), ("mc2series", lambda: str(R.randint(2221, 2720)), 16, 6),
           ("amex", lambda: R.choice(["34", "37"]), 15, 12), ("discover", lambda: R.choice(["6011", "65", str(R.randint(644, 649))]), 16, 6),
           ("jcb", lambda: str(R.randint(3528, 3589)), 16, 4), ("diners14", lambda: R.choice(["36", "38", str(R.randint(300, 305))]), 14, 3),
           ("unionpay16", lambda: "62" + str(R.randint(10, 99)), 16, 4), ("unionpay19", lambda: "62" + str(R.randint(10, 99)), 19, 2),
           ("maestro", lambda: R.choice(["5018", "5020", "5038", "6304", "6759", "6761"]), R.choice([12, 13, 16, 19]), 2),
           ("mir", lambda: "220" + str(R.randint(0, 4)), 16, 2), ("rupay", lambda: R.choice(["60", "652", "508"]), 16, 2)]
TEST_CARDS = ["4111111111111111", "4242424242424242", "5555555555554444", "378282246310005", "6011111111111117",
              "4000056655665556", "5105105105105100", "371449635398431", "3566002020360505", "4012888888881881"]


def group(num, sizes, sep):
    out, i = [], 0
    for s in sizes:
        if i >= len(num):
            break
        out.append(num[i:i + s])
        i += s
    if i < len(num):
        out.append(num[i:])
    return sep.join(out)


def gen_card():
    if R.random() < .12:
        num, name = R.choice(TEST_CARDS), "testcard"
    elif R.random() < .08:
        num, name = fk("en_US").credit_card_number(), "faker"
        while num.startswith(("1800", "2131")):
            num = fk("en_US").credit_card_number()
    else:
        name, pf, ln, _ = W([(w, (n, p, l, w)) for n, p, l, w in ISSUERS])
        num = luhn_complete(pf(), ln if isinstance(ln, int) else ln)
    assert luhn_ok(num)
    L = len(num)
    fmt = W([(4, "plain"), (5, "space"), (2, "dash")])
    if fmt == "plain":
        v = num
    else:
        sep = " " if fmt == "space" else "-"
        if L == 15:
            sizes = [4, 6, 5]
        elif L == 14:
            sizes = [4, 6, 4]
        else:
            sizes = [4, 4, 4, 4, 4]
        v = group(num, sizes, sep)
    return Item("card", v, "card/%s_len%d_%s" % (name, L, fmt))


# ---------------------------------------------------------------- iban
IBAN_SPECS = {"DE": "8n10n", "GB": "4a6n8n", "FR": "5n5n11c2n", "ES": "4n4n1n1n10n", "IT": "1a5n5n12c", "NL": "4a10n",
              "BE": "3n7n2n", "AT": "5n11n", "CH": "5n12c", "PL": "8n16n", "PT": "4n4n11n2n", "SE": "3n16n1n",
              "IE": "4a6n8n", "DK": "4n9n1n", "FI": "3n11n", "NO": "4n6n1n", "LU": "3n13c", "GR": "3n4n16c",
              "CZ": "4n6n10n", "SK": "4n6n10n", "HU": "3n4n1n15n1n", "RO": "4a16c", "BG": "4a4n2n8c",
              "HR": "7n10n", "SI": "5n8n2n", "EE": "2n2n11n1n", "LV": "4a13c", "LT": "5n11n", "MT": "4a5n18c",
              "CY": "3n5n16c", "TR": "5n1n16c", "SA": "2n18c", "AE": "3n16n", "BR": "8n5n10n1a1c", "IL": "3n3n13n",
              "LI": "5n12c", "MC": "5n5n11c2n", "UA": "6n19c", "QA": "4a21c", "KW": "4a22c", "EG": "4n4n17n",
              "PK": "4a16c", "IS": "4n2n6n10n", "RS": "3n13n2n", "BA": "3n3n8n2n", "MD": "2c18c", "GE": "2a16n",
              "AZ": "4a20c", "JO": "4a4n18c", "KZ": "3n13c", "MU": "4a2n2n12n3n3a", "SM": "1a5n5n12c", "XK": "4n10n2n"}
IBAN_LEN = {"DE": 22, "GB": 22, "FR": 27, "ES": 24, "IT": 27, "NL": 18, "BE": 16, "AT": 20, "CH": 21, "PL": 28,
            "PT": 25, "SE": 24, "IE": 22, "DK": 18, "FI": 18, "NO": 15, "LU": 20, "GR": 27, "CZ": 24, "SK": 24,
            "HU": 28, "RO": 24, "BG": 22, "HR": 21, "SI": 19, "EE": 20, "LV": 21, "LT": 20, "MT": 31, "CY": 28,
            "TR": 26, "SA": 24, "AE": 23, "BR": 29, "IL": 23, "LI": 21, "MC": 27, "UA": 29, "QA": 29, "KW": 30,
            "EG": 29, "PK": 24, "IS": 26, "RS": 22, "BA": 20, "MD": 24, "GE": 22, "AZ": 28, "JO": 30, "KZ": 20,
            "MU": 30, "SM": 27, "XK": 20}
BANK_CODES = {"GB": ["NWBK", "BARC", "HBUK", "LOYD", "MIDL"], "NL": ["ABNA", "INGB", "RABO", "TRIO"],
              "IE": ["AIBK", "BOFI"], "RO": ["RNCB", "BTRL"], "BG": ["BNBG", "UNCR"], "LV": ["HABA", "PARX"],
              "MT": ["MALT", "VALL"], "QA": ["DOHB", "QNBA"], "KW": ["CBKU", "NBOK"], "PK": ["SCBL", "HABB"]}


def iban_check(cc, bban):
    s = bban + cc + "00"
    n = int("".join(str(int(c, 36)) for c in s))
    return "%02d" % (98 - n % 97)


def iban_ok(iban):
    s = iban.replace(" ", "").upper()
    s = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in s)) % 97 == 1


def gen_iban():
    if R.random() < .15:
        loc = R.choice(["de_DE", "en_GB", "fr_FR", "es_ES", "it_IT", "nl_NL", "pl_PL", "pt_PT", "de_AT", "fi_FI", "no_NO", "cs_CZ", "sk_SK", "ro_RO", "tr_TR", "pt_BR"])
        v = fk(loc).iban()
        cc = v[:2]
        cls = "faker"
    else:
        cc = W([(10, "DE"), (8, "GB"), (6, "FR"), (6, "ES"), (6, "IT"), (6, "NL")] + [(1.2, c) for c in IBAN_SPECS if c not in ("DE", "GB", "FR", "ES", "IT", "NL")])
        spec = IBAN_SPECS[cc]
        bban = ""
        import re
        for cnt, kind in re.findall(r"(\d+)([nac])", spec):
            cnt = int(cnt)
            if kind == "n":
                bban += rs(cnt, string.digits)
            elif kind == "a":
                if cc in BANK_CODES and not bban and cnt == 4:
                    bban += R.choice(BANK_CODES[cc])
                else:
                    bban += rs(cnt, string.ascii_uppercase)
            else:
                bban += "".join(R.choice(string.digits) if R.random() < .85 else R.choice(string.ascii_uppercase) for _ in range(cnt))
        v = cc + iban_check(cc, bban) + bban
        assert len(v) == IBAN_LEN[cc], (cc, v)
        cls = "gen"
    assert iban_ok(v), v
    fmt = W([(5, "compact"), (5, "grouped4"), (0.4, "lower_grouped")])
    if fmt == "grouped4":
        v = " ".join(v[i:i + 4] for i in range(0, len(v), 4))
    elif fmt == "lower_grouped":
        v = " ".join(v[i:i + 4] for i in range(0, len(v), 4)).lower()
    return Item("iban", v, "iban/%s_%s" % (cc, fmt))


# ---------------------------------------------------------------- ip / mac
def gen_ip():
    k = W([(20, "v4_public"), (8, "v4_private"), (6, "v4_port"), (5, "v4_in_url"), (3, "v4_cidr"), (3, "v4_xff_list"),
           (14, "v6_compressed"), (6, "v6_full"), (3, "v6_bracket_port"), (3, "v6_zone"), (2, "v6_mapped_v4"),
           (3, "v6_upper"), (2, "v6_linklocal"), (5, "v4_common_lowoctet")])
    f = fk("en_US")
    if k.startswith("v4"):
        a = f.ipv4_private() if k == "v4_private" else f.ipv4_public()
        if k == "v4_common_lowoctet":
            # everyday addresses: resolvers, default gateways, small 10/8 subnets
            a = R.choice(["8.8.8.8", "8.8.4.4", "1.1.1.1", "1.0.0.1", "9.9.9.9", "4.2.2.2",
                          "10.0.0.%d" % R.randint(1, 31), "10.0.%d.%d" % (R.randint(0, 20), R.randint(1, 31)),
                          "10.%d.%d.%d" % (R.randint(1, 31), R.randint(0, 31), R.randint(1, 31)),
                          "%d.%d.%d.%d" % (R.randint(1, 31), R.randint(0, 31), R.randint(0, 31), R.randint(1, 31))])
            k = R.choice(["v4_common_lowoctet", "v4_common_lowoctet_port", "v4_common_lowoctet_url"])
            if k.endswith("_port"):
                return Item("ip", a, "ip/" + k, display="%s:%d" % (a, R.choice([53, 80, 443, 8080])))
            if k.endswith("_url"):
                return Item("ip", a, "ip/" + k, display="http://%s/" % a)
        if k == "v4_port":
            return Item("ip", a, "ip/" + k, display="%s:%d" % (a, R.choice([22, 80, 443, 5432, 6379, 8080, 3000, 27017])))
        if k == "v4_in_url":
            return Item("ip", a, "ip/" + k, display=R.choice(["http://%s/admin", "https://%s:8443/api/v1/health", "ftp://%s/pub/"]) % a)
        if k == "v4_cidr":
            return Item("ip", a, "ip/" + k, display="%s/%d" % (a, R.choice([8, 16, 24, 32])))
        if k == "v4_xff_list":
            it = Item("ip", a, "ip/" + k, display="%s, %s" % (a, "10.%d.%d.%d" % (R.randrange(256), R.randrange(256), R.randrange(1, 255))))
            it.extra = [it.display.split(", ")[1]]
            return it
        return Item("ip", a, "ip/" + k)
    a6 = ipaddress.IPv6Address(R.getrandbits(128))
    if R.random() < .5:
        # realistic: zero runs
        parts = a6.exploded.split(":")
        z = R.randrange(1, 7)
        for i in range(z, min(8, z + R.randint(1, 4))):
            parts[i] = "0000"
        a6 = ipaddress.IPv6Address(":".join(parts))
    if R.random() < .3:
        a6 = ipaddress.IPv6Address("2001:db8::%x:%x" % (R.randrange(65536), R.randrange(65536)))
    if k == "v6_compressed":
        return Item("ip", a6.compressed, "ip/" + k)
    if k == "v6_full":
        return Item("ip", a6.exploded, "ip/" + k)
    if k == "v6_upper":
        return Item("ip", a6.compressed.upper(), "ip/" + k)
    if k == "v6_bracket_port":
        return Item("ip", a6.compressed, "ip/" + k, display=R.choice(["[%s]:443", "http://[%s]:8080/", "[%s]"]) % a6.compressed)
    if k == "v6_linklocal":
        v = "fe80::%x:%x:%x:%x" % tuple(R.randrange(65536) for _ in range(4))
        return Item("ip", v, "ip/" + k)
    if k == "v6_zone":
        v = "fe80::%x:%x:%x:%x" % tuple(R.randrange(65536) for _ in range(4))
        return Item("ip", v, "ip/" + k, display=v + R.choice(["%eth0", "%en0", "%25", "%wlan0"]))
    v4 = f.ipv4_public()
    return Item("ip", "::ffff:" + v4, "ip/" + k)


def gen_mac():
    b = [R.randrange(256) for _ in range(6)]
    k = W([(5, "colon_lower"), (4, "colon_upper"), (3, "dash_upper"), (2, "cisco_dot")])
    if k == "colon_lower":
        v = ":".join("%02x" % x for x in b)
    elif k == "colon_upper":
        v = ":".join("%02X" % x for x in b)
    elif k == "dash_upper":
        v = "-".join("%02X" % x for x in b)
    else:
        h = "".join("%02x" % x for x in b)
        v = ".".join(h[i:i + 4] for i in range(0, 12, 4))
    return Item("mac", v, "mac/" + k)


# ---------------------------------------------------------------- secrets
def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def jwt():
    hdr = R.choice([{"alg": "HS256", "typ": "JWT"}, {"alg": "RS256", "typ": "JWT", "kid": rs(16)}, {"typ": "JWT", "alg": "ES256"}])
    pl = {"sub": str(R.randrange(10 ** 6, 10 ** 9)), "name": fk("en_US").name(), "iat": R.randint(1600000000, 1800000000)}
    if R.random() < .5:
        pl["email"] = fk("en_US").email()
        pl["exp"] = pl["iat"] + 3600
    sig = bytes(R.randrange(256) for _ in range(R.choice([32, 64, 256])))
    return "%s.%s.%s" % (b64u(json.dumps(hdr, separators=(",", ":")).encode()), b64u(json.dumps(pl, separators=(",", ":")).encode()), b64u(sig))


def pem():
    kind = R.choice(["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "DSA PRIVATE KEY"])
    raw = base64.b64encode(bytes(R.randrange(256) for _ in range(R.choice([121, 300, 600, 1190])))).decode()
    body = "\n".join(raw[i:i + 64] for i in range(0, len(raw), 64))
    return kind, body


def gen_secret():
    k = W([(5, "langfuse_sk"), (3, "langfuse_pk"), (5, "openai_legacy"), (6, "openai_proj"), (2, "openai_svcacct"),
           (6, "anthropic"), (6, "aws_akid"), (5, "aws_secret_labelled"), (5, "google_api"), (5, "github_classic"),
           (4, "github_fine_grained"), (4, "gitlab_pat"), (4, "slack_bot"), (2, "slack_user"), (1, "slack_app"),
           (2, "slack_webhook"), (4, "stripe_sk"), (2, "stripe_rk"), (1, "stripe_whsec"), (4, "huggingface"),
           (6, "jwt"), (4, "pem"), (5, "bearer_opaque"), (3, "bearer_jwt"), (3, "basic_auth"), (6, "url_creds")])
    c = "secret/" + k
    if k == "langfuse_sk":
        return Item("secret", "sk-lf-" + str(uuid.UUID(int=R.getrandbits(128), version=4)), c)
    if k == "langfuse_pk":
        return Item("secret", "pk-lf-" + str(uuid.UUID(int=R.getrandbits(128), version=4)), c)
    if k == "openai_legacy":
        return Item("secret", "sk-" + rs(20) + "T3BlbkFJ" + rs(20), c)
    if k == "openai_proj":
        return Item("secret", "sk-proj-" + rs(R.choice([48, 74]), B64URL) + "T3BlbkFJ" + rs(R.choice([48, 74]), B64URL), c)
    if k == "openai_svcacct":
        return Item("secret", "sk-svcacct-" + rs(74, B64URL) + "T3BlbkFJ" + rs(74, B64URL), c)
    if k == "anthropic":
        return Item("secret", "sk-ant-%s-" % R.choice(["api03", "api03", "admin01"]) + rs(93, B64URL) + "AA", c)
    if k == "aws_akid":
        return Item("secret", R.choice(["AKIA", "AKIA", "ASIA"]) + rs(16, string.ascii_uppercase + "234567"), c)
    if k == "aws_secret_labelled":
        return Item("secret", rs(40, ALNUM + "/+"), c, field=R.choice(["aws_secret_access_key", "AWS_SECRET_ACCESS_KEY", "SecretAccessKey", "secret_access_key", "aws_secret_key"]), need_field=True)
    if k == "google_api":
        return Item("secret", "AIza" + rs(35, B64URL), c)
    if k == "github_classic":
        return Item("secret", R.choice(["ghp_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_"]) + rs(36), c)
    if k == "github_fine_grained":
        return Item("secret", "github_pat_" + rs(22) + "_" + rs(59), c)
    if k == "gitlab_pat":
        return Item("secret", "glpat-" + rs(20, B64URL), c)
    if k == "slack_bot":
        return Item("secret", "xoxb-%s-%s-%s" % (rs(R.choice([10, 11, 12, 13]), string.digits), rs(R.choice([12, 13]), string.digits), rs(24)), c)
    if k == "slack_user":
        return Item("secret", "xoxp-%s-%s-%s-%s" % (rs(11, string.digits), rs(12, string.digits), rs(13, string.digits), rs(32, "0123456789abcdef")), c)
    if k == "slack_app":
        return Item("secret", "xapp-1-A%s-%s-%s" % (rs(10, UPPER_D), rs(13, string.digits), rs(64, "0123456789abcdef")), c)
    if k == "slack_webhook":
        s = rs(24)
        return Item("secret", s, c, display="https://hooks.slack.com/services/T%s/B%s/%s" % (rs(8, UPPER_D), rs(10, UPPER_D), s))
    if k == "stripe_sk":
        return Item("secret", R.choice(["sk_live_", "sk_test_"]) + rs(R.choice([24, 99])), c)
    if k == "stripe_rk":
        return Item("secret", R.choice(["rk_live_", "rk_test_"]) + rs(R.choice([24, 99])), c)
    if k == "stripe_whsec":
        return Item("secret", "whsec_" + rs(32), c)
    if k == "huggingface":
        return Item("secret", "hf_" + rs(34, string.ascii_letters), c)
    if k == "jwt":
        return Item("secret", jwt(), c)
    if k == "pem":
        kind, body = pem()
        blk = "-----BEGIN %s-----\n%s\n-----END %s-----" % (kind, body, kind)
        return Item("secret", blk, c)
    if k == "bearer_opaque":
        t = rs(R.choice([32, 40, 64]), ALNUM + "-._~")
        return Item("secret", t, c, display=R.choice(["Authorization: Bearer %s", "authorization: bearer %s", "Bearer %s"]) % t)
    if k == "bearer_jwt":
        t = jwt()
        return Item("secret", t, c, display=R.choice(["Authorization: Bearer %s", "Bearer %s"]) % t)
    if k == "basic_auth":
        t = base64.b64encode(("%s:%s" % (fk("en_US").user_name(), fk("en_US").password(length=R.randint(10, 16), special_chars=False))).encode()).decode()
        return Item("secret", t, c, display=R.choice(["Authorization: Basic %s", "authorization: Basic %s"]) % t)
    # url_creds
    pw = fk("en_US").password(length=R.randint(10, 18), special_chars=False) + R.choice(["", "!", "-", "_", "~", "*"])
    user = fk("en_US").user_name()
    scheme = R.choice(["https://%s:%s@%s/path", "postgres://%s:%s@%s:5432/app", "mongodb+srv://%s:%s@%s/db?retryWrites=true",
                       "redis://%s:%s@%s:6379/0", "amqp://%s:%s@%s:5672/", "ftp://%s:%s@%s/", "mysql://%s:%s@%s:3306/prod"])
    return Item("secret", pw, c, display=scheme % (user, pw, "db%d.%s" % (R.randrange(9), fk("en_US").domain_name())))


GENS = [(20, gen_email), (22, gen_phone), (3, gen_faker_phone), (9, gen_ssn), (10, gen_card), (8, gen_iban),
        (11, gen_ip), (3, gen_mac), (16, gen_secret)]


def gen_item():
    return W(GENS)()


# ---------------------------------------------------------------- hard negatives
def gen_keep():
    k = W([(8, "iso_date"), (8, "iso_datetime"), (3, "time"), (6, "epoch10"), (4, "epoch13"), (8, "uuid"),
           (4, "md5"), (5, "sha1"), (4, "sha256"), (5, "git_short"), (7, "version"), (4, "isbn"), (7, "price"),
           (7, "order"), (4, "arith"), (4, "code"), (2, "date_other"), (2, "duration"), (2, "coords"),
           (1, "zip4"), (1, "win_build"), (1, "semver_range"), (1, "docker_digest"), (1, "hex_addr"), (1, "oid"),
           (1, "big_int"), (1, "tracking"), (1, "ip_like_version")])
    c = "keep/" + k
    dt = fk("en_US").date_time_between(start_date=days(-6 * 365), end_date=days(365))
    if k == "iso_date":
        return c, dt.strftime("%Y-%m-%d")
    if k == "iso_datetime":
        return c, R.choice([dt.strftime("%Y-%m-%dT%H:%M:%SZ"), dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % R.randrange(1000),
                            dt.strftime("%Y-%m-%d %H:%M:%S"), dt.strftime("%Y-%m-%dT%H:%M:%S+02:00"), dt.strftime("%Y-%m-%dT%H:%M:%S.%f-05:00")])
    if k == "time":
        return c, R.choice([dt.strftime("%H:%M:%S"), dt.strftime("%H:%M:%S.") + "%03d" % R.randrange(1000), dt.strftime("%H:%M")])
    if k == "epoch10":
        return c, str(int(dt.timestamp()))
    if k == "epoch13":
        return c, str(int(dt.timestamp() * 1000) + R.randrange(1000))
    if k == "uuid":
        u = str(uuid.UUID(int=R.getrandbits(128), version=R.choice([4, 4, 1])))
        return c, u.upper() if R.random() < .1 else u
    if k == "md5":
        return c, hashlib.md5(rs(12).encode()).hexdigest()
    if k == "sha1":
        return c, hashlib.sha1(rs(12).encode()).hexdigest()
    if k == "sha256":
        return c, hashlib.sha256(rs(12).encode()).hexdigest()
    if k == "git_short":
        return c, hashlib.sha1(rs(12).encode()).hexdigest()[:R.choice([7, 8, 10, 12])]
    if k == "version":
        return c, R.choice(["%d.%d.%d", "v%d.%d.%d", "%d.%d", "%d.%d.%d-rc.1", "%d.%d.%d-beta.2", "%d.%d.%d+build.7"]).replace("%d", "{}").format(
            *[R.randint(0, 30) for _ in range(3)])
    if k == "isbn":
        body = "978" + rs(9, string.digits)
        s = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(body))
        isbn = body + str((10 - s % 10) % 10)
        return c, R.choice([isbn, "%s-%s-%s-%s-%s" % (isbn[:3], isbn[3], isbn[4:7], isbn[7:12], isbn[12]), "ISBN %s-%s-%s-%s-%s" % (isbn[:3], isbn[3:5], isbn[5:9], isbn[9:12], isbn[12])])
    if k == "price":
        a = R.uniform(1, 50000)
        return c, R.choice(["$%.2f" % a, "$%s" % format(round(a, 2), ",.2f"), "€%.2f" % a, "%s €" % format(round(a, 2), ",.2f").replace(",", "X").replace(".", ",").replace("X", "."),
                            "¥%s" % format(int(a * 100), ","), "£%.2f" % a, "USD %.2f" % a, "₹%s" % format(int(a * 80), ","), "CHF %.2f" % a])
    if k == "order":
        return c, R.choice(["ORD-%d-%06d" % (R.randint(2019, 2026), R.randrange(10 ** 6)), "#%d" % R.randint(10000, 9999999),
                            "INV-%08d" % R.randrange(10 ** 8), "%03d-%07d-%07d" % (R.randrange(1000), R.randrange(10 ** 7), R.randrange(10 ** 7)),
                            "PO%d" % R.randint(100000, 999999), "order %d" % R.randint(10 ** 8, 10 ** 9 - 1), "case %d" % R.randint(10 ** 7, 10 ** 8 - 1)])
    if k == "arith":
        a, b = R.randint(2, 99999), R.randint(2, 9999)
        return c, R.choice(["%d * %d = %d" % (a, b, a * b), "%d + %d = %d" % (a, b, a + b), "2^32 = 4294967296",
                            "%d/%d" % (a, b), "%.5f" % (a / b), "%de-%d" % (R.randint(1, 9), R.randint(3, 12))])
    if k == "code":
        return c, R.choice(["for (i = 0; i < %d; i++)" % R.randint(10, 100000), "arr[%d:%d]" % (R.randint(0, 99), R.randint(100, 999)),
                            "chmod %d" % R.choice([644, 755, 600]), "0x%08x" % R.getrandbits(32), "#%06x" % R.getrandbits(24),
                            "main.swift:%d:%d" % (R.randint(1, 999), R.randint(1, 80)), "sleep(%d)" % R.randint(1, 3600),
                            "x = %d - %d" % (R.randint(1000, 99999), R.randint(1, 999)), "int64(%d)" % R.getrandbits(40)])
    if k == "date_other":
        return c, R.choice([dt.strftime("%m/%d/%Y"), dt.strftime("%d.%m.%Y"), dt.strftime("%Y/%m/%d"), dt.strftime("%Y年%m月%d日"), dt.strftime("%d %b %Y")])
    if k == "duration":
        return c, R.choice(["00:%02d:%02d.%03d" % (R.randrange(60), R.randrange(60), R.randrange(1000)), "%dms" % R.randint(1, 99999), "P%dDT%dH" % (R.randint(1, 30), R.randint(1, 23))])
    if k == "coords":
        return c, "%.4f, %.4f" % (R.uniform(-80, 80), R.uniform(-170, 170))
    if k == "zip4":
        return c, "%05d-%04d" % (R.randrange(100000), R.randrange(10000))
    if k == "win_build":
        return c, "10.0.%d.%d" % (R.randint(10000, 26000), R.randint(256, 5000))
    if k == "semver_range":
        return c, "^%d.%d.%d || ~%d.%d" % (R.randint(0, 9), R.randint(0, 20), R.randint(0, 20), R.randint(0, 9), R.randint(0, 9))
    if k == "docker_digest":
        return c, "sha256:" + hashlib.sha256(rs(9).encode()).hexdigest()
    if k == "hex_addr":
        return c, "0x00007ff%09x" % R.getrandbits(36)
    if k == "oid":
        return c, "1.3.6.1.4.1.%d.%d" % (R.randint(300, 60000), R.randint(1, 20))
    if k == "big_int":
        return c, str(R.randint(10 ** 11, 10 ** 18))
    if k == "tracking":
        return c, "1Z%s%s" % (rs(6, UPPER_D), rs(10, string.digits))
    return c, "%d.%d.%d" % (R.randint(1, 9), R.randint(0, 99), R.randint(0, 999))  # ip_like_version (3 parts)


# ---------------------------------------------------------------- contexts
FIELDS = {
    "en": {"email": ["Email", "email", "E-mail", "Contact", "reply-to"], "phone": ["Phone", "Tel", "Mobile", "Cell", "call me at"],
           "ssn": ["SSN", "Social Security Number", "SSN/ITIN"], "card": ["Card", "Card number", "CC", "Visa"],
           "iban": ["IBAN", "Bank account", "Account (IBAN)"], "ip": ["IP", "client IP", "remote addr", "source"],
           "mac": ["MAC", "hw addr", "device MAC"], "secret": ["API key", "token", "key", "credentials", "secret"]},
    "de": {"email": ["E-Mail", "Mail"], "phone": ["Telefon", "Tel.", "Handy", "Mobil"], "ssn": ["SSN"], "card": ["Kreditkarte", "Kartennummer"],
           "iban": ["IBAN", "Bankverbindung"], "ip": ["IP-Adresse"], "mac": ["MAC-Adresse"], "secret": ["API-Schlüssel", "Token"]},
    "fr": {"email": ["Courriel", "E-mail", "adresse mail"], "phone": ["Tél.", "Téléphone", "Portable"], "ssn": ["SSN"], "card": ["Carte bancaire", "CB"],
           "iban": ["IBAN", "RIB"], "ip": ["adresse IP"], "mac": ["adresse MAC"], "secret": ["clé API", "jeton"]},
    "es": {"email": ["Correo", "correo electrónico"], "phone": ["Teléfono", "Tel.", "Móvil", "Celular"], "ssn": ["SSN"], "card": ["Tarjeta", "número de tarjeta"],
           "iban": ["IBAN", "Cuenta"], "ip": ["dirección IP"], "mac": ["dirección MAC"], "secret": ["clave API", "token"]},
    "ja": {"email": ["メールアドレス", "メール"], "phone": ["電話番号", "携帯", "TEL"], "ssn": ["SSN"], "card": ["カード番号", "クレジットカード"],
           "iban": ["IBAN", "口座"], "ip": ["IPアドレス"], "mac": ["MACアドレス"], "secret": ["APIキー", "トークン"]},
    "zh": {"email": ["邮箱", "电子邮件"], "phone": ["电话", "手机号", "联系电话"], "ssn": ["SSN"], "card": ["卡号", "信用卡"],
           "iban": ["IBAN", "账户"], "ip": ["IP地址"], "mac": ["MAC地址"], "secret": ["API密钥", "令牌"]},
    "th": {"email": ["อีเมล"], "phone": ["โทร", "เบอร์โทรศัพท์"], "ssn": ["SSN"], "card": ["หมายเลขบัตร"], "iban": ["IBAN"],
           "ip": ["ไอพี"], "mac": ["MAC"], "secret": ["คีย์ API", "โทเค็น"]},
    "hi": {"email": ["ईमेल"], "phone": ["फ़ोन", "मोबाइल"], "ssn": ["SSN"], "card": ["कार्ड नंबर"], "iban": ["IBAN"],
           "ip": ["आईपी"], "mac": ["MAC"], "secret": ["API कुंजी", "टोकन"]},
    "ko": {"email": ["이메일"], "phone": ["전화번호", "휴대폰"], "ssn": ["SSN"], "card": ["카드번호"], "iban": ["IBAN"],
           "ip": ["IP 주소"], "mac": ["MAC 주소"], "secret": ["API 키", "토큰"]},
    "pt": {"email": ["E-mail"], "phone": ["Telefone", "Celular"], "ssn": ["SSN"], "card": ["Cartão"], "iban": ["IBAN"],
           "ip": ["endereço IP"], "mac": ["endereço MAC"], "secret": ["chave de API"]},
    "ru": {"email": ["Эл. почта", "почта"], "phone": ["Телефон", "тел."], "ssn": ["SSN"], "card": ["Номер карты"], "iban": ["IBAN"],
           "ip": ["IP-адрес"], "mac": ["MAC-адрес"], "secret": ["API-ключ", "токен"]},
}
LANG_LOCALE = {"en": "en_US", "de": "de_DE", "fr": "fr_FR", "es": "es_ES", "ja": "ja_JP", "zh": "zh_CN", "th": "th_TH",
               "hi": "hi_IN", "ko": "ko_KR", "pt": "pt_BR", "ru": "ru_RU"}
NOSPACE = {"ja", "zh", "th"}
INTRO = {
    "en": ["Hi team, the customer wrote in again about the failed payment.", "Please summarize this ticket and draft a reply.",
           "Here is the data you asked for:", "Can you check why this user can't log in?", "Extract the contact details below into JSON."],
    "de": ["Hallo zusammen, der Kunde hat sich erneut gemeldet.", "Bitte fasse das folgende Ticket zusammen.", "Hier sind meine Daten:"],
    "fr": ["Bonjour, le client nous a recontactés.", "Merci de résumer la demande suivante.", "Voici mes coordonnées :"],
    "es": ["Hola, el cliente volvió a escribir.", "Por favor resume este ticket.", "Aquí están mis datos:"],
    "ja": ["お世話になっております。", "以下の問い合わせを要約してください。", "登録情報は次の通りです。"],
    "zh": ["你好，客户又来反馈了。", "请帮我总结下面的工单。", "以下是我的联系方式："],
    "th": ["สวัสดีครับ ลูกค้าติดต่อมาอีกครั้ง", "ช่วยสรุปตั๋วนี้ให้หน่อย", "ข้อมูลของผมตามนี้ครับ"],
    "hi": ["नमस्ते, ग्राहक ने फिर से संपर्क किया है।", "कृपया इस टिकट का सारांश दें।", "मेरी जानकारी नीचे है:"],
    "ko": ["안녕하세요, 고객이 다시 문의했습니다.", "다음 티켓을 요약해 주세요."],
    "pt": ["Olá, o cliente entrou em contato novamente.", "Segue meus dados:"],
    "ru": ["Здравствуйте, клиент снова написал.", "Вот мои данные:"],
}
OUTRO = {"en": ["Thanks!", "Let me know if you need anything else.", "Cheers"], "de": ["Danke!", "Viele Grüße"],
         "fr": ["Merci !", "Cordialement"], "es": ["¡Gracias!", "Saludos"], "ja": ["よろしくお願いします。"], "zh": ["谢谢！"],
         "th": ["ขอบคุณครับ"], "hi": ["धन्यवाद।"], "ko": ["감사합니다."], "pt": ["Obrigado!"], "ru": ["Спасибо!"]}
KEEP_LABEL = {"keep/iso_date": "date", "keep/iso_datetime": "created_at", "keep/time": "time", "keep/epoch10": "ts",
              "keep/epoch13": "timestamp_ms", "keep/uuid": "request_id", "keep/md5": "md5", "keep/sha1": "commit",
              "keep/sha256": "sha256", "keep/git_short": "rev", "keep/version": "version", "keep/isbn": "isbn",
              "keep/price": "amount", "keep/order": "order", "keep/arith": "calc", "keep/code": "snippet",
              "keep/date_other": "date", "keep/duration": "elapsed", "keep/coords": "location", "keep/zip4": "zip",
              "keep/win_build": "os_build", "keep/semver_range": "range", "keep/docker_digest": "image", "keep/hex_addr": "addr",
              "keep/oid": "oid", "keep/big_int": "count", "keep/tracking": "tracking", "keep/ip_like_version": "version"}


def field_for(it, lang="en"):
    if it.need_field or (it.field and R.random() < .5):
        return it.field
    return R.choice(FIELDS.get(lang, FIELDS["en"])[it.type])


def key_for(it):
    if it.need_field:
        return it.field.rstrip(":#. ").replace(" ", "_")
    return {"email": R.choice(["email", "user_email", "contact_email", "reply_to", "emailAddress"]),
            "phone": R.choice(["phone", "phone_number", "mobile", "tel", "phoneNumber"]),
            "ssn": R.choice(["ssn", "social_security_number", "taxpayer_id"]),
            "card": R.choice(["card_number", "pan", "cc", "creditCard"]),
            "iban": R.choice(["iban", "bank_account", "payout_iban"]),
            "ip": R.choice(["ip", "client_ip", "remote_addr", "x_forwarded_for", "src_ip"]),
            "mac": R.choice(["mac", "hw_addr", "device_mac"]),
            "secret": R.choice(["api_key", "token", "auth", "OPENAI_API_KEY", "credentials", "secret", "key"])}[it.type]


def wrap(s):
    return W([(10, "%s"), (1.5, "(%s)"), (1.5, "\"%s\""), (1, "'%s'"), (1, "[%s]"), (1, "<%s>"), (1.5, "`%s`"),
              (1, "**%s**"), (1.5, "%s."), (1, "%s,"), (0.5, "%s;"), (0.5, "«%s»"), (0.5, "“%s”"), (0.5, "%s!"),
              (0.5, "%s)."), (0.3, "%s?")]) % s


def ctx_prose(items, keeps, lang):
    parts = [R.choice(INTRO[lang])]
    sep = "" if lang in NOSPACE and R.random() < .7 else " "
    for kind, obj in mixed(items, keeps):
        if kind == "pii":
            lab = field_for(obj, lang)
            d = obj.display
            if lang in NOSPACE:
                # glued to the surrounding CJK/Thai text
                tail = R.choice(["", "です", "。", "，", "까지", "ครับ", "吗", "までご連絡ください", "หรือ", "谢谢"])
                sepc = R.choice(["", "：", ":", "は", " "]) if not obj.need_field else R.choice([": ", " "])
                if sepc == "" and lab[-1:].isascii() and lab[-1:].isalnum():
                    sepc = R.choice([": ", " ", "："])
                parts.append("%s%s%s%s" % (lab, sepc, d, tail))
            else:
                if obj.need_field:
                    parts.append("%s %s" % (lab, wrap(d)) if not lab.endswith(":") else "%s %s" % (lab, d))
                else:
                    parts.append(R.choice(["%s: %s", "%s %s", "%s - %s", "%s = %s"]) % (lab, wrap(d)))
        else:
            c, v = obj
            parts.append("%s%s%s" % (KEEP_LABEL[c], R.choice([": ", " ", "="]) if lang not in NOSPACE else R.choice(["：", " ", ""]), v))
    parts.append(R.choice(OUTRO[lang]))
    out = parts[0]
    for p in parts[1:]:
        j = sep
        if j == "" and out[-1:].isascii() and (out[-1:].isalnum() or out[-1:] in "._-") and p[:1].isascii() and p[:1].isalnum():
            j = " "
        out += j + p
    return out


def mixed(items, keeps):
    seq = [("pii", i) for i in items] + [("keep", k) for k in keeps]
    R.shuffle(seq)
    return seq


def ctx_log(items, keeps):
    lines = []
    dt = fk("en_US").date_time_between(start_date=days(-2 * 365), end_date=NOW)
    seq = mixed(items, keeps)
    while seq:
        chunk = seq[:R.randint(1, 3)]
        seq = seq[len(chunk):]
        kv = []
        for kind, obj in chunk:
            if kind == "pii":
                k = key_for(obj)
                d = obj.display
                kv.append(R.choice(["%s=%s", "%s=\"%s\"", "%s: %s"]) % (k, d) if "\n" not in d and '"' not in d else "%s=%s" % (k, d))
            else:
                kv.append("%s=%s" % (KEEP_LABEL[obj[0]], obj[1]))
        lvl = R.choice(["INFO", "WARN", "ERROR", "DEBUG"])
        svc = R.choice(["api", "auth", "billing", "gateway", "worker-3", "langfuse-web"])
        msg = R.choice(["request completed", "login failed", "payment declined", "user updated", "retrying upstream call", "trace ingested"])
        lines.append("%s %s [%s] %s %s" % (dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z", lvl, svc, msg, " ".join(kv)))
    return "\n".join(lines)


def jesc(s, ascii_=False):
    return json.dumps(s, ensure_ascii=ascii_)[1:-1]


def ctx_json(items, keeps, ascii_=False):
    d = {"id": str(uuid.UUID(int=R.getrandbits(128), version=4)), "type": R.choice(["generation", "span", "event", "user.updated"])}
    inner = {}
    labels = []
    for kind, obj in mixed(items, keeps):
        if kind == "pii":
            k = key_for(obj)
            while k in inner:
                k += "_2"
            if R.random() < .25 and obj.type in ("email", "phone", "card", "ssn", "iban"):
                inner[k] = "%s %s" % (R.choice(["my", "customer", "contact:"]), obj.display)
            else:
                inner[k] = obj.display
        else:
            k = KEEP_LABEL[obj[0]]
            while k in inner:
                k += "_2"
            inner[k] = obj[1]
    if R.random() < .5:
        d["input"] = {"messages": [{"role": "user", "content": "Update my profile"}], "metadata": inner}
    else:
        d["metadata"] = inner
    indent = R.choice([None, None, 2])
    return json.dumps(d, ensure_ascii=ascii_, indent=indent)


def ctx_csv(items, keeps):
    hdr, row = [], []
    for kind, obj in mixed(items, keeps):
        if kind == "pii":
            hdr.append(key_for(obj))
            v = obj.display
        else:
            hdr.append(KEEP_LABEL[obj[0]])
            v = obj[1]
        if "," in v or "\"" in v or "\n" in v:
            v = "\"" + v.replace("\"", "\"\"") + "\""
        row.append(v)
    name = fk(R.choice(LOCALES_LATIN)).name()
    return "name," + ",".join(hdr) + "\n" + name + "," + ",".join(row)


def ctx_md(items, keeps, lang):
    rows = ["| Field | Value |", "|---|---|"]
    for kind, obj in mixed(items, keeps):
        if kind == "pii":
            rows.append("| %s | %s |" % (field_for(obj, lang), R.choice(["%s", "`%s`"]) % obj.display.replace("\n", "<br>")))
        else:
            rows.append("| %s | %s |" % (KEEP_LABEL[obj[0]], obj[1]))
    return R.choice(INTRO[lang]) + "\n\n" + "\n".join(rows)


def ctx_chat(items, keeps, lang):
    a = ctx_prose(items, keeps, lang)
    return R.choice(["User: ", "user: ", "Human: ", "<|user|>\n"]) + a + "\n" + R.choice(["Assistant: ", "assistant: ", "<|assistant|>\n"]) + \
        R.choice(["Thanks, I've updated your record.", "I can't share that, but I've escalated the ticket.", "Got it — anything else?", "承知しました。", "好的，已为您处理。"])


def ctx_ticket(items, keeps):
    f = fk(R.choice(LOCALES_LATIN))
    name = f.name()
    emails = [i for i in items if i.type == "email" and i.display == i.value]
    hdr = []
    rest = list(items)
    if emails:
        e = emails[0]
        rest.remove(e)
        hdr.append("From: %s <%s>" % (name, e.value))
    else:
        hdr.append("From: %s" % name)
    hdr.append("Subject: %s" % R.choice(["Refund request", "Account locked", "Wrong charge on my card", "Cannot reset password", "GDPR data request"]))
    hdr.append("Date: %s" % f.date_time_between(start_date=days(-365), end_date=NOW).strftime("%a, %d %b %Y %H:%M:%S +0000"))
    body = ctx_prose(rest, keeps, "en") if rest or keeps else "Please help."
    addr = ""
    if R.random() < .3:
        addr = "\n\n%s\n%s" % (name, f.address())
    return "\n".join(hdr) + "\n\n" + body + addr


def ctx_code(items, keeps):
    style = R.choice(["env", "yaml", "python", "curl", "js"])
    lines = []
    for kind, obj in mixed(items, keeps):
        if kind == "pii":
            k = key_for(obj)
            d = obj.display
            if obj.type == "secret" and (d.startswith("Authorization") or d.startswith("authorization")) and style == "curl":
                lines.append("curl -s -H \"%s\" https://api.example.com/v1/things" % d)
                continue
            if style == "env":
                lines.append("%s=%s" % (k.upper(), d if "\n" not in d else "\"" + d + "\""))
            elif style == "yaml":
                lines.append("%s: %s" % (k, d if "\n" not in d else "|\n  " + d.replace("\n", "\n  ")))
            elif style == "python":
                lines.append("%s = %r" % (k, d) if "\n" not in d else "%s = \"\"\"%s\"\"\"" % (k, d))
            elif style == "js":
                lines.append("const %s = '%s';" % (k, d) if "\n" not in d else "const %s = `%s`;" % (k, d))
            else:
                lines.append("curl -u x:y -d '%s=%s' https://api.example.com/v1/update" % (k, d) if "\n" not in d else "# %s\n%s" % (k, d))
        else:
            c, v = obj
            if style in ("python", "js"):
                lines.append("%s = \"%s\"  # keep" % (KEEP_LABEL[c], v) if style == "python" else "const %s = \"%s\";" % (KEEP_LABEL[c], v))
            else:
                lines.append("%s: %s" % (KEEP_LABEL[c], v) if style == "yaml" else "%s=%s" % (KEEP_LABEL[c].upper(), v))
    fence = "```%s\n" % {"env": "bash", "yaml": "yaml", "python": "python", "curl": "bash", "js": "js"}[style]
    return R.choice(["Why does this config fail?\n", "Here is my setup:\n", ""]) + fence + "\n".join(lines) + "\n```"


def ctx_url(items, keeps):
    qs = []
    for kind, obj in mixed(items, keeps):
        if kind == "pii":
            if obj.type in ("email", "phone", "ssn", "card", "iban", "ip") and obj.display == obj.value and " " not in obj.value:
                qs.append("%s=%s" % (key_for(obj), obj.value))
            else:
                return None
        else:
            if " " in obj[1] or "&" in obj[1]:
                return None
            qs.append("%s=%s" % (KEEP_LABEL[obj[0]], obj[1]))
    cip = "10.%d.%d.%d" % (R.randrange(256), R.randrange(256), R.randrange(1, 255))
    items.append(Item("ip", cip, "ip/v4_accesslog_client"))
    return "%s - - [%s] \"GET /api/v2/lookup?%s HTTP/1.1\" 200 %d" % (cip,
                                                                       fk("en_US").date_time_between(start_date=days(-365), end_date=NOW).strftime("%d/%b/%Y:%H:%M:%S +0000"),
                                                                       "&".join(qs), R.randint(100, 9999))


def build_record():
    n_pii = W([(8, 0), (30, 1), (30, 2), (18, 3), (8, 4)])
    n_keep = W([(25, 0), (35, 1), (25, 2), (15, 3)])
    if n_pii == 0 and n_keep == 0:
        n_keep = 2
    items = [gen_item() for _ in range(n_pii)]
    keeps = [gen_keep() for _ in range(n_keep)]
    lang = W([(40, "en"), (8, "de"), (7, "fr"), (7, "es"), (7, "ja"), (7, "zh"), (5, "th"), (4, "hi"), (3, "ko"), (3, "pt"), (3, "ru")])
    ctx = W([(20, "prose"), (12, "chat"), (14, "log"), (14, "json"), (6, "csv"), (7, "md"), (8, "ticket"), (12, "code"), (4, "url"), (1, "json_ascii")])
    ascii_json = False
    if ctx == "prose":
        text = ctx_prose(items, keeps, lang)
    elif ctx == "chat":
        text = ctx_chat(items, keeps, lang)
    elif ctx == "log":
        text = ctx_log(items, keeps)
    elif ctx in ("json", "json_ascii"):
        ascii_json = ctx == "json_ascii"
        text = ctx_json(items, keeps, ascii_json)
    elif ctx == "csv":
        text = ctx_csv(items, keeps)
    elif ctx == "md":
        text = ctx_md(items, keeps, lang)
    elif ctx == "ticket":
        text = ctx_ticket(items, keeps)
    elif ctx == "code":
        text = ctx_code(items, keeps)
    else:
        text = ctx_url(items, keeps)
        if text is None:
            ctx = "log"
            text = ctx_log(items, keeps)
    pii, meta = [], []
    for it in items:
        v = it.value
        if ctx in ("json", "json_ascii"):
            v = jesc(v, ascii_json)
        if ctx == "md":
            v = v.replace("\n", "<br>")
        if ctx == "csv" and v not in text:
            v = v.replace('"', '""')
        if ctx == "code" and v not in text:
            v = v.replace("\n", "\n  ")
        assert v in text, (ctx, it.cls, v, text)
        pii.append({"type": it.type, "value": v})
        meta.append(it.cls + ("|json_ascii" if ascii_json and v != it.value else ""))
        for x in getattr(it, "extra", []):
            assert x in text
            pii.append({"type": it.type, "value": x})
            meta.append("ip/xff_second_private")
    keep = []
    kmeta = []
    for c, v in keeps:
        vv = jesc(v, ascii_json) if ctx.startswith("json") else v
        assert vv in text, (c, vv, text)
        keep.append(vv)
        kmeta.append(c)
    return {"text": text, "pii": pii, "keep": keep}, {"ctx": ctx, "lang": lang, "pii": meta, "keep": kmeta}


def main():
    with open(args.out, "w", encoding="utf-8") as fo, open(args.meta, "w", encoding="utf-8") as fm:
        for _ in range(args.records):
            rec, meta = build_record()
            fo.write(json.dumps(rec, ensure_ascii=False) + "\n")
            fm.write(json.dumps(meta, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
