"""Speed of edsnn per device, against the published program's numpy algorithm.

Reproduces the published program's timing setting (docs/published_program.md): MNIST, 1568 Poisson inputs (E/I pairs),
10 class networks of hidden 256, 50 ms presentations at dt = 1 ms, 150 Hz,
learning after every training presentation (the published numpy program:
53.5 ms per training image, 37 ms per test image on 2 cores).

For every device (runtime numpy, runtime Cython, cpp_standalone, and
cuda_standalone when a GPU is visible) it prints ms per training and per test
presentation (wall clock and CPU time, the compiled program's included), the
build/compile seconds, and peak RSS; each device runs in its own subprocess so
that figures do not mix.  In the same run, a plain vectorised numpy rendering
of the reference algorithm (Poisson input → input LIF → sigmoid units, ED
update; ``reference_numpy``) is timed on the same presentations; the ratio
column is its time over the device's.  The cpp default row (fused E/I pairs,
double precision, one thread) is followed by its variants: one synapse per
input (unfused pairs, the path before), single precision, 2 OpenMP threads,
and both (``--no-variants`` skips them).  A scaling table follows (cpp:
hidden 128…1024, 1–3 hidden layers; with ``--workers N``, ``edsnn train`` with 1…N workers).

Usage::

    python benchmarks/speed.py --out studies/speed/speed.md   # full (~20 min on 2 cores)
    python benchmarks/speed.py --quick                            # smoke run (~3 min)
    python benchmarks/speed.py --profile 2> profile.txt           # where cpp spends its time
    python benchmarks/speed.py --models --out studies/speed/speed_models.md   # every neuron and synapse model, cpp
    python benchmarks/speed.py --paired 3        # cpp: fused / unfused / single, interleaved, 3 rounds, medians
    python benchmarks/speed.py --workers 2 --rounds 3   # edsnn train, cpp, 1 and 2 worker processes, medians,
                                                        # then the scaling table with 1 and 2 workers

``--paired`` exists because this machine's timings of one program swing by up to 2× between
runs (shared hosts): the variants run in turn, round after round, and the medians are compared.

Tables are printed as markdown and written as CSV next to ``--out``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 2024


# -- the workload ---------------------------------------------------------------------


def presentations(n: int, seed: int = SEED):
    """``n`` MNIST training images (embedded subset, cycled) and their labels."""
    from edsnn.data import load_dataset

    data = load_dataset("mnist", "train")
    order = np.random.default_rng(seed).permutation(len(data.labels))
    index = np.resize(order, n)
    return data.images[index], data.labels[index].astype(int)


def _usage() -> dict:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
            "rss_self_mb": me.ru_maxrss / 1024, "rss_children_mb": kids.ru_maxrss / 1024}


def time_device(device: str, n_train: int, n_test: int, batch_size: int, hidden=(256,), seed=SEED,
                profile=False, neuron="lif", synapse="exponential", precision="double", threads=1,
                fuse=True) -> dict:
    """Train on ``n_train`` then test on ``n_test`` presentations; one device, this process.

    The first batch (which builds/compiles, and warms caches) is timed apart and
    not counted in the per-presentation figures.  With ``profile`` (cpp only),
    Brian2's profile of the last training and the last test batch is printed
    to stderr.  ``neuron`` and ``synapse`` name the models (``--neuron``,
    ``--synapse`` kinds) with their default parameters; ``precision``,
    ``threads`` and ``fuse`` (fused E/I pairs) as ``edsnn train``'s options.
    """
    import brian2
    from brian2 import Hz

    from edsnn.data import SpikeCoding, ei_pairs
    from edsnn.model import NEURONS, SYNAPSES, StandaloneRun, device_run
    from edsnn.networks import EDNetwork

    build_dir = tempfile.mkdtemp(prefix=f"edsnn-bench-{device}-")
    images, labels = presentations(batch_size + n_train + n_test, seed)
    rates = ei_pairs(images) * 150 * Hz
    start = time.perf_counter()
    runner = (StandaloneRun(device, build_dir, profile=True, precision=precision, threads=threads) if profile
              else device_run(device, build_dir, precision=precision, threads=threads))
    net = EDNetwork(1568, 10, hidden=hidden, batch_size=batch_size, seed=seed, device=runner,
                    neuron=NEURONS[neuron](), synapse=SYNAPSES[synapse](), fuse_pairs=fuse,
                    coding=SpikeCoding.published())  # the program's 50 ms, not edsnn's default 100 ms
    construct = time.perf_counter() - start

    def phase(lo, hi, learn):
        u0, t0 = _usage(), time.perf_counter()
        for b in range(lo, hi, batch_size):
            e = min(b + batch_size, hi)
            net.run(rates[b:e], labels[b:e], learn)
        u1, t1 = _usage(), time.perf_counter()
        n = max(hi - lo, 1)
        return 1e3 * (t1 - t0) / n, 1e3 * (u1["cpu"] - u0["cpu"]) / n

    first_start = time.perf_counter()
    phase(0, batch_size, True)
    first = time.perf_counter() - first_start
    train_ms, train_cpu = phase(batch_size, batch_size + n_train, True)
    if profile:
        print(f"profile of the last training batch ({batch_size} presentations):\n"
              f"{brian2.profiling_summary(net.network, 12)}", file=sys.stderr)
    test_ms, test_cpu = phase(batch_size + n_train, batch_size + n_train + n_test, False)
    if profile:
        print(f"profile of the last test batch:\n{brian2.profiling_summary(net.network, 12)}", file=sys.stderr)
    usage = _usage()
    build = getattr(net.device, "build_seconds", None)
    shutil.rmtree(build_dir, ignore_errors=True)
    variant = [v for v, on in (("unfused pairs", not fuse), (precision, precision != "double"),
                               (f"{threads} threads", threads > 1)) if on]
    return {
        "device": device, "variant": ", ".join(variant) or "default", "neuron": neuron, "synapse": synapse,
        "hidden": "x".join(map(str, hidden)),
        "batch_size": batch_size, "n_train": n_train, "n_test": n_test,
        "train_ms": train_ms, "train_cpu_ms": train_cpu, "test_ms": test_ms, "test_cpu_ms": test_cpu,
        "build_s": build if build is not None else first + construct, "first_batch_s": first,
        "rss_python_mb": usage["rss_self_mb"], "rss_program_mb": usage["rss_children_mb"],
    }


# -- the published algorithm in plain numpy ---------------------------------------------------


def _ed_update():
    """tests/ed_oracle.py's ``ed_update`` (the rule's numpy oracle), imported by path."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("ed_oracle", HERE.parent / "tests" / "ed_oracle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ed_update, module.weight_signs


