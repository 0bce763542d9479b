/* codeexec-pyzygote: a warm Python interpreter that forks one box per run.
 *
 * Theory of operation. The server starts this binary as PID 1 of a warm box
 * (sandbox/init.c exec_zygote). It initializes CPython with the very
 * configuration that `python3 /tmp/main.py` would get (same argv,
 * environment, paths), imports the preloads it is configured with and tells
 * the server it is ready (warm-proto.h). Each run is a box of its own, built
 * by zygote/zyrun.c: its PID 1 writes the script into the run's fresh /tmp
 * (zyrun_write_program), and its program process, the one full copy of the
 * interpreter per run, runs the script the way `python3 file` does
 * (run_script, with CPython's own functions for compiling, tracebacks and
 * SystemExit) and ends the way it does (finish_like_python: thread joins,
 * atexit, flushes, finalizers of what the run added, exit status). The
 * program inherits the interpreter's signal dispositions untouched (SIGINT
 * raises KeyboardInterrupt, SIGPIPE and SIGXFSZ ignored).
 * The zygote itself never runs a program's code. Its preloads are imported
 * with BLAS/OpenMP thread pools limited to one thread, and it reports how
 * many threads it has once ready (the server refuses it unless that is one:
 * forking with other threads alive is unsafe). */
#define _GNU_SOURCE
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../sandbox/warm-proto.h"
#include "../util/err.h"
#include "../zygote/zyrun.h"

static const char *script_path = "/tmp/main.py";

static void snapshot_zygote(void);

static void die(const char *what)
{
        zyrun_die(what);
}

/* The interpreter `python3 <script>` would have, minus running the script. */
static void init_python(void)
{
        PyConfig config;
        PyStatus status;
        char *argv[] = {"/usr/bin/python3", (char *)script_path, NULL};

        PyConfig_InitPythonConfig(&config);
        status = PyConfig_SetBytesArgv(&config, 2, argv);
        if (!PyStatus_Exception(status))
                status = Py_InitializeFromConfig(&config);
        PyConfig_Clear(&config);
        if (PyStatus_Exception(status))
                Py_ExitStatusException(status);
}

/* src/pyzygote/warm_imports.py (what it does is said there), embedded: the
 * Makefile builds this file from the repository's top directory. */
__asm__(".pushsection .rodata\n"
        ".type warm_imports_py, @object\n"
        "warm_imports_py:\n"
        ".incbin \"src/pyzygote/warm_imports.py\"\n"
        ".byte 0\n"
        ".popsection\n");
extern const char warm_imports_py[];

static PyObject *startup_modules; /* sys.modules keys before the preloads */
static PyObject *preload_groups;  /* sys.modules keys after each preload */
static PyObject *import_deps;     /* module name -> names its import asked for */
static PyObject *imported_names;  /* the modules importlib loaded (not just put in sys.modules) */
static PyObject *stop_recording;  /* puts the import functions back */

/* The function `name` that warm_imports.py defines (new reference; NULL
 * with the error set). The file runs once, in a namespace of its own. */
static PyObject *warm_imports_function(const char *name)
{
        static PyObject *ns;
        PyObject *fn;

        if (!ns) {
                PyObject *code = Py_CompileString(
                    warm_imports_py, "codeexec-pyzygote:warm_imports.py", Py_file_input);
                PyObject *r = NULL;

                ns = code ? PyDict_New() : NULL;
                if (ns && PyDict_SetItemString(ns, "__builtins__", PyEval_GetBuiltins()) == 0)
                        r = PyEval_EvalCode(code, ns, ns);
                if (!r)
                        Py_CLEAR(ns);
                Py_XDECREF(r);
                Py_XDECREF(code);
                if (!ns)
                        return NULL;
        }
        fn = PyDict_GetItemString(ns, name);
        if (!fn)
                PyErr_Format(PyExc_NameError, "warm_imports.py has no %s", name);
        return Py_XNewRef(fn);
}

