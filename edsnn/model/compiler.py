"""The default device: compiled C++ where a compiler works, else Brian2's runtime device."""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile

__all__ = ["default_device", "chosen_device", "compiler_works"]


def compiler_works(compiler: str, language: str = "c++") -> bool:
    """Whether ``compiler`` turns a tiny program into an executable."""
    if shutil.which(compiler) is None:
        return False
    with tempfile.TemporaryDirectory(prefix="edsnn-probe-") as folder:
        try:
            result = subprocess.run([compiler, "-x", language, "-", "-o", os.path.join(folder, "probe")],
                                    input="int main() { return 0; }\n", capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return False
    return result.returncode == 0


@functools.lru_cache(maxsize=None)
def default_device() -> str:
    """``"cpp"`` when ``make`` and the C++ compiler Brian2's makefile calls work.

    Otherwise ``"runtime"`` (Cython, which needs a C compiler) or, without any
    compiler, ``"numpy"``; the fallback is said once on stderr.  A run records the
    device it used, so a resumed or repeated run does not depend on this choice.
    """
    cxx = os.environ.get("CXX", "g++")  # make's default C++ compiler
    if shutil.which("make") and compiler_works(cxx):
        return "cpp"
    device = "runtime" if compiler_works(os.environ.get("CC", "cc"), "c") else "numpy"
    print(f"note: no working C++ compiler ({cxx}) or no make: training on the {device} device, "
          "several times slower than --device cpp", file=sys.stderr)
    return device


def chosen_device() -> str:
    """``TrainConfig.device``'s default: ``$EDSNN_DEVICE`` when set, else :func:`default_device`.

    The variable lets a machine or a test session pin the device of every
    run that does not name one (``EDSNN_DEVICE=runtime``).
    """
    return os.environ.get("EDSNN_DEVICE") or default_device()
