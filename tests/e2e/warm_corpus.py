"""The corpus of Python programs that test_warm_python.py runs on a cold server
(`--no-warm-python`: every run exec's /usr/bin/python3 /tmp/main.py) and on a
warm one (every run starts from a pre-started interpreter), expecting the same
exit code, stdout, stderr, status and verdict from both.

Every program is deterministic: it prints no pids, times, addresses, random
values or hash-ordered sets of strings, so two cold runs answer the same and
any difference is the warm path's. What the warm path may legitimately change
(modules it preloaded, such as numpy in sys.modules) is never printed.

Each entry is a dict: `name`, `code`, `stdin`, and optionally other /v1/run
fields (`timeout`, `args`, `files`, `limits`, `stdins`). `CORPUS` is the list.
"""

from __future__ import annotations

import textwrap
from typing import Dict, List

CORPUS: List[Dict] = []


def P(name: str, code: str, stdin: str = "", raw: bool = False, **extra) -> None:
    """Adds a program; `code` is dedented unless `raw` (then it is sent byte for byte)."""
    if not raw:
        code = textwrap.dedent(code).lstrip("\n")
    CORPUS.append(dict(name=name, code=code, stdin=stdin, **extra))


def helper(name: str, content: str) -> Dict:
    """A file sent beside main.py in /tmp."""
    return {"name": name, "content": textwrap.dedent(content).lstrip("\n")}


# ---------------------------------------------------------------------------
# plain output, buffering, encodings

P("hello", r"""
    print("hello, world")
""")

P("print_many_args", r"""
    print(1, "a", 2.5, None, True, [1, (2, 3)], {"k": "v"}, b"by", sep="|", end="<\n")
    print()
    print("", end="")
    print("tab\tand\\backslash")
""")

P("print_end_empty_no_newline", r"""
    print("a", end="")
    print("b", end="")
    print("c", end="")
""")

P("print_flush_mix", r"""
    import sys
    for i in range(6):
        print(i, flush=i % 2 == 0)
        print("e", i, file=sys.stderr, flush=i % 3 == 0)
""")

P("stdout_write_returns_count", r"""
    import sys
    n = sys.stdout.write("abc\n")
    m = sys.stderr.write("héllo\n")
    print(n, m)
""")

P("empty_program", "", raw=True)

P("comments_only", "# just a comment\n\n   # another one\n", raw=True)

P("no_trailing_newline", "x = 6 * 7\nprint(x)", raw=True)

P("crlf_line_endings", "x = 1\r\nif x:\r\n    print('crlf', x)\r\nprint(repr(open(__file__, 'rb').read()[:8]))\r\n",
  raw=True)

P("cr_only_line_endings", "x = 2\rprint('cr', x)\r", raw=True)

P("utf8_bom_source", "\ufeffprint('bom source')\nprint(repr(open(__file__, 'rb').read(3)))\n", raw=True)

P("coding_cookie_latin1", "# -*- coding: latin-1 -*-\ns = 'é'\nprint(len(s), [hex(ord(c)) for c in s])\n",
  raw=True)

P("coding_cookie_utf8_identifiers", "# coding: utf-8\nπ = 3.14159\nnaïve = 'café'\nprint(π, naïve, len(naïve))\n",
  raw=True)

P("nul_byte_in_source", "print('before nul')\x00\nprint('after')\n", raw=True)

P("large_output_1mb", r"""
    print("\n".join("line %06d" % i for i in range(95000)))
""")

P("large_output_one_write", r"""
    import sys
    sys.stdout.write("x" * (1 << 20))
    sys.stdout.write("\nend\n")
""")

P("large_stderr", r"""
    import sys
    for i in range(40000):
        sys.stderr.write("err line %05d\n" % i)
    print("done")
""")

P("stdout_stderr_interleaved", r"""
    import sys
    for i in range(60):
        print(f"out {i}")
        print(f"err {i}", file=sys.stderr)
        if i % 7 == 0:
            sys.stdout.flush()
""")

P("os_write_vs_buffered_print", r"""
    import os
    print("a (buffered)")
    os.write(1, b"b (raw)\n")
    print("c (flushed)", flush=True)
    os.write(1, b"d (raw)\n")
    print("e", end="")
""")

P("os_write_vs_stderr_line_buffering", r"""
    import os, sys
    print("e1 no newline", file=sys.stderr, end="")
    os.write(2, b"E2 raw\n")
    print(" ... e3 with newline", file=sys.stderr)
    os.write(2, b"E4 raw\n")
""")

P("unicode_output", r"""
    import sys
    samples = ["héllo wörld", "日本語テキスト", "emoji 😀🎉👍🏽", "RTL עברית العربية", "combining e\u0301",
               "zero\u200bwidth", "math ∑∫√∞≠", "box ┌─┐└─┘", "Ω≈ç√∫˜µ≤≥÷"]
    for s in samples:
        print(s, len(s), len(s.encode()))
    print("stderr: ünïcödé ✓", file=sys.stderr)
""")

P("nul_and_control_chars_output", r"""
    print("a\0b\x01c\x7fd\x1b[0me")
    print(repr("\0"))
""")

P("non_utf8_bytes_to_stdout_buffer", r"""
    import sys
    sys.stdout.buffer.write(b"ok \xff\xfe \xc3\x28 \xed\xa0\x80 end\n")
    sys.stdout.flush()
    sys.stderr.buffer.write(b"err \x80\x81\n")
    print("text after")
""")

P("surrogateescape_print", r"""
    print("\udcff\udc80 escaped")
    print(ascii("\udcff"))
""")

P("lone_surrogate_encode_error", r"""
    print("fine")
    print("\ud800 bad")
""")

P("stderr_backslashreplace", r"""
    import sys
    print("\ud800 on stderr", file=sys.stderr)
    print("stdout ok")
""")

P("stdio_attributes", r"""
    import sys
    for name in ("stdin", "stdout", "stderr"):
        f = getattr(sys, name)
        print(name, f.name, f.mode, f.encoding, f.errors, f.line_buffering, f.write_through,
              f.isatty(), f.fileno(), f.readable(), f.writable(), repr(f.newlines),
              type(f).__name__, type(f.buffer).__name__, type(f.buffer.raw).__name__,
              f.buffer.name, f.buffer.raw.name, f.buffer.raw.mode, f.buffer.raw.closefd)
""")

P("stdio_identity_and_hooks", r"""
    import sys, threading
    print(sys.stdin is sys.__stdin__, sys.stdout is sys.__stdout__, sys.stderr is sys.__stderr__)
    print(sys.excepthook is sys.__excepthook__, sys.displayhook is sys.__displayhook__,
          sys.unraisablehook is sys.__unraisablehook__, sys.breakpointhook is sys.__breakpointhook__,
          threading.excepthook is threading.__excepthook__)
    print(sys.excepthook, sys.displayhook, sys.unraisablehook, sys.breakpointhook)
""")

P("stdout_buffer_lost_by_os_exit", r"""
    import os
    for i in range(3000):
        print("buffered line %04d" % i)
    os._exit(0)
""")

P("os_exit_unflushed_lost", r"""
    import os, sys
    print("lost stdout")
    sys.stderr.write("lost partial stderr")
    os._exit(3)
""")

P("os_exit_after_flush", r"""
    import os, sys
    print("kept", flush=True)
    sys.stderr.write("kept err\n")
    print("lost")
    os._exit(42)
""")

P("os_exit_255_and_stderr", r"""
    import os, sys
    print("x", file=sys.stderr)
    os._exit(255)
""")

P("stdout_closed_then_print", r"""
    import sys
    print("a")
    sys.stdout.close()
    print("b", file=sys.stderr)
    print("c")
""")

P("fd1_closed_at_exit", r"""
    import os
    print("never flushed")
    os.close(1)
""")

P("stdout_reconfigure_line_buffering", r"""
    import os, sys
    sys.stdout.reconfigure(line_buffering=True)
    print(sys.stdout.line_buffering)
    print("a")
    os.write(1, b"b\n")
    sys.stdout.reconfigure(line_buffering=False)
    print("c")
    os.write(1, b"d\n")
""")

P("print_into_stringio_then_restore", r"""
    import io, sys
    buf = io.StringIO()
    sys.stdout = buf
    print("captured", 1, 2)
    sys.stdout = sys.__stdout__
    print("got", repr(buf.getvalue()))
""")

P("redefine_print", r"""
    import sys
    def print(*args, sep=" ", end="\n", file=None):
        sys.stdout.write("P:" + sep.join(map(str, args)) + end)
    print("hello", 1)
    print("no", "end", end="!\n")
""")

P("builtins_tampering", r"""
    import builtins
    real_len = builtins.len
    builtins.len = lambda x: -1
    print(len("abc"), real_len("abc"))
    builtins.len = real_len
    builtins.custom_thing = 42
    print(custom_thing)
    real_print = builtins.print
    builtins.print = lambda *a, **k: real_print("wrapped:", *a, **k)
    print("x")
    def f():
        print("in f")
    f()
""")

P("builtins_type_in_main", r"""
    import builtins
    print(type(__builtins__).__name__, __builtins__ is builtins)
    print(globals()["__builtins__"] is builtins)
    print(sorted(k for k in vars(builtins) if not k.startswith("_"))[:12])
    print(len([k for k in vars(builtins) if not k.startswith("_")]))
""")

P("delete_builtins_global", r"""
    del __builtins__
    print("still", len("ab"))
    def f():
        return len("abc")
    print(f())
""")

P("sys_exc_info_at_start", r"""
    import sys
    print(sys.exc_info())
    try:
        raise ValueError("x")
    except ValueError:
        print(sys.exc_info()[0].__name__)
    print(sys.exc_info())
""")

P("help_builtin", r"""
    help(len)
    help(divmod)
""")

P("site_builtins", r"""
    print(repr(exit))
    print(repr(quit))
    print(type(copyright).__name__, type(credits).__name__, type(license).__name__, type(help).__name__)
    print(str(copyright)[:40])
""")

P("exit_builtin", r"""
    print("bye")
    exit(5)
""")

P("quit_builtin_message", r"""
    quit("leaving with a message")
""")

# ---------------------------------------------------------------------------
# the __main__ module

P("name_is_main", r"""
    print(__name__)
    def main():
        print("main called")
    if __name__ == "__main__":
        main()
""")

P("file_attribute", r"""
    import os
    print(__file__)
    print(os.path.abspath(__file__), os.path.basename(__file__), os.path.dirname(__file__))
    print(os.path.exists(__file__), os.path.getsize(__file__))
""")

P("sys_argv", r"""
    import sys
    print(sys.argv)
    print(sys.orig_argv)
""")

P("sys_argv_with_args", r"""
    import sys
    print(sys.argv)
    print(len(sys.argv), sys.argv[1:])
""", args=["a", "b c", "", "--flag=1", "ünï"])

P("sys_path", r"""
    import sys
    print(sys.path)
    print(sys.path[0])
""")

P("globals_keys", r"""
    print(sorted(globals()))
""")

P("dir_at_top_level", r"""
    x = 1
    print(dir())
""")

P("main_module_dunders", r"""
    print(repr(__doc__), repr(__package__), repr(__spec__), repr(__cached__))
    print(type(__loader__).__name__, __loader__.name, __loader__.path)
    print(__annotations__)
    print(__loader__.get_filename(), __loader__.is_package("__main__"))
""")

P("main_docstring", r'''
    """The module's own docstring."""
    import __main__
    print(repr(__doc__))
    print(repr(__main__.__doc__))
''')

P("future_annotations", r"""
    from __future__ import annotations
    x: int = 1
    y: list[str]
    def f(a: int) -> str:
        return str(a)
    print(__annotations__)
    print(f.__annotations__)
""")

P("module_annotations", r"""
    x: int = 1
    y: "str"
    print(__annotations__)
""")

P("main_in_sys_modules", r"""
    import sys
    import __main__
    print(__main__.__dict__ is globals(), sys.modules["__main__"] is __main__, __main__.__name__)
    print(__main__.__file__, getattr(__main__, "__spec__", "missing"))
    g = 5
    print(__main__.g)
""")

P("frame_of_module", r"""
    import sys
    f = sys._getframe()
    print(f.f_code.co_filename, f.f_code.co_name, f.f_back, f.f_lineno, f.f_globals is globals())
    print(f.f_locals is globals(), f.f_builtins is __builtins__.__dict__)
""")

P("inspect_stack_depth", r"""
    import inspect
    def g():
        return [(fi.filename, fi.lineno, fi.function) for fi in inspect.stack()]
    print(len(inspect.stack()), [(fi.filename, fi.function) for fi in inspect.stack()])
    print(g())
""")

P("traceback_print_stack", r"""
    import traceback, sys
    def f():
        traceback.print_stack(file=sys.stdout)
    def g():
        f()
    g()
    print(len(traceback.extract_stack()))
""")