static void record_imports(void)
{
        PyObject *start = warm_imports_function("record_imports");
        PyObject *r = start ? PyObject_CallNoArgs(start) : NULL;

        if (r && PyTuple_Check(r) && PyTuple_GET_SIZE(r) == 3) {
                import_deps = Py_NewRef(PyTuple_GET_ITEM(r, 0));
                imported_names = Py_NewRef(PyTuple_GET_ITEM(r, 1));
                stop_recording = Py_NewRef(PyTuple_GET_ITEM(r, 2));
        }
        if (PyErr_Occurred())
                PyErr_Print();
        Py_XDECREF(r);
        Py_XDECREF(start);
}

/* A run must never meet the wrappers: a zygote that cannot put the import
 * functions back does not serve. */
static void stop_recording_imports(void)
{
        PyObject *r;

        if (!stop_recording)
                return;
        r = PyObject_CallNoArgs(stop_recording);
        if (!r) {
                PyErr_Print();
                die("put the import functions back");
        }
        Py_DECREF(r);
        Py_CLEAR(stop_recording);
}

static PyObject *serve_preload;      /* warm_imports.py's serve(name) */
static PyObject *served_names;       /* the names it may hand out */
static PyObject *real_find_and_load; /* importlib's own */

/* importlib._bootstrap._find_and_load for a run: a module serve() can hand
 * back from the zygote's memory comes back at once (the modules, their
 * order, the audit events and the attribute on its parent of a fresh
 * import), without the import machinery's twenty Python calls, whose first
 * run in a fresh child copied a page for each code object and type they
 * touched: `import heapq` in a warm run went from about 380 to 150 µs.
 * Every other import goes to importlib's own. A C function, so that no
 * frame of it ever shows in a traceback or in inspect.stack(). */
static PyObject *find_and_load(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
        (void)self;
        if (nargs == 2 && PyUnicode_CheckExact(args[0]) &&
            PySet_Contains(served_names, args[0]) == 1) {
                PyObject *mod = PyObject_CallOneArg(serve_preload, args[0]);
                if (!mod)
                        return NULL;
                if (mod != Py_None)
                        return mod;
                Py_DECREF(mod);
        }
        return PyObject_Vectorcall(real_find_and_load, args, nargs, NULL);
}

static PyMethodDef find_and_load_def = {
    "_find_and_load", (PyCFunction)(void (*)(void))find_and_load, METH_FASTCALL, NULL};

static void hide_preloads(void)
{
        PyObject *make = warm_imports_function("hide_preloads"), *made = NULL, *bootstrap, *fn;

        if (make && startup_modules)
                made = PyObject_CallFunctionObjArgs(
                    make, startup_modules, preload_groups ? preload_groups : Py_None,
                    import_deps ? import_deps : Py_None, imported_names ? imported_names : Py_None,
                    NULL);
        Py_XDECREF(make);
        if (made && PyTuple_Check(made) && PyTuple_GET_SIZE(made) == 2) {
                serve_preload = Py_NewRef(PyTuple_GET_ITEM(made, 0));
                served_names = Py_NewRef(PyTuple_GET_ITEM(made, 1));
        }
        Py_XDECREF(made);
        if (PyErr_Occurred())
                PyErr_Print();
        /* Runs would see the preloads in sys.modules: this zygote does not
         * serve (the server runs its requests cold). */
        if (!serve_preload)
                die("hide the preloads");

        bootstrap = PyImport_ImportModule("_frozen_importlib");
        real_find_and_load = bootstrap ? PyObject_GetAttrString(bootstrap, "_find_and_load") : NULL;
        fn = real_find_and_load ? PyCFunction_New(&find_and_load_def, NULL) : NULL;
        if (!fn || PyObject_SetAttrString(bootstrap, "_find_and_load", fn) < 0) {
                PyErr_Print();
                die("install the preloads' import");
        }
        Py_DECREF(fn);
        Py_DECREF(bootstrap);
}

