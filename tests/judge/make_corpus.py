#!/usr/bin/env python3
"""Writes tests/judge/corpus.jsonl: (output, answer) pairs with the verdict of
every reference rule (tests/judge/reference.py) for each judge-mode checker
configuration. tests/unit/test_checker_corpus.c runs every pair through
checker_compare and expects these verdicts.

    python3 tests/judge/make_corpus.py           rewrite the corpus
    python3 tests/judge/make_corpus.py --check   fail if the committed corpus is
                                                 not what the references give now
                                                 (part of make lint)

Line 1 is {"configs": {name: checker object}}; every other line is
{"id", "note", "out" | "out_hex", "ans" | "ans_hex", "verdicts": {name: v}}
plus "c_differs": {name: v} where the C checker deliberately differs from
the reference (docs/checkers.md, "Known differences"). Text that is not
UTF-8 or holds NUL is stored as hex.
"""

import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus.jsonl")

# Hand-written pairs: (output, answer, note). str is UTF-8 encoded.
HAND = [
    # peer-apis.md 7.4
    ("1  2 3", "1 2\n3\n", "7.4.1 tokens AC"),
    ("1 2 4", "1 2\n3\n", "7.4.1 tokens WA"),
    ("a\nb", "a \nb\n\n", "7.4.2 lines_rstrip AC"),
    (" a\nb", "a \nb\n\n", "7.4.2 lines_rstrip WA (leading space)"),
    ("1.00 2.0", "1.0 2", "7.4.3 decimal AC"),
    ("0.30000000000000004", "0.3", "7.4.3 decimal WA"),
    ("1000000.5", "1000000.0", "7.4.4 rel 5e-7"),
    ("0.0000015", "0.0000005", "7.4.4 abs exactly 1e-6: testlib accepts (<= eps + 1e-15)"),
    ("0.0000016", "0.0000005", "abs 1.1e-6"),
    ("YES", "yes", "7.4.5 case"),
    ("1.000001", "1", "7.4.5 float rel 1e-6"),
    ("1 2", "1  2", "7.4.5 inner spacing"),
    ("a", "a\n", "7.4.6 exact newline"),
    # empty
    ("", "", "both empty"),
    ("", "\n", "empty vs newline"),
    ("\n\n", "", "newlines vs empty"),
    ("   ", "", "spaces vs empty"),
    ("", "0", "empty vs 0"),
    ("0", "", "0 vs empty"),
    ("\t\r\n", "", "blank vs empty"),
    # trailing whitespace and CRLF
    ("1 2 \n", "1 2\n", "trailing space"),
    ("1 2\r\n", "1 2\n", "CRLF last line"),
    ("1\r\n2\r\n", "1\n2\n", "CRLF lines"),
    ("1\r\n2\r\n", "1\n2", "CRLF vs no final newline"),
    ("1\r2", "1\n2", "lone CR as separator"),
    ("1\r2\n", "1\r2\n", "lone CR equal"),
    ("12\r", "12", "trailing lone CR"),
    ("a\r\r\n", "a", "double CR"),
    ("\r\n", "", "CRLF only"),
    ("a\n\n\nb", "a\nb", "blank lines inside"),
    ("a\n\nb", "a\n\nb\n", "blank line kept"),
    ("\na", "a", "leading newline"),
    ("  a", "a", "leading spaces"),
    ("a\t", "a", "trailing tab"),
    ("a\tb", "a b", "tab vs space"),
    ("a\x0bb", "a b", "vertical tab between"),
    ("a\x0c", "a", "trailing form feed"),
    ("a\x0b\n", "a\n", "trailing vertical tab"),
    ("a\x00", "a", "trailing NUL"),
    ("a\x00b", "a b", "NUL between"),
    ("a \x00\n", "a", "space NUL newline"),
    ("a\n\x00", "a", "NUL on last line"),
    ("a\x1c", "a", "trailing \\x1c (Python whitespace)"),
    ("a\x1fb", "a b", "\\x1f between"),
    ("1\n\n", "1\n", "extra trailing newline"),
    ("1\n \n", "1\n", "trailing space line"),
    ("1\n2\n", "1\n2\n3\n", "missing line"),
    ("1\n2\n3\n4\n", "1\n2\n3\n", "extra line"),
    ("1 2 3", "1\n2\n3", "same tokens, other lines"),
    ("1\n2 3", "1 2\n3", "line break moved"),
    # case
    ("Yes", "YES", "case yes"),
    ("NO\n", "no", "case no"),
    ("abc DEF", "abc def", "CodeContests example"),
    ("\u00c9T\u00c9", "\u00e9t\u00e9", "Latin-1 upper vs lower"),
    ("\u041f\u0420\u0418\u0412\u0415\u0422", "\u043f\u0440\u0438\u0432\u0435\u0442",
     "Cyrillic upper vs lower"),
    ("\u0401\u0416", "\u0451\u0436", "Cyrillic U+0401"),
    ("\u00d7", "\u00f7", "U+00D7 has no lower case"),
    ("STRASSE", "strasse", "ASCII only"),
    # numbers: formatting
    ("1", "1.0", "1 vs 1.0"),
    ("1.0", "1", "1.0 vs 1"),
    ("100", "1e2", "100 vs 1e2"),
    ("1E2", "100", "1E2 vs 100"),
    ("1e3", "1000", "1e3"),
    ("1e+3", "1000.000", "1e+3"),
    ("0.001", "1e-3", "1e-3"),
    ("-0", "0", "-0 vs 0"),
    ("-0.0", "0", "-0.0 vs 0"),
    ("+1", "1", "+1 vs 1"),
    ("+0", "-0", "+0 vs -0"),
    (".5", "0.5", ".5"),
    ("5.", "5", "5."),
    ("007", "7", "leading zeros"),
    ("7.000", "7", "trailing zeros"),
    ("0.1", "0.10000000000000001", "same double, different decimal"),
    ("0.30000000000000004", "0.3", "float noise"),
    ("0.3000001", "0.3", "rel 3e-7"),
    ("0.300001", "0.3", "rel 3e-6"),
    ("0.30001", "0.3", "rel 3e-5"),
    ("3.14159", "3.14159265", "pi 5 digits"),
    ("3.141593", "3.14159265", "pi 6 digits"),
    ("2.5", "2.50001", "rel 4e-6"),
    ("1e-7", "0", "tiny vs 0"),
    ("1e-5", "0", "1e-5 vs 0"),
    ("0", "1e-11", "0 vs 1e-11"),
    ("0", "1e-7", "0 vs 1e-7"),
    ("1e-12", "2e-12", "both tiny"),
    ("-1", "1", "sign"),
    ("1_000", "1000", "underscore grouping"),
    ("1__0", "10", "double underscore"),
    ("_1", "1", "leading underscore"),
    ("1_", "1", "trailing underscore"),
    ("1e_5", "100000", "underscore in exponent"),
    ("0x10", "16", "hex is not a number"),
    ("1e", "1", "exponent without digits"),
    ("1e+", "1", "sign without digits"),
    (".", "0", "lone point"),
    ("-", "0", "lone minus"),
    ("1.2.3", "1.2.3", "two points equal"),
    ("1.2.3", "1.2.30", "two points unequal"),
    ("1e5e5", "1e5e5", "two exponents"),
    ("--1", "-1", "double minus"),
    ("+-1", "-1", "plus minus"),
    ("1-2", "1-2", "minus inside equal"),
    ("1-2", "1-3", "minus inside unequal"),
    # huge numbers
    ("123456789012345678901234567890", "123456789012345678901234567890", "big int equal"),
    ("123456789012345678901234567890", "123456789012345678901234567891", "big int off by one"),
    ("123456789012345678901234567890", "1.2345678901234567890123456789e29", "big int vs exp"),
    ("99999999999999999999", "100000000000000000000", "1e20 vs 1e20-1"),
    ("9007199254740993", "9007199254740992", "2^53+1"),
    ("1e308", "1e308", "1e308"),
    ("1e309", "1e400", "both overflow"),
    ("1e301", "2e301", "testlib infinite (> 1e300)"),
    ("-1e301", "1e301", "opposite infinities"),
    ("1e300", "1.0000001e300", "near 1e300"),
    ("1e-400", "0", "underflow"),
    ("1e999999999999999999", "10e999999999999999998", "Decimal Emax"),
    ("1e1000000000000000000", "1e1000000000000000000", "past Emax, same text"),
    ("1e1000000000000000000", "10e999999999999999999", "past Emax"),
    ("0e1000000000000000000", "0", "zero past Emax"),
    ("1e-1999999999999999997", "0.1e-1999999999999999996", "Decimal Etiny"),
    ("1e-1999999999999999998", "0", "below Etiny"),
    ("1" + "0" * 400, "1e400", "400 digits"),
    ("0." + "0" * 300 + "1", "1e-301", "tiny long"),
    ("3" * 200, "3" * 199 + "4", "200 digits off by one"),
    # nan / inf
    ("nan", "nan", "nan same text"),
    ("nan", "NaN", "nan case"),
    ("NaN", "-nan", "nan sign"),
    ("inf", "inf", "inf same"),
    ("inf", "Infinity", "inf vs Infinity"),
    ("-inf", "-Infinity", "-inf vs -Infinity"),
    ("inf", "-inf", "inf sign"),
    ("Inf", "INF", "inf case"),
    ("1e400", "inf", "overflow vs inf"),
    ("inf", "1e400", "inf vs overflow"),
    ("sNaN", "sNaN", "sNaN same"),
    ("1 sNaN", "1.0 sNaN", "sNaN reached"),
    ("1 sNaN", "2 sNaN", "sNaN not reached"),
    ("NaN12", "NaN12", "NaN payload"),
    ("nan 1", "nan 2", "nan then numbers"),
    ("Infinity", "infinity", "Infinity case"),
    ("infinit", "infinit", "not infinity"),
    ("in_f", "inf", "underscore in inf"),
    # token and line counts
    ("1 2 3", "1 2", "extra token"),
    ("1 2", "1 2 3", "missing token"),
    ("1 2\n3", "1 2 3\n", "tokens across lines"),
    ("1.0 2.0", "1 2", "decimal tokens"),
    ("1.0 2.0 3", "1 2", "decimal tokens extra"),
    ("1.5 abc", "1.5 abc", "mixed equal"),
    ("1.5 ABC", "1.5 abc", "mixed case"),
    ("1.5000001 abc", "1.5 abc", "mixed near"),
    ("abc 123.000001", "abc 123", "CodeContests near"),
    ("abc 123.1", "abc 123", "CodeContests far"),
    ("abc", "abc 123", "CodeContests prefix"),
    ("x", "1.5", "word for number"),
    ("1.5", "x", "number for word"),
    # non-ASCII
    ("\u00e9t\u00e9", "\u00e9t\u00e9", "accents equal"),
    ("\u00e9t\u00e9 ", "\u00e9t\u00e9", "accents trailing space"),
    ("caf\u00e9", "cafe", "accent vs none"),
    ("\u4f60\u597d", "\u4f60\u597d\n", "CJK"),
    ("\u4f60\u597d\u3000", "\u4f60\u597d", "ideographic space trailing"),
    ("a\u3000b", "a b", "ideographic space between"),
    ("1\u00a02", "1 2", "NBSP between"),
    ("1\u00a0", "1", "NBSP trailing"),
    ("\u00a01", "1", "NBSP leading"),
    ("1\u20032", "1 2", "em space between"),
    ("1\u2028", "1", "line separator trailing"),
    ("1\u0085", "1", "NEL trailing"),
    ("1\u200b", "1", "zero width space is not whitespace"),
    ("\ufeff1", "1", "BOM is not whitespace"),
    ("\U0001f600", "\U0001f600", "emoji"),
    ("\U0001f600 1", "\U0001f600 1.0", "emoji then number"),
    (b"\xff", b"\xff", "invalid byte equal"),
    (b"\xff", b"\xfe", "invalid bytes differ"),
    (b"a\xc2", b"a\xc2", "truncated sequence"),
    (b"a\xc2 ", b"a\xc2", "truncated sequence then space"),
    (b"\xe2\x80 1", b"\xe2\x80 1.0", "broken 3-byte then number"),
    (b"\xe2\x80\xc2\xa0", b"\xe2\x80", "broken lead then NBSP"),
    (b"1\xc2\xa0\xc2\xa0", b"1", "two NBSP"),
    (b"\xed\xa0\x80", b"\xed\xa0\x80 ", "surrogate bytes"),
    (b"\xc0\xa0", b"\xc0\xa0 ", "overlong space"),
    ("\u0661\u0662", "12", "Arabic-Indic digits"),
    ("\uff11", "1", "fullwidth digit"),
    ("\u0130", "i\u0307", "U+0130 lower"),
    ("\u03a3", "\u03c3", "Greek sigma"),
    # lines_rstrip specifics
    ("a \n b", "a\n b", "leading space on second line kept"),
    ("a\n\n", "a\n \n\t\n", "trailing blank lines"),
    ("\n\na", "a", "leading blank lines"),
    ("a \t\r", "a", "rstrip set"),
    ("x\n\x0b\n", "x", "vertical tab line"),
    # DMOJ standard: line breaks between tokens
    ("1 2\n3", "1 2\n3\n", "line breaks kept"),
    ("1\n\n\n2", "1\n2", "several line breaks are one"),
    ("1\r2", "1\n2", "CR is a line break for DMOJ"),
    ("1\v2", "1 2", "vertical tab is a space for DMOJ"),
    ("1\f\n2", "1\n2", "form feed beside a newline"),
    ("  \n1 2  \n\n", "1 2", "leading and trailing whitespace"),
    ("1 2 3", "1 2\n3", "line break missing"),
    # misc
    ("Hello, World!", "Hello, World!", "plain text"),
    ("Hello,  World!", "Hello, World!", "double space text"),
    ("hello, world!", "Hello, World!", "case text"),
    ("3\n1 2 3\n", "3\n1 2 3", "typical"),
    ("3\n1 2 3 \n", "3\n1 2 3", "typical trailing space"),
    ("3\r\n1 2 3\r\n", "3\n1 2 3\n", "typical CRLF"),
    ("YES\nNO\nYES", "YES\nNO\nYES\n", "yes no"),
    ("0.500000 0.250000", "0.5 0.25", "fixed format"),
    ("0.5000004", "0.5", "abs 4e-7"),
    ("0.5000014", "0.5", "abs 1.4e-6"),
    ("1234567.8", "1234567.0", "rel 6.5e-7"),
    ("1234569", "1234567", "rel 1.6e-6"),
    ("-1000000.5", "-1000000.0", "negative rel"),
    ("1.00005", "1", "e4 boundary"),
    ("1.0002", "1", "e4 exceeded"),
]