P("read_own_source", r"""
    import hashlib
    src = open(__file__, "rb").read()
    print(len(src), hashlib.md5(src).hexdigest())
    print(src.decode().splitlines()[0])
""")

P("inspect_getsource", r"""
    import inspect, linecache
    def f(x):
        return x + 1
    class C:
        def m(self):
            return 2
    print(inspect.getsource(f), end="")
    print(inspect.getsource(C), end="")
    print(inspect.getsourcefile(f), inspect.getfile(C))
    print(repr(linecache.getline(__file__, 3)))
""")

P("class_repr_and_module", r"""
    class C:
        class Inner:
            pass
    print(C, C.__module__, C.__qualname__, C.Inner.__qualname__)
    print(repr(C()).split(" at ")[0])
    print(C.Inner().__class__)
""")

P("pickle_main_class", r"""
    import pickle
    class Point:
        def __init__(self, x, y):
            self.x, self.y = x, y
        def __eq__(self, o):
            return (self.x, self.y) == (o.x, o.y)
    p = Point(1, 2)
    data = pickle.dumps(p, protocol=0)
    print(data)
    print(pickle.loads(data) == p)
    def func():
        pass
    print(pickle.dumps(func, protocol=4))
""")

P("typing_hints_of_main_class", r"""
    from __future__ import annotations
    import typing
    from typing import List, Optional
    class A:
        x: int
        y: List[str]
        z: Optional[A]
    print(typing.get_type_hints(A))
""")

P("dataclass_with_string_annotations", r"""
    from __future__ import annotations
    import dataclasses
    from dataclasses import dataclass, field
    from typing import ClassVar
    @dataclass(order=True)
    class Item:
        name: str
        qty: int = 0
        tags: list = field(default_factory=list)
        registry: ClassVar[dict] = {}
    a, b = Item("a", 2), Item("b", 1, ["t"])
    print(a, b, a < b, dataclasses.asdict(b))
    print([f.name for f in dataclasses.fields(Item)])
""")

P("doctest_in_main", r'''
    def add(a, b):
        """
        >>> add(1, 2)
        3
        >>> add("a", "b")
        'ab'
        """
        return a + b
    def wrong(a):
        """
        >>> wrong(2)
        5
        """
        return a * 2
    if __name__ == "__main__":
        import doctest
        print(doctest.testmod())
''')

P("unittest_in_main", r"""
    import io, re, sys, unittest
    class T(unittest.TestCase):
        def test_ok(self):
            self.assertEqual(1 + 1, 2)
        def test_fail(self):
            self.assertEqual([1, 2], [1, 3])
        def test_error(self):
            {}["k"]
    stream = io.StringIO()
    result = unittest.main(exit=False, testRunner=unittest.TextTestRunner(stream=stream, verbosity=2)).result
    print(re.sub(r"in \d+\.\d+s", "in Xs", stream.getvalue()))
    print(result.testsRun, len(result.failures), len(result.errors))
""")

P("enum_in_main", r"""
    import enum, pickle
    class Color(enum.Enum):
        RED = 1
        GREEN = 2
    class Perm(enum.IntFlag):
        R = 4
        W = 2
        X = 1
    print(Color.RED, repr(Color.GREEN), list(Color), Perm.R | Perm.W, repr(Perm(7)))
    print(pickle.loads(pickle.dumps(Color.GREEN)) is Color.GREEN)
""")

P("interactive_attributes", r"""
    import sys
    print(hasattr(sys, "ps1"), hasattr(sys, "ps2"), sys.flags.interactive, sys.flags.inspect)
    print(hasattr(sys, "last_type"), hasattr(sys, "last_value"), hasattr(sys, "tracebacklimit"))
""")

P("settrace_events", r"""
    import sys
    events = []
    def tracer(frame, event, arg):
        if frame.f_code.co_filename == __file__:
            events.append((event, frame.f_code.co_name, frame.f_lineno))
        return tracer
    def f(n):
        s = 0
        for i in range(n):
            s += i
        return s
    print(sys.gettrace(), sys.getprofile())
    sys.settrace(tracer)
    f(2)
    sys.settrace(None)
    for e in events:
        print(e)
""")

P("setprofile_calls", r"""
    import sys
    calls = []
    def prof(frame, event, arg):
        if event in ("call", "return") and frame.f_code.co_filename == __file__:
            calls.append((event, frame.f_code.co_name))
    def a():
        return b()
    def b():
        return 1
    sys.setprofile(prof)
    a()
    sys.setprofile(None)
    print(calls)
""")

P("breakpoint_pdb_from_stdin", r"""
    x = 41
    print("before")
    breakpoint()
    x += 1
    print("after", x)
""", stdin="p x\nn\np x\nc\n")

P("pdb_postmortem_eof", r"""
    import pdb
    def f():
        return 1 / 0
    try:
        f()
    except ZeroDivisionError:
        pdb.post_mortem()
    print("done")
""", stdin="p 1+1\nw\nq\n")

# ---------------------------------------------------------------------------
# the process and its environment

P("environ_sorted", r"""
    import os
    for k, v in sorted(os.environ.items()):
        print(k, "=", v)
    print(sorted(os.environb)[:3])
""")

P("sys_flags_and_options", r"""
    import sys
    print(sys.flags)
    print(sys.warnoptions, sys._xoptions)
    print(sys.dont_write_bytecode, sys.pycache_prefix)
""")

P("sys_interpreter_info", r"""
    import sys
    print(sys.executable, sys._base_executable)
    print(sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, sys.platlibdir)
    print(sys.version_info, sys.hexversion, sys.api_version, sys.implementation.name,
          sys.implementation.cache_tag)
    print(sys.byteorder, sys.maxsize, sys.platform, sys.maxunicode)
    print(sys.float_info)
    print(sys.int_info, sys.get_int_max_str_digits())
    print(sys.getdefaultencoding(), sys.getfilesystemencoding(), sys.getfilesystemencodeerrors())
    print(sys.getrecursionlimit(), sys.getswitchinterval())
    print(sys.stdlib_module_names is not None, len(sys.builtin_module_names))
""")

P("locale_and_encodings", r"""
    import io, locale, sys
    print(locale.getlocale(), locale.getpreferredencoding(False), locale.getencoding())
    print(locale.setlocale(locale.LC_ALL, None))
    print(locale.setlocale(locale.LC_CTYPE, None), locale.setlocale(locale.LC_NUMERIC, None))
    print(locale.localeconv()["decimal_point"], repr(locale.localeconv()["thousands_sep"]))
    print(io.text_encoding(None))
    with open("/tmp/enc.txt", "w") as f:
        print(f.encoding, f.errors)
    print(locale.format_string("%.2f", 1234567.891, grouping=True))
    print(locale.setlocale(locale.LC_ALL, ""))
""")

P("time_zone", r"""
    import datetime, time
    print(time.tzname, time.timezone, time.altzone, time.daylight)
    print(time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(0)))
    print(time.strftime("%a %b %d %Y", time.gmtime(86400 * 365)))
    print(datetime.datetime.fromtimestamp(0), datetime.datetime.fromtimestamp(0).astimezone().tzname())
    print(datetime.datetime(2024, 2, 29, 12, 30) + datetime.timedelta(days=366))
""")

P("cwd_and_tmp_listing", r"""
    import os
    print(os.getcwd())
    print(sorted(os.listdir(".")), sorted(os.listdir("/tmp")), sorted(os.listdir("/dev/shm")))
    print(os.path.samefile(".", "/tmp"), oct(os.stat("/tmp").st_mode))
""")

P("root_filesystem_view", r"""
    import os
    print(sorted(os.listdir("/")))
    for p in ["/bin/sh", "/usr/bin/python3", "/etc/passwd", "/etc/hosts", "/dev/null", "/dev/urandom",
              "/dev/shm", "/proc/self", "/home", "/root", "/usr/lib/python3/dist-packages/numpy"]:
        print(p, os.path.exists(p), os.access(p, os.W_OK))
    print(sorted(os.listdir("/dev")))
""")

P("open_file_descriptors", r"""
    import os, stat
    fds = sorted(int(x) for x in os.listdir("/proc/self/fd"))
    print(fds)
    for fd in (0, 1, 2):
        st = os.fstat(fd)
        print(fd, stat.S_IFMT(st.st_mode), os.get_inheritable(fd), os.get_blocking(fd))
    print(os.open("/dev/null", os.O_RDONLY))
""")

P("fd_flags", r"""
    import fcntl, os
    for fd in (0, 1, 2):
        fl = fcntl.fcntl(fd, fcntl.F_GETFL)
        print(fd, oct(fl & ~0o100000), fcntl.fcntl(fd, fcntl.F_GETFD), os.isatty(fd))
""")

P("proc_self_status", r"""
    fields = ("Umask", "State", "Threads", "SigQ", "SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt",
              "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", "NoNewPrivs", "Seccomp",
              "Seccomp_filters", "Speculation_Store_Bypass")
    st = {l.split(":")[0]: l.split(":", 1)[1].strip() for l in open("/proc/self/status")}
    for k in fields:
        print(k, st.get(k, "-").split("/")[0] if k == "SigQ" else st.get(k, "-"))
""")

P("proc_cmdline_and_comm", r"""
    import os
    print(repr(open("/proc/self/cmdline").read()))
    print(repr(open("/proc/self/comm").read()))
    print(os.path.realpath("/usr/bin/python3"))
""")

P("proc_self_exe", r"""
    import os
    print(os.readlink("/proc/self/exe"))
""")

P("process_relations", r"""
    import os
    print(os.getppid() == 1, os.getpid() == os.getpgrp(), os.getsid(0) == os.getpid())
    print(os.getpgid(0) == os.getpgrp())
    try:
        print(os.tcgetpgrp(0))
    except OSError as e:
        print("tcgetpgrp", e.strerror)
""")

P("ids_and_user", r"""
    import getpass, grp, os, pwd
    print(os.getuid(), os.geteuid(), os.getgid(), os.getegid(), os.getgroups())
    print(os.getresuid(), os.getresgid())
    print(pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name, getpass.getuser())
    print(os.path.expanduser("~"), os.environ.get("HOME"))
""")

P("resource_limits", r"""
    import resource
    for name in sorted(n for n in dir(resource) if n.startswith("RLIMIT_")):
        print(name, resource.getrlimit(getattr(resource, name)))
""")

P("scheduling_and_umask", r"""
    import os
    print(os.nice(0), os.getpriority(os.PRIO_PROCESS, 0), os.sched_getscheduler(0))
    print(oct(os.umask(0o022)))
    print(os.cpu_count() == len(os.sched_getaffinity(0)) or "affinity differs")
""")

P("cpu_affinity_of_the_program_its_threads_and_children", r"""
    # a warm run's PID 1 keeps to its slot's CPU; the program must not
    import os, subprocess, sys, threading
    print(sorted(os.sched_getaffinity(0)))
    print([l for l in open("/proc/self/status") if l.startswith("Cpus_allowed_list")])
    seen = []
    t = threading.Thread(target=lambda: seen.append(sorted(os.sched_getaffinity(0))))
    t.start(); t.join()
    print(seen)
    print(subprocess.run([sys.executable, "-c", "import os; print(sorted(os.sched_getaffinity(0)))"],
                         capture_output=True, text=True).stdout, end="")
""")

P("oom_score_adj", r"""
    print(open("/proc/self/oom_score_adj").read().strip())
""")

P("visible_processes", r"""
    import os
    pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
    print(len(pids), pids[0] == 1, os.getpid() in pids)
    print([open(f"/proc/{p}/comm").read().strip() for p in pids])
""")

P("mounts_view", r"""
    for line in sorted(set(l.split()[1] + " " + l.split()[2] + " " + l.split()[3].split(",")[0]
                           for l in open("/proc/self/mounts"))):
        print(line)
    print(len(open("/proc/self/mounts").read().splitlines()))
""")

P("loopback_network", r"""
    import errno, socket
    print(socket.if_nameindex())
    s = socket.socket()
    s.bind(("127.0.0.1", 5555))
    s.listen(1)
    try:
        socket.create_connection(("127.0.0.1", 5555), timeout=1)
    except OSError as e:
        print("connect:", errno.errorcode[e.errno])
    print([l.split()[1:4] for l in open("/proc/net/tcp").read().splitlines()[1:]])
    print(open("/proc/net/unix").read().splitlines()[1:])
""")

P("memory_use_at_start", r"""
    import resource
    rss_kb = int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0])
    print("VmRSS under 40 MB:", rss_kb < 40 * 1024)
    print("ru_maxrss under 40 MB:", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 40 * 1024)
""")

P("signal_dispositions", r"""
    import signal
    for s in sorted(signal.valid_signals()):
        try:
            h = signal.getsignal(s)
        except (ValueError, OSError) as e:
            h = type(e).__name__
        print(int(s), getattr(h, "__name__", h))
    print(signal.pthread_sigmask(signal.SIG_BLOCK, []))
    print(signal.getitimer(signal.ITIMER_REAL), signal.alarm(0))
""")

