"""Compiled standalone programs kept between runs, keyed by their source code.

Compiling a network's ``cpp_standalone`` (or brian2cuda) program takes minutes on a
small machine, and every ``edsnn train`` builds in a fresh folder.  The program only
depends on its generated sources, its makefile (compiler flags) and the compiler:
:func:`install` makes a device look its program up in the cache folder by the hash of
those before compiling, and store it after.  The program is data-free (it reads its
arrays from the build folder it runs in), so a cached program run in any build folder
gives exactly what a fresh compilation there gives.

The cache folder is ``$EDSNN_CACHE`` (``off``: no cache), else ``$XDG_CACHE_HOME/edsnn``
or ``~/.cache/edsnn``; its ``programs/<hash>/`` entries can be deleted at any time
(``programs/<hash>.log`` lists the compilations of each).
Entries are written to a temporary folder and renamed into place, so concurrent runs
never see half an entry, and a lock per entry makes runs that need the same program at
once (sweep workers) compile it once.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["cache_root", "program_key", "canonical_main", "install"]

#: Generated files that are not part of the compiled program (data, outputs, logs, stamps).
_NOT_SOURCE = re.compile(r"^(static_arrays|results)/|\.o$|^main$|^make\.deps$|\.log$|\.lock$|^\.")

#: Makefile lines that set compiler or linker flags.
_FLAG_LINE = re.compile(r"^\w*(FLAGS|OPTIMISATIONS)\b.*$", re.MULTILINE)

#: File in a build folder naming the flags and toolchain its object files were compiled with.
_FLAGS_STAMP = ".edsnn-flags"

#: A statement that sets one array element to a literal (clock and ``t0`` initialisations).
_CONSTANT_SET = re.compile(r"^\s*(\w+)\[0\] = ([-+.\w]+);\s*$")


def cache_root() -> Path | None:
    """The cache folder, or None when ``EDSNN_CACHE`` is ``off``."""
    configured = os.environ.get("EDSNN_CACHE")
    if configured:
        return None if configured.lower() == "off" else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "edsnn"


def canonical_main(text: str) -> str:
    """``main.cpp`` with each run of single-element constant assignments sorted.

    Brian2 writes the clock initialisations in the iteration order of a set of
    objects, which changes from one Python process to the next; assignments of
    constants to distinct variables commute, so sorting them keeps the program
    and makes equal networks give equal sources.
    """
    lines, out, run = text.split("\n"), [], []

    def flush():
        targets = {}
        for line in run:
            name, value = _CONSTANT_SET.match(line).groups()
            targets.setdefault(name, set()).add(value)
        out.extend(sorted(run) if all(len(v) == 1 for v in targets.values()) else run)
        run.clear()

    for line in lines:
        if _CONSTANT_SET.match(line):
            run.append(line)
        else:
            flush()
            out.append(line)
    flush()
    return "\n".join(out)


@functools.lru_cache(maxsize=None)
def _toolchain() -> str:
    """Compilers' versions and the processor (flags such as ``-march=native`` depend on it)."""
    parts = [platform.machine(), sys.version]
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            parts += sorted({line for line in f if line.startswith(("model name", "flags"))})
    except OSError:
        pass
    for compiler in (os.environ.get("CXX", "c++"), "nvcc"):
        if shutil.which(compiler):
            result = subprocess.run([compiler, "--version"], capture_output=True, text=True)
            parts.append(result.stdout)
    return "\n".join(parts)


def program_key(directory: str) -> str:
    """Hash of the sources, makefile and toolchain that determine the program in ``directory``."""
    digest = hashlib.sha256(_toolchain().encode())
    root = Path(directory)
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        if not _NOT_SOURCE.search(name):
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def drop_stale_objects(directory: str) -> None:
    """Delete a reused build folder's object files if they were compiled with other flags or compilers.

    Brian2's makefile rebuilds an object when its source changes, not when the
    flags do; without this, a folder reused with new flags would link old objects.
    """
    folder = Path(directory)
    makefile = folder / "makefile"
    flags = "\n".join(m.group(0) for m in _FLAG_LINE.finditer(makefile.read_text() if makefile.is_file() else ""))
    stamp, current = folder / _FLAGS_STAMP, hashlib.sha256(f"{_toolchain()}\n{flags}".encode()).hexdigest()
    if not stamp.is_file() or stamp.read_text() != current:
        for path in [*folder.rglob("*.o"), folder / "main"]:
            path.unlink(missing_ok=True)
        stamp.write_text(current)


