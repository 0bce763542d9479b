#!/usr/bin/python3
"""Differential check of the response encoders against Python itself.

For random byte strings (biased towards UTF-8 edge cases) and the seed corpus,
the C encoders (through jsontext_dump) must agree with Python:

* the lossy repair equals bytes.decode("utf-8", "replace") (both follow
  Unicode's "maximal subpart" substitution, as Rust's from_utf8_lossy does);
* the Python-style literal is exactly json.dumps(text) and the serde-style
  one exactly json.dumps(text, ensure_ascii=False) (serde_json escapes the
  same characters, in lower-case hex);
* json.loads() of either gives the text back.

usage: jsontext_vs_python.py DUMP_BINARY [N_RANDOM] [CORPUS_DIR...]
"""

import json
import random
import struct
import subprocess
import sys
from pathlib import Path

EDGE = [0x00, 0x01, 0x08, 0x09, 0x0A, 0x0C, 0x0D, 0x1F, 0x20, 0x22, 0x2F, 0x5C, 0x7E, 0x7F,
        0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED,
        0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xF8, 0xFE, 0xFF]
CHARS = ["a", "\"", "\\", "\n", "\x00", "\x7f", "\u0080", "\u00e9", "\u07ff", "\u0800", "\u2028",
         "\u2029", "\ud7ff", "\ue000", "\ufeff", "\ufffd", "\uffff", "\U00010000", "\U0001f600",
         "\U0010ffff"]


def sample(rng: random.Random) -> bytes:
    kind = rng.randrange(4)
    n = rng.randrange(0, 24)
    if kind == 0:
        return bytes(rng.choice(EDGE) for _ in range(n))
    if kind == 1:
        return bytes(rng.randrange(256) for _ in range(n))
    s = "".join(rng.choice(CHARS) for _ in range(n)).encode()
    if kind == 3 and s:  # valid text, cut or spliced at a random byte
        i = rng.randrange(len(s))
        s = s[:i] + bytes(rng.choice(EDGE) for _ in range(rng.randrange(3))) + s[i + rng.randrange(3):]
    return s


def main() -> int:
    dump = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    rng = random.Random(20261125)
    inputs = [sample(rng) for _ in range(n)]
    for d in sys.argv[3:]:
        inputs += [p.read_bytes() for p in sorted(Path(d).iterdir()) if p.is_file()]
    stdin = b"".join(struct.pack("<I", len(x)) + x for x in inputs)
    out = subprocess.run([dump], input=stdin, capture_output=True, check=True, timeout=120).stdout
    pos, bad = 0, []

    def take():
        nonlocal pos
        (m,) = struct.unpack_from("<I", out, pos)
        pos += 4 + m
        return out[pos - m:pos]

    for raw in inputs:
        py, serde, lossy = take(), take(), take()
        text = raw.decode("utf-8", "replace")
        checks = {
            "lossy == decode(replace)": lossy == text.encode(),
            "py == json.dumps": py == json.dumps(text).encode(),
            "serde == json.dumps(ensure_ascii=False)": serde == json.dumps(text, ensure_ascii=False).encode(),
            "loads(py)": json.loads(py) == text,
            "loads(serde)": json.loads(serde.decode()) == text,
        }
        failed = [k for k, ok in checks.items() if not ok]
        if failed:
            bad.append((raw, failed, py[:80], serde[:80]))
    assert pos == len(out), "trailing output"
    print(f"jsontext vs Python: {len(inputs)} inputs, {len(bad)} disagreements")
    for raw, failed, py, serde in bad[:10]:
        print(f"  {raw!r}: {failed}\n    py={py!r}\n    serde={serde!r}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
