#!/usr/bin/env python3
"""Builds the one-document-per-line golden inputs under Tests/Data/cli/ from the Langfuse fixtures.

SDK wire bodies are taken byte for byte (they are single-line already); pretty-printed documents
(OTLP/JSON re-encodings, the masking-callback body, real trace downloads) are compacted to one
line with json.dumps(ensure_ascii=False, separators=(",", ":")). Run from the repository root.
"""
import glob
import json
import os

FIX = "Tests/Data/fixtures/langfuse"
OUT = "Tests/Data/cli"


def compact(path):
    with open(path, encoding="utf-8") as f:
        return json.dumps(json.load(f), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def write(name, lines):
    with open(os.path.join(OUT, name), "wb") as f:
        for line in lines:
            assert b"\n" not in line
            f.write(line + b"\n")


wire = sorted(glob.glob(f"{FIX}/sdk-*/**/*.body.wire.json", recursive=True))
write("sdk-ingestion-bodies.in.jsonl", [open(p, "rb").read().rstrip(b"\n") for p in wire])
otlp = sorted(glob.glob(f"{FIX}/sdk-*/**/*.otlp.json", recursive=True))
otlp.append(f"{FIX}/sdk-python-current-otel/plain/0001.masking-callback-body.derived.json")
write("sdk-otlp-json.in.jsonl", [compact(p) for p in otlp])
write("real-trace-downloads.in.jsonl", [compact(p) for p in sorted(glob.glob(f"{FIX}/real-trace-downloads/*.json"))])

# Hand-made malformed and framing cases (synthetic values; see Tests/PIIScrubJSONTests).
malformed = [
    b'{"a":"ok john@example.com"}',
    b'{"a":"x jane@example.org","b":"tru',
    b'{"a":"\\ud83d jane@example.org 555-123-4567"}',
    b'{"a":"tab\there\x01 bob@example.com"}',
    b'{"a":"\xff\xfe ann@example.com"}',
    b'{"a":"line\\njohn@example.com\\t555-12-3456","b":',
    b'{"a":"crlf c@example.com"}\r',
    b'{"a":"x\xe2\x80\xa8 d@example.com\xe2\x80\xa9"}',
    b'{"a":"{\\"e\\":\\"e\\\\u0040example.com\\"}"',
    b'',
    b'   ',
]
with open(os.path.join(OUT, "malformed.in.jsonl"), "wb") as f:
    f.write(b"\n".join(malformed) + b"\nplain text f@example.com")  # last line without newline