P("uname_and_hostname", r"""
    import os, platform, socket
    u = os.uname()
    print(u.sysname, u.nodename, u.machine)
    print(socket.gethostname(), platform.node(), platform.system(), platform.machine())
    print(platform.python_version(), platform.python_implementation())
""")

P("terminal_size", r"""
    import os, shutil
    print(shutil.get_terminal_size())
    try:
        print(os.get_terminal_size())
    except OSError as e:
        print("OSError", e.errno, e.strerror)
""")

P("tempfile_and_home_dirs", r"""
    import os, pathlib, tempfile
    print(tempfile.gettempdir(), tempfile.gettempprefix(), tempfile.tempdir)
    print(pathlib.Path.home(), os.path.isdir(os.path.expanduser("~")))
    fd, path = tempfile.mkstemp(suffix=".x")
    print(os.path.dirname(path), path.endswith(".x"), os.path.exists(path))
    with tempfile.TemporaryDirectory() as d:
        print(os.path.dirname(d), os.path.isdir(d))
""")

P("site_and_import_system", r"""
    import site, sys, sysconfig
    print(site.ENABLE_USER_SITE, site.USER_BASE, site.USER_SITE)
    print(site.getsitepackages())
    print(sysconfig.get_paths()["purelib"], sysconfig.get_paths()["stdlib"])
    print([getattr(h, "__name__", type(h).__name__) for h in sys.path_hooks])
""")

P("sys_meta_path", r"""
    import sys
    print([getattr(m, "__name__", type(m).__name__) for m in sys.meta_path])
""")

P("sys_modules_of_a_fresh_interpreter", r"""
    import sys
    # modules a fresh /usr/bin/python3 has loaded before main.py runs
    # (only those: a warm interpreter has more, e.g. numpy, by design)
    for m in ["sys", "builtins", "os", "io", "abc", "codecs", "site", "stat", "posixpath", "os.path",
              "_collections_abc", "encodings", "encodings.utf_8", "zipimport", "time", "_frozen_importlib",
              "_frozen_importlib_external", "marshal", "posix", "_io", "_thread", "_warnings", "_weakref",
              "__main__", "_signal", "_abc", "_codecs", "_sitebuiltins", "genericpath", "_stat"]:
        print(m, m in sys.modules)
""")

P("gc_and_debug_state", r"""
    import faulthandler, gc, sys, tracemalloc
    print(gc.isenabled(), gc.get_threshold(), gc.get_debug(), gc.garbage)
    print(faulthandler.is_enabled(), tracemalloc.is_tracing(), sys.is_finalizing())
    print(sys.getprofile(), sys.gettrace(), sys.get_asyncgen_hooks())
    print(sys.get_coroutine_origin_tracking_depth())
""")

P("threading_state", r"""
    import threading
    print(threading.active_count(), [t.name for t in threading.enumerate()])
    print(threading.main_thread() is threading.current_thread(), threading.current_thread().name)
    print(threading.Thread(target=print).name, threading.Thread().name)
    print(threading.stack_size(), threading.gettrace(), threading.getprofile())
""")

P("logging_defaults", r"""
    import logging
    root = logging.getLogger()
    print(root.level, root.handlers, logging.lastResort.level, logging.raiseExceptions)
    logging.warning("a warning via the last resort")
    logging.info("not shown")
    logging.basicConfig(level=logging.DEBUG, format="%(levelname)s:%(name)s:%(message)s")
    logging.getLogger("app").debug("debug now shown")
    logging.error("error %d", 3)
""")

P("warnings_filters_at_start", r"""
    import sys, warnings
    for f in warnings.filters:
        print(f)
    print(sys.warnoptions, warnings.defaultaction, warnings.onceregistry)
""")

P("warnings_warn_user", r"""
    import warnings
    warnings.warn("careful")
    def f():
        warnings.warn("from f", stacklevel=2)
    f()
    print("after warnings")
""")

P("warnings_deprecation_in_main", r"""
    import warnings
    warnings.warn("old api", DeprecationWarning)
    warnings.warn("pending", PendingDeprecationWarning)
    warnings.warn("future", FutureWarning)
    warnings.warn("runtime", RuntimeWarning)
    warnings.warn("resource", ResourceWarning)
    warnings.warn("import", ImportWarning)
    warnings.warn("bytes", BytesWarning)
    print("done")
""")

P("warnings_deprecation_in_module", r"""
    import helper
    helper.old()
    print("module warnings hidden")
""", files=[helper("helper.py", r"""
    import warnings
    def old():
        warnings.warn("deprecated in module", DeprecationWarning, stacklevel=1)
        warnings.warn("user warning in module", UserWarning)
""")])

P("warnings_once_per_location", r"""
    import warnings
    for i in range(3):
        warnings.warn("same place")
    for i in range(2):
        warnings.warn(f"different text {i}")
""")

P("warnings_as_errors", r"""
    import warnings
    warnings.simplefilter("error")
    print("before")
    warnings.warn("now an error")
""")

P("warnings_catch", r"""
    import warnings
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        warnings.warn("one")
        warnings.warn("two", DeprecationWarning)
    print([(str(x.message), x.category.__name__, x.lineno) for x in w])
""")

P("compile_time_syntax_warnings", r"""
    assert (1, "always true")
    x = 1
    print(x is 1)
    print("\d")
""")

P("asyncio_get_event_loop_deprecation", r"""
    import asyncio
    loop = asyncio.new_event_loop()
    print(loop.run_until_complete(asyncio.sleep(0, "slept")))
    loop.close()
    asyncio.set_event_loop(None)
    try:
        asyncio.get_event_loop()
    except RuntimeError as e:
        print("RuntimeError", e)
""")

P("unclosed_file_resource_warning", r"""
    import gc
    f = open(__file__)
    del f
    gc.collect()
    print("no ResourceWarning shown by default")
""")

# ---------------------------------------------------------------------------
# uncaught exceptions and their tracebacks

# (name, statement that raises, reached through two nested calls)
_RAISERS = [
    ("zero_division", "return x / 0"),
    ("key_error", "return {'a': 1}['missing' * x]"),
    ("index_error", "return [1, 2, 3][x + 5]"),
    ("type_error_add", "return x + 'a'"),
    ("type_error_call_args", "return divmod(x)"),
    ("value_error_int", "return int('abc' * x)"),
    ("attribute_error_suggestion", "return 'text'.uper()"),
    ("attribute_error_module", "import math\n    return math.sqr(x)"),
    ("name_error_suggestion", "return lenn([x])"),
    ("unbound_local", "if False:\n        y = 1\n    return y"),
    ("assertion_with_message", "assert x == 2, f'x was {x}'"),
    ("assertion_bare", "assert x > 1"),
    ("stop_iteration", "return next(iter([]))"),
    ("file_not_found", "return open('/nonexistent/dir/file.txt')"),
    ("read_only_file_system", "return open('/usr/newfile', 'w')"),
    ("unicode_decode", "return b'ok \\xff'.decode('utf-8')"),
    ("overflow_math", "import math\n    return math.exp(1000 * x)"),
    ("int_max_str_digits", "return int('1' * 5000)"),
    ("not_implemented", "raise NotImplementedError('todo')"),
    ("memory_error_raised", "raise MemoryError"),
    ("lookup_error_codec", "return 'a'.encode('no-such-codec')"),
    ("json_decode_error", "import json\n    return json.loads('{\"a\": 1,}')"),
    ("caret_on_subscript_chain", "d = {'a': {'b': None}}\n    return d['a']['b']['c']"),
    ("caret_on_binary_op", "a, b = 1, None\n    return (a * 2) + (b * 3)"),
    ("long_line_expression", "return [x, x + 1, x + 2, x + 3, x + 4, x + 5, x + 6, x + 7, x + 8, x + 9][x * 100]"),
    ("recursion_in_repr", "l = []\n    for _ in range(100000):\n        l = [l]\n    return repr(l)"),
]

for _name, _stmt in _RAISERS:
    P("exc_" + _name, (
        "def inner(x):\n"
        f"    {_stmt}\n"
        "\n"
        "def outer(x):\n"
        "    print('calling inner', flush=True)\n"
        "    return inner(x)\n"
        "\n"
        "print('start')\n"
        "outer(1)\n"
        "print('never')\n"
    ), raw=True)

P("name_error_numpy_not_imported", r"""
    print(numpy.zeros(3))
""")

P("name_error_np_not_imported", r"""
    x = np.array([1, 2])
""")

P("name_error_pd_not_imported", r"""
    df = pd.DataFrame({"a": [1]})
""")

P("name_error_near_miss_of_preloaded", r"""
    nump = 1
    print(pandaz)
""")

P("module_not_found", r"""
    import nonexistent_module_xyz
""")

P("import_name_error", r"""
    from os import nonexistent_name
""")

P("recursion_error_traceback", r"""
    def f(n):
        return f(n + 1)
    f(0)
""")

P("recursion_depth_reached", r"""
    import sys
    def depth(n):
        try:
            return depth(n + 1)
        except RecursionError:
            return n
    print(sys.getrecursionlimit(), depth(0))
    sys.setrecursionlimit(200)
    print(depth(0))
""")

P("recursion_mutual_traceback", r"""
    def a(n):
        return b(n)
    def b(n):
        return a(n + 1)
    a(0)
""")

P("deep_recursion_raised_limit", r"""
    import sys
    sys.setrecursionlimit(30000)
    def f(n):
        return 0 if n == 0 else 1 + f(n - 1)
    print(f(20000))
""")

P("custom_exception_class", r"""
    class AppError(Exception):
        def __init__(self, code, msg):
            super().__init__(code, msg)
            self.code = code
    class SubError(AppError):
        pass
    raise SubError(404, "not found")
""")

P("exception_with_notes", r"""
    try:
        raise ValueError("bad value")
    except ValueError as e:
        e.add_note("note one")
        e.add_note("note two\nspanning lines")
        raise
""")

P("exception_group", r"""
    def f():
        raise ExceptionGroup("many", [ValueError(1), TypeError("t"),
                                      ExceptionGroup("inner", [KeyError("k")])])
    f()
""")

P("exception_group_except_star", r"""
    try:
        raise ExceptionGroup("eg", [ValueError(1), TypeError(2), ValueError(3)])
    except* ValueError as eg:
        print("caught", [str(e) for e in eg.exceptions])
""")

P("chained_raise_from", r"""
    def load():
        try:
            {}["config"]
        except KeyError as e:
            raise RuntimeError("could not load") from e
    load()
""")

P("chained_implicit_context", r"""
    try:
        1 / 0
    except ZeroDivisionError:
        [][1]
""")

P("chained_from_none", r"""
    try:
        int("x")
    except ValueError:
        raise LookupError("context suppressed") from None
""")

P("chained_three_levels", r"""
    def a():
        raise ValueError("a")
    def b():
        try:
            a()
        except ValueError as e:
            raise TypeError("b") from e
    def c():
        try:
            b()
        except TypeError:
            raise KeyError("c")
    c()
""")

P("exception_str_fails", r"""
    class E(Exception):
        def __str__(self):
            raise RuntimeError("str broke")
    raise E("x")
""")

P("exception_multiline_unicode_message", r"""
    raise ValueError("line one\nline two ünï 日本\n\ttabbed")
""")

P("exception_in_finally_exit_code", r"""
    import sys
    try:
        raise ValueError("hidden by exit")
    finally:
        print("finally runs")
        sys.exit(4)
""")

P("exception_replaced_in_finally", r"""
    import sys
    try:
        sys.exit(3)
    finally:
        raise KeyError("from finally")
""")

P("exception_after_output", r"""
    for i in range(5):
        print("line", i)
    raise RuntimeError("after output")
""")

P("exception_in_comprehension_lambda_genexpr", r"""
    f = lambda v: 10 // v
    print([f(v) for v in (1, 2)])
    print(sum(f(v) for v in (3, 0)))
""")

P("exception_in_class_body", r"""
    class C:
        x = 1
        y = x / 0
""")

P("exception_in_generator", r"""
    def gen():
        yield 1
        raise ValueError("inside generator")
    for v in gen():
        print(v)
""")

P("exception_in_thread", r"""
    import threading
    def worker():
        raise ValueError("thread failed")
    t = threading.Thread(target=worker)
    t.start()
    t.join()
    t2 = threading.Thread(target=worker, name="named")
    t2.start()
    t2.join()
    print("main continues")
""")

P("exception_in_del_via_unraisablehook", r"""
    import gc, sys
    def hook(u):
        print("unraisable:", u.exc_type.__name__, u.exc_value, u.err_msg, u.object.__qualname__)
    sys.unraisablehook = hook
    class C:
        def __del__(self):
            raise ValueError("in __del__")
    c = C()
    del c
    gc.collect()
    print("after del")
""")