NUMS = ["0", "1", "-1", "2", "10", "42", "-17", "3.5", "0.25", "1000000", "123456789",
        "0.1", "2.718281828", "1e-9", "6.02e23", "-0.000001", "99.99", "7"]
WORDS = ["YES", "NO", "Yes", "abc", "Hello", "x", "impossible", "-1", "None", "\u00e9t\u00e9"]


def _answer(rng):
    lines = []
    for _ in range(rng.randint(1, 4)):
        kind = rng.random()
        n = rng.randint(1, 4)
        if kind < 0.6:
            toks = [rng.choice(NUMS) for _ in range(n)]
        elif kind < 0.85:
            toks = [rng.choice(WORDS) for _ in range(n)]
        else:
            toks = [rng.choice(NUMS + WORDS) for _ in range(n)]
        lines.append(" ".join(toks))
    return "\n".join(lines) + ("\n" if rng.random() < 0.7 else "")


def _perturb_number(tok, rng):
    try:
        v = float(tok)
    except ValueError:
        return tok
    how = rng.choice(["rel7", "rel5", "rel3", "abs7", "abs5", "fmt", "exp", "int"])
    if how == "rel7":
        v *= 1 + 3e-7
    elif how == "rel5":
        v *= 1 + 3e-5
    elif how == "rel3":
        v *= 1 + 3e-3
    elif how == "abs7":
        v += 4e-7
    elif how == "abs5":
        v += 2e-5
    elif how == "fmt":
        return "%.6f" % v
    elif how == "exp":
        return "%e" % v
    else:
        return str(int(v)) if v == int(v) else repr(v)
    return repr(v)


