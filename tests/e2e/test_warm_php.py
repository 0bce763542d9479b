"""Warm PHP changes no result (docs/languages.md, "PHP").

Two servers run the same PHP programs: one as started by default, whose
PHP runs fork from a warm zygote (php itself, started up to where the CLI
opens its script, with codeexec-phpzygote.so preloaded) once it is ready,
and one with --no-warm-php, where every run is a fresh `php /tmp/main.php`.
For the corpus in tests/e2e/languages/php/ and the programs below, which
probe what a fresh php has (command line, executable, name, directory,
the whole environment as PHP and as /proc show it, $_SERVER, php.ini,
extensions, classes and functions, stdin, the process's ids and limits,
errors of every kind, exit statuses, shutdown functions, output buffers,
FFI, subprocesses), the verdict, exit code, stdout and stderr must be the
same byte for byte, and every run on the first server must have come from
the warm zygote. Then what one warm run does must not be seen by the next
(files, environment, random state), and a run that crashes must not take
the zygote with it.

Budget: about 10 s on a 2-core machine.
"""

from __future__ import annotations

import pytest

from warm_compare import WarmLanguage

PHP = WarmLanguage("php", "PHP", "codeexec-phpzygote.so", "php", "<?php echo \"1\\n\";\n", "1\n")

EXTRA = {
    "command-line": "<?php\nvar_dump($argv, $argc, PHP_BINARY, __FILE__, getcwd(), scandir('.'),"
    " php_sapi_name(), PHP_VERSION, php_ini_loaded_file(), php_ini_scanned_files());\n",
    "proc-self": "<?php\nforeach (['environ', 'cmdline', 'comm'] as $f) {\n"
    "  var_dump(str_replace(\"\\0\", '|', file_get_contents(\"/proc/self/$f\")));\n}\n"
    "var_dump(readlink('/proc/self/exe'));\n",
    "environment": "<?php\n$e = getenv(); ksort($e); var_dump($e, $_ENV, getenv('LD_PRELOAD'));\n",
    "server-variables": "<?php\n$s = $_SERVER; unset($s['REQUEST_TIME'], "
    "$s['REQUEST_TIME_FLOAT']);\nksort($s); var_dump($s);\n"
    "var_dump(abs($_SERVER['REQUEST_TIME'] - time()) < 5);\n",
    "ini": "<?php\nvar_dump(ini_get_all(null, false));\n",
    "extensions": "<?php\nvar_dump(get_loaded_extensions(), get_loaded_extensions(true));\n"
    "echo count(get_declared_classes()), ' ', count(get_defined_functions()['internal']), ' ',"
    " count(get_defined_constants()), \"\\n\";\nvar_dump(get_included_files(), "
    "array_keys(realpath_cache_get()), function_exists('opcache_get_status') ? "
    "opcache_get_status() : null);\n",
    "stdin": "<?php\nvar_dump(fgets(STDIN), fgets(STDIN), fgets(STDIN), feof(STDIN));\n"
    "var_dump(stream_get_meta_data(STDIN)['stream_type'], posix_isatty(STDIN));\n",
    "process": "<?php\nvar_dump(posix_getpid() > 1, posix_getppid(), posix_getuid(), posix_geteuid(),"
    " posix_getgid(), posix_getgroups(), posix_getrlimit(), posix_getcwd(), umask(),"
    " sys_get_temp_dir(), date_default_timezone_get(), setlocale(LC_ALL, 0));\n",
    "memory": "<?php\nvar_dump(memory_get_usage(), memory_get_usage(true), memory_get_peak_usage(),"
    " ini_get('memory_limit'));\n",
    "warnings": "<?php\necho $undefined;\n$a = [];\necho $a['k'];\necho 1 / 3, \"\\n\";\n"
    "trigger_error('mine', E_USER_WARNING);\ntrigger_error('deprecated', E_USER_DEPRECATED);\n"
    "echo str_repeat('x', 3), \"\\n\";\n",
    "fatal-undefined-function": "<?php\necho \"a\\n\";\nno_such_function();\necho \"b\\n\";\n",
    "uncaught-exception": "<?php\necho \"a\";\nthrow new RuntimeException('boom', 3);\n",
    "type-error": "<?php\nfunction f(int $x): int { return $x; }\necho f('abc');\n",
    "exit-status": "<?php\necho 'before';\nexit(4);\n",
    "exit-string": "<?php\nexit(\"message\\n\");\n",
    "shutdown": "<?php\nregister_shutdown_function(function () { echo \"bye\\n\"; });\n"
    "ob_start();\necho \"buffered\";\n",
    "buffered-output": "<?php\nfor ($i = 1; $i <= 20000; $i++) echo $i, \"\\n\";\n"
    "fwrite(STDERR, \"err\\n\");\n",
    "memory-limit": "<?php\nini_set('memory_limit', '16M');\n$a = [];\n"
    "while (true) $a[] = str_repeat('x', 1 << 16);\n",
    "seeded-random": "<?php\nmt_srand(7);\necho mt_rand(), ' ', rand(1, 100), ' ', "
    "mt_rand(1, 6), \"\\n\";\n$r = new Random\\Randomizer(new Random\\Engine\\Mt19937(3));\n"
    "echo $r->getInt(1, 1000), \"\\n\";\n",
    "ffi": "<?php\n$ffi = FFI::cdef('size_t strlen(const char *s);');\n"
    "var_dump($ffi->strlen('abcd'));\n",
    "subprocess": "<?php\necho shell_exec('echo \"[$LD_PRELOAD]\"; cat /proc/self/environ | "
    "tr \"\\\\0\" \"\\\\n\" | sort');\nvar_dump(exec('php -r \"echo getenv(\\'LD_PRELOAD\\') "
    "=== false ? 1 : 0;\"'));\n",
    "fibers-and-closures": "<?php\n$f = new Fiber(function (int $x): int { $y = Fiber::suspend($x"
    " + 1); return $y * 2; });\nvar_dump($f->start(1), $f->resume(5), $f->getReturn());\n"
    "$o = new stdClass; var_dump(spl_object_id($o), spl_object_hash($o));\n",
    "json-and-mbstring": "<?php\nvar_dump(json_encode(['a' => 1.5, 'b' => 'é']), "
    "function_exists('mb_strlen'), iconv_strlen('héllo', 'UTF-8'), ctype_digit('123'));\n",
    "no-trailing-newline": "<?php\necho 'x';",
    "inline-html": "before\n<?php echo 'php'; ?>\nafter\n",
}