P("exception_in_del_default_hook", r"""
    import io, re, sys
    class C:
        def __del__(self):
            raise ValueError("in __del__")
    err = io.StringIO()
    sys.stderr = err
    c = C()
    del c
    sys.stderr = sys.__stderr__
    print(re.sub(r"0x[0-9a-f]+", "0xADDR", err.getvalue()))
""")

P("exception_in_atexit", r"""
    import atexit
    class Callback:
        def __init__(self, name, fail):
            self.name, self.fail = name, fail
        def __repr__(self):
            return f"<Callback {self.name}>"
        def __call__(self):
            print("atexit", self.name)
            if self.fail:
                raise ValueError(f"{self.name} failed")
    atexit.register(Callback("first-registered", False))
    atexit.register(Callback("second-registered", True))
    print("main done")
""")

P("custom_excepthook", r"""
    import sys
    def hook(t, v, tb):
        print("custom hook:", t.__name__, v, tb.tb_frame.f_code.co_filename, tb.tb_lineno, file=sys.stderr)
    sys.excepthook = hook
    raise KeyError("k")
""")

P("excepthook_frames", r"""
    import sys, traceback
    def hook(t, v, tb):
        print([(f.filename, f.name, f.lineno) for f in traceback.extract_tb(tb)])
    sys.excepthook = hook
    def f():
        raise ValueError
    f()
""")

P("broken_excepthook", r"""
    import sys
    def hook(t, v, tb):
        1 / 0
    sys.excepthook = hook
    raise KeyError("original")
""")

P("traceback_format_exc", r"""
    import traceback
    def f():
        return {}["k"]
    try:
        f()
    except KeyError:
        print(traceback.format_exc())
    print(traceback.format_exception_only(ValueError("v")))
""")

P("keyboard_interrupt_raised", r"""
    print("before", flush=True)
    def f():
        raise KeyboardInterrupt
    f()
""")

P("base_exception_subclass", r"""
    class Abort(BaseException):
        pass
    raise Abort("base exception")
""")

P("exception_in_helper_module", r"""
    import helper
    print(helper.f(1))
    print(helper.f(0))
""", files=[helper("helper.py", r"""
    def f(x):
        return 10 // x
""")])

P("syntax_error_in_helper_module", r"""
    print("importing")
    import broken
""", files=[helper("broken.py", r"""
    def f(:
        pass
""")])

P("eval_syntax_error", r"""
    print(eval("1 + 2"))
    eval("1 +")
""")

P("exec_runtime_error", r"""
    exec("def g():\n    return undefined_name\ng()")
""")

# ---------------------------------------------------------------------------
# compile-time errors: the program never starts

_SYNTAX = [
    ("never_closed_paren", "print('a'\nx = 1\n"),
    ("invalid_syntax", "x = = 1\n"),
    ("missing_comma", "x = [1, 2 3]\n"),
    ("print_statement", "print 'hello'\n"),
    ("assign_in_if", "x = 1\nif x = 1:\n    pass\n"),
    ("unterminated_string", "s = 'abc\n"),
    ("unterminated_triple_quote", "s = '''abc\n\nprint(1)\n"),
    ("unmatched_paren", "x = 1)\n"),
    ("invalid_character", "x = 1 – 2\n"),
    ("invalid_non_printable", "x = 1\u00a0+ 2\n"),
    ("unexpected_indent", "x = 1\n    y = 2\n"),
    ("expected_indented_block", "if True:\nprint(1)\n"),
    ("unindent_mismatch", "if True:\n        x = 1\n    y = 2\n"),
    ("tab_error", "if True:\n\tx = 1\n        y = 2\n"),
    ("return_outside_function", "return 5\n"),
    ("await_outside_function", "import asyncio\nawait asyncio.sleep(0)\n"),
    ("yield_outside_function", "yield 1\n"),
    ("nonlocal_at_module_level", "nonlocal x\n"),
    ("break_outside_loop", "break\n"),
    ("keyword_as_identifier", "class = 1\n"),
    ("assign_to_literal", "1 = x\n"),
    ("duplicate_argument", "def f(a, a):\n    pass\n"),
    ("future_braces", "from __future__ import braces\n"),
    ("future_unknown", "from __future__ import nonexistent_feature\n"),
    ("future_not_first", "x = 1\nfrom __future__ import annotations\n"),
    ("import_star_in_function", "def f():\n    from os import *\n"),
    ("fstring_error", "x = 1\nprint(f'{x!z}')\n"),
    ("fstring_empty_expression", "print(f'{}')\n"),
    ("unicode_escape_error", "s = '\\N{NO SUCH NAME}'\n"),
    ("conditional_without_else", "x = 1 if True\n"),
    ("error_on_last_line_no_newline", "print(1)\nprint(2\n)\nx = (1,"),
    ("error_line_with_tabs", "if True:\n\tx = (1 +)\n"),
    ("error_line_with_wide_chars", "s = '日本語' + + \n"),
    ("error_after_many_lines", "".join(f"x{i} = {i}\n" for i in range(300)) + "def broken(\n"),
    ("too_many_nested_parens", "x = " + "(" * 250 + ")" * 250 + "\n"),
    ("too_many_nested_blocks", "".join("    " * i + f"for i{i} in range(1):\n" for i in range(21))
     + "    " * 21 + "pass\n"),
    ("deep_expression_compile_recursion", "x = " + "+".join(["1"] * 200000) + "\nprint(x)\n"),
    ("walrus_at_statement_level", "x := 1\n"),
    ("match_invalid_pattern", "match 1:\n    case 1 + 2:\n        pass\n"),
    ("star_expression_misuse", "*a = [1, 2]\n"),
    ("lambda_default_order", "f = lambda a=1, b: a\n"),
    ("dict_missing_value", "d = {'a': 1, 'b'}\n"),
    ("invalid_decimal_literal", "x = 1_000_\n"),
    ("leading_zero_literal", "x = 0123\n"),
]

for _name, _src in _SYNTAX:
    P("syntax_" + _name, _src, raw=True)

# ---------------------------------------------------------------------------
# SystemExit and exit codes

for _name, _arg in [("none", ""), ("none_explicit", "None"), ("0", "0"), ("1", "1"), ("3", "3"),
                    ("255", "255"), ("256", "256"), ("minus_1", "-1"), ("true", "True"),
                    ("false", "False"), ("message", "'fatal: message to stderr'"),
                    ("unicode_message", "'échec ✗'"), ("float", "3.5"), ("list", "[1, 2]"),
                    ("huge_int", "2 ** 70"), ("dict", "{'code': 2}")]:
    P("sys_exit_" + _name, f"import sys\nprint('before exit')\nsys.exit({_arg})\nprint('after')\n", raw=True)

P("sys_exit_custom_object", r"""
    import sys
    class Status:
        def __str__(self):
            return "custom status object"
    sys.exit(Status())
""")

P("sys_exit_object_str_fails", r"""
    import sys
    class Bad:
        def __str__(self):
            raise ValueError("no str")
    sys.exit(Bad())
""")

P("raise_systemexit_class_and_args", r"""
    raise SystemExit(1, 2)
""")

P("raise_systemexit_bare", r"""
    print("x")
    raise SystemExit
""")

P("sys_exit_in_thread", r"""
    import sys, threading
    def worker():
        print("thread exiting")
        sys.exit(5)
    t = threading.Thread(target=worker)
    t.start()
    t.join()
    print("main continues")
""")

P("sys_exit_in_atexit", r"""
    import atexit, sys
    atexit.register(sys.exit, 7)
    print("main done")
""")

P("sys_exit_overrides_in_finally", r"""
    import sys
    try:
        sys.exit(1)
    finally:
        sys.exit(2)
""")

P("exception_caught_exit_zero", r"""
    try:
        1 / 0
    except ZeroDivisionError as e:
        print("caught", e)
""")

P("sys_exit_flushes_large_output", r"""
    import sys
    for i in range(20000):
        print("row", i)
    sys.exit(3)
""")

P("exit_code_from_exception_in_atexit_after_exit", r"""
    import atexit, sys
    @atexit.register
    def bye():
        print("bye from atexit")
    sys.exit(9)
""")

# ---------------------------------------------------------------------------
# signals

P("sigkill_self", r"""
    import os, signal
    print("before kill (flushed)", flush=True)
    print("lost (buffered)")
    os.kill(os.getpid(), signal.SIGKILL)
""")

P("sigterm_self", r"""
    import os, signal
    print("before", flush=True)
    os.kill(os.getpid(), signal.SIGTERM)
    import time
    time.sleep(5)
""")

P("sigsegv_self", r"""
    import os, signal
    os.kill(os.getpid(), signal.SIGSEGV)
""")

P("real_segfault_ctypes", r"""
    import ctypes
    print("about to crash", flush=True)
    ctypes.string_at(0)
""")

P("faulthandler_segfault_dump", r"""
    import ctypes, faulthandler
    faulthandler.enable(all_threads=False)
    def crash():
        ctypes.string_at(0)
    crash()
""")

P("sigabrt_abort", r"""
    import os
    print("abort", flush=True)
    os.abort()
""")

P("sigabrt_kill", r"""
    import os, signal
    os.kill(os.getpid(), signal.SIGABRT)
""")

P("sigint_self_keyboard_interrupt", r"""
    import os, signal, time
    print("sending SIGINT", flush=True)
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(2)
""")

P("sigusr1_default_terminates", r"""
    import os, signal
    os.kill(os.getpid(), signal.SIGUSR1)
""")

P("sigusr1_handler", r"""
    import os, signal
    got = []
    signal.signal(signal.SIGUSR1, lambda s, f: got.append((s, f.f_code.co_name)))
    os.kill(os.getpid(), signal.SIGUSR1)
    print(got)
""")

P("sigpipe_is_ignored", r"""
    import os, signal
    os.kill(os.getpid(), signal.SIGPIPE)
    print("alive after SIGPIPE", signal.getsignal(signal.SIGPIPE))
""")

P("sigalrm_alarm_kills", r"""
    import signal, time
    print("arming", flush=True)
    signal.alarm(1)
    time.sleep(3)
    print("not reached")
""")

P("setitimer_handler", r"""
    import signal, time
    ticks = []
    signal.signal(signal.SIGALRM, lambda s, f: ticks.append(s))
    signal.setitimer(signal.ITIMER_REAL, 0.05, 0.05)
    while len(ticks) < 3:
        time.sleep(0.01)
    signal.setitimer(signal.ITIMER_REAL, 0)
    print("ticks", len(ticks))
""")

P("sigterm_handler_then_exit", r"""
    import os, signal, sys
    def on_term(s, f):
        print("got SIGTERM")
        sys.exit(12)
    signal.signal(signal.SIGTERM, on_term)
    os.kill(os.getpid(), signal.SIGTERM)
    print("not reached")
""")

P("sighup_and_sigquit_default", r"""
    import os, signal
    os.kill(os.getpid(), signal.SIGQUIT)
""")

P("signal_raise_signal_sigterm", r"""
    import signal
    print("x", flush=True)
    signal.raise_signal(signal.SIGTERM)
""")

# ---------------------------------------------------------------------------
# standard input

P("stdin_input", r"""
    name = input()
    print("hi", name)
""", stdin="bob\n")

P("stdin_input_prompt", r"""
    a = input("first? ")
    b = input("second? ")
    print(a + b)
""", stdin="4\n2\n")

P("stdin_input_eof", r"""
    print("reading")
    input()
""")

P("stdin_input_eof_after_lines", r"""
    print(input())
    print(input())
""", stdin="only one line\n")

P("stdin_input_no_trailing_newline", r"""
    s = input()
    print(repr(s))
""", stdin="abc")

P("stdin_read_all", r"""
    import sys
    data = sys.stdin.read()
    print(repr(data), len(data))
""", stdin="line 1\nline 2\n\nline 4")

P("stdin_for_line_loop", r"""
    import sys
    total = 0
    for line in sys.stdin:
        total += sum(map(int, line.split()))
    print(total)
""", stdin="1 2 3\n4 5\n\n6\n")

P("stdin_readline_loop", r"""
    import sys
    n = 0
    while True:
        line = sys.stdin.readline()
        if not line:
            break
        n += 1
        print(n, line.rstrip("\n")[::-1])
""", stdin="alpha\nbeta\ngamma\n")

P("stdin_counted_input", r"""
    n = int(input())
    nums = [int(input()) for _ in range(n)]
    print(sum(nums), max(nums))
""", stdin="4\n10\n-3\n7\n2\n")

P("stdin_binary_buffer", r"""
    import sys
    data = sys.stdin.buffer.read()
    print(data)
    print(len(data))
""", stdin="héllo\n日本\n")

P("stdin_empty", r"""
    import sys
    print(repr(sys.stdin.read()), repr(sys.stdin.readline()), sys.stdin.readlines())
""")

P("stdin_crlf_and_cr", r"""
    import sys
    print(repr(sys.stdin.read()))
""", stdin="a\r\nb\rc\n")

