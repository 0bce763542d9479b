"""The reference output comparators that judge mode's built-in checkers reproduce.

Each function is written here from the published definition of its rule
(docs/checkers.md names the source and /work/shared/peer-apis.md sections 5-6
describe them); none is copied. They take bytes (a program's output, the
expected answer) and return "AC" or "WA" ("PE" where testlib would say so).

Where a reference works on Python str, the bytes are decoded as UTF-8 with
errors="surrogateescape": well-formed text is read as text, and every other
byte becomes one character that is neither whitespace nor a digit nor a
letter, which is what the C checkers do with such bytes.
"""

import re
from decimal import Decimal


def _text(b):
    return b.decode("utf-8", errors="surrogateescape")


# ---- DMOJ identical / exact ------------------------------------------------

def exact(out, ans):
    """DMOJ `identical`: the bytes are equal."""
    return "AC" if out == ans else "WA"


# ---- verl --------------------------------------------------------------------

def verl(out, ans):
    """verl sandbox_fusion/utils.py: stdout.rstrip("\\n") == expected.rstrip("\\n")."""
    return "AC" if out.rstrip(b"\n") == ans.rstrip(b"\n") else "WA"


# ---- Judge0 --------------------------------------------------------------------

_RUBY_SPACE = b"\0\t\n\v\f\r "


def _ruby_split_newline(s):
    # Ruby's String#split("\n") drops trailing empty fields.
    parts = s.split(b"\n")
    while parts and parts[-1] == b"":
        parts.pop()
    return parts


def judge0_strip(s):
    """Judge0 isolate_job.rb:
    output.split("\\n").collect(&:rstrip).join("\\n").rstrip (Ruby whitespace:
    NUL, \\t, \\n, \\v, \\f, \\r, space)."""
    lines = [line.rstrip(_RUBY_SPACE) for line in _ruby_split_newline(s)]
    return b"\n".join(lines).rstrip(_RUBY_SPACE)


def judge0(out, ans):
    return "AC" if judge0_strip(out) == judge0_strip(ans) else "WA"


# ---- LiveCodeBench grade_stdio ---------------------------------------------------

def _lcb_stripped_lines(val):
    val = val.strip()
    return [line.strip() for line in val.split("\n")]


def _lcb_decimals(line):
    try:
        return True, [Decimal(tok) for tok in line.split()]
    except Exception:  # the reference catches everything here
        return False, []


def lcb(out, ans):
    """LiveCodeBench testing_util.grade_stdio (and rllm/DeepCoder's copy):
    strip, split on "\\n", strip each line; equal line counts; each line equal
    as a string or as a list of Decimal values."""
    pred = _lcb_stripped_lines(_text(out))
    gold = _lcb_stripped_lines(_text(ans))
    if len(pred) != len(gold):
        return "WA"
    for p, g in zip(pred, gold):
        if p == g:
            continue
        ok, dp = _lcb_decimals(p)
        if not ok:
            return "WA"
        ok, dg = _lcb_decimals(g)
        if not ok:
            return "WA"
        try:
            if dp == dg:
                continue
        except Exception:  # an sNaN compared raises: the test fails
            return "WA"
        return "WA"
    return "AC"


# ---- SandboxFusion ----------------------------------------------------------------

def _sf_is_float(s):
    try:
        float(s)
        return True
    except ValueError:
        return False


def _sf_float_equal(a, b, rel_tol=1e-5):
    return abs(a - b) / max(abs(b), 1e-10) < rel_tol


def sandboxfusion(out, ans):
    """SandboxFusion sandbox/datasets/utils (check_stdio_test_case), lower_cmp=True."""
    result_lines = _text(out).strip().split("\n")
    expected_lines = _text(ans).strip().split("\n")
    if len(result_lines) - len(expected_lines) == 1 and result_lines[-1] == "":
        result_lines = result_lines[:-1]
    if len(expected_lines) - len(result_lines) == 1 and expected_lines[-1] == "":
        expected_lines = expected_lines[:-1]
    if len(result_lines) != len(expected_lines):
        return "WA"
    for rl, el in zip(result_lines, expected_lines):
        rl = rl.lower()
        el = el.lower()
        if rl.strip() != el.strip():
            if _sf_is_float(el) and _sf_is_float(rl):
                if _sf_float_equal(float(rl), float(el)):
                    continue
            return "WA"
    return "AC"


# ---- testlib ------------------------------------------------------------------------

def testlib_tokens(s):
    """testlib's readWord: runs of bytes other than space, \\t, \\r, \\n."""
    return re.split(rb"[ \t\r\n]+", s.strip(b" \t\r\n")) if s.strip(b" \t\r\n") else []


def wcmp(out, ans, case_insensitive=False):
    """testlib checkers/wcmp.cpp: the token sequences are equal. With
    case_insensitive, ASCII letters are compared lowered (CodeContests
    lowercases both outputs; testlib's caseicmp family)."""
    o, a = testlib_tokens(out), testlib_tokens(ans)
    if case_insensitive:
        o = [t.lower() for t in o]  # bytes.lower(): ASCII only
        a = [t.lower() for t in a]
    return "AC" if o == a else "WA"


_TL_NUMBER = re.compile(rb"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")