/* BLAS and OpenMP runtimes (OpenBLAS, MKL, BLIS, OpenMP, numexpr) start a
 * pool of threads when they load, that is when a preload imports numpy. A
 * process forked while another of its threads holds a lock (malloc's,
 * stdio's, the library's own) hands the child that lock held forever: with
 * Debian's OpenBLAS every warm numpy run spun until its time-out. So the
 * preloads run with every such pool limited to the calling thread, and the
 * variables are put back as they were before the first run (a program
 * reading os.environ sees what a cold run sees). A run's BLAS then stays
 * single-threaded: the same results, one core. */
static const char *const thread_vars[] = {
    "OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS",       "OMP_NUM_THREADS",     "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",     "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS", "NUMEXPR_MAX_THREADS",
};
#define NTHREAD_VARS (sizeof(thread_vars) / sizeof(thread_vars[0]))
static char *thread_vars_before[NTHREAD_VARS]; /* NULL: was not set */

static void single_threaded_env(void)
{
        for (size_t i = 0; i < NTHREAD_VARS; i++) {
                const char *v = getenv(thread_vars[i]);
                thread_vars_before[i] = v ? strdup(v) : NULL;
                if (v && !thread_vars_before[i])
                        die("keep the thread variables"); /* the server starts another */
                setenv(thread_vars[i], "1", 1);
        }
}

/* Puts the variables back, in the C environment and in os.environ (whose
 * data is posix.environ, and os.environb's too). */
static void restore_env(void)
{
        PyObject *os = PyImport_ImportModule("os");
        PyObject *environ = os ? PyObject_GetAttrString(os, "environ") : NULL;

        for (size_t i = 0; i < NTHREAD_VARS; i++) {
                const char *k = thread_vars[i], *before = thread_vars_before[i];
                PyObject *r = NULL;

                if (before) {
                        setenv(k, before, 1);
                        if (environ)
                                r = PyObject_CallMethod(environ, "__setitem__", "ss", k, before);
                } else {
                        unsetenv(k);
                        if (environ)
                                r = PyObject_CallMethod(environ, "pop", "sO", k, Py_None);
                }
                Py_XDECREF(r);
                PyErr_Clear();
                free(thread_vars_before[i]);
                thread_vars_before[i] = NULL;
        }
        Py_XDECREF(environ);
        Py_XDECREF(os);
        PyErr_Clear();
}

/* Objects each run needs before its program starts or after it ends,
 * taken once here: looking them up or importing them in every run ran the
 * import machinery there and copied about a quarter of the pages a run
 * copies. None of them can have changed before a run uses it: the run's
 * own code starts after __main__ and its loader are made, and atexit's
 * callbacks belong to the interpreter, not to a module object (so this
 * module's _run_exitfuncs also runs those a run registered through its own
 * `import atexit`). A fresh python3 has not imported atexit (site does
 * not), so sys.modules is left without it. */
static PyObject *builtins_module, *builtin_importer, *source_file_loader, *atexit_module;

static PyObject *attr_of(const char *module, const char *name)
{
        PyObject *m = PyImport_ImportModule(module);
        PyObject *a = m ? PyObject_GetAttrString(m, name) : NULL;

        Py_XDECREF(m);
        return a;
}

static void keep_run_objects(void)
{
        PyObject *modules = PyImport_GetModuleDict();
        bool had_atexit = PyDict_GetItemString(modules, "atexit") != NULL;

        builtins_module = PyImport_ImportModule("builtins");
        builtin_importer = attr_of("_frozen_importlib", "BuiltinImporter");
        source_file_loader = attr_of("_frozen_importlib_external", "SourceFileLoader");
        atexit_module = PyImport_ImportModule("atexit");
        if (!had_atexit && PyDict_DelItemString(modules, "atexit") < 0)
                PyErr_Print();
        PyErr_Clear();
}