MUTATIONS = [
    ("same", lambda s, r: s),
    ("trailing spaces", lambda s, r: "\n".join(line + " " * r.randint(1, 3) for line in s.split("\n"))),
    ("CRLF", lambda s, r: s.replace("\n", "\r\n")),
    ("no final newline", lambda s, r: s.rstrip("\n")),
    ("extra newlines", lambda s, r: s + "\n\n"),
    ("leading space", lambda s, r: " " + s),
    ("double spaces", lambda s, r: s.replace(" ", "  ")),
    ("tabs", lambda s, r: s.replace(" ", "\t")),
    ("one line", lambda s, r: s.replace("\n", " ")),
    ("upper", lambda s, r: s.upper()),
    ("lower", lambda s, r: s.lower()),
    ("perturb", lambda s, r: "\n".join(" ".join(_perturb_number(t, r) for t in line.split(" "))
                                        for line in s.split("\n"))),
    ("drop token", lambda s, r: s.rsplit(" ", 1)[0] if " " in s else s + " 0"),
    ("add token", lambda s, r: s.rstrip("\n") + " 0\n"),
    ("swap lines", lambda s, r: "\n".join(reversed(s.split("\n")))),
    ("NBSP", lambda s, r: s.replace(" ", "\u00a0", 1)),
    ("blank line", lambda s, r: s.replace("\n", "\n\n", 1)),
]


