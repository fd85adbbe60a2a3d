"""brian2cuda settings for ``--device cuda`` (``cuda_standalone``).

:func:`configure_cuda` sets the Brian2 preferences that brian2cuda 1.0a7
needs with CUDA 13 (see docs/devices.md): it is called by
:class:`~edsnn.model.devices.StandaloneRun` before the device is selected.

* brian2cuda must be installed (``pip install edsnn[cuda]``) and a CUDA
  compiler (``nvcc``) present; both are checked, with a clear error.
* GPU: when ``nvidia-smi`` lists one, GPU ``EDSNN_CUDA_GPU`` (default 0) is
  used with the compute capability that ``nvidia-smi`` reports; without a GPU
  the code can still be generated and compiled (not run) for the compute
  capability ``EDSNN_CUDA_CC`` (default 9.0: H100/H200).
* CUDA 13's Thrust needs C++17 (brian2cuda's makefile says C++11).
* cuRAND headers and library are taken from the CUDA installation or, if it
  lacks them, from the ``nvidia-curand`` pip package; a ``libcurand.so`` link
  is made in a cache folder when the package holds only ``libcurand.so.10``.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

__all__ = ["configure_cuda", "CudaSetup", "gpu_compute_capability", "find_cuda_path", "find_curand"]

#: Compute capability compiled for when no GPU is visible (H100/H200).
DEFAULT_COMPUTE_CAPABILITY = 9.0


class CudaSetup(dict):
    """What :func:`configure_cuda` chose (cuda path, GPU, compute capability, cuRAND dirs)."""


def configure_cuda(compute_capability: float | None = None, gpu_id: int | None = None) -> CudaSetup:
    """Set Brian2's preferences for brian2cuda's ``cuda_standalone`` device.

    Parameters
    ----------
    compute_capability : float, optional
        Compile for this compute capability (e.g. 9.0).  Default: the GPU's, as
        ``nvidia-smi`` reports it, else ``EDSNN_CUDA_CC``, else 9.0.
    gpu_id : int, optional
        GPU to run on (default: ``EDSNN_CUDA_GPU``, else 0).

    Returns
    -------
    CudaSetup
        The choices made, for run records.

    Raises
    ------
    ImportError
        brian2cuda is not installed.
    RuntimeError
        No CUDA compiler (``nvcc``) or no cuRAND found.
    """
    try:
        import brian2cuda  # noqa: F401  (registers the cuda_standalone device and its prefs)
    except ImportError as err:
        raise ImportError(
            "--device cuda needs brian2cuda: pip install 'edsnn[cuda]' (brian2cuda==1.0a7 and nvidia-curand)"
        ) from err
    from brian2 import prefs

    cuda_path = find_cuda_path()
    gpu_cc = gpu_compute_capability(gpu_id)
    if compute_capability is None:
        compute_capability = gpu_cc if gpu_cc is not None else float(
            os.environ.get("EDSNN_CUDA_CC", DEFAULT_COMPUTE_CAPABILITY))
    if gpu_id is None:
        gpu_id = int(os.environ.get("EDSNN_CUDA_GPU", 0))
    include_dir, library_dir = find_curand(cuda_path)

    backend = prefs.devices.cuda_standalone.cuda_backend
    backend.cuda_path = cuda_path
    backend.detect_cuda = True
    backend.detect_gpus = False  # needs nvidia-smi and deviceQuery; we choose ourselves
    backend.gpu_id = gpu_id
    backend.compute_capability = float(compute_capability)
    nvcc_args = [a for a in backend.extra_compile_args_nvcc if not a.startswith("-std=")]
    backend.extra_compile_args_nvcc = nvcc_args + ["-std=c++17"]
    gcc_args = [a for a in prefs.codegen.cpp.extra_compile_args_gcc if not a.startswith("-std=")]
    prefs.codegen.cpp.extra_compile_args_gcc = gcc_args + ["-std=c++17"]
    for name, folder in (("include_dirs", include_dir), ("library_dirs", library_dir),
                         ("runtime_library_dirs", library_dir)):
        key = f"codegen.cpp.{name}"
        if folder is not None and folder not in prefs[key]:
            prefs[key] = list(prefs[key]) + [folder]
    return CudaSetup(cuda_path=cuda_path, gpu=gpu_cc is not None, gpu_id=gpu_id,
                     compute_capability=float(compute_capability),
                     curand_include=include_dir, curand_lib=library_dir)


def find_cuda_path() -> str:
    """Folder of the CUDA installation (the one holding ``bin/nvcc`` and ``include/``).

    ``CUDA_PATH`` first; else the folder of ``nvcc`` on the ``PATH`` (through
    wrapper scripts: the first of its parents, ``/usr/local/cuda`` and
    ``/usr/local/cuda-*`` that holds ``include/cuda_runtime.h``).
    """
    candidates = []
    if os.environ.get("CUDA_PATH"):
        candidates.append(os.environ["CUDA_PATH"])
    nvcc = shutil.which("nvcc")
    if nvcc is not None:
        candidates.append(str(Path(os.path.realpath(nvcc)).parent.parent))
    candidates += ["/usr/local/cuda", *sorted(glob.glob("/usr/local/cuda-*"), reverse=True), "/opt/cuda"]
    for path in candidates:
        if (Path(path) / "bin" / "nvcc").exists() and (Path(path) / "include" / "cuda_runtime.h").exists():
            return path
    raise RuntimeError(
        "--device cuda needs the CUDA compiler nvcc (CUDA toolkit 12 or 13), which was not found: "
        "put nvcc on the PATH or set CUDA_PATH to the CUDA installation folder"
    )


def gpu_compute_capability(gpu_id: int | None = None) -> float | None:
    """Compute capability of a visible GPU as ``nvidia-smi`` reports it, or None without one."""
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None
    try:
        out = subprocess.run([smi, "--query-gpu=compute_cap", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    if not lines:
        return None
    index = gpu_id if gpu_id is not None else int(os.environ.get("EDSNN_CUDA_GPU", 0))
    try:
        return float(lines[min(index, len(lines) - 1)])
    except ValueError:
        return None


def find_curand(cuda_path: str) -> tuple[str | None, str | None]:
    """Include and library folders for cuRAND.

    (None, None) when the CUDA installation has both; else the ``nvidia-curand``
    pip package's folders, with a ``libcurand.so`` link in a cache folder if
    the package holds only the versioned library.
    """
    cuda = Path(cuda_path)
    in_toolkit = (cuda / "include" / "curand.h").exists() and any(
        (cuda / d / "libcurand.so").exists() for d in ("lib64", "lib", "targets/x86_64-linux/lib"))
    if in_toolkit:
        return None, None
    roots = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *sys.path}
    headers = sorted(
        {str(p.parent) for root in roots if root and Path(root).is_dir()
         for p in Path(root).glob("nvidia/*/include/curand.h")}
        | {str(p.parent) for root in roots if root and Path(root).is_dir()
           for p in Path(root).glob("nvidia/curand/include/curand.h")},
        reverse=True,  # cu13 before cu12
    )
    if not headers:
        raise RuntimeError(
            "--device cuda needs cuRAND, absent from the CUDA installation at "
            f"{cuda_path}: pip install nvidia-curand"
        )
    include_dir = headers[0]
    lib_dir = Path(include_dir).parent / "lib"
    if (lib_dir / "libcurand.so").exists():
        return include_dir, str(lib_dir)
    versioned = sorted(lib_dir.glob("libcurand.so.*"))
    if not versioned:
        raise RuntimeError(f"cuRAND headers found in {include_dir} but no libcurand.so in {lib_dir}")
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "edsnn" / "curand"
    cache.mkdir(parents=True, exist_ok=True)
    link = cache / "libcurand.so"
    target = versioned[0].resolve()
    if not link.is_symlink() or link.resolve() != target:
        if link.exists() or link.is_symlink():
            link.unlink()
        link.symlink_to(target)
    # The program finds libcurand.so.10 at run time through this folder too.
    versioned_link = cache / versioned[0].name
    if not versioned_link.exists():
        versioned_link.symlink_to(target)
    return include_dir, str(cache)