P("stdin_unicode", r"""
    s = input()
    print(s.upper(), len(s), s[::-1])
""", stdin="héllo wörld 日本 😀\n")

P("stdin_large", r"""
    import sys
    nums = list(map(int, sys.stdin.read().split()))
    print(len(nums), sum(nums))
""", stdin="\n".join(str(i) for i in range(120000)) + "\n")

P("stdin_fileinput", r"""
    import fileinput
    for line in fileinput.input():
        print(fileinput.lineno(), line, end="")
""", stdin="x\ny\n")

P("stdin_os_read", r"""
    import os
    print(os.read(0, 5))
    print(os.read(0, 100))
    print(os.read(0, 100))
""", stdin="0123456789\n")

P("stdin_json", r"""
    import json, sys
    obj = json.load(sys.stdin)
    print(sorted(obj.items()))
""", stdin='{"b": [1, 2], "a": "x"}')

P("stdin_readline_then_child_reads", r"""
    import subprocess, sys
    print(repr(sys.stdin.readline()), flush=True)
    subprocess.run(["cat"])
    print("rest:", repr(sys.stdin.read()))
""", stdin="line1\nline2\nline3\n")

P("stdin_attributes", r"""
    import os, sys
    print(sys.stdin.encoding, sys.stdin.errors, sys.stdin.line_buffering, sys.stdin.isatty())
    print(sys.stdin.seekable(), os.lseek(0, 0, os.SEEK_CUR))
""", stdin="data\n")

P("stdin_multiple_runs", r"""
    a, b = map(int, input().split())
    print(a + b)
""", stdins=["1 2", "30 12", "-5 5", "x y"])

# ---------------------------------------------------------------------------
# threads, atexit, child processes

P("nondaemon_thread_outlives_main", r"""
    import threading, time
    def late():
        time.sleep(0.2)
        print("thread done")
    threading.Thread(target=late).start()
    print("main done")
""")

P("daemon_thread_blocked_forever", r"""
    import threading
    threading.Thread(target=threading.Event().wait, daemon=True).start()
    print("main exits while a daemon thread waits")
""")

P("thread_pool_executor", r"""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(4) as ex:
        print(list(ex.map(lambda v: v * v, range(10))))
""")

P("thread_names_and_counter", r"""
    import threading
    def f():
        pass
    ts = [threading.Thread(target=f) for _ in range(3)] + [threading.Thread()]
    print([t.name for t in ts])
    for t in ts:
        t.start()
        t.join()
""")

P("threading_lock_condition", r"""
    import threading
    cond = threading.Condition()
    items = []
    def producer():
        for i in range(5):
            with cond:
                items.append(i)
                cond.notify()
    def consumer(out):
        got = 0
        while got < 5:
            with cond:
                while not items:
                    cond.wait()
                out.append(items.pop(0))
                got += 1
    out = []
    c = threading.Thread(target=consumer, args=(out,))
    c.start()
    producer()
    c.join()
    print(out)
""")

P("threading_excepthook_custom", r"""
    import threading
    def hook(args):
        print("hooked:", args.exc_type.__name__, args.exc_value, args.thread.name)
    threading.excepthook = hook
    t = threading.Thread(target=lambda: 1 / 0, name="worker")
    t.start()
    t.join()
""")

P("atexit_order", r"""
    import atexit
    for name in ("registered first", "registered second", "registered third"):
        atexit.register(print, "atexit:", name)
    atexit.register(lambda: print("with kwargs"))
    def unregistered():
        print("should not run")
    atexit.register(unregistered)
    atexit.unregister(unregistered)
    print("main end")
""")

P("atexit_after_uncaught_exception", r"""
    import atexit, sys
    atexit.register(lambda: print("atexit still runs", file=sys.stderr))
    atexit.register(lambda: print("atexit stdout"))
    raise ValueError("uncaught")
""")

P("atexit_not_run_on_os_exit", r"""
    import atexit, os
    atexit.register(print, "not printed")
    print("flushed", flush=True)
    os._exit(0)
""")

P("atexit_registered_from_thread", r"""
    import atexit, threading
    def reg():
        atexit.register(print, "from thread registration")
    t = threading.Thread(target=reg)
    t.start()
    t.join()
    print("main")
""")

P("subprocess_python_child", r"""
    import subprocess, sys
    r = subprocess.run([sys.executable, "-c", "import sys; print('child', sys.argv, sys.executable); sys.exit(3)"],
                       capture_output=True, text=True)
    print(r.returncode, repr(r.stdout), repr(r.stderr))
""")

P("subprocess_child_inherits_stdout", r"""
    import subprocess, sys
    print("parent before (buffered)")
    subprocess.run([sys.executable, "-c", "print('child line')"])
    print("parent after")
""")

P("subprocess_child_version_and_env", r"""
    import subprocess, sys
    print(subprocess.run([sys.executable, "--version"], capture_output=True, text=True).stdout.strip())
    out = subprocess.run([sys.executable, "-c", "import os, sys; print(sorted(os.environ), sys.path[1:])"],
                         capture_output=True, text=True).stdout
    print(out.strip())
""")

P("subprocess_shell_and_os_system", r"""
    import os, subprocess
    print("before system (buffered)")
    rc = os.system("echo hi from sh; exit 3")
    print("system returned", rc, os.waitstatus_to_exitcode(rc))
    print(subprocess.run("echo $((6*7))", shell=True, capture_output=True, text=True).stdout.strip())
""")

P("subprocess_called_process_error", r"""
    import subprocess
    subprocess.check_output(["sh", "-c", "echo out; echo err >&2; exit 2"])
""")

P("subprocess_communicate_stdin", r"""
    import subprocess, sys
    p = subprocess.Popen([sys.executable, "-c", "import sys; print(sys.stdin.read().upper())"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    out, _ = p.communicate("piped text")
    print(repr(out), p.returncode)
""")

P("os_fork_and_wait", r"""
    import os
    pid = os.fork()
    if pid == 0:
        print("child", flush=True)
        os._exit(3)
    _, status = os.waitpid(pid, 0)
    print("parent saw", os.waitstatus_to_exitcode(status))
""")

P("os_fork_duplicates_buffer", r"""
    import os, sys
    print("printed once, buffered before fork")
    pid = os.fork()
    if pid == 0:
        print("child")
        sys.exit(0)
    os.waitpid(pid, 0)
    print("parent")
""")

P("multiprocessing_pool_fork", r"""
    import multiprocessing as mp
    def square(x):
        return x * x
    if __name__ == "__main__":
        print(mp.get_start_method())
        with mp.Pool(2) as pool:
            print(pool.map(square, range(10)))
""")

P("multiprocessing_process_queue", r"""
    import multiprocessing as mp
    def worker(q, n):
        q.put(sum(range(n)))
    if __name__ == "__main__":
        q = mp.Queue()
        ps = [mp.Process(target=worker, args=(q, n)) for n in (10, 100)]
        for p in ps:
            p.start()
        got = sorted(q.get() for _ in ps)
        for p in ps:
            p.join()
        print(got, [p.exitcode for p in ps])
""")

P("multiprocessing_spawn", r"""
    import multiprocessing as mp
    def double(x):
        return 2 * x
    print("module level runs as", __name__, flush=True)
    if __name__ == "__main__":
        ctx = mp.get_context("spawn")
        with ctx.Pool(1) as pool:
            print(pool.map(double, [1, 2, 3]))
""")

P("process_pool_executor", r"""
    from concurrent.futures import ProcessPoolExecutor
    def cube(x):
        return x ** 3
    if __name__ == "__main__":
        with ProcessPoolExecutor(2) as ex:
            print(list(ex.map(cube, range(6))))
""")

P("multiprocessing_child_exception", r"""
    import multiprocessing as mp
    def bad():
        raise ValueError("in child process")
    if __name__ == "__main__":
        p = mp.Process(target=bad)
        p.start()
        p.join()
        print("exitcode", p.exitcode)
""")

# ---------------------------------------------------------------------------
# how the interpreter ends: thread joins, atexit, finalizers, flushes

P("shutdown_main_globals_finalized_in_order", r"""
    class Noisy:
        def __init__(self, name):
            self.name = name
        def __del__(self):
            print("del", self.name)
    a = Noisy("a")
    _b = Noisy("_b")
    c = Noisy("c")
    lst = [Noisy("in list")]
    print("end of main")
""")

P("shutdown_cycle_with_del_collected", r"""
    class Node:
        def __init__(self, name):
            self.name, self.other = name, None
        def __del__(self):
            print("del", self.name)
    x, y = Node("x"), Node("y")
    x.other, y.other = y, x
    del x, y
    print("end of main")
""")

P("shutdown_object_in_runtime_module", r"""
    with open("/tmp/holder.py", "w") as f:
        f.write("class H:\n    def __del__(self):\n        print('del in holder module')\nkeep = H()\n")
    import holder
    print("end of main")
""")

P("shutdown_object_on_sys_and_builtins", r"""
    import builtins, sys
    class Noisy:
        def __init__(self, name):
            self.name = name
        def __del__(self):
            try:
                print("del", self.name)
            except Exception as e:
                pass
    sys.keep = Noisy("on sys")
    builtins.keep = Noisy("on builtins")
    print("end of main")
""")

P("shutdown_unfinished_generator_closed", r"""
    def gen():
        try:
            yield 1
            yield 2
        finally:
            print("generator finally")
    g = gen()
    print(next(g))
    print("end of main")
""")

P("shutdown_weakref_finalize", r"""
    import weakref
    class Obj:
        pass
    o = Obj()
    weakref.finalize(o, print, "finalize callback")
    weakref.finalize(Obj(), print, "finalize of a dead object")
    print("end of main")
""")

P("shutdown_threads_joined_before_atexit", r"""
    import atexit, sys, threading, time
    atexit.register(print, "atexit after the thread")
    def late():
        time.sleep(0.2)
        print("thread finished")
        print("thread stderr", file=sys.stderr)
    threading.Thread(target=late).start()
    raise ValueError("main failed while a thread runs")
""")

P("shutdown_executor_not_shut_down", r"""
    import time
    from concurrent.futures import ThreadPoolExecutor
    ex = ThreadPoolExecutor(1)
    def task():
        time.sleep(0.1)
        print("task finished at exit")
    ex.submit(task)
    print("end of main")
""")

P("shutdown_atexit_registers_atexit", r"""
    import atexit
    def first():
        print("first handler")
        atexit.register(print, "registered during exit")
    atexit.register(first)
    print("end of main")
""")

P("shutdown_os_exit_in_atexit", r"""
    import atexit, os
    atexit.register(print, "skipped")
    def bail():
        print("bailing", flush=True)
        os._exit(6)
    atexit.register(bail)
    atexit.register(print, "runs first")
""")

P("shutdown_stdout_replaced_by_stringio", r"""
    import io, sys
    print("buffered before replacement")
    sys.stdout = io.StringIO()
    print("into the void")
""")

P("shutdown_stdout_flush_fails", r"""
    import sys
    class W:
        def write(self, s):
            return len(s)
        def flush(self):
            raise OSError("flush refused")
        def __repr__(self):
            return "<W>"
    print("real stdout, buffered")
    sys.stdout = W()
    print("swallowed")
""")

P("shutdown_stdout_none", r"""
    import sys
    print("before")
    sys.stdout = None
    print("lost silently")
""")

P("shutdown_stdout_deleted", r"""
    import sys
    print("before", flush=True)
    del sys.stdout
    print("no stdout")
""")

P("shutdown_stderr_none_then_raise", r"""
    import sys
    print("out")
    sys.stderr = None
    raise ValueError("nobody hears this")
""")

P("stdout_rewrapped_idiom", r"""
    import io, sys
    print("before rewrap")
    sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8")
    print("after rewrap")
""")

P("stdout_reopened_fd_idiom", r"""
    import os, sys
    print("before reopen")
    sys.stdout = open(1, "w", closefd=False)
    print("after reopen")
""")

P("shutdown_excepthook_none", r"""
    import sys
    sys.excepthook = None
    raise KeyError("no hook")
""")

P("shutdown_del_raises_in_main_global", r"""
    import sys
    def hook(u):
        print("unraisable at exit:", u.exc_type.__name__, u.exc_value, u.object.__qualname__, file=sys.__stdout__)
    sys.unraisablehook = hook
    class Bad:
        def __del__(self):
            raise RuntimeError("del at shutdown")
    b = Bad()
    print("end of main")
""")

P("shutdown_sys_exit_with_running_thread", r"""
    import sys, threading, time
    def late():
        time.sleep(0.2)
        print("thread done")
    threading.Thread(target=late).start()
    sys.exit(7)
""")

P("shutdown_keyboard_interrupt_with_atexit", r"""
    import atexit
    atexit.register(print, "atexit after KeyboardInterrupt")
    raise KeyboardInterrupt
""")

