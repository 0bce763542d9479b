# warm_imports: how a warm Python zygote hands its preloaded modules to a run
# as a fresh python3 would import them. Embedded in codeexec-pyzygote
# (zygote.c executes this file once, before any run, and calls the two
# functions below); it is not a module of the run's, and it must not import
# anything a fresh interpreter has not imported (os, sys and importlib's own
# modules are there from the start).
#
# Theory of operation.
#
# 1. record_imports(), while the zygote imports its preloads, records which
#    modules each module's import asked for: every module loaded (importlib's
#    _find_and_load, which every import of a module not yet loaded goes
#    through), every import statement or C-level import of one already loaded
#    (builtins.__import__), each counted for the module whose import was
#    running, in the order asked, and whatever else entered sys.modules
#    meanwhile (typing puts typing.io there itself, Cython modules their
#    runtime). Both functions are wrapped only until the preloads are hidden,
#    and put back as they were (the same objects) before any run.
#
# 2. hide_preloads() then takes every preloaded module out of sys.modules, so
#    that a run starts with what a fresh interpreter has (and removing them
#    costs a run nothing: done per run, those ~1000 deletions each wrote to a
#    page of the zygote's, half of a numpy run's copy-on-write faults). A
#    module comes back when a run imports it, unless a file of the run's (its
#    script's directory, or any path entry before the module's own) would
#    have been found first, as PathFinder would do. It brings back with it
#    every module its import asked for, transitively: what a fresh import of
#    it would have loaded, and what its code expects in sys.modules. They
#    enter sys.modules in the order a fresh import leaves them (a module after
#    everything it imported) and fire the "import" audit events a fresh import
#    fires, in its order. numpy's global RandomState, seeded when the zygote
#    imported it, is reseeded from fresh entropy when it comes back, as a
#    fresh import would seed it.
#
#    Two ways in: serve(name), which zygote.c calls from the C function it
#    puts in place of importlib's _find_and_load (a served import then runs
#    none of the import machinery's Python code, whose first run in a fresh
#    child copied a page per code object it touched), and PathFinder.find_spec
#    (wrapped, so that sys.meta_path is unchanged), for imports that reach the
#    machinery anyway: importlib.util.find_spec, a finder the run put first in
#    sys.meta_path, reloads.
#
#    A module is handed out once per run. Imported again (the run deleted it
#    from sys.modules, or reloads it) it comes from its file, as in a fresh
#    interpreter; so does a module whose closure the run changed (one of its
#    dependencies replaced or handed out and deleted), or any module while a
#    finder of the run's comes first in sys.meta_path — unless the module or
#    one of its dependencies is a C extension loaded from a file: such a
#    module cannot be initialized twice in one process (numpy warns and keeps
#    its state), so it is served as it is, and a finder of the run's is asked
#    for its name only, not for what it imports (docs/warm-python.md).


def record_imports():
    """Wraps the import functions; returns (deps, imported, stop): the
    modules each module's import asked for (name -> ordered names), the
    modules really imported (not just put in sys.modules), and the function
    that puts the originals back."""
    import builtins
    import sys
    import _frozen_importlib as bootstrap

    deps, imported, stack = {}, set(), []
    real_import, real_find_and_load = builtins.__import__, bootstrap._find_and_load

    def note(name):
        if stack and name != stack[-1]:
            deps.setdefault(stack[-1], {})[name] = None

    def _find_and_load(name, import_):
        note(name)
        imported.add(name)
        stack.append(name)
        before = set(sys.modules)
        try:
            return real_find_and_load(name, import_)
        finally:
            stack.pop()
            for n in [n for n in sys.modules if n not in before and n != name]:
                deps.setdefault(name, {})[n] = None

    def __import__(name, globals=None, locals=None, fromlist=(), level=0):
        module = real_import(name, globals, locals, fromlist, level)
        if stack:
            try:
                if level:
                    name = bootstrap._resolve_name(name, bootstrap._calc___package__(globals), level)
                note(name)
                for f in fromlist or ():
                    if isinstance(f, str) and name + '.' + f in sys.modules:
                        note(name + '.' + f)
            except Exception:
                pass
        return module

    def stop():
        builtins.__import__ = real_import
        bootstrap._find_and_load = real_find_and_load

    builtins.__import__ = __import__
    bootstrap._find_and_load = _find_and_load
    return deps, imported, stop