def testlib_double(tok):
    """testlib stringToDouble: only [0-9.eE+-] (so never nan/inf), then the
    whole token read by sscanf("%lf"); None when testlib would quit with PE."""
    if re.search(rb"[^0-9.eE+-]", tok):
        return None
    if (tok.count(b"-") > 2 or tok.count(b"+") > 2 or tok.count(b".") > 1
            or sum(tok.count(c) for c in (b"e", b"E")) > 1
            or not re.search(rb"[0-9]", tok)):
        return None
    if not _TL_NUMBER.match(tok):
        return None
    return float(tok)


def _tl_infinite(x):
    return x > 1e300 or x < -1e300


def double_compare(expected, result, abs_eps=1e-6, rel_eps=1e-6, mode="abs_or_rel"):
    """testlib doubleCompare (eps += 1e-15; NaN only matches NaN; |x| > 1e300
    is infinite and matches the same sign), the absolute and the relative
    bound taken apart by mode."""
    abs_eps += 1e-15
    rel_eps += 1e-15
    if expected != expected:
        return result != result
    if _tl_infinite(expected):
        if expected > 0:
            return result > 0 and _tl_infinite(result)
        return result < 0 and _tl_infinite(result)
    if result != result or _tl_infinite(result):
        return False
    abs_ok = abs(result - expected) <= abs_eps
    lo = min(expected * (1.0 - rel_eps), expected * (1.0 + rel_eps))
    hi = max(expected * (1.0 - rel_eps), expected * (1.0 + rel_eps))
    rel_ok = lo <= result <= hi
    if mode == "abs":
        return abs_ok
    if mode == "rel":
        return rel_ok
    return abs_ok or rel_ok


def rcmp(out, ans, abs_eps=1e-6, rel_eps=1e-6, mode="abs_or_rel", case_insensitive=False):
    """testlib checkers/rcmp6.cpp (rcmp4/rcmp9 with other eps): numbers
    compared with doubleCompare, the output may not hold more tokens. Where a
    token is not a testlib number (testlib would stop with PE), judge mode
    compares it as a token (as DMOJ `floats` does with a non-numeric judge
    token): the documented extension of tokens_float."""
    o, a = testlib_tokens(out), testlib_tokens(ans)
    if len(o) != len(a):
        return "WA"
    for to, ta in zip(o, a):
        e, r = testlib_double(ta), testlib_double(to)
        if e is not None and r is not None:
            if not double_compare(e, r, abs_eps, rel_eps, mode):
                return "WA"
            continue
        if case_insensitive:
            to, ta = to.lower(), ta.lower()
        if to != ta:
            return "WA"
    return "AC"


# ---- DMOJ standard ----------------------------------------------------------------------

def dmoj_standard(out, ans, case_insensitive=False):
    """DMOJ checkers/standard (_checker.c check_standard): whitespace is
    space \t \v \f \r \n, leading and trailing whitespace is ignored, tokens
    are byte-equal, and a whitespace run between two tokens holding a line
    break (\n or \r) must face a run holding one."""
    ws = b" \t\r\n\v\f"

    def shape(s):
        s = s.strip(ws)
        parts = re.split(rb"([ \t\r\n\v\f]+)", s) if s else []
        if case_insensitive:
            parts = [p.lower() for p in parts]
        return [p if i % 2 == 0 else (b"\n" in p or b"\r" in p) for i, p in enumerate(parts)]

    return "AC" if shape(out) == shape(ans) else "WA"


# The judge-mode checker configurations of the corpus: name -> (the C
# checker's JSON object, the reference function).
CONFIGS = {
    "exact": ({"type": "exact"}, exact),
    "rstrip_newlines": ({"type": "rstrip_newlines"}, verl),
    "lines_rstrip": ({"type": "lines_rstrip"}, judge0),
    "lines_strip_decimal": ({"type": "lines_strip_decimal"}, lcb),
    "sandboxfusion": ({"type": "sandboxfusion"}, sandboxfusion),
    "tokens": ({"type": "tokens"}, wcmp),
    "tokens_ci": ({"type": "tokens", "case_insensitive": True},
                  lambda o, a: wcmp(o, a, case_insensitive=True)),
    "tokens_lines": ({"type": "tokens", "keep_line_breaks": True}, dmoj_standard),
    "tokens_lines_ci": ({"type": "tokens", "keep_line_breaks": True, "case_insensitive": True},
                        lambda o, a: dmoj_standard(o, a, case_insensitive=True)),
    "tokens_float": ({"type": "tokens_float"}, rcmp),
    "tokens_float_abs": ({"type": "tokens_float", "float_mode": "abs"},
                         lambda o, a: rcmp(o, a, mode="abs")),
    "tokens_float_rel": ({"type": "tokens_float", "float_mode": "rel"},
                         lambda o, a: rcmp(o, a, mode="rel")),
    "tokens_float_e4": ({"type": "tokens_float", "abs_eps": 1e-4, "rel_eps": 1e-4},
                        lambda o, a: rcmp(o, a, 1e-4, 1e-4)),
    "tokens_float_ci": ({"type": "tokens_float", "case_insensitive": True},
                        lambda o, a: rcmp(o, a, case_insensitive=True)),
}
