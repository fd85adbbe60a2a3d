"""Parameter sweeps: one training run per point of a sweep file, in parallel on Dask.

::

    edsnn sweep examples/sweep_tau_m.toml                 # LocalCluster, one worker per core
    edsnn sweep study.toml --out sweeps/study --workers 4
    edsnn sweep study.toml --scheduler tcp://10.0.0.5:8786   # an existing Dask cluster

>>> from edsnn.protocols.sweep import run_sweep                     # doctest: +SKIP
>>> result = run_sweep("examples/sweep_tau_m.toml", n_workers=2)    # doctest: +SKIP
>>> result.table[["point", "final_test_accuracy", "status"]]        # doctest: +SKIP

The sweep file (:mod:`edsnn.protocols.sweep_spec`) is checked completely --
every point's :class:`~edsnn.protocols.TrainConfig` is built -- before any
run starts.  The sweep folder holds::

    spec.toml               the sweep file, as given
    points/<name>/          one ordinary run folder per point (edsnn train's files)
    sweep.csv               one row per point (see edsnn.protocols.sweep_summary)
    figures/accuracy_vs_<parameter>.png
    logs/<name>.log         each run's one-line epoch summaries
    errors/<name>.txt       traceback of a point that failed (removed once it succeeds)

Running the same sweep again skips every point whose ``metrics.csv`` holds
all its epochs, resumes interrupted points after their last finished epoch
(``train(..., resume=True)``; ``restart=True`` starts them again instead) and
retries failed ones.  A point that fails is recorded and the others go on.
A killed worker process (out of memory, signal) costs only its current
point's unfinished epoch: Dask runs that point again on a live worker, which
resumes it after its last finished epoch; points finished before are not run
again.

Each Dask worker process gets its own Brian2 Cython cache and standalone
build folder (:class:`edsnn.protocols.sweep_worker.BrianCachePlugin`), so compiled code of two workers
never collides.  Tasks within one worker process run one at a time, since
Brian2's device and preferences are process-wide.  Compiled standalone
programs are shared by all workers through the program cache
(:mod:`edsnn.model.build_cache`): points that differ only in values the program
reads at run time (seed, data, epochs) compile once, the first of them; points
that change compiled-in values (learning rate, time constants) compile each.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import traceback
from pathlib import Path

import pandas as pd

from edsnn.config import TrainConfig
from edsnn.runs import RunFolder, RunFolderError

from .sweep_spec import (
    ALIASES,
    FULL_NAME_ONLY,
    Parameter,
    SweepPoint,
    SweepSpec,
    SweepSpecError,
    load_spec,
    parse_spec,
    resolve_name,
    short_names,
)
from .sweep_summary import finished_epochs, summarize_sweep

__all__ = [
    "run_sweep", "SweepResult", "SweepError", "SweepSpecError", "SweepSpec", "SweepPoint", "Parameter",
    "load_spec", "parse_spec", "resolve_name", "short_names", "summarize_sweep", "point_states",
    "add_sweep_parser", "main_sweep", "run_sweep_from_args",
    "FULL_NAME_ONLY", "ALIASES",
]


class SweepError(RuntimeError):
    """A sweep refused before it started (folder holds other runs, Dask missing)."""


@dataclasses.dataclass
class SweepResult:
    """What :func:`run_sweep` returns.

    Attributes
    ----------
    path : Path
        The sweep folder.
    table : DataFrame
        ``sweep.csv``: one row per point.
    figures : list of Path
        ``figures/accuracy_vs_<parameter>.png``.
    ran : list of str
        Points trained by this call (finished or failed).
    skipped : list of str
        Points already finished before this call.
    failed : list of str
        Points whose run raised (their error is in ``table["error"]``).
    """

    path: Path
    table: pd.DataFrame
    figures: list
    ran: list
    skipped: list
    failed: list


# --------------------------------------------------------------------------- folder


def _stored_config(folder: Path):
    run = RunFolder(folder)
    if not run.file("config.json").is_file():
        return None
    try:
        return run.config()
    except RunFolderError:
        return "unreadable"


def point_states(spec: SweepSpec, out) -> dict:
    """Point name → ``"new"``, ``"finished"``, ``"partial"`` or ``"different"``.

    ``finished``: ``metrics.csv`` has every epoch 1..epochs and ``config.json``
    holds the point's settings (``epochs`` aside).  ``different``: the folder
    holds a run with other settings.
    """
    states = {}
    for point in spec.points:
        folder = Path(out) / "points" / point.name
        if not folder.is_dir() or not any(folder.iterdir()):
            states[point.name] = "new"
            continue
        stored = _stored_config(folder)
        if stored is None:
            states[point.name] = "partial"
            continue
        same = stored != "unreadable" and all(
            getattr(stored, f.name) == getattr(point.config, f.name)
            for f in dataclasses.fields(TrainConfig) if f.name != "epochs")
        if not same:
            states[point.name] = "different"
        elif finished_epochs(folder) >= set(range(1, point.config.epochs + 1)):
            states[point.name] = "finished"
        else:
            states[point.name] = "partial"
    return states


def _write_spec(spec: SweepSpec, out: Path) -> None:
    target = out / "spec.toml"
    text = spec.text if spec.text is not None else _toml(spec.data)
    tmp = out / f".spec.toml.{os.getpid()}.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_value(str(k))} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} as TOML")


def _toml(data: dict, prefix: str = "") -> str:
    """Minimal TOML writer for a sweep given as a dict (tables, scalars, lists, inline tables)."""
    lines, tables = [], []
    for key, value in data.items():
        if isinstance(value, dict) and (not prefix or key in ("neuron", "input_neuron", "synapse", "ed", "coding")):
            tables.append((key, value))
        else:
            lines.append(f"{_toml_value(str(key))} = {_toml_value(value)}")
    text = "\n".join(lines) + ("\n" if lines else "")
    for key, value in tables:
        name = f"{prefix}.{key}" if prefix else key
        text += f"\n[{name}]\n" + _toml(value, name)
    return text


# --------------------------------------------------------------------------- running


def _client(scheduler, n_workers, echo):
    """(client, cluster-or-None): an existing cluster's client, or a new LocalCluster."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise SweepError("sweeps run on Dask: pip install 'edsnn[sweep]' (dask[distributed])") from None
    if scheduler is not None and not isinstance(scheduler, str):
        return scheduler, None  # a Client given by the caller
    if scheduler:
        return Client(scheduler), None
    import logging

    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                           dashboard_address=None, silence_logs=logging.ERROR)
    echo(f"started a local Dask cluster with {len(cluster.workers)} worker processes")
    return Client(cluster), cluster


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def run_sweep(spec_or_path, out=None, scheduler=None, n_workers=None, *, restart: bool = False,
              progress: bool = True, echo=print, cache_dir=None) -> SweepResult:
    """Run every point of a sweep on Dask and write the sweep folder.

    Parameters
    ----------
    spec_or_path : SweepSpec, str, Path or dict
        A checked spec, a sweep file, or the dict its TOML would give.
    out : str or Path, optional
        Sweep folder; default the file's ``[sweep] out``, else
        ``sweeps/<file name without .toml>``.  Running again into the same
        folder continues the sweep.
    scheduler : str or distributed.Client, optional
        Address of a running Dask scheduler (``"tcp://host:8786"``) or a
        Client; default a new ``LocalCluster`` (processes, one thread each),
        closed at the end.
    n_workers : int, optional
        Workers of the LocalCluster; default ``[sweep] workers``, else the
        number of usable cores, never more than the points to run.
    restart : bool
        Start unfinished points and points whose folder holds other settings
        again from epoch 1 (default: resume them after their last finished
        epoch, and refuse folders with other settings).
    progress : bool
        Show a progress bar over the points.
    echo : callable
        Prints notes and the per-point outcome.
    cache_dir : str or Path, optional
        Root of the per-worker Brian2 folders (default :func:`default_cache_root`).

    Returns
    -------
    SweepResult

    Raises
    ------
    SweepSpecError
        The sweep file was refused (nothing ran).
    SweepError
        The folder holds runs with other settings (and not ``restart``), or
        Dask is not installed.
    KeyboardInterrupt
        After cancelling the remaining points and writing ``sweep.csv``.
    """
    from tqdm.auto import tqdm

    if isinstance(spec_or_path, SweepSpec):
        spec = spec_or_path
    elif isinstance(spec_or_path, dict):
        spec = parse_spec(spec_or_path)
    else:
        spec = load_spec(spec_or_path)
    out = Path(out or spec.settings.get("out") or Path("sweeps") / spec.stem)
    states = point_states(spec, out)
    different = [name for name, state in states.items() if state == "different"]
    if different and not restart:
        raise SweepError(
            f"{out} holds runs with other settings for {len(different)} points ({', '.join(different[:3])}"
            f"{', ...' if len(different) > 3 else ''}); choose another --out, or pass --restart to run them again")
    out.mkdir(parents=True, exist_ok=True)
    _write_spec(spec, out)
    skipped = [p.name for p in spec.points if states[p.name] == "finished"]
    todo = [p for p in spec.points if states[p.name] != "finished"]
    echo(f"sweep {spec.source}: {len(spec.points)} points, {len(skipped)} finished already, {len(todo)} to run "
         f"-> {out}")
    ran, failed = [], []
    if todo:
        n_workers = min(n_workers or spec.settings.get("workers") or _cores(), len(todo))
        client, cluster = _client(scheduler, n_workers, echo)
        owned = client is not scheduler  # a Client handed in stays open
        futures = {}
        try:
            from .sweep_worker import BrianCachePlugin, run_point

            client.register_plugin(BrianCachePlugin(cache_dir))
            command_line = f"edsnn sweep {spec.source}"
            for point in todo:
                folder = out / "points" / point.name
                fresh = restart or states[point.name] == "different"
                future = client.submit(run_point, point.config.to_dict(), str(folder.resolve()),
                                       str((out / "logs" / f"{point.name}.log").resolve()), fresh,
                                       None if cache_dir is None else str(cache_dir), command_line,
                                       pure=False, key=f"edsnn-sweep-{point.name}-{os.urandom(4).hex()}")
                futures[future] = point
            from distributed import as_completed

            with tqdm(total=len(spec.points), initial=len(skipped), desc="sweep", unit="point",
                      disable=not progress, dynamic_ncols=True) as bar:
                for future in as_completed(futures):
                    point = futures.pop(future)
                    try:
                        info = future.result()
                    except Exception as err:  # the worker died more often than Dask retries (memory, signal)
                        info = {"status": "failed", "error": f"{type(err).__name__}: {err}",
                                "traceback": traceback.format_exc()}
                    future.release()  # held, Dask would run the point again if its worker died later
                    _record(out, point, info)
                    ran.append(point.name)
                    if info["status"] != "done":
                        failed.append(point.name)
                        echo(f"point {point.name} failed: {info['error']}")
                    bar.update(1)
                    bar.set_postfix_str(point.name)
                    summarize_sweep(spec, out)
        except KeyboardInterrupt:
            for future in futures:
                future.cancel()
            summarize_sweep(spec, out)
            echo(f"\ninterrupted: {out}/sweep.csv lists what has finished; run the same command again "
                 "to continue (finished points are skipped)")
            raise
        finally:
            if owned:
                client.close()
            if cluster is not None:
                cluster.close()
    table, figures = summarize_sweep(spec, out)
    echo(f"wrote {out / 'sweep.csv'} ({int((table['status'] == 'done').sum())} of {len(table)} points done"
         f"{f', {len(failed)} failed' if failed else ''})")
    return SweepResult(path=out, table=table, figures=figures, ran=ran, skipped=skipped, failed=failed)