# Programs whose output differs from run to run by design.
RANDOM = "<?php\necho mt_rand(), ' ', random_int(0, PHP_INT_MAX), ' ', uniqid(), \"\\n\";\n"


CASES = PHP.cases(EXTRA)
run = PHP.run


@pytest.fixture(scope="module")
def servers():
    yield from PHP.servers("it is built when /usr/bin/php is installed")


@pytest.fixture(scope="module")
def results(servers):
    return PHP.results(servers, CASES)


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_same_result_warm_and_cold(results, name):
    PHP.assert_same(*results[name])


def test_corpus_verdicts(results):
    PHP.assert_corpus_verdicts(results)


def test_probes_ran(results):
    """The probes did what they probe (a comparison of two empty outputs
    would pass too)."""
    warm = {name: results[name][0] for name in EXTRA}
    assert 'string(13) "/tmp/main.php"' in warm["command-line"]["stdout"]
    assert 'string(15) "/usr/bin/php8.2"' in warm["command-line"]["stdout"]
    proc = warm["proc-self"]["stdout"]
    assert "PATH=/usr/local/bin:/usr/bin:/bin|" in proc and "LD_PRELOAD" not in proc
    assert "/usr/bin/php|/tmp/main.php|" in proc and '"php\n"' in proc
    assert 'string(15) "/usr/bin/php8.2"' in proc
    assert '["PATH"]=>' in warm["environment"]["stdout"]
    assert warm["environment"]["stdout"].endswith("bool(false)\n")
    assert '["SCRIPT_FILENAME"]=>\n  string(13) "/tmp/main.php"' in warm["server-variables"]["stdout"]
    assert '["memory_limit"]=>' in warm["ini"]["stdout"]
    assert "FFI" in warm["extensions"]["stdout"]
    assert warm["stdin"]["stdout"].startswith('string(6) "line1\n"\nstring(5) "rest\n"\nbool(false)')
    assert "PHP Warning:  Undefined variable $undefined" in warm["warnings"]["stderr"]
    assert warm["exit-status"]["exit_code"] == 4 and warm["exit-status"]["stdout"] == "before"
    assert warm["shutdown"]["stdout"] == "bufferedbye\n"
    assert warm["buffered-output"]["stdout"].endswith("\n20000\n")
    assert "Allowed memory size of 16777216 bytes" in warm["memory-limit"]["stderr"]
    assert warm["ffi"]["stdout"] == "int(4)\n"
    assert warm["subprocess"]["stdout"].startswith("[]\nHOME=/tmp\nLANG=C.UTF-8\n")
    assert warm["subprocess"]["stdout"].endswith('string(1) "1"\n')
    assert warm["inline-html"]["stdout"] == "before\nphpafter\n"  # ?> eats its newline


def test_runs_do_not_see_each_other(servers):
    warm, _ = servers
    leave = ("<?php\nfile_put_contents('/tmp/left', '1');\nputenv('CODEEXEC_LEFT=1');\n"
             "mt_srand(7);\necho mt_rand();\n")
    look = ("<?php\nvar_dump(file_exists('/tmp/left'), getenv('CODEEXEC_LEFT'));\n"
            "echo mt_rand(), \"\\n\";\n")
    seeded = run(warm, leave)["stdout"]
    for _ in range(4):
        r = run(warm, look)
        assert r["zygote"] == "php", r
        lines = r["stdout"].splitlines()
        assert lines[:2] == ["bool(false)", "bool(false)"], r
        assert lines[2] != seeded, r
    draws = {run(warm, RANDOM)["stdout"] for _ in range(4)}
    assert len(draws) == 4, f"warm runs drew the same random numbers: {draws}"


def test_crash_leaves_the_zygote(servers):
    warm, _ = servers
    # PHP 8.2 has no guard against unbounded recursion: the stack overflows
    crash = "<?php\necho \"before\\n\";\nfunction f($n) { return f($n + 1) + 1; }\nf(0);\n"
    PHP.assert_crash_leaves_zygote(
        warm, crash, lambda r: r["stdout"] == "before\n" and r["exit_code"] != 0)