/* obmalloc.c: prints pymalloc's statistics (exported, not in the public
 * headers). */
extern int _PyObject_DebugMallocStats(FILE *out);

/* Fills every free block of pymalloc's partly used pools. A run's new
 * objects would otherwise go first into those free blocks, scattered over
 * the zygote's pages, and each first write to one of those pages copies it
 * (about 2 µs a page here); with them taken, the run's objects go to pools
 * no one has written yet, packed together, whose pages the kernel hands out
 * zeroed. Measured: a `pass` program's page faults fell from about 315 to
 * 160. The blocks are never used nor freed: some 300 KB of the zygote's,
 * written by nobody. The free counts come from pymalloc's own statistics
 * (one line per size class: class, size, pools, blocks used, blocks free),
 * read twice in case the first fill itself needed new pools; a format this
 * does not know fills nothing. */
static void fill_partial_pools(void)
{
        for (int round = 0; round < 2; round++) {
                char *text = NULL, *line, *save = NULL;
                size_t len = 0;
                FILE *f = open_memstream(&text, &len);

                if (!f)
                        return;
                _PyObject_DebugMallocStats(f);
                if (fclose(f) != 0) {
                        free(text);
                        return;
                }
                for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                        unsigned size_class, size;
                        unsigned long pools, used, free_blocks;

                        /* NOLINTNEXTLINE(cert-err34-c): CPython's own counts, all or none */
                        if (sscanf(line, "%u %u %lu %lu %lu", &size_class, &size, &pools, &used,
                                   &free_blocks) != 5 ||
                            size == 0 || size > 512)
                                continue;
                        while (free_blocks-- > 0 && PyObject_Malloc(size))
                                ;
                }
                free(text);
        }
}

static void preload(const char *list, struct warm_ready *ready)
{
        char *copy = strdup(list ? list : ""), *save = NULL;
        PyObject *gc;

        if (!copy)
                die("preload list");
        startup_modules = PyFrozenSet_New(PyImport_GetModuleDict());
        preload_groups = PyList_New(0);
        record_imports();

        for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
                PyObject *mod;
                if (!*name)
                        continue;
                mod = PyImport_ImportModule(name);
                if (mod) {
                        PyObject *keys = PyFrozenSet_New(PyImport_GetModuleDict());
                        if (keys && preload_groups)
                                PyList_Append(preload_groups, keys);
                        Py_XDECREF(keys);
                        Py_DECREF(mod);
                        continue;
                }
                PyErr_Print();
                ready->failed_preloads++;
                size_t used = strlen(ready->text);
                if (used + strlen(name) + 2 < sizeof(ready->text))
                        snprintf(ready->text + used, sizeof(ready->text) - used, "%s%s",
                                 used ? "," : "", name);
        }
        free(copy);
        restore_env();
        /* Whatever the imports printed is not a run's output. */
        fflush(NULL);
        /* gc is imported here, with the preloads, so that it leaves
         * sys.modules with them unless a fresh python3 has it. */
        gc = PyImport_ImportModule("gc");
        PyErr_Clear();
        keep_run_objects();
        snapshot_zygote();
        stop_recording_imports();
        if (preload_groups && PyList_GET_SIZE(preload_groups) > 0)
                hide_preloads();
        /* Everything imported so far moves to the collector's permanent
         * generation: a run's collections then never touch (and copy) the
         * zygote's pages. */
        if (gc) {
                PyObject *r = PyObject_CallMethod(gc, "collect", NULL);
                Py_XDECREF(r);
                r = PyObject_CallMethod(gc, "freeze", NULL);
                Py_XDECREF(r);
                Py_DECREF(gc);
                PyErr_Clear();
        }
        fill_partial_pools();
}