def _typical_seconds(programs: Path, kind: str) -> float | None:
    """Median compilation time of the cached programs of ``kind``."""
    times = []
    for info in programs.glob("*/info.json"):
        try:
            entry = json.loads(info.read_text())
        except (OSError, ValueError):
            continue
        if entry.get("kind") == kind:
            times.append(entry["seconds"])
    return sorted(times)[len(times) // 2] if times else None


def _restore(entry: Path, directory: str) -> bool:
    program = entry / "main"
    if not program.is_file():
        return False
    partial = os.path.join(directory, f".main-{os.getpid()}")
    shutil.copyfile(program, partial)
    os.chmod(partial, 0o755)
    os.replace(partial, os.path.join(directory, "main"))
    os.utime(entry)  # last use, for whoever prunes the cache
    return True


def _store(entry: Path, directory: str, kind: str, seconds: float) -> None:
    partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=entry.parent))
    try:
        shutil.copyfile(os.path.join(directory, "main"), partial / "main")
        (partial / "info.json").write_text(json.dumps({"kind": kind, "seconds": round(seconds, 1),
                                                       "created": time.strftime("%Y-%m-%d %H:%M:%S")}))
        os.rename(partial, entry)
    except OSError:  # another run stored the same program first, or the cache is not writable
        shutil.rmtree(partial, ignore_errors=True)


def install(device, kind: str, main_file: str = "main.cpp", notify=None) -> None:
    """Make ``device`` (a Brian2 standalone device) take its program from the cache when it can.

    Wraps the device's ``compile_source``: the sources are made canonical
    (:func:`canonical_main`) and hashed (:func:`program_key`); a cached program is
    copied into the build folder, otherwise the device compiles as usual, announcing
    it through ``notify`` (default: a line on stderr), and the program is stored.
    """
    notify = notify or (lambda text: print(text, file=sys.stderr, flush=True))
    compile_source = type(device).compile_source

    def cached_compile_source(directory, compiler, debug, clean):
        main = Path(directory, main_file)
        text = main.read_text(encoding="utf-8") if main.is_file() else ""
        if canonical_main(text) != text:
            main.write_text(canonical_main(text), encoding="utf-8")
        root = cache_root()
        if root is None:
            return compile_(directory, compiler, debug, clean, None)
        entry = root / "programs" / program_key(directory)
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            lock = open(f"{entry}.lock", "w")
        except OSError as err:
            notify(f"no program cache ({err})")
            return compile_(directory, compiler, debug, clean, None)
        # Runs building the same program at once (sweep workers) wait for the first one.
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if _restore(entry, directory):
                notify(f"reusing the compiled network from {entry}")
            else:
                compile_(directory, compiler, debug, clean, entry)

    def compile_(directory, compiler, debug, clean, entry):
        typical = _typical_seconds(entry.parent, kind) if entry else None
        estimate = f"~{typical:.0f} s" if typical else "a minute or more"
        notify(f"compiling the network ({kind}; first run of this structure, {estimate})…")
        start = time.perf_counter()
        drop_stale_objects(directory)
        compile_source(device, directory, compiler, debug, clean)
        seconds = time.perf_counter() - start
        notify(f"compiled in {seconds:.0f} s")
        if entry is not None:
            _store(entry, directory, kind, seconds)
            with open(f"{entry}.log", "a", encoding="utf-8") as log:  # one line per compilation
                log.write(f"{time.strftime('%Y-%m-%d %H:%M:%S')} compiled in {seconds:.1f} s (pid {os.getpid()})\n")

    device.compile_source = cached_compile_source