def pairs():
    out = []
    for o, a, note in HAND:
        o = o.encode() if isinstance(o, str) else o
        a = a.encode() if isinstance(a, str) else a
        out.append((o, a, note))
        if o != a:
            out.append((a, o, note + " (swapped)"))
    rng = random.Random(14)
    for i in range(180):
        ans = _answer(rng)
        name, fn = MUTATIONS[i % len(MUTATIONS)]
        out.append((fn(ans, rng).encode(), ans.encode(), "generated: " + name))
    return out


# Pairs where the C checker deliberately differs from the reference:
# (note, config) -> the C verdict. Each is explained in docs/checkers.md.
KNOWN = {
    ("Arabic-Indic digits", "lines_strip_decimal"): "WA",
    ("Arabic-Indic digits (swapped)", "lines_strip_decimal"): "WA",
    ("Arabic-Indic digits", "sandboxfusion"): "WA",
    ("Arabic-Indic digits (swapped)", "sandboxfusion"): "WA",
    ("fullwidth digit", "lines_strip_decimal"): "WA",
    ("fullwidth digit (swapped)", "lines_strip_decimal"): "WA",
    ("fullwidth digit", "sandboxfusion"): "WA",
    ("fullwidth digit (swapped)", "sandboxfusion"): "WA",
    ("U+0130 lower", "sandboxfusion"): "WA",
    ("U+0130 lower (swapped)", "sandboxfusion"): "WA",
    ("Greek sigma", "sandboxfusion"): "WA",
    ("Greek sigma (swapped)", "sandboxfusion"): "WA",
}


