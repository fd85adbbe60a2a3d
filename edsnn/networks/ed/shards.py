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

The shards run in processes started here (:class:`_Processes`), or, with
``TrainConfig.scheduler``, on the worker processes of a running Dask cluster
(:class:`_DaskShards`: each shard a Dask actor, one per worker, called batch
by batch so that progress is reported as on this machine).
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

__all__ = ["ShardedED", "ShardActor", "WorkerError", "shard_ranges"]

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
        pool = _Processes if config.scheduler is None else _DaskShards
        self._pool = pool(kind, config, device, self.classes)
        self._close = weakref.finalize(self, self._pool.close)

    def close(self) -> None:
        """Stop the shards' workers (also done when the network is garbage-collected)."""
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
        """Run ``method`` on every shard (``each``: one argument tuple per shard); their results in order."""
        each = each if each is not None else [args] * len(self.classes)
        try:
            return self._pool.call(method, each, progress)
        except BaseException:  # an error, or an interruption: the shards no longer agree, stop them now
            self._pool.close(at_once=True)
            self.close()
            raise


def _shard_name(classes) -> str:
    return f"{classes[0]}..{classes[1] - 1}"


class _Processes:
    """Shards in worker processes started on this machine, answering through pipes (:func:`_serve`)."""

    def __init__(self, kind, config, device, classes):
        self.classes = classes
        context = multiprocessing.get_context("spawn")  # a forked Brian2 state is not safe to reuse
        self._workers = []
        for first, stop in classes:
            conn, child = context.Pipe()
            process = context.Process(target=_serve, args=(child, kind, config, device, (first, stop)),
                                      name=f"edsnn-classes-{first}-{stop - 1}", daemon=True)
            process.start()
            child.close()
            self._workers.append((process, conn))
        try:
            self.call("start", [()] * len(classes), None)
        except BaseException:
            self.close()
            raise

    def call(self, method, each, progress) -> list:
        for k, (_, conn) in enumerate(self._workers):
            conn.send((method, each[k]))
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
                    raise WorkerError(f"the worker of class networks {_shard_name(self.classes[k])} failed: {value}")
                results[k] = value
                del waiting[conn]
        return [results[k] for k in range(len(self._workers))]

    def close(self, at_once: bool = False) -> None:
        """Stop the workers; ``at_once``: terminate them without waiting for their current call."""
        if at_once:
            for process, _ in self._workers:
                process.terminate()
        _stop(self._workers)
        self._workers = []

    def _receive(self, k):
        process, conn = self._workers[k]
        try:
            return conn.recv()
        except (EOFError, OSError):
            process.join(STOP_TIMEOUT)
            raise WorkerError(f"the worker of class networks {_shard_name(self.classes[k])} stopped (exit code "
                              f"{process.exitcode}); a script that starts workers must guard its entry point "
                              "with 'if __name__ == \"__main__\":', as worker processes import it") from None


class _DaskShards:
    """Shards held by the workers of a running Dask cluster, one :class:`ShardActor` per worker process
    (two shards in one process would share Brian2's device)."""

    def __init__(self, kind, config, device, classes):
        try:
            from distributed import Client
        except ImportError:
            raise ImportError("a Dask scheduler needs the 'distributed' package: pip install 'edsnn[sweep]'") from None
        self.classes, address = classes, config.scheduler
        try:
            self._client = Client(address, timeout="20s")
        except OSError as err:
            raise WorkerError(f"cannot reach the Dask scheduler at {address}: {err}") from None
        workers = sorted(self._client.scheduler_info()["workers"])
        if len(workers) < len(classes):
            self._client.close()
            raise WorkerError(f"the Dask cluster at {address} has {len(workers)} worker process(es); "
                              f"{len(classes)} shards need one each: run at most --workers {len(workers)}")
        self._futures = [self._client.submit(ShardActor, kind, config, device, c, actor=True, workers=[w],
                                             allow_other_workers=False, pure=False)
                         for c, w in zip(classes, workers)]
        self._actors = self._gather(self._futures)

    def call(self, method, each, progress) -> list:
        if method not in ("learn", "test"):
            return self._gather([actor.call(method, args) for actor, args in zip(self._actors, each)])
        self._gather([actor.begin(method, args) for actor, args in zip(self._actors, each)])
        batches = [[] for _ in self._actors]
        while True:
            items = self._gather([actor.next_batch() for actor in self._actors])
            if items[0] is None:
                return batches
            for kept, (_, batch) in zip(batches, items):
                kept.append(batch)
            if progress is not None:
                progress(items[0][0])

    def close(self, at_once: bool = False) -> None:
        """Release the actors (their workers drop the networks) and the connection."""
        self._futures = self._actors = []
        self._client.close()

    def _gather(self, futures) -> list:
        results = []
        for k, future in enumerate(futures):
            try:
                results.append(future.result())
            except Exception as err:
                raise WorkerError(f"the Dask worker of class networks {_shard_name(self.classes[k])} failed: "
                                  f"{type(err).__name__}: {err}") from err
        return results


class ShardActor:
    """A shard of class networks kept by a Dask worker (an actor: Brian2 objects do not pickle, so
    the network stays where it was built and is called there)."""

    def __init__(self, kind, config, device, classes):
        self.network = kind(config, device, classes=tuple(classes), directory=_build_folder(classes))
        self._phase, self._batches, self._shown = None, None, 0

    def call(self, method, args):
        return getattr(self.network, method)(*args)

    def begin(self, phase, args) -> None:
        """Start a ``"learn"`` or ``"test"`` phase; :meth:`next_batch` returns its batches one by one."""
        def count(n, correct=None):
            self._shown += n

        self._phase, self._shown = phase, 0
        self._batches = iter(self.network.batches(phase, *args, progress=count))

    def next_batch(self):
        """(presentations shown, (first index, batch result)) of the phase's next batch, or None at its end."""
        item = next(self._batches, None)
        if item is None:
            self._batches = None
            return None
        shown, self._shown = self._shown, 0
        return shown, _kept(self._phase, item)


def _kept(phase, item):
    """What a shard returns of a batch: learning keeps the scores only (the records of every
    training batch would fill the memory)."""
    start, result = item
    return start, (BatchResult({}, None, result.score) if phase == "learn" else result)


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
                result = [_kept(method, item) for item in network.batches(method, *args, progress=report)]
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