def time_reference_numpy(n_train: int, n_test: int, hidden=(256,), seed=SEED) -> dict:
    """The reference model (docs/published_program.md) in vectorised numpy, on the same presentations.

    Poisson trains at x·150 Hz for 50 steps of 1 ms; input LIF (v_rest −65 mV,
    threshold −40 mV, reset −70 mV, τ 12 ms, a 29.2 mV jump per input spike,
    forward Euler); r = count/50; sigmoid units f(u) = 1/(1+exp(−2u/u0)); the ED
    update of ``tests/ed_oracle.py`` with s = x for the first layer.
    """
    from edsnn.data import SpikeCoding
    from edsnn.model import EDParameters

    ed_update, weight_signs = _ed_update()
    ed = EDParameters()
    rng = np.random.default_rng(seed)
    images, labels = presentations(n_train + n_test, seed)
    x = np.repeat(images.reshape(len(images), -1) / 255.0, 2, axis=1)  # E/I pairs
    n_classes, n_in = 10, x.shape[1]
    sizes = [n_in, *hidden]
    weights = {}
    for k, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        weights[f"hidden{k}"] = rng.uniform(ed.w1, ed.w2, (n_classes, a, b)) * weight_signs(n_classes, a, b, "kaneko")
    weights["output"] = rng.uniform(ed.w1, ed.w2, (n_classes, sizes[-1])) * weight_signs(
        n_classes, sizes[-1], 1, "kaneko", output=True)
    steps, dt, tau = SpikeCoding.published().steps_per_presentation, 1e-3, 12e-3
    v_rest, v_th, v_reset, jump = -65e-3, -40e-3, -70e-3, 35e6 * 10e-9 * dt / tau

    def forward(xi):
        v = np.full(n_in, v_rest)
        count = np.zeros(n_in)
        spikes = rng.random((steps, n_in)) < xi * 150 * dt
        for t in range(steps):
            v += (v_rest - v) * dt / tau + jump * spikes[t]
            fired = v > v_th
            count += fired
            v[fired] = v_reset
        act = count / steps
        hidden_acts = []
        for k in range(1, len(hidden) + 1):
            w = weights[f"hidden{k}"]
            u = np.einsum("ci,cij->cj", act, w) if act.ndim == 2 else act @ w
            act = 1 / (1 + np.exp(-2 * u / ed.sig))
            hidden_acts.append(act)
        out = 1 / (1 + np.exp(-2 * np.einsum("ci,ci->c", act, weights["output"]) / ed.sig))
        return hidden_acts, out

    u0, t0 = _usage(), time.perf_counter()
    for p in range(n_train):
        hidden_acts, out = forward(x[p])
        ed_update(weights, x[p], hidden_acts, out, labels[p], True, ed.lr, ed.dif, "compound", "kaneko")
    u1, t1 = _usage(), time.perf_counter()
    for p in range(n_train, n_train + n_test):
        forward(x[p])
    u2, t2 = _usage(), time.perf_counter()
    return {
        "device": "reference_numpy", "hidden": "x".join(map(str, hidden)), "batch_size": 1,
        "n_train": n_train, "n_test": n_test,
        "train_ms": 1e3 * (t1 - t0) / n_train, "train_cpu_ms": 1e3 * (u1["cpu"] - u0["cpu"]) / n_train,
        "test_ms": 1e3 * (t2 - t1) / max(n_test, 1), "test_cpu_ms": 1e3 * (u2["cpu"] - u1["cpu"]) / max(n_test, 1),
        "build_s": 0.0, "first_batch_s": 0.0,
        "rss_python_mb": u2["rss_self_mb"], "rss_program_mb": 0.0,
    }