P("shutdown_main_module_removed", r"""
    import sys
    del sys.modules["__main__"]
    print("main module removed")
""")

P("shutdown_main_module_replaced", r"""
    import sys, types
    sys.modules["__main__"] = types.ModuleType("__main__")
    print("main module replaced")
""")

P("shutdown_main_globals_cleared", r"""
    class Noisy:
        def __del__(self):
            print("del noisy")
    n = Noisy()
    print("clearing globals")
    globals().clear()
""")

P("shutdown_register_at_fork", r"""
    import os
    os.register_at_fork(before=lambda: print("before fork", flush=True),
                        after_in_parent=lambda: print("in parent", flush=True))
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    print("end of main")
""")

P("future_barry_as_flufl", r"""
    from __future__ import barry_as_FLUFL
    print(1 <> 2)
""")

P("thread_limit_count", r"""
    import threading
    stop = threading.Event()
    threads = []
    try:
        while len(threads) < 2000:
            t = threading.Thread(target=stop.wait)
            t.start()
            threads.append(t)
    except RuntimeError as e:
        print("RuntimeError", e)
    n = len(threads)
    stop.set()
    for t in threads:
        t.join()
    print("threads started:", n)
""")

P("shadow_stdlib_module_written_at_runtime", r"""
    with open("/tmp/datetime.py", "w") as f:
        f.write("SHADOW = \"the program's own datetime.py\"\n")
    import datetime
    print(datetime.__file__, getattr(datetime, "SHADOW", "stdlib module"))
""")

P("shadow_written_between_imports", r"""
    import os, sys
    import bisect
    with open("/tmp/heapq.py", "w") as f:
        f.write("SHADOW = 'heapq.py'\n")
    os.makedirs("/tmp/json", exist_ok=True)
    with open("/tmp/json/__init__.py", "w") as f:
        f.write("SHADOW = 'json package'\n")
    import heapq, json
    print(getattr(heapq, "SHADOW", heapq.__file__), getattr(json, "SHADOW", json.__file__))
    sys.path.append("/dev/shm")
    with open("/dev/shm/fractions.py", "w") as f:
        f.write("SHADOW = 'too late on the path'\n")
    import fractions
    print(getattr(fractions, "SHADOW", fractions.__file__))
""")

P("shadow_random_written_at_runtime", r"""
    with open("/tmp/random.py", "w") as f:
        f.write("SHADOW = 1\n")
    import random
    print(random.__file__)
""")

P("shadow_numpy_written_at_runtime", r"""
    with open("/tmp/numpy.py", "w") as f:
        f.write("SHADOW = 1\n")
    import numpy
    print(numpy.__file__)
""")

P("shadow_pandas_dependency_written_at_runtime", r"""
    with open("/tmp/six.py", "w") as f:
        f.write("SHADOW = 1\n")
    import six
    print(six.__file__)
""")

# ---------------------------------------------------------------------------
# numpy and pandas

P("numpy_basics", r"""
    import numpy as np
    a = np.arange(12).reshape(3, 4)
    print(a)
    print(a.sum(axis=0), a.mean(), a.dtype, a.T.shape)
    print(np.linspace(0, 1, 5), np.eye(2))
    print(np.__version__ == __import__("numpy").__version__)
""")

P("numpy_linalg_and_matmul", r"""
    import numpy as np
    m = np.array([[4.0, 1.0], [2.0, 3.0]])
    print(np.linalg.solve(m, [1.0, 2.0]), np.round(np.linalg.det(m), 6))
    print(np.round(np.linalg.eigvals(m), 6))
    big = np.arange(300 * 300, dtype=np.float64).reshape(300, 300) / 1e4
    print(float((big @ big.T).trace()))
""")

P("numpy_seeded_random", r"""
    import numpy as np
    np.random.seed(0)
    print(np.random.rand(3), np.random.randint(0, 100, 5))
    rng = np.random.default_rng(42)
    print(rng.integers(0, 1000, 5), rng.normal(size=2))
""")

P("numpy_print_and_error_state", r"""
    import numpy as np
    print(np.get_printoptions())
    print(np.geterr())
    print(np.array([1.0, 2.0]) / 0)
    print(np.float64(1) / 3, repr(np.int64(7)), np.array([1e-10, 1e10]))
""")

P("numpy_broadcast_error", r"""
    import numpy as np
    print(np.array([1, 2]) + np.array([1, 2, 3]))
""")

P("numpy_errstate_raise", r"""
    import numpy as np
    with np.errstate(all="raise"):
        np.array([1.0]) / 0
""")

P("numpy_big_allocation", r"""
    import numpy as np
    a = np.ones((2000, 5000))
    print(a.nbytes, a.sum())
""")

P("pandas_dataframe_ops", r"""
    import pandas as pd
    df = pd.DataFrame({"city": ["b", "a", "b", "c", "a"], "v": [1, 2, 3, 4, 5], "w": [0.5, 1.5, 2.5, 3.5, 4.5]})
    print(df)
    print(df.groupby("city").agg({"v": "sum", "w": "mean"}))
    print(df.sort_values("v", ascending=False).head(2).to_dict("records"))
    print(df.describe().round(3).to_string())
""")

P("pandas_read_csv_and_options", r"""
    import io
    import pandas as pd
    df = pd.read_csv(io.StringIO("a,b\n1,x\n2,y\n3,z\n"))
    print(df.dtypes.to_dict())
    print(pd.get_option("display.max_rows"), pd.get_option("display.width"), pd.get_option("mode.chained_assignment"))
    wide = pd.DataFrame([[i * j for j in range(30)] for i in range(3)])
    print(wide)
""")

P("pandas_key_error_traceback", r"""
    import pandas as pd
    df = pd.DataFrame({"a": [1]})
    print(df["missing"])
""")

P("pandas_future_warning", r"""
    import pandas as pd
    df = pd.DataFrame({"a": [1]})
    df = df.append({"a": 2}, ignore_index=True)
    print(df)
""")

P("pandas_timestamps", r"""
    import pandas as pd
    idx = pd.date_range("2024-01-01", periods=4, freq="D")
    s = pd.Series([1, 2, 3, 4], index=idx)
    print(s.resample("2D").sum())
    print(pd.Timestamp("2024-03-10 12:00", tz="UTC").tz_convert("US/Eastern"))
""")

P("numpy_pandas_versions_and_files", r"""
    import numpy, pandas, importlib.metadata
    print(numpy.__file__, pandas.__file__)
    print(importlib.metadata.version("numpy") == numpy.__version__,
          importlib.metadata.version("pandas") == pandas.__version__)
""")

# ---------------------------------------------------------------------------
# the language and the standard library

P("import_many_stdlib_modules", r"""
    import importlib
    names = ["abc", "argparse", "array", "ast", "asyncio", "base64", "bisect", "calendar", "cmath",
             "collections", "contextlib", "copy", "csv", "dataclasses", "datetime", "decimal", "difflib",
             "enum", "fractions", "functools", "glob", "hashlib", "heapq", "hmac", "html", "http.client",
             "inspect", "io", "ipaddress", "itertools", "json", "logging", "math", "operator", "os",
             "pathlib", "pickle", "pprint", "queue", "random", "re", "secrets", "shlex", "shutil",
             "socket", "sqlite3", "statistics", "string", "struct", "subprocess", "tempfile", "textwrap",
             "threading", "time", "timeit", "typing", "unicodedata", "urllib.parse", "uuid", "weakref",
             "xml.etree.ElementTree", "zipfile", "zlib", "zoneinfo"]
    mods = [importlib.import_module(n) for n in names]
    print(len(mods), all(m.__name__ == n for m, n in zip(mods, names)))
    print(sorted({m.__file__.rsplit("/", 2)[1] for m in mods if getattr(m, "__file__", None)}))
""")

# Imports a warm run serves from the zygote's memory (a C stand-in for
# importlib's _find_and_load, see src/pyzygote/zygote.c) against a fresh
# interpreter's: what the import system shows while it works.
P("import_audit_events", r"""
    import sys
    seen = []
    sys.addaudithook(lambda ev, args: seen.append(args[0]) if ev == "import" else None)
    import heapq, json
    from typing import List
    import json.decoder, xml.dom
    print(seen)
""")

# A finder of the program's, first in sys.meta_path, that notes what it is
# asked for (the two programs below differ in what they then import).
SPY_FINDER = r"""
    import sys
    asked = []
    class Spy:
        @staticmethod
        def find_spec(name, path=None, target=None):
            asked.append(name)
            return None
    sys.meta_path.insert(0, Spy)
"""

P("import_through_a_meta_path_finder_of_the_program", SPY_FINDER + r"""
    import heapq, string, bisect
    from collections import Counter
    print(asked)
    print(heapq.__spec__.name, heapq.__spec__.origin, string.__loader__ is not None)
""")

P("import_through_a_meta_path_finder_of_the_program_extension_modules", SPY_FINDER + r"""
    import json, numpy
    print(asked)
    print(json.dumps([int(numpy.arange(4).sum())]))
""")

P("import_stack_seen_from_an_imported_module", r"""
    import inspect, sys, traceback
    with open("/tmp/probe.py", "w") as f:
        f.write("import inspect, heapq\nSTACK = [(fi.filename, fi.function) for fi in inspect.stack()]\n")
    sys.path_importer_cache.clear()
    import probe
    for frame in probe.STACK:
        print(frame)
""")

P("import_error_raised_inside_an_imported_module", r"""
    with open("/tmp/fails.py", "w") as f:
        f.write("import json, heapq\nfrom typing import List\nraise ValueError('at import')\n")
    import sys
    sys.path_importer_cache.clear()
    import fails
""")

P("import_submodule_first_and_module_order", r"""
    import sys
    before = list(sys.modules)
    import json.decoder
    from typing import List, Dict
    import heapq, bisect, re
    print([n for n in sys.modules if n not in before])
    print(json.decoder is sys.modules["json.decoder"], json.decoder.__spec__.parent)
    import importlib
    print(importlib.import_module("string").capwords("a b"), "string" in sys.modules)
""")

P("import_preloads_from_threads", r"""
    import sys, threading
    names = ["heapq", "bisect", "json", "re", "typing", "fractions", "decimal", "statistics"]
    mods = {}
    def imp(n):
        mods[n] = __import__(n)
    threads = [threading.Thread(target=imp, args=(n,)) for n in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(sorted(n for n in names if sys.modules[n] is mods[n]))
""")

P("import_builtin_modules", r"""
    import sys
    seen = []
    sys.addaudithook(lambda ev, args: seen.append(args[0]) if ev == "import" else None)
    before = set(sys.modules)
    import math, _heapq, _bisect, _random
    print(sorted(set(sys.modules) - before), seen)
    for m in (math, _heapq, _bisect, _random):
        print(m.__name__, m.__spec__, m.__loader__.__name__, repr(m.__package__), len(vars(m)))
    math.answer = 42
    del sys.modules["math"]
    import math as again
    print(again is math, hasattr(again, "answer"), again.sqrt(2))
""")

P("import_after_sys_modules_games", r"""
    import sys
    import heapq
    del sys.modules["heapq"]
    import heapq as again
    print(again is heapq)
    sys.modules["bisect"] = None
    try:
        import bisect
    except ImportError as e:
        print(type(e).__name__, e)
""")

P("argparse_from_argv", r"""
    import argparse
    p = argparse.ArgumentParser(prog="main.py")
    p.add_argument("--n", type=int, default=3)
    p.add_argument("words", nargs="*")
    print(p.parse_args())
    p.parse_args(["--n", "notanint"])
""", args=["--n", "5", "x", "y"])

P("generators_and_send", r"""
    def averager():
        total, n = 0.0, 0
        avg = None
        while True:
            v = yield avg
            total += v
            n += 1
            avg = total / n
    g = averager()
    next(g)
    print([g.send(v) for v in (10, 20, 60)])
    def chain(*its):
        for it in its:
            yield from it
    print(list(chain("ab", range(3))))
""")

P("asyncio_gather", r"""
    import asyncio
    async def work(i):
        await asyncio.sleep(0.01 * (5 - i))
        return i * i
    async def main():
        res = await asyncio.gather(*(work(i) for i in range(5)))
        print(res)
        async def agen():
            for i in range(3):
                yield i
        print([v async for v in agen()])
        return "done"
    print(asyncio.run(main()))
""")

P("asyncio_uncaught_exception", r"""
    import asyncio
    async def fail():
        await asyncio.sleep(0)
        raise ValueError("async failure")
    async def main():
        await fail()
    asyncio.run(main())
""")

P("asyncio_wait_for_timeout", r"""
    import asyncio
    async def main():
        try:
            await asyncio.wait_for(asyncio.sleep(5), timeout=0.05)
        except asyncio.TimeoutError:
            print("timed out")
        print(asyncio.get_running_loop().__class__.__name__)
    asyncio.run(main())
    print(type(asyncio.get_event_loop_policy()).__name__)
""")