/* CPython sets this when the program ended with an uncaught
 * KeyboardInterrupt (pythonrun.c); `python3` then dies by SIGINT. */
extern int _Py_UnhandledKeyboardInterrupt;
/* pythonrun.c: prints SystemExit's message as CPython does, clears it, and
 * gives its exit status (exported, not in the public headers). */
extern int _Py_HandleSystemExit(int *exitcode_p);
/* moduleobject.c: sets a module's globals to None, underscored names first,
 * as interpreter shut-down does (exported, not in the public headers). */
extern void _PyModule_Clear(PyObject *m);

/* Flushes one standard stream unless it is None or closed; -1 if that
 * failed. `report`: print the failure as CPython reports a stdout one. */
static int flush_stream(PyObject *f, bool report)
{
        PyObject *closed, *r;
        int is_closed;

        if (!f || f == Py_None)
                return 0;
        closed = PyObject_GetAttrString(f, "closed");
        is_closed = closed ? PyObject_IsTrue(closed) : 0;
        Py_XDECREF(closed);
        PyErr_Clear();
        if (is_closed)
                return 0;
        r = PyObject_CallMethod(f, "flush", NULL);
        if (r) {
                Py_DECREF(r);
                return 0;
        }
        if (report)
                PyErr_WriteUnraisable(f);
        PyErr_Clear();
        return -1;
}

/* flush_io() of pythonrun.c: flush stderr and stdout, keep the current
 * exception, ignore flush errors. */
static void flush_io(void)
{
        PyObject *type, *value, *tb;

        PyErr_Fetch(&type, &value, &tb);
        flush_stream(PySys_GetObject("stderr"), false);
        flush_stream(PySys_GetObject("stdout"), false);
        PyErr_Restore(type, value, tb);
}

/* A new, empty __main__, made the way the interpreter makes its own at
 * start-up (pylifecycle.c add_main_module: the module's five names, then
 * __annotations__, __builtins__ and __loader__). The zygote's own __main__
 * was frozen out of the collector with everything else, so a cycle through
 * it would never be collected and a program's finalizers never run. */
static int fresh_main(void)
{
        PyObject *m = PyModule_New("__main__"), *d, *ann, *builtins, *loader;
        int rc = -1;

        if (!m)
                return -1;
        d = PyModule_GetDict(m);
        ann = PyDict_New();
        builtins = builtins_module ? Py_NewRef(builtins_module) : PyImport_ImportModule("builtins");
        loader = builtin_importer ? Py_NewRef(builtin_importer)
                                  : attr_of("_frozen_importlib", "BuiltinImporter");
        if (ann && builtins && loader && PyDict_SetItemString(d, "__annotations__", ann) == 0 &&
            PyDict_SetItemString(d, "__builtins__", builtins) == 0 &&
            PyDict_SetItemString(d, "__loader__", loader) == 0 &&
            PyDict_SetItemString(PyImport_GetModuleDict(), "__main__", m) == 0)
                rc = 0;
        Py_XDECREF(ann);
        Py_XDECREF(builtins);
        Py_XDECREF(loader);
        Py_DECREF(m);
        return rc;
}

/* What `python3 <script>` does between start-up and shut-down (main.c's
 * pymain_run_python and pythonrun.c's _PyRun_SimpleFileObject for a plain
 * source file): sys.path[0] is the script's directory, __main__ gets
 * __file__, __cached__ and a SourceFileLoader, the file is compiled and run,
 * an uncaught exception is printed by sys.excepthook, and SystemExit gives
 * the exit status (its message printed as CPython prints it). Returns the
 * exit status. */
