#!/usr/bin/env python3
"""The seed's scrub_pii, verbatim, as an oracle for the differential test.

Protocol (stdin -> stdout), binary: each record is a 4-byte little-endian length followed by that
many bytes of UTF-8 text; the reply is the same framing around scrub_pii(text) encoded as UTF-8.
Input that is not valid UTF-8 is a protocol error (the differential test only sends valid text).
"""
import re
import struct
import sys


# ---- verbatim from ../shared/seed (Langfuse security practices), do not edit ----
def scrub_pii(text: str) -> str:
    text = re.sub(r'\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Z]{2,}\b', '[EMAIL]', text, flags=re.IGNORECASE)
    text = re.sub(r'\b\d{3}[-.]?\d{3}[-.]?\d{4}\b', '[PHONE]', text)
    text = re.sub(r'\b\d{3}-\d{2}-\d{4}\b', '[SSN]', text)
    return text
# ---- end of seed code ----


def main() -> None:
    inp = sys.stdin.buffer
    out = sys.stdout.buffer
    while True:
        header = inp.read(4)
        if not header:
            break
        (n,) = struct.unpack("<I", header)
        text = inp.read(n).decode("utf-8")
        result = scrub_pii(text).encode("utf-8")
        out.write(struct.pack("<I", len(result)))
        out.write(result)
    out.flush()


if __name__ == "__main__":
    main()