# -- driver ------------------------------------------------------------------------------

#: cpp rows beside the default: one synapse per input (the path before fused pairs),
#: single precision, OpenMP threads.
CPP_VARIANTS = [{}, {"fuse": False}, {"precision": "single"}, {"threads": 2}, {"precision": "single", "threads": 2}]


def in_subprocess(kind: str, **kwargs) -> dict:
    """Run one measurement in a fresh Python process (separate peak RSS, no Brian2 state)."""
    cmd = [sys.executable, __file__, "--worker", json.dumps({"kind": kind, **kwargs})]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode:
        sys.stderr.write(out.stderr[-3000:])
        return {"device": kwargs.get("device", kind), "error": out.stderr.strip().splitlines()[-1:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def gpu_present() -> bool:
    smi = shutil.which("nvidia-smi")
    return smi is not None and subprocess.run([smi, "-L"], capture_output=True).returncode == 0


COLUMNS = ["device", "variant", "neuron", "synapse", "hidden", "batch_size", "n_train", "n_test", "train_ms",
           "train_cpu_ms", "test_ms", "test_cpu_ms", "ratio_train", "ratio_test", "build_s", "rss_python_mb",
           "rss_program_mb"]


def markdown(rows) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in rows:
        cells = []
        for c in COLUMNS:
            v = row.get(c, "")
            cells.append(f"{v:.1f}" if isinstance(v, float) else str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def with_ratios(rows, reference):
    for row in rows:
        if "train_ms" in row:
            row["ratio_train"] = reference["train_ms"] / row["train_ms"]
            row["ratio_test"] = reference["test_ms"] / row["test_ms"] if row["test_ms"] else float("nan")
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few presentations, small scaling table")
    parser.add_argument("--devices", default="numpy,cython,cpp,cuda",
                        help="comma-separated (cuda only runs when a GPU is visible)")
    parser.add_argument("--train", type=int, help="timed training presentations per device")
    parser.add_argument("--test", type=int, help="timed test presentations per device")
    parser.add_argument("--batch-size", type=int, help="presentations per run()/execution")
    parser.add_argument("--no-scaling", action="store_true", help="skip the scaling table")
    parser.add_argument("--profile", action="store_true",
                        help="only profile cpp (Brian2's per-code-object times) and print it")
    parser.add_argument("--out", default=str(HERE.parent / "studies" / "speed" / "speed.md"),
                        help="markdown file; CSVs are written next to it")
    parser.add_argument("--models", action="store_true",
                        help="time every neuron model (exponential synapse) and synapse model (LIF) on cpp "
                             "instead of the device table")
    parser.add_argument("--no-variants", action="store_true",
                        help="cpp: only the default (no unfused-pairs, single-precision and 2-thread rows)")
    parser.add_argument("--paired", type=int, metavar="ROUNDS",
                        help="cpp only: time the default, unfused pairs and single precision in turn, ROUNDS "
                             "times, and print every run and the medians")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="time `edsnn train` (cpp) with 1 … N worker processes in turn, --rounds times, "
                             "beside the numpy rendering, then the scaling table with 1 … N workers, "
                             "instead of the device table")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of --workers (default 3)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        job = json.loads(args.worker)
        kind = job.pop("kind")
        job["hidden"] = tuple(job.get("hidden", (256,)))
        result = time_reference_numpy(**job) if kind == "reference" else time_device(**job)
        print(json.dumps(result))
        return

    n_train = args.train or (40 if args.quick else 1000)
    n_test = args.test or (20 if args.quick else 500)
    batch = args.batch_size or (20 if args.quick else 500)
    if args.profile:
        time_device("cpp", n_train, n_test, batch, profile=True)
        return
    if args.paired:
        paired(args.paired, n_train, n_test, batch, args.out)
        return
    if args.workers:
        workers(args.workers, args.rounds, n_train, n_test, args.out, scaling=not args.no_scaling)
        return
    reference = in_subprocess("reference", n_train=min(n_train, 100), n_test=min(n_test, 100))
    rows = [reference]
    if args.models:
        from edsnn.model import NEURONS, SYNAPSES

        variants = [(n, "exponential") for n in NEURONS] + [("lif", y) for y in SYNAPSES if y != "exponential"]
        for neuron, synapse in variants:
            rows.append(in_subprocess("device", device="cpp", n_train=n_train, n_test=n_test, batch_size=batch,
                                      neuron=neuron, synapse=synapse))
            print(json.dumps(rows[-1]), file=sys.stderr)
        text = (f"## Speed per neuron and synapse model, cpp, hidden 256 (seed {SEED})\n\n"
                + markdown(with_ratios(rows, reference)) + "\n")
        _write(args.out, text, {"models": rows})
        print(text)
        return
    for device in args.devices.split(","):
        if device == "cuda" and not gpu_present():
            print("cuda: no GPU visible, skipped", file=sys.stderr)
            continue
        # the slow runtime numpy target gets fewer presentations
        scale = 4 if device == "numpy" else 1
        for variant in CPP_VARIANTS if device == "cpp" and not args.no_variants else [{}]:
            rows.append(in_subprocess("device", device=device, n_train=max(n_train // scale, batch),
                                      n_test=max(n_test // scale, batch), batch_size=batch, **variant))
            print(json.dumps(rows[-1]), file=sys.stderr)
    with_ratios(rows, reference)
    text = f"## Speed, hidden 256 (2-core figures; seed {SEED})\n\n" + markdown(rows) + "\n"

    scaling = []
    if not args.no_scaling:
        shapes = ([(64,), (128,), (128, 128)] if args.quick
                  else SCALING_SHAPES)
        n_scale = 20 if args.quick else 100
        for hidden in shapes:
            ref = in_subprocess("reference", n_train=n_scale // 2, n_test=n_scale // 2, hidden=list(hidden))
            row = in_subprocess("device", device="cpp", n_train=n_scale, n_test=n_scale,
                                batch_size=n_scale, hidden=list(hidden))
            scaling += with_ratios([row], ref)
            print(json.dumps(row), file=sys.stderr)
        text += "\n## Scaling, cpp_standalone\n\n" + markdown(scaling) + "\n"
    print(text)
    _write(args.out, text, {"speed": rows, "scaling": scaling})


#: The variants ``--paired`` interleaves.
PAIRED = {"fused (default)": {}, "unfused pairs": {"fuse": False}, "single": {"precision": "single"}}


def paired(rounds: int, n_train: int, n_test: int, batch: int, out) -> None:
    """cpp variants in turn (A B C A B C …), then the median of each figure over the rounds."""
    import statistics

    runs = {name: [] for name in PAIRED}
    for r in range(rounds):
        for name, variant in PAIRED.items():
            runs[name].append(in_subprocess("device", device="cpp", n_train=n_train, n_test=n_test,
                                            batch_size=batch, **variant))
            print(r + 1, name, json.dumps(runs[name][-1]), file=sys.stderr)
    keys = ["train_ms", "train_cpu_ms", "test_ms", "test_cpu_ms"]
    lines = ["| variant | " + " | ".join(f"{k} (each round)" for k in keys) + " | " +
             " | ".join(f"median {k}" for k in keys) + " |", "|" + "---|" * (1 + 2 * len(keys))]
    for name, rows in runs.items():
        each = [" / ".join(f"{row[k]:.1f}" for row in rows) for k in keys]
        medians = [f"{statistics.median(row[k] for row in rows):.1f}" for k in keys]
        lines.append(f"| {name} | " + " | ".join(each + medians) + " |")
    text = (f"## cpp variants in turn, {rounds} rounds, hidden 256 (seed {SEED}), ms per presentation\n\n"
            + "\n".join(lines) + "\n")
    print(text)
    _write(out, text, {})


def time_train_command(n_workers: int, n_train: int, n_test: int, folder: Path, hidden=(256,)) -> dict:
    """One ``edsnn train`` run of two epochs (cpp, 50 ms, its program cached after the first run): ms per
    presentation from the second epoch's phases in the run's own ``metrics.csv`` (the first also generates
    the program's code and loads it, once per run)."""
    import pandas as pd

    out = folder / f"workers{n_workers}"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [sys.executable, "-m", "edsnn.cli", "train", "--device", "cpp", "--hidden", ",".join(map(str, hidden)),
           "--presentation", "50ms", "--train", str(n_train), "--test", str(n_test), "--epochs", "2",
           "--seed", str(SEED), "--workers", str(n_workers), "--out", str(out), "--no-progress"]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    wall = time.perf_counter() - start
    row = pd.read_csv(out / "metrics.csv").iloc[-1]
    return {"workers": n_workers, "train_ms": 1e3 * row["train_seconds"] / n_train,
            "test_ms": 1e3 * row["test_seconds"] / n_test, "wall_s": wall,
            "test_accuracy": float(row["test_accuracy"])}


def _timed_rounds(counts, rounds: int, n_train: int, n_test: int, hidden=(256,)) -> dict:
    """Medians over ``rounds`` of ``edsnn train`` with each worker count in turn (an untimed first run
    compiles, or takes from the cache, each shard size's program)."""
    import statistics

    runs = {n: [] for n in counts}
    with tempfile.TemporaryDirectory() as folder:
        for n in counts:
            time_train_command(n, 20, 10, Path(folder), hidden)
        for r in range(rounds):
            for n in counts:
                runs[n].append(time_train_command(n, n_train, n_test, Path(folder), hidden))
                print(r + 1, hidden, json.dumps(runs[n][-1]), file=sys.stderr)
    rows = {}
    for n in counts:
        row = {k: statistics.median(run[k] for run in runs[n]) for k in ("train_ms", "test_ms", "wall_s")}
        accuracies = {run["test_accuracy"] for run in runs[n]}
        rows[n] = dict(row, workers=n, test_accuracy=accuracies.pop() if len(accuracies) == 1 else "differs")
    return rows


#: Hidden layers of the scaling table.
SCALING_SHAPES = [(128,), (256,), (512,), (1024,), (256, 256), (256, 256, 256)]


def workers(max_workers: int, rounds: int, n_train: int, n_test: int, out, scaling: bool = True) -> None:
    """``edsnn train`` with 1 … ``max_workers`` workers in turn, ``rounds`` times; medians beside the numpy
    rendering timed in the same run; then the scaling table: every shape of :data:`SCALING_SHAPES` with
    1 … ``max_workers`` workers (one round of 500 training and 500 test presentations, one batch each: a standalone
    program runs a partial batch padded to the batch size)."""
    reference = in_subprocess("reference", n_train=min(n_train, 100), n_test=min(n_test, 100))
    counts = range(1, max_workers + 1)
    rows = list(_timed_rounds(counts, rounds, n_train, n_test).values())
    lines = [f"## `edsnn train --workers N`, cpp, hidden 256, 50 ms ({n_train} training and {n_test} test "
             f"presentations, medians of {rounds} rounds; seed {SEED})", "",
             "| workers | ms per training presentation | ms per test presentation | wall s | test accuracy | "
             "ratio to numpy rendering, training | test |", "|---|---|---|---|---|---|---|"]
    for row in rows:
        lines.append(f"| {row['workers']} | {row['train_ms']:.2f} | {row['test_ms']:.2f} | {row['wall_s']:.1f} | "
                     f"{row['test_accuracy']} | {reference['train_ms'] / row['train_ms']:.1f} | "
                     f"{reference['test_ms'] / row['test_ms']:.1f} |")
    lines.append(f"\nnumpy rendering of the reference algorithm: {reference['train_ms']:.1f} ms per training and "
                 f"{reference['test_ms']:.1f} ms per test presentation.")
    table = []
    if scaling:
        lines += ["", f"## Scaling, cpp, 50 ms (500 training and 500 test presentations, one round; seed {SEED})", "",
                  "| hidden | workers | ms per training presentation | ms per test presentation | "
                  "ratio to numpy rendering, training | test |", "|---|---|---|---|---|---|"]
        for hidden in SCALING_SHAPES:
            ref = in_subprocess("reference", n_train=50, n_test=50, hidden=list(hidden))
            for n, row in _timed_rounds(counts, 1, 500, 500, hidden).items():
                table.append(dict(row, hidden=",".join(map(str, hidden)), reference_train_ms=ref["train_ms"],
                                  reference_test_ms=ref["test_ms"]))
                lines.append(f"| {table[-1]['hidden']} | {n} | {row['train_ms']:.2f} | {row['test_ms']:.2f} | "
                             f"{ref['train_ms'] / row['train_ms']:.1f} | {ref['test_ms'] / row['test_ms']:.1f} |")
    text = "\n".join(lines) + "\n"
    print(text)
    _write(out, text, {"workers": rows, "scaling": table})


def _write(path, text: str, tables: dict) -> None:
    """The markdown at ``path`` and each non-empty table as ``<stem>_<name>.csv`` beside it."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    for name, table in tables.items():
        if table:
            with open(out.with_name(f"{out.stem}_{name}.csv"), "w", newline="") as f:
                columns = COLUMNS + ["first_batch_s", "error"] if "device" in table[0] else list(table[0])
                writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
                writer.writeheader()
                writer.writerows(table)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