def _record(out: Path, point: SweepPoint, info: dict) -> None:
    """Keep a failed point's traceback in ``errors/<name>.txt``; drop it once the point succeeds."""
    path = out / "errors" / f"{point.name}.txt"
    if info["status"] == "done":
        if path.exists():
            path.unlink()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{info.get('traceback', '').rstrip()}\n{info['error']}\n", encoding="utf-8")


# --------------------------------------------------------------------------- command line


def add_sweep_parser(subparsers) -> argparse.ArgumentParser:
    """Add the ``sweep`` sub-command to an argparse ``subparsers`` object; returns its parser.

    Dispatch with ``run_sweep_from_args(args, parser)`` (``args.command == "sweep"``).
    """
    p = subparsers.add_parser(
        "sweep", help="run a parameter sweep from a TOML file (one training run per point, on Dask)",
        description="Run one training run per point of SPEC (a TOML sweep file: [base], [grid] or "
                    "[random], [repeat]); every value is unit-checked before anything runs. Running the "
                    "same command again skips finished points.")
    _add_sweep_options(p)
    return p


def _add_sweep_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("spec", metavar="SPEC.toml", help="sweep file")
    p.add_argument("--out", metavar="DIR", help="sweep folder (default: [sweep] out, else sweeps/<SPEC name>)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                        "(default: a local cluster on this machine)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="worker processes of the local cluster (default: [sweep] workers, else one per core)")
    p.add_argument("--restart", action="store_true",
                   help="start unfinished points (and folders with other settings) again from epoch 1 "
                        "instead of resuming them")
    p.add_argument("--check", action="store_true", help="only check SPEC and list its points; run nothing")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")