def _text_field(b, name, rec):
    try:
        s = b.decode("utf-8")
        if "\0" not in s:
            rec[name] = s
            return
    except UnicodeDecodeError:
        pass
    rec[name + "_hex"] = b.hex()


def build():
    lines = [json.dumps({"configs": {k: v[0] for k, v in reference.CONFIGS.items()}},
                        sort_keys=True, ensure_ascii=False)]
    for i, (o, a, note) in enumerate(pairs()):
        rec = {"id": i, "note": note}
        _text_field(o, "out", rec)
        _text_field(a, "ans", rec)
        rec["verdicts"] = {k: fn(o, a) for k, (_, fn) in reference.CONFIGS.items()}
        diffs = {k: v for (n, k), v in KNOWN.items() if n == note and rec["verdicts"][k] != v}
        if diffs:
            rec["c_differs"] = diffs
        lines.append(json.dumps(rec, sort_keys=True, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def main():
    text = build()
    if "--check" in sys.argv[1:]:
        try:
            with open(CORPUS, encoding="utf-8") as f:
                old = f.read()
        except FileNotFoundError:
            old = ""
        if old != text:
            print("tests/judge/corpus.jsonl is stale: run python3 tests/judge/make_corpus.py",
                  file=sys.stderr)
            return 1
        return 0
    with open(CORPUS, "w", encoding="utf-8") as f:
        f.write(text)
    print("%d pairs written to %s" % (text.count("\n") - 1, CORPUS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
