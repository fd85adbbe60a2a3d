"""An ED network whose class networks are shared out over worker processes (``TrainConfig.workers``).

Class networks are independent given the input spikes: no synapse crosses
between them, and each learns from its own output's error.  Each worker
process builds a shard, a contiguous range of class networks
(``EDNetwork(classes=(first, stop))``), once, and keeps it across epochs
(Brian2 objects do not pickle).  Every shard draws the same input spikes,
because the input layer is the only one that draws random numbers and every
shard seeds Brian2 alike before each phase (the models that draw their own
are refused).  A phase's batches come back from every shard and are joined
along the class axis, in class order, into what the whole network would have
returned: the same scores, predictions, records, spikes and weights, bit for
bit.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import traceback
import weakref
from multiprocessing.connection import wait

import numpy as np

from .batch import BatchResult
from .kinds import _EDKind

__all__ = ["ShardedED", "WorkerError", "shard_ranges"]

#: Seconds a worker gets to stop by itself before it is terminated.
STOP_TIMEOUT = 10


class WorkerError(RuntimeError):
    """A worker process failed or stopped; the network is closed."""


def shard_ranges(n_classes: int, workers: int) -> list:
    """(first, stop) of each worker's class networks: contiguous, sizes differing by one at most."""
    sizes = [n_classes // workers + (k < n_classes % workers) for k in range(workers)]
    stops = np.cumsum(sizes).tolist()
    return [(stop - size, stop) for size, stop in zip(sizes, stops)]


class ShardedED(_EDKind):
    """The ED network ``kind`` of ``config``, its class networks simulated by ``config.workers`` processes.

    It learns, tests and draws as the unsharded network (the methods of
    :class:`~edsnn.networks.ed.kinds._EDKind`, fed with the joined batches).
    Progress is reported per batch of the first shard, and the accuracy
    once the phase's batches are joined.
    """

    def __init__(self, kind, config, device: str | None = None):
        self.kind, self.config = kind.kind, config
        self.description = kind.describe(config)
        self.classes = shard_ranges(config.n_classes, config.workers)
        context = multiprocessing.get_context("spawn")  # a forked Brian2 state is not safe to reuse
        self._workers = []
        for first, stop in self.classes:
            conn, child = context.Pipe()
            process = context.Process(target=_serve, args=(child, kind, config, device, (first, stop)),
                                      name=f"edsnn-classes-{first}-{stop - 1}", daemon=True)
            process.start()
            child.close()
            self._workers.append((process, conn))
        self._close = weakref.finalize(self, _stop, list(self._workers))
        self._call("start")

    def close(self) -> None:
        """Stop the worker processes (also done when the network is garbage-collected)."""
        self._close()

    def batches(self, phase, images, labels, epoch, seed, progress=None):
        shown = None if progress is None else lambda n: progress(n, None)
        parts = self._call(phase, images, labels, epoch, seed, progress=shown)
        joined = [(start, self._join([shard[k][1] for shard in parts])) for k, (start, _) in enumerate(parts[0])]
        if progress is not None:
            progress(0, np.concatenate([r.prediction for _, r in joined]) == labels)
        return joined

    def get_state(self) -> dict:
        states = self._call("get_state")
        return {key: np.concatenate([state[key] for state in states]) for key in states[0]}

    def set_state(self, state: dict) -> None:
        self._call("set_state", each=[({key: np.asarray(array)[first:stop] for key, array in state.items()},)
                                      for first, stop in self.classes])

    def _join(self, parts) -> BatchResult:
        """One batch's shard results, joined along the class-neuron axis in class order."""
        def joined(records):
            return None if records[0] is None else {
                layer: np.concatenate([r[layer] for r in records], axis=1) for layer in records[0]}

        spikes = None
        if parts[0].spikes is not None:
            sizes = self.description.sizes()
            spikes = {layer: _merged([p.spikes[layer] for p in parts],
                                     [first * sizes[layer] for first, _ in self.classes])
                      for layer in parts[0].spikes}
        return BatchResult(activity=joined([p.activity for p in parts]), counts=joined([p.counts for p in parts]),
                           score=np.concatenate([p.score for p in parts], axis=1), spikes=spikes)

    def _call(self, method, *args, each=None, progress=None) -> list:
        """Run ``method`` in every worker (``each``: one argument tuple per worker); their results in order."""
        try:
            for k, (_, conn) in enumerate(self._workers):
                conn.send((method, each[k] if each is not None else args))
            results, waiting = {}, {conn: k for k, (_, conn) in enumerate(self._workers)}
            while waiting:
                for conn in wait(list(waiting)):
                    k = waiting[conn]
                    kind, value = self._receive(k)
                    if kind == "progress":
                        if k == 0 and progress is not None:
                            progress(value)
                        continue
                    if kind == "error":
                        raise WorkerError(f"the worker of class networks {self._name(k)} failed: {value}")
                    results[k] = value
                    del waiting[conn]
        except BaseException:  # an error, or an interruption: the shards no longer agree, stop them now
            for process, _ in self._workers:
                process.terminate()
            self.close()
            raise
        return [results[k] for k in range(len(self._workers))]

    def _receive(self, k):
        process, conn = self._workers[k]
        try:
            return conn.recv()
        except (EOFError, OSError):
            process.join(STOP_TIMEOUT)
            raise WorkerError(f"the worker of class networks {self._name(k)} stopped (exit code "
                              f"{process.exitcode}); a script that starts workers must guard its entry point "
                              "with 'if __name__ == \"__main__\":', as worker processes import it") from None

    def _name(self, k) -> str:
        first, stop = self.classes[k]
        return f"{first}..{stop - 1}"


def _merged(parts, offsets) -> tuple:
    """Spike (units, times) of shards as one layer's: units offset, in time order then unit order."""
    units = np.concatenate([np.asarray(u, dtype=np.int64) + offset for (u, _), offset in zip(parts, offsets)])
    times = np.concatenate([np.asarray(t, dtype=float) for _, t in parts])
    order = np.lexsort((units, times))
    return units[order].astype(np.asarray(parts[0][0]).dtype), times[order]


def _stop(workers) -> None:
    """Ask the workers to stop; terminate those that do not within :data:`STOP_TIMEOUT`."""
    for _, conn in workers:
        try:
            conn.send(None)
        except OSError:
            pass
    for process, conn in workers:
        process.join(STOP_TIMEOUT)
        if process.is_alive():
            process.terminate()
            process.join()
        conn.close()


def _serve(conn, kind, config, device, classes) -> None:
    """A worker: build the shard of class networks ``classes``, then answer the parent's calls."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops its workers on an interruption
    network = None
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        method, args = request
        try:
            if method == "start":
                network = kind(config, device, classes=classes, directory=_build_folder(classes))
                result = None
            elif method in ("learn", "test"):
                report = lambda n, correct=None: conn.send(("progress", n))  # noqa: E731
                batches = network.batches(method, *args, progress=report)
                # learning keeps the scores only: the records of every training batch would fill the memory
                result = [(start, BatchResult({}, None, r.score) if method == "learn" else r) for start, r in batches]
            else:
                result = getattr(network, method)(*args)
        except Exception:
            conn.send(("error", traceback.format_exc()))
            continue
        conn.send(("done", result))


def _build_folder(classes) -> str | None:
    """A standalone build folder of the worker's own under ``$EDSNN_BUILD_DIR``, if set (else a fresh one)."""
    root = os.environ.get("EDSNN_BUILD_DIR")
    return os.path.join(root, f"classes-{classes[0]}-{classes[1] - 1}") if root else None