def run_sweep_from_args(args, parser: argparse.ArgumentParser) -> int:
    """Carry out ``edsnn sweep`` for parsed arguments; returns the exit status."""
    if args.workers is not None and args.workers < 1:
        parser.error(f"--workers must be >= 1 (got {args.workers})")
    if args.scheduler and args.workers:
        parser.error("--workers sets up a local cluster; it cannot be combined with --scheduler")
    try:
        spec = load_spec(args.spec)
    except SweepSpecError as err:
        print(f"edsnn sweep: error: {err}", file=sys.stderr)
        return 2
    if args.check:
        print(f"{spec.source}: {len(spec.points)} points, all settings checked")
        for point in spec.points:
            print(f"  {point.name}")
        return 0
    try:
        result = run_sweep(spec, out=args.out, scheduler=args.scheduler, n_workers=args.workers,
                           restart=args.restart, progress=not args.no_progress)
    except SweepError as err:
        print(f"edsnn sweep: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    for path in result.figures:
        print(f"figure: {path}")
    return 1 if result.failed else 0


def main_sweep(argv=None) -> int:
    """``edsnn sweep SPEC.toml [options]`` as a function of its arguments (after ``sweep``)."""
    parser = argparse.ArgumentParser(
        prog="edsnn sweep", description="Run one training run per point of SPEC (a TOML sweep file); every "
                                        "value is unit-checked before anything runs.")
    _add_sweep_options(parser)
    args = parser.parse_args(sys.argv[1:] if argv is None else list(argv))
    return run_sweep_from_args(args, parser)


if __name__ == "__main__":
    # Tasks must refer to the importable module, not to __main__ (Dask pickles them by reference).
    from edsnn.protocols.sweep import main_sweep as _main_sweep

    sys.exit(_main_sweep())