static int run_script(void)
{
        char dir[256];
        const char *slash = strrchr(script_path, '/');
        PyObject *main_mod, *d, *name, *path0, *loader_class = NULL, *loader = NULL;
        PyObject *sys_path = PySys_GetObject("path");
        PyCompilerFlags cf = _PyCompilerFlags_INIT;
        PyObject *v;
        FILE *fp;
        int exitcode = 0, system_exit = 0;

        snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - script_path) : 0, script_path);
        path0 = PyUnicode_DecodeFSDefault(dir[0] || !slash ? dir : "/");
        if (!path0 || !sys_path || PyList_Insert(sys_path, 0, path0) < 0)
                goto error;
        Py_DECREF(path0);
        fp = fopen(script_path, "rb");
        if (!fp) {
                fprintf(stderr, "/usr/bin/python3: can't open file '%s': [Errno %d] %s\n",
                        script_path, errno, strerror(errno));
                return 2;
        }
        /* Held for the whole run, as CPython does: the program may remove
         * __main__ from sys.modules, and d must outlive that. */
        main_mod = PyImport_AddModule("__main__");
        Py_XINCREF(main_mod);
        d = main_mod ? PyModule_GetDict(main_mod) : NULL;
        name = PyUnicode_DecodeFSDefault(script_path);
        if (!d || !name || PyDict_SetItemString(d, "__file__", name) < 0 ||
            PyDict_SetItemString(d, "__cached__", Py_None) < 0)
                goto error;
        loader_class = source_file_loader
                           ? Py_NewRef(source_file_loader)
                           : attr_of("_frozen_importlib_external", "SourceFileLoader");
        if (loader_class)
                loader = PyObject_CallFunction(loader_class, "sO", "__main__", name);
        if (!loader || PyDict_SetItemString(d, "__loader__", loader) < 0)
                goto error;
        Py_DECREF(loader);
        Py_DECREF(loader_class);
        Py_DECREF(name);

        v = PyRun_FileExFlags(fp, script_path, Py_file_input, d, d, 1, &cf);
        flush_io();
        if (v) {
                Py_DECREF(v);
        } else if (PyErr_ExceptionMatches(PyExc_SystemExit)) {
                system_exit = _Py_HandleSystemExit(&exitcode);
                if (!system_exit) {
                        PyErr_Print();
                        exitcode = 1;
                }
        } else {
                PyErr_Print();
                exitcode = 1;
        }
        /* CPython removes these after a run that returns, not on SystemExit
         * (which exits from inside the error printing). */
        if (!system_exit) {
                if (PyDict_DelItemString(d, "__file__") < 0)
                        PyErr_Clear();
                if (PyDict_DelItemString(d, "__cached__") < 0)
                        PyErr_Clear();
        }
        Py_DECREF(main_mod);
        return exitcode;
error:
        PyErr_Print();
        return 1;
}

/* flush_std_files() of pylifecycle.c: -1 if a flush failed. `report`:
 * print a stdout failure as CPython does (its second flush, after the
 * modules are gone, finds no sys.stdout and says nothing; a stderr failure
 * is never printed). */
static int flush_std_files(bool report)
{
        int out = flush_stream(PySys_GetObject("stdout"), report);
        int err = flush_stream(PySys_GetObject("stderr"), false);

        return out < 0 || err < 0 ? -1 : 0;
}

/* What the zygote had imported and defined before any run: shut-down
 * leaves these alone (see finish_like_python). */
static PyObject *zygote_modules, *zygote_builtins, *zygote_sys;

static PyObject *key_set(PyObject *dict)
{
        return dict ? PyFrozenSet_New(dict) : NULL;
}

static void snapshot_zygote(void)
{
        PyObject *builtins = PyEval_GetBuiltins();

        zygote_modules = key_set(PyImport_GetModuleDict());
        zygote_builtins = key_set(builtins);
        zygote_sys = key_set(PyModule_GetDict(PyImport_AddModule("sys")));
        PyErr_Clear();
}

/* The keys of dict that old lacks (and `also`, if dict has it), in the
 * dict's order. PyDict_Next leaves the other keys' reference counts alone:
 * a run then copies none of the pages that hold the zygote's names. */