P("coroutine_never_awaited_warning", r"""
    import gc
    async def coro():
        pass
    c = coro()
    del c
    gc.collect()
    print("after")
""")

P("classes_inheritance_mro", r"""
    class A:
        def who(self):
            return "A"
    class B(A):
        def who(self):
            return "B>" + super().who()
    class C(A):
        def who(self):
            return "C>" + super().who()
    class D(B, C):
        def who(self):
            return "D>" + super().who()
    print(D().who(), [k.__name__ for k in D.__mro__])
""")

P("metaclass_and_init_subclass", r"""
    registry = []
    class Meta(type):
        def __new__(mcls, name, bases, ns, **kw):
            ns["created_by"] = "Meta"
            return super().__new__(mcls, name, bases, ns, **kw)
    class Base(metaclass=Meta):
        def __init_subclass__(cls, tag="none", **kw):
            super().__init_subclass__(**kw)
            registry.append((cls.__name__, tag))
    class X(Base, tag="x"):
        pass
    class Y(X):
        pass
    class Field:
        def __set_name__(self, owner, name):
            self.name = name
        def __get__(self, obj, objtype=None):
            return f"field {self.name}"
    class Z:
        f = Field()
    print(registry, X.created_by, Z().f)
""")

P("dataclass_frozen_error", r"""
    from dataclasses import dataclass
    @dataclass(frozen=True)
    class P:
        x: int
    p = P(1)
    print(p, hash(p) == hash(P(1)))
    p.x = 2
""")

P("typing_constructs", r"""
    from typing import Generic, NamedTuple, Protocol, TypedDict, TypeVar, get_type_hints
    T = TypeVar("T")
    class Box(Generic[T]):
        def __init__(self, v: T):
            self.v = v
    class Pt(NamedTuple):
        x: int
        y: int = 0
    class Movie(TypedDict):
        title: str
        year: int
    class Greeter(Protocol):
        def greet(self) -> str: ...
    print(Box[int](3).v, Pt(1), Movie(title="t", year=1), get_type_hints(Movie))
    print(Box[int], Pt._fields, Greeter.__name__)
""")

P("fstrings", r"""
    x, name, pi = 42, "wörld", 3.14159265
    print(f"{x=} {name!r:>10} {pi:.3f} {x:#x} {x:08b} {1e6:,.2f} {'nested ' + f'{x}'}")
    print(f"{x:{'>'}{10}}|{name:^12}|{-pi:+.2e}")
""")

P("walrus_and_match", r"""
    data = [1, 5, 12, 7, 30]
    if (n := len(data)) > 3:
        print("long", n)
    print([y for x in data if (y := x * 2) > 10])
    def describe(v):
        match v:
            case 0:
                return "zero"
            case int(i) if i < 0:
                return "negative"
            case [a, b, *rest]:
                return f"list {a} {b} +{len(rest)}"
            case {"type": "point", "x": x, "y": y}:
                return f"point {x},{y}"
            case str() as s:
                return "str " + s
            case _:
                return "other"
    for v in (0, -3, [1, 2, 3, 4], {"type": "point", "x": 1, "y": 2}, "s", 2.5):
        print(describe(v))
""")

P("decorators_and_closures", r"""
    import functools
    def trace(fn):
        @functools.wraps(fn)
        def wrapper(*a, **k):
            print("call", fn.__name__, a)
            return fn(*a, **k)
        return wrapper
    @trace
    def add(a, b):
        "adds"
        return a + b
    print(add(1, 2), add.__name__, add.__doc__, add.__wrapped__.__qualname__)
    def counter():
        n = 0
        def inc():
            nonlocal n
            n += 1
            return n
        return inc
    c = counter()
    print(c(), c(), c())
    @functools.lru_cache(maxsize=None)
    def fib(n):
        return n if n < 2 else fib(n - 1) + fib(n - 2)
    print(fib(80), fib.cache_info())
""")

P("context_managers", r"""
    import contextlib
    @contextlib.contextmanager
    def tag(name):
        print(f"<{name}>")
        try:
            yield name
        finally:
            print(f"</{name}>")
    with tag("a"), tag("b") as b:
        print("inside", b)
    with contextlib.suppress(KeyError):
        {}["x"]
    with contextlib.ExitStack() as st:
        st.callback(print, "exit stack callback")
    print("end")
""")

P("try_except_else_finally_order", r"""
    def f(x):
        try:
            print("try", x)
            r = 10 / x
        except ZeroDivisionError:
            print("except")
            return "from except"
        else:
            print("else")
            return r
        finally:
            print("finally")
    print(f(2))
    print(f(0))
""")

P("numbers_and_math", r"""
    import decimal, fractions, math, statistics
    print(2 ** 200, 7 // -2, -7 % 3, divmod(-7, 2), round(2.5), round(3.5), round(0.125, 2))
    print(0.1 + 0.2, repr(1 / 3), float("inf"), float("nan") == float("nan"), 1e308 * 10)
    print(fractions.Fraction(3, 4) + fractions.Fraction(1, 6), decimal.Decimal("1.1") + decimal.Decimal("2.2"))
    print(decimal.getcontext().prec, decimal.Decimal(1) / decimal.Decimal(7))
    print(math.factorial(30), math.comb(50, 25), math.isqrt(10 ** 20), math.gcd(84, 36), math.pi)
    print(statistics.mean([1, 2, 3, 4]), statistics.median([3, 1, 2]), statistics.stdev([1, 2, 3, 4]))
    print(int("ff", 16), hex(255), oct(8), bin(5), (255).to_bytes(2, "big"), int.from_bytes(b"\x01\x00", "little"))
""")

P("strings_and_bytes", r"""
    s = "Hello, Wörld"
    print(s.upper(), s.lower(), s.casefold(), s.title(), s.swapcase(), s.split(","), s.partition("o"))
    print(s.encode(), s.encode("latin-1"), s.encode("ascii", "replace"), s.encode("utf-16-le")[:6])
    print("{:>8}|{:<8}|{:^8}".format("a", "b", "c"), "%5.2f %s %r %d%%" % (3.14159, "x", "y", 50))
    print(",".join(sorted(["b", "a", "C", "ä"])), sorted(["b", "a", "C", "ä"], key=str.casefold))
    print(bytes(range(5)), bytearray(b"abc").upper(), memoryview(b"xyz")[1:].tobytes())
""")

P("collections_and_itertools", r"""
    import collections, itertools
    c = collections.Counter("mississippi")
    print(c.most_common(3), sorted(c.items()))
    d = collections.defaultdict(list)
    for k, v in [("a", 1), ("b", 2), ("a", 3)]:
        d[k].append(v)
    print(dict(d), collections.OrderedDict(a=1, b=2), collections.deque(range(5), maxlen=3))
    print(list(itertools.permutations("abc", 2))[:4], list(itertools.combinations(range(4), 2)))
    print(list(itertools.accumulate([1, 2, 3, 4])), list(itertools.islice(itertools.count(10, 5), 4)))
    print([(k, len(list(g))) for k, g in itertools.groupby("aaabbc")], list(itertools.pairwise("abcd")))
    print(sorted({5, 3, 9, 1}), {3: "c", 1: "a"}, frozenset([1, 2]) | {3})
""")

P("seeded_stdlib_random", r"""
    import random
    random.seed(42)
    print(random.random(), random.randint(1, 100), random.choice("abcdef"))
    xs = list(range(10))
    random.shuffle(xs)
    print(xs, random.sample(range(100), 5), random.gauss(0, 1))
    r = random.Random(7)
    print(r.random(), r.getrandbits(32))
""")

P("json_re_datetime_struct", r"""
    import base64, datetime, hashlib, json, re, struct, zlib
    print(json.dumps({"b": [1, 2.5, None, True], "a": "é"}, sort_keys=True), json.dumps("é", ensure_ascii=False))
    print(re.findall(r"(\w+)@(\w+)\.com", "a@x.com, b@y.com"), re.sub(r"\d+", "#", "a1b22c333"))
    print(datetime.date(2024, 1, 31) + datetime.timedelta(days=30), datetime.date(2024, 3, 1).isocalendar())
    print(datetime.datetime.strptime("2021-07-04 10:20", "%Y-%m-%d %H:%M").strftime("%A %d %B %Y %I:%M %p"))
    print(struct.pack("<iHd", -1, 65535, 1.5), struct.unpack(">I", b"\x00\x00\x01\x00"))
    print(hashlib.sha256(b"abc").hexdigest()[:16], zlib.crc32(b"abc"), base64.b64encode(b"hello"))
""")

P("sqlite_in_memory", r"""
    import sqlite3
    con = sqlite3.connect(":memory:")
    con.execute("create table t (k text, v int)")
    con.executemany("insert into t values (?, ?)", [("a", 1), ("b", 2), ("a", 3)])
    print(con.execute("select k, sum(v) from t group by k order by k").fetchall())
    print(sqlite3.sqlite_version.count(".") == 2)
""")

P("memory_allocation_200mb", r"""
    b = bytearray(200 * 1024 * 1024)
    b[-1] = 7
    print(len(b), b[-1])
    lst = list(range(2_000_000))
    print(sum(lst))
""")

P("time_sleep_short", r"""
    import time
    t0 = time.monotonic()
    time.sleep(0.2)
    print("slept", time.monotonic() - t0 >= 0.19)
""")

P("files_in_tmp_and_cwd", r"""
    import os, pathlib, shutil
    with open("data.txt", "w") as f:
        f.write("relative\n")
    with open("/tmp/abs.bin", "wb") as f:
        f.write(bytes(range(256)))
    os.makedirs("/tmp/sub/dir", exist_ok=True)
    pathlib.Path("sub/dir/x.txt").write_text("nested")
    shutil.copy("data.txt", "copy.txt")
    print(open("/tmp/data.txt").read(), len(open("abs.bin", "rb").read()))
    print(sorted(os.listdir(".")), sorted(str(p) for p in pathlib.Path(".").rglob("*")))
    os.remove("copy.txt")
    shutil.rmtree("sub")
    print(sorted(os.listdir("/tmp")))
""")

P("write_then_import_module", r"""
    import os, sys
    with open("/tmp/mymod.py", "w") as f:
        f.write("VALUE = 41 + 1\ndef where():\n    return __file__\n")
    import mymod
    print(mymod.VALUE, mymod.where(), mymod.__spec__.origin)
    print(sorted(os.listdir("/tmp")))
""")

P("files_field_helper_module_and_data", r"""
    import os
    import helper
    print(helper.greet("x"), helper.__file__)
    print(open("data.csv").read().splitlines())
    print(sorted(os.listdir(".")))
""", files=[helper("helper.py", r"""
    def greet(n):
        return "hello " + n
"""), {"name": "data.csv", "content": "a,b\n1,2\n"}])

P("files_field_shadowing_stdlib_datetime", r"""
    import datetime
    print(datetime.__file__)
    print(getattr(datetime, "SHADOW", "stdlib module"))
""", files=[helper("datetime.py", r"""
    SHADOW = "the program's own datetime.py"
""")])

P("files_field_shadowing_stdlib_random", r"""
    import random
    print(random.__file__, getattr(random, "SHADOW", "stdlib module"))
""", files=[helper("random.py", r"""
    SHADOW = "the program's own random.py"
""")])

P("files_field_shadowing_numpy", r"""
    import numpy
    print(numpy.__file__, getattr(numpy, "SHADOW", "real numpy"))
""", files=[helper("numpy.py", r"""
    SHADOW = "the program's own numpy.py"
""")])

P("sys_path_insert_and_import", r"""
    import os, sys
    os.makedirs("/tmp/lib/pkg", exist_ok=True)
    open("/tmp/lib/pkg/__init__.py", "w").write("NAME = 'pkg'\n")
    open("/tmp/lib/pkg/sub.py", "w").write("from . import NAME\nFULL = NAME + '.sub'\n")
    sys.path.insert(0, "/tmp/lib")
    from pkg import sub
    print(sub.FULL, sub.__name__, sub.__package__)
""")

P("importlib_reload_and_invalidate", r"""
    import importlib, sys
    open("/tmp/rmod.py", "w").write("X = 1\n")
    import rmod
    print(rmod.X)
    open("/tmp/rmod.py", "w").write("X = 22\n")
    importlib.invalidate_caches()
    import os
    os.utime("/tmp/rmod.py", (0, 10))
    sys.modules.pop("rmod")
    sys.dont_write_bytecode = True
    import rmod
    print(rmod.X)
""")

P("globals_mutation", r"""
    globals()["injected"] = 5
    print(injected)
    exec("made_by_exec = injected * 2")
    print(made_by_exec)
    print(sorted(k for k in globals() if not k.startswith("__")))
""")

P("locals_at_module_level", r"""
    a = 1
    print(locals() is globals(), vars() is globals())
    print(sorted(k for k in locals() if not k.startswith("__")))
""")

