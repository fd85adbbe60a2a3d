"""What runs on a Dask worker during a sweep: one training run, with its own Brian2 folders.

Imported only when a sweep runs (it imports :mod:`distributed`), so that the
command line starts fast.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
import traceback
from pathlib import Path

from distributed import get_worker
from distributed.diagnostics.plugin import WorkerPlugin

from edsnn.config import TrainConfig
from edsnn.runs import RunFolder, RunFolderError

__all__ = ["BrianCachePlugin", "configure_brian", "default_cache_root", "worker_cache_dir", "run_point"]


def default_cache_root() -> Path:
    """``$EDSNN_CACHE`` or ``~/.cache/edsnn``: where the per-worker Brian2 folders live."""
    root = os.environ.get("EDSNN_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "edsnn")
    return Path(root) / "sweep-workers"


def worker_cache_dir(root=None, worker_name=None) -> Path:
    """The Brian2 folder of this worker: ``<root>/<host>-<worker name or pid>``.

    A LocalCluster names its workers 0, 1, ..., so the same folders (and the
    Cython modules compiled into them) serve the next sweep again.  Brian2
    guards each Cython module with a file lock, so two clusters on one host
    that reuse a worker name stay safe.
    """
    if worker_name is None:
        try:
            worker_name = get_worker().name
        except ValueError:  # not on a worker
            worker_name = f"pid{os.getpid()}"
    key = re.sub(r"[^A-Za-z0-9_.-]", "_", f"{socket.gethostname()}-{worker_name}")
    return Path(root or default_cache_root()) / key


def configure_brian(root=None, worker_name=None) -> Path:
    """Point Brian2's Cython cache and the standalone build folder at this worker's folder.

    Sets ``prefs.codegen.runtime.cython.cache_dir`` to ``<folder>/cython`` and
    ``EDSNN_BUILD_DIR`` (read by :func:`edsnn.model.device_run`) to
    ``<folder>/standalone-<pid>``.
    """
    from brian2 import prefs

    folder = worker_cache_dir(root, worker_name)
    (folder / "cython").mkdir(parents=True, exist_ok=True)
    prefs.codegen.runtime.cython.cache_dir = str(folder / "cython")
    os.environ["EDSNN_BUILD_DIR"] = str(folder / f"standalone-{os.getpid()}")
    return folder


class BrianCachePlugin(WorkerPlugin):
    """Dask worker plugin: a Brian2 cache and build folder per worker (:func:`configure_brian`)."""

    name = "edsnn-brian-cache"

    def __init__(self, root=None):
        self.root = str(root) if root is not None else None

    def setup(self, worker):
        configure_brian(self.root, worker.name)


#: Brian2's device and preferences are per process: one run at a time in a worker.
_PROCESS_LOCK = threading.Lock()


def _finished(folder: str, epochs: int) -> bool:
    try:
        return RunFolder(folder).finished_epoch() >= epochs
    except RunFolderError:
        return False


def run_point(config_dict: dict, folder: str, log: str, restart: bool, cache_root, command_line: str) -> dict:
    """Train one point (runs on a worker); never raises for a failing run.

    A point found finished (Dask runs a task again when the worker holding
    its result died) is left as it is, unless ``restart``.
    """
    from .training import train

    with _PROCESS_LOCK:
        started = time.time()
        info = {"pid": os.getpid(), "host": socket.gethostname()}
        if not restart and _finished(folder, TrainConfig.from_dict(config_dict).epochs):
            return {**info, "status": "done", "seconds": 0.0}
        try:
            info["cache"] = str(configure_brian(cache_root))
            config = TrainConfig.from_dict(config_dict)
            Path(log).parent.mkdir(parents=True, exist_ok=True)
            with open(log, "a", encoding="utf-8") as handle:
                def echo(*args, **kwargs):
                    print(*args, file=handle, flush=True)

                echo(f"# {time.strftime('%Y-%m-%d %H:%M:%S')} pid {os.getpid()}: "
                     f"{'restart' if restart else 'resume or start'} {folder}")
                train(config, folder, resume=not restart, overwrite=restart, progress=False, echo=echo,
                      command_line=command_line)
            info.update(status="done", seconds=time.time() - started)
        except Exception as err:  # a failing point must not end the sweep
            info.update(status="failed", seconds=time.time() - started,
                        error=f"{type(err).__name__}: {err}", traceback=traceback.format_exc())
        return info