static PyObject *keys_not_in(PyObject *dict, PyObject *old, const char *also)
{
        PyObject *keys = PyList_New(0), *k, *v;
        Py_ssize_t pos = 0;

        while (keys && dict && old && PyDict_Next(dict, &pos, &k, &v))
                if ((PySet_Contains(old, k) == 0 ||
                     (also && PyUnicode_CompareWithASCIIString(k, also) == 0)) &&
                    PyList_Append(keys, k) < 0)
                        Py_CLEAR(keys);
        PyErr_Clear();
        return keys;
}

/* Deletes from dict the keys the zygote did not have. */
static void drop_new_keys(PyObject *dict, PyObject *old)
{
        PyObject *keys = keys_not_in(dict, old, NULL);

        for (Py_ssize_t i = 0; keys && i < PyList_GET_SIZE(keys); i++)
                if (PyDict_DelItem(dict, PyList_GET_ITEM(keys, i)) < 0)
                        PyErr_Clear();
        Py_XDECREF(keys);
}

/* finalize_modules() of pylifecycle.c, for what the run added: the special
 * names go, the standard streams are put back, the run's modules (and
 * __main__) leave sys.modules in import order, builtins the run added go,
 * a collection runs finalizers, the globals of the modules still alive are
 * cleared in reverse order, then the attributes the run put on sys go and
 * the original streams are flushed (by then CPython has no sys.stdout to
 * report a failure on). */
static void finalize_run_modules(void)
{
        const char *const special[] = {"last_type", "last_value", "last_traceback"};
        const char *const streams[][2] = {
            {"stdin", "__stdin__"}, {"stdout", "__stdout__"}, {"stderr", "__stderr__"}};
        PyObject *modules = PyImport_GetModuleDict();
        PyObject *names = keys_not_in(modules, zygote_modules, "__main__"), *weak = PyList_New(0);

        for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++)
                if (PySys_GetObject(special[i]) && PySys_SetObject(special[i], Py_None) < 0)
                        PyErr_Clear();
        for (size_t i = 0; i < sizeof(streams) / sizeof(streams[0]); i++) {
                PyObject *orig = PySys_GetObject(streams[i][1]);
                if (orig && PySys_SetObject(streams[i][0], orig) < 0)
                        PyErr_Clear();
        }
        for (Py_ssize_t i = 0; names && weak && i < PyList_GET_SIZE(names); i++) {
                PyObject *name = PyList_GET_ITEM(names, i), *mod, *ref;
                mod = PyDict_GetItem(modules, name);
                if (mod && PyModule_Check(mod)) {
                        ref = PyWeakref_NewRef(mod, NULL);
                        if (ref) {
                                PyList_Append(weak, ref);
                                Py_DECREF(ref);
                        }
                }
                PyErr_Clear();
                if (PyDict_SetItem(modules, name, Py_None) < 0)
                        PyErr_Clear();
        }
        for (Py_ssize_t i = 0; names && i < PyList_GET_SIZE(names); i++) {
                PyObject *name = PyList_GET_ITEM(names, i);
                if (PyDict_GetItem(modules, name) == Py_None && PyDict_DelItem(modules, name) < 0)
                        PyErr_Clear();
        }
        Py_XDECREF(names);
        drop_new_keys(PyEval_GetBuiltins(), zygote_builtins);
        PyGC_Collect();
        for (Py_ssize_t i = weak ? PyList_GET_SIZE(weak) - 1 : -1; i >= 0; i--) {
                PyObject *mod = PyWeakref_GetObject(PyList_GET_ITEM(weak, i));
                if (mod && mod != Py_None) {
                        Py_INCREF(mod);
                        _PyModule_Clear(mod);
                        Py_DECREF(mod);
                }
                PyErr_Clear();
        }
        Py_XDECREF(weak);
        /* CPython clears sys last, all of it: finalizers of what the run
         * put on sys find no sys.stdout or sys.stderr then. */
        flush_std_files(false);
        {
                PyObject *sysd = PyModule_GetDict(PyImport_AddModule("sys"));
                PyObject *out = PyDict_GetItemString(sysd, "stdout");
                PyObject *err = PyDict_GetItemString(sysd, "stderr");
                Py_XINCREF(out);
                Py_XINCREF(err);
                if (PyDict_DelItemString(sysd, "stdout") < 0)
                        PyErr_Clear();
                if (PyDict_DelItemString(sysd, "stderr") < 0)
                        PyErr_Clear();
                drop_new_keys(sysd, zygote_sys);
                PyGC_Collect();
                PyErr_Clear();
                if (out && PyDict_SetItemString(sysd, "stdout", out) < 0)
                        PyErr_Clear();
                if (err && PyDict_SetItemString(sysd, "stderr", err) < 0)
                        PyErr_Clear();
                Py_XDECREF(out);
                Py_XDECREF(err);
        }
        flush_std_files(false);
}