P("id_free_object_reprs", r"""
    import types
    print(repr(print), repr(len), repr(object), repr(type), repr(None), repr(NotImplemented), repr(...))
    print(types.ModuleType("m"), repr(int.__add__).split(" of ")[0])
""")

P("output_limit_truncation", r"""
    import sys
    sys.stdout.write("y" * 100000)
    sys.stderr.write("z" * 100000)
    print("end")
""", limits={"output_bytes": 1000})

P("timeout_busy_loop", r"""
    print("started", flush=True)
    print("buffered, lost")
    while True:
        pass
""", timeout=1)

P("timeout_sleeping", r"""
    import time
    print("started", flush=True)
    time.sleep(30)
""", timeout=1)

P("memory_limit_exceeded", r"""
    chunks = []
    print("allocating", flush=True)
    while True:
        chunks.append(bytearray(16 * 1024 * 1024))
""", limits={"memory_mb": 128})

P("memory_under_limit_128mb", r"""
    b = bytearray(48 * 1024 * 1024)
    for i in range(0, len(b), 4096):
        b[i] = 1
    print("allocated", len(b), sum(b[::4096]))
""", limits={"memory_mb": 128})

P("numpy_under_limit_256mb", r"""
    import numpy as np
    a = np.ones(8 * 1024 * 1024)
    print(a.sum())
""", limits={"memory_mb": 256})

P("processes_limit", r"""
    import os
    pids = []
    try:
        for i in range(64):
            pid = os.fork()
            if pid == 0:
                import time
                time.sleep(1)
                os._exit(0)
            pids.append(pid)
        print("forked", len(pids))
    except OSError as e:
        print("fork failed", e.strerror, len(pids))
    for p in pids:
        os.waitpid(p, 0)
""", limits={"processes": 8})

P("file_size_limit", r"""
    try:
        with open("/tmp/big", "wb") as f:
            f.write(b"x" * (3 * 1024 * 1024))
    except OSError as e:
        print("OSError", e.strerror)
    import os
    print(os.path.getsize("/tmp/big"))
""", limits={"file_bytes": 1024 * 1024})

P("cpu_limit", r"""
    import resource
    print(resource.getrlimit(resource.RLIMIT_CPU), flush=True)
    while True:
        pass
""", limits={"cpu_ms": 1000}, timeout=30)   # the CPU limit ends it, even on a busy machine

# ---------------------------------------------------------------------------
# HumanEval-style programs: a candidate, METADATA, check(candidate), and the call

_HUMANEVAL = [
    # (function name, correct body, wrong body, raising body, check asserts)
    ("has_close_elements",
     "def has_close_elements(numbers, threshold):\n"
     "    for i, a in enumerate(numbers):\n"
     "        for j, b in enumerate(numbers):\n"
     "            if i != j and abs(a - b) < threshold:\n"
     "                return True\n"
     "    return False\n",
     "def has_close_elements(numbers, threshold):\n"
     "    return False\n",
     "def has_close_elements(numbers, threshold):\n"
     "    return numbers[0] - None < threshold\n",
     ["candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3) == True",
      "candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.05) == False",
      "candidate([1.0, 2.0, 5.9, 4.0, 5.0], 0.95) == True"]),
    ("separate_paren_groups",
     "def separate_paren_groups(s):\n"
     "    out, cur, depth = [], '', 0\n"
     "    for ch in s:\n"
     "        if ch == '(':\n"
     "            depth += 1\n"
     "            cur += ch\n"
     "        elif ch == ')':\n"
     "            depth -= 1\n"
     "            cur += ch\n"
     "            if depth == 0:\n"
     "                out.append(cur)\n"
     "                cur = ''\n"
     "    return out\n",
     "def separate_paren_groups(s):\n"
     "    return s.split()\n",
     "def separate_paren_groups(s):\n"
     "    return [g for g in s.split(')')][5]\n",
     ["candidate('(()()) ((())) () ((())()())') == ['(()())', '((()))', '()', '((())()())']",
      "candidate('() (()) ((())) (((())))') == ['()', '(())', '((()))', '(((())))']"]),
    ("truncate_number",
     "def truncate_number(number):\n"
     "    return number % 1.0\n",
     "def truncate_number(number):\n"
     "    return int(number)\n",
     "def truncate_number(number):\n"
     "    return number.fractional_part()\n",
     ["candidate(3.5) == 0.5", "abs(candidate(1.33) - 0.33) < 1e-6", "abs(candidate(123.456) - 0.456) < 1e-6"]),
    ("below_zero",
     "def below_zero(operations):\n"
     "    balance = 0\n"
     "    for op in operations:\n"
     "        balance += op\n"
     "        if balance < 0:\n"
     "            return True\n"
     "    return False\n",
     "def below_zero(operations):\n"
     "    return sum(operations) < 0\n",
     "def below_zero(operations):\n"
     "    return operations[len(operations)] < 0\n",
     ["candidate([]) == False", "candidate([1, 2, -3, 1, 2, -3]) == False",
      "candidate([1, 2, -4, 5, 6]) == True", "candidate([1, -1, 2, -2, 5, -5, 4, -5]) == True"]),
    ("mean_absolute_deviation",
     "def mean_absolute_deviation(numbers):\n"
     "    m = sum(numbers) / len(numbers)\n"
     "    return sum(abs(x - m) for x in numbers) / len(numbers)\n",
     "def mean_absolute_deviation(numbers):\n"
     "    return max(numbers) - min(numbers)\n",
     "def mean_absolute_deviation(numbers):\n"
     "    return sum(numbers) / (len(numbers) - len(numbers))\n",
     ["abs(candidate([1.0, 2.0, 3.0]) - 2.0 / 3.0) < 1e-6", "abs(candidate([1.0, 2.0, 3.0, 4.0]) - 1.0) < 1e-6"]),
    ("intersperse",
     "def intersperse(numbers, delimeter):\n"
     "    out = []\n"
     "    for i, n in enumerate(numbers):\n"
     "        if i:\n"
     "            out.append(delimeter)\n"
     "        out.append(n)\n"
     "    return out\n",
     "def intersperse(numbers, delimeter):\n"
     "    return [x for n in numbers for x in (n, delimeter)]\n",
     "def intersperse(numbers, delimeter):\n"
     "    return numbers.intersperse(delimeter)\n",
     ["candidate([], 7) == []", "candidate([5, 6, 3, 2], 8) == [5, 8, 6, 8, 3, 8, 2]", "candidate([2, 2, 2], 2) == [2, 2, 2, 2, 2]"]),
    ("parse_nested_parens",
     "def parse_nested_parens(paren_string):\n"
     "    def depth(g):\n"
     "        d = m = 0\n"
     "        for c in g:\n"
     "            d += 1 if c == '(' else -1\n"
     "            m = max(m, d)\n"
     "        return m\n"
     "    return [depth(g) for g in paren_string.split() if g]\n",
     "def parse_nested_parens(paren_string):\n"
     "    return [g.count('(') for g in paren_string.split()]\n",
     "def parse_nested_parens(paren_string):\n"
     "    import re\n"
     "    return [len(re.match('(', g)) for g in paren_string.split()]\n",
     ["candidate('(()()) ((())) () ((())()())') == [2, 3, 1, 3]", "candidate('() (()) ((())) (((())))') == [1, 2, 3, 4]"]),
    ("filter_by_substring",
     "def filter_by_substring(strings, substring):\n"
     "    return [s for s in strings if substring in s]\n",
     "def filter_by_substring(strings, substring):\n"
     "    return [s for s in strings if s.startswith(substring)]\n",
     "def filter_by_substring(strings, substring):\n"
     "    return list(filter(substring, strings))\n",
     ["candidate([], 'john') == []",
      "candidate(['xxx', 'asd', 'xxy', 'john doe', 'xxxAAA', 'xxx'], 'xxx') == ['xxx', 'xxxAAA', 'xxx']",
      "candidate(['grunt', 'trumpet', 'prune', 'gruesome'], 'run') == ['grunt', 'prune']"]),
    ("sum_product",
     "def sum_product(numbers):\n"
     "    p = 1\n"
     "    for n in numbers:\n"
     "        p *= n\n"
     "    return sum(numbers), p\n",
     "def sum_product(numbers):\n"
     "    return sum(numbers), 0\n",
     "def sum_product(numbers):\n"
     "    import math\n"
     "    return sum(numbers), math.product(numbers)\n",
     ["candidate([]) == (0, 1)", "candidate([1, 1, 1]) == (3, 1)", "candidate([100, 0]) == (100, 0)",
      "candidate([3, 5, 7]) == (3 + 5 + 7, 3 * 5 * 7)"]),
    ("rolling_max",
     "def rolling_max(numbers):\n"
     "    out, m = [], None\n"
     "    for n in numbers:\n"
     "        m = n if m is None else max(m, n)\n"
     "        out.append(m)\n"
     "    return out\n",
     "def rolling_max(numbers):\n"
     "    return sorted(numbers)\n",
     "def rolling_max(numbers):\n"
     "    return [max(numbers[:i]) for i in range(len(numbers))]\n",
     ["candidate([]) == []", "candidate([1, 2, 3, 4]) == [1, 2, 3, 4]", "candidate([4, 3, 2, 1]) == [4, 4, 4, 4]",
      "candidate([3, 2, 3, 100, 3]) == [3, 3, 3, 100, 100]"]),
    ("make_palindrome",
     "def make_palindrome(string):\n"
     "    for i in range(len(string) + 1):\n"
     "        if string[i:] == string[i:][::-1]:\n"
     "            return string + string[:i][::-1]\n",
     "def make_palindrome(string):\n"
     "    return string + string[::-1]\n",
     "def make_palindrome(string):\n"
     "    return string + reversed(string)\n",
     ["candidate('') == ''", "candidate('x') == 'x'", "candidate('xyz') == 'xyzyx'", "candidate('xyx') == 'xyx'",
      "candidate('jerry') == 'jerryrrej'"]),
    ("string_xor",
     "def string_xor(a, b):\n"
     "    return ''.join('0' if x == y else '1' for x, y in zip(a, b))\n",
     "def string_xor(a, b):\n"
     "    return ''.join('1' if x == y else '0' for x, y in zip(a, b))\n",
     "def string_xor(a, b):\n"
     "    return ''.join(str(int(x) ^ y) for x, y in zip(a, b))\n",
     ["candidate('111000', '101010') == '010010'", "candidate('1', '1') == '0'", "candidate('0101', '0000') == '0101'"]),
]

for _fn, _good, _wrong, _raising, _asserts in _HUMANEVAL:
    _check = ("\n\nMETADATA = {'author': 'jt', 'dataset': 'test'}\n\n\n"
              "def check(candidate):\n" + "".join(f"    assert {a}\n" for a in _asserts) + f"\n\ncheck({_fn})\n")
    _header = "from typing import List, Tuple, Optional\n\n\n"
    P(f"humaneval_{_fn}_pass", _header + _good + _check, raw=True)
    P(f"humaneval_{_fn}_wrong_answer", _header + _wrong + _check, raw=True)
    P(f"humaneval_{_fn}_raises", _header + _raising + _check, raw=True)
    # a generation cut off in the middle of the function (the model hit its token limit)
    P(f"humaneval_{_fn}_truncated", _header + _good[: len(_good) * 2 // 3] + _check, raw=True)

# ---------------------------------------------------------------------------
# programs that change interpreter state; on the warm path each run must
# start from a fresh state again (test_warm_python.py also runs them in turn)

P("state_mutator", r"""
    import builtins, os, random, sys, warnings
    import numpy as np
    import pandas as pd
    builtins.MARKER = "leaked"
    sys.MARKER = "leaked"
    os.environ["MARKER"] = "leaked"
    sys.setrecursionlimit(77)
    sys.path.append("/leaked")
    warnings.simplefilter("error")
    np.set_printoptions(precision=1)
    np.seterr(all="raise")
    np.MARKER = "leaked"
    pd.set_option("display.max_rows", 3)
    random.seed(1234)
    sys.modules["leaked_module"] = type(sys)("leaked_module")
    import decimal
    decimal.getcontext().prec = 5
    sys.stdout.reconfigure(line_buffering=True)
    with open("/tmp/leaked-file", "w") as f:
        f.write("x")
    print("mutated")
""")

P("state_observer", r"""
    import builtins, decimal, os, sys
    import numpy as np
    import pandas as pd
    print(hasattr(builtins, "MARKER"), hasattr(sys, "MARKER"), "MARKER" in os.environ)
    print(sys.getrecursionlimit(), "/leaked" in sys.path, "leaked_module" in sys.modules)
    print(np.get_printoptions()["precision"], np.geterr(), hasattr(np, "MARKER"))
    print(pd.get_option("display.max_rows"), decimal.getcontext().prec, sys.stdout.line_buffering)
    print(os.path.exists("/tmp/leaked-file"), sorted(os.listdir("/tmp")))
    import warnings
    warnings.warn("a user warning must still be a warning")
""")