def hide_preloads(startup, groups, deps, imported):
    """Takes the preloads (every module not in `startup`) out of sys.modules
    and installs the PathFinder wrapper; returns (serve, served): the
    function that hands a module out, and the names it may hand out (not
    those a finder before PathFinder would find, frozen modules for one,
    except built-in modules a preload left as a fresh import makes them). `groups`:
    sys.modules' keys after each preload; `deps`, `imported`: what
    record_imports() saw (None if it could not record: a module then brings
    back every module of its preload and of those before it)."""
    import os
    import sys
    import _imp
    from importlib.machinery import (EXTENSION_SUFFIXES, BuiltinImporter, ExtensionFileLoader,
                                     ModuleSpec, PathFinder)

    cached = {n: m for n, m in list(sys.modules.items()) if n not in startup and m is not None}
    specs = {n: getattr(m, '__spec__', None) for n, m in cached.items()}
    group = {}
    for i, g in enumerate(groups):
        for n in g:
            group.setdefault(n, i)

    # What a fresh import of each module loads: the modules in the order
    # their imports start (audit events) and in the order they finish
    # (sys.modules), from a walk of what each import asked for.
    def with_parents(names):
        out = {}
        for d in names:
            parts = d.split('.')
            for i in range(1, len(parts) + 1):
                out['.'.join(parts[:i])] = None
        return tuple(n for n in out if n in cached)

    edges = {n: with_parents(d) for n, d in deps.items()} if deps is not None else None

    def walk(name):
        starts, ends, seen = [], [], {name}
        stack = [(name, iter(edges.get(name, ())))]
        while stack:
            n, rest = stack[-1]
            for d in rest:
                if d not in seen:
                    seen.add(d)
                    starts.append(d)
                    stack.append((d, iter(edges.get(d, ()))))
                    break
            else:
                stack.pop()
                if n != name:
                    ends.append(n)
        return starts, ends

    def in_groups(name):
        upto = group.get(name, len(groups))
        names = [n for n in cached if n != name and group.get(n, len(groups)) <= upto]
        return names, names

    closures = {n: walk(n) if edges is not None else in_groups(n) for n in cached}
    loaded_from = {n: s.origin for n, s in specs.items()
                   if isinstance(getattr(s, 'loader', None), ExtensionFileLoader)}
    reloadable = {n for n, (_, ends) in closures.items()
                  if n not in loaded_from and not any(d in loaded_from for d in ends)}

    # Would a file of the run's be found first? The directory a module was
    # found in, compared by (device, inode); each path entry listed once.
    suffixes = tuple(EXTENSION_SUFFIXES) + ('.py', '.pyc')

    def home(mod):
        f = getattr(mod, '__file__', None)
        if not f:
            return None
        d = os.path.dirname(f)
        return os.path.dirname(d) if hasattr(mod, '__path__') else d

    def ident(path):
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            return None
        return st.st_dev, st.st_ino

    homes = {n: home(m) for n, m in cached.items() if '.' not in n}
    home_ids = {n: ident(h) for n, h in homes.items() if h is not None}

    def is_home(name, d):
        """Whether path entry d is the directory the zygote found name in."""
        own_id = home_ids.get(name)
        if own_id is not None:
            return ident(d) == own_id
        return os.path.realpath(d) == homes[name]

    def has_module(d, name):
        try:
            names = os.listdir(d)
        except PermissionError:
            names = None
        except (OSError, ValueError):
            return False
        for sfx in suffixes:
            if (names is None or name + sfx in names) and os.path.isfile(os.path.join(d, name + sfx)):
                return True
        if names is not None and name not in names:
            return False
        return any(os.path.isfile(os.path.join(d, name, '__init__' + sfx)) for sfx in suffixes)

    # While sys.path is what a run starts with (its script's directory, as
    # zygote.c's run_script puts it first, then the zygote's), only the
    # entries a run can change are looked at per import: its own /tmp and
    # /dev/shm, and a relative entry (the current directory). Everything
    # else is the box's read-only root, whose answer is taken here once.
    script = sys.argv[0] if sys.argv else ''
    head = script.rpartition('/')[0] or ('/' if '/' in script else '')
    start_path = [head] + list(sys.path)

    def fixed(entry):
        if not entry.startswith('/'):
            return False
        real = os.path.realpath(entry)
        if any(real == m or real.startswith(m + '/') for m in ('/tmp', '/dev/shm')):
            return False
        d = real
        while True:  # a missing entry: the file system it would be on
            try:
                return bool(os.statvfs(d).f_flag & os.ST_RDONLY)
            except OSError:
                up = os.path.dirname(d)
                if up == d:
                    return False
                d = up

    fixed_entries = {e for e in start_path if isinstance(e, str) and fixed(e)}

    def plan(name):
        """(shadowed by a fixed entry, the changeable entries to look at)."""
        look = []
        for entry in start_path:
            if entry not in fixed_entries:
                look.append(entry)
                continue
            if is_home(name, entry):
                break
            if has_module(entry, name):
                return True, tuple(look)
        return False, tuple(look)

    plans = ({n: plan(n) for n, h in homes.items() if h is not None}
             if all(isinstance(e, str) for e in start_path) else {})

    def shadowed(name):
        if homes.get(name) is None:
            return False
        if name in plans and sys.path == start_path:
            hit, look = plans[name]
            return hit or any(has_module(e or os.getcwd(), name) for e in look)
        for entry in sys.path:
            d = entry or os.getcwd()
            if not isinstance(d, str):
                return False
            if is_home(name, d):
                return False
            if has_module(d, name):
                return True
        return False

    handed = set()  # what this run had from memory

    def changed(n):
        return (sys.modules[n] is not cached[n]) if n in sys.modules else (n in handed)

    def available(name):
        """The closure of `name` if the run may have it from memory, else None."""
        if name not in cached or name in handed:
            return None
        parent = name.rpartition('.')[0]
        if parent and sys.modules.get(parent) is not cached.get(parent):
            return None
        if not parent and shadowed(name):
            return None
        closure = closures[name]
        if name in reloadable and (tuple(sys.meta_path) != meta or
                                   any(changed(n) for n in closure[1] if n in served)):
            return None
        return closure

    def hand_out(name, closure):
        starts, ends = closure
        if name in loaded_from:
            sys.audit('import', name, loaded_from[name], None, None, None)
        for n in starts:
            if n in sys.modules or (imported is not None and n not in imported):
                continue
            sys.audit('import', n, None, sys.path, sys.meta_path, sys.path_hooks)
            if n in loaded_from:
                sys.audit('import', n, loaded_from[n], None, None, None)
        handed.add(name)
        for n in ends:
            if n in sys.modules:
                continue
            handed.add(n)
            m = cached[n]
            sys.modules[n] = m
            if n == 'numpy.random':
                try:
                    m.seed()
                except Exception:
                    pass

    class WarmPreloads:
        'codeexec: modules the warm interpreter imported ahead of the run'

        @staticmethod
        def find_spec(name, path=None, target=None):
            closure = available(name)
            if closure is None:
                return None
            hand_out(name, closure)
            mod, orig = cached[name], specs.get(name)
            spec = ModuleSpec(name, WarmPreloads, origin=getattr(orig, 'origin', None),
                              is_package=hasattr(mod, '__path__'))
            if orig is not None:
                spec.has_location = orig.has_location
                spec.submodule_search_locations = orig.submodule_search_locations
            return spec

        @staticmethod
        def create_module(spec):
            return cached[spec.name]

        @staticmethod
        def exec_module(module):
            orig = specs.get(module.__name__)
            if orig is not None:
                module.__spec__ = orig

    path_find_spec = PathFinder.find_spec

    def find_spec(cls, name, path=None, target=None):
        spec = WarmPreloads.find_spec(name, path, target)
        return spec if spec is not None else path_find_spec(name, path, target)

    for n in cached:
        sys.modules.pop(n, None)
    PathFinder.find_spec = classmethod(find_spec)

    # serve() may hand out a name only where the finders before PathFinder
    # would not find it, and only while sys.meta_path is as it is now.
    meta = tuple(sys.meta_path)
    first = meta[:meta.index(PathFinder)] if PathFinder in meta else None

    def claims(finders, n):
        """Whether a finder of `finders` would find n."""
        path = getattr(cached.get(n.rpartition('.')[0]), '__path__', None)
        try:
            return any(f.find_spec(n, path) is not None for f in finders)
        except Exception:
            return True

    # A built-in module (math, _heapq, _bisect ...) is made anew by each
    # fresh import; the zygote's may stand in for it when a fresh one would
    # hold the same: same names, the same or equal values (no preload
    # changed it). Checked here by making a fresh one.
    def pristine(n):
        mod, spec = cached[n], specs.get(n)
        if getattr(spec, 'origin', None) != 'built-in' or not _imp.is_builtin(n):
            return False
        try:
            fresh = _imp.create_builtin(spec)
            _imp.exec_builtin(fresh)
        except Exception:
            return False
        finally:
            sys.modules.pop(n, None)
        mine, theirs = vars(mod), vars(fresh)
        if mine.keys() != theirs.keys():
            return False
        for k, a in mine.items():
            if k in ('__spec__', '__loader__', '__package__'):  # the import system sets them
                continue
            b = theirs[k]
            try:
                if not (a is b or (type(a) is type(b) and
                                   (callable(a) or a == b or repr(a) == repr(b)))):  # nan
                    return False
            except Exception:
                return False
        return True

    builtin_first = (meta[:meta.index(BuiltinImporter)] if BuiltinImporter in meta else None)

    def servable(n):
        if first is None:
            return False
        if not claims(first, n):
            return True
        return (builtin_first is not None and not claims(builtin_first, n)
                and BuiltinImporter.find_spec(n) is not None and pristine(n))

    served = frozenset(n for n in cached if servable(n))

    def serve(name):
        """What importlib's _find_and_load would return for `name`, or None
        (then importlib's own runs)."""
        try:
            if name in sys.modules or tuple(sys.meta_path) != meta:
                return None
            closure = available(name)
            if closure is None:
                return None
            hand_out(name, closure)
            mod = sys.modules[name] = cached[name]
            parent, _, child = name.rpartition('.')
            if parent:
                setattr(sys.modules[parent], child, mod)
            return mod
        except Exception:
            return None

    # Run serve() here a dozen times for every top-level module: its code is
    # then specialized in the zygote, and a run's first import writes to
    # fewer of the zygote's pages (each write copies one).
    before = set(sys.modules)
    for _ in range(12):
        for n in served:
            if '.' not in n:
                serve(n)
        for n in [n for n in sys.modules if n not in before]:
            del sys.modules[n]
        handed.clear()
    return serve, served