/* The observable part of Py_FinalizeEx, then exit like Py_RunMain: join
 * non-daemon threads, run atexit callbacks, flush stdio (a failure makes
 * the status 120), drop __main__ and collect, so that its objects' __del__
 * run and print; an uncaught KeyboardInterrupt ends by SIGINT. The
 * preloaded modules are not torn down: that would write to every page the
 * run shares with the zygote (about 60 ms here) and nobody can see it. */
static _Noreturn void finish_like_python(int exitcode)
{
        PyObject *threading = PyDict_GetItemString(PyImport_GetModuleDict(), "threading");
        PyObject *atexit_mod, *r;
        int status;

        if (threading) {
                Py_INCREF(threading);
                r = PyObject_CallMethod(threading, "_shutdown", NULL);
                if (!r)
                        PyErr_WriteUnraisable(threading);
                Py_XDECREF(r);
                Py_DECREF(threading);
        }
        PyErr_Clear();
        atexit_mod = atexit_module ? Py_NewRef(atexit_module) : PyImport_ImportModule("atexit");
        if (atexit_mod) {
                r = PyObject_CallMethod(atexit_mod, "_run_exitfuncs", NULL);
                Py_XDECREF(r);
                Py_DECREF(atexit_mod);
        }
        PyErr_Clear();
        status = flush_std_files(true);
        PyGC_Collect();
        finalize_run_modules();
        PyErr_Clear();
        if (status < 0)
                exitcode = 120;
        if (_Py_UnhandledKeyboardInterrupt) {
                signal(SIGINT, SIG_DFL);
                kill(getpid(), SIGINT);
                exitcode = 128 + SIGINT;
        }
        fflush(NULL);
        _exit(exitcode);
}

/* The program's process, its box ready (zyrun.c): the script, run and
 * ended the way `python3 file` does. */
static _Noreturn void run_python(const struct warm_request *rq, int status_fd)
{
        (void)rq;
        (void)status_fd;
        prctl(PR_SET_NAME, "python3", 0, 0, 0);
        PyOS_AfterFork_Child();
        if (fresh_main() < 0) {
                PyErr_Print();
                _exit(1);
        }
        finish_like_python(run_script());
}

int main(int argc, char **argv)
{
        static const struct zyrun_hooks hooks = {
            .before_fork = PyOS_BeforeFork,
            .after_fork = PyOS_AfterFork_Parent,
            .fill_tmp = zyrun_write_program,
            .run_program = run_python,
        };
        struct warm_config cfg;
        struct warm_ready ready;

        zyrun_start("codeexec-pyzygote");
        if (argc > 1)
                script_path = argv[1];
        zyrun_configure(&cfg);
        single_threaded_env();
        init_python();
        memset(&ready, 0, sizeof(ready));
        preload(cfg.preload, &ready);
        zyrun_send_ready(&ready);
        zyrun_serve(&hooks);
}
