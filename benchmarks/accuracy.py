"""Accuracy of the all-spiking ED network against the published program, with the targets of each row.

Every row is a ``edsnn train`` run (:func:`edsnn.protocols.train`) on the full
datasets (``--data full``; set ``EDSNN_DATA`` or ``--data-dir``), hidden 256,
``--device cpp``, one run per seed.  Each run writes its own run folder under
``--root``; a finished run is read back, an interrupted one resumed, so the
script can be stopped and started again, and several invocations with
different ``--rows`` can share one root (e.g. on the two cores).

Usage::

    EDSNN_DATA=../shared/data python benchmarks/accuracy.py --rows mnist-resample,fashion-resample,mnist-fixed
    EDSNN_DATA=../shared/data python benchmarks/accuracy.py --rows mnist-full --seeds 1 --epochs-full 1
    python benchmarks/accuracy.py --table-only      # rewrite the tables from the finished runs
    python benchmarks/accuracy.py --rows mnist-resample --set neuron.kind=izhikevich --tag izhikevich
    EDSNN_DATA=../shared/data python benchmarks/accuracy.py --rows mnist-resample --table-only --all-test

``--set NAME=VALUE`` (repeatable) changes any parameter, written as in a sweep
file (``ed.prior_scope=derivative``, ``synapse.kind=alpha``); ``--tag`` names
the variant, so its runs and tables sit beside the others in one root.

Writes ``variants_<row>.md`` (one line per variant of each row run) and
``accuracy_runs_<label>.csv`` (one line per run) and ``accuracy_<label>.md`` (one
line per row: mean ± sd over seeds of the last epoch's test accuracy, the
best epoch's, the last train accuracy, and the wall time of a run) in
``--root``.  ``--all-test`` also scores each finished run's last weights on
every image of the test file (``edsnn evaluate --all-test``; 10 000 images
instead of the epoch's 500), kept in ``all_test_<label>.csv`` and shown as a
column of ``accuracy_<label>.md``.  ``--curves`` draws the learning curves of
``--rows`` (``curves_<label>.png``) and tabulates the hidden firing per epoch
(``firing_<row>_<label>.md``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from edsnn.config import schema
from edsnn.data import SpikeCoding
from edsnn.model import EDParameters
from edsnn.protocols import TrainConfig, evaluate, train

HERE = Path(__file__).resolve().parent

#: name → (TrainConfig changes, published program's figure, target, description)
ROWS = {
    "mnist-resample": (dict(dataset="mnist", sampling="resample-each-epoch"), "87.6 %", 0.93,
                       "MNIST, 1000 train resampled each epoch / 500 test, 20 epochs"),
    "fashion-resample": (dict(dataset="fashion-mnist", sampling="resample-each-epoch"), "78.2 %", 0.83,
                         "Fashion-MNIST, same"),
    "mnist-fixed": (dict(dataset="mnist", sampling="stratified"), "≈ 81 % (97.7 % train)", 0.88,
                    "MNIST, fixed stratified 1000 train / 500 test, 20 epochs"),
    "mnist-full": (dict(dataset="mnist", train=60000, test=10000), "not reported", 0.97,
                   "MNIST, full 60 000 / 10 000"),
    "fashion-full": (dict(dataset="fashion-mnist", train=60000, test=10000), "not reported", 0.87,
                     "Fashion-MNIST, full 60 000 / 10 000"),
}

#: What every row shares (the headline protocol).
COMMON = dict(data="full", train=1000, test=500, epochs=20, hidden=(256,), model="spiking",
              device="cpp", batch_size=500)


def config_for(row: str, seed: int, epochs_full: int, data_dir: str | None, model: str,
               extra: dict | None = None) -> TrainConfig:
    """The row's settings for one seed, with ``extra`` (full name → text value) applied last."""
    changes, *_ = ROWS[row]
    settings = dict(COMMON, **changes, seed=seed, data_dir=data_dir, model=model)
    if row.endswith("-full"):
        settings["epochs"] = epochs_full
    if model == "reference":  # the published hybrid at the program's own coding and diffusion
        settings["coding"] = SpikeCoding.published()
        settings["ed"] = EDParameters(diffusion="compound")
    return schema.apply(TrainConfig(**settings), extra or {}, text=True)


def label_of(model: str, tag: str | None) -> str:
    return f"{model}-{tag}" if tag else model


def run_folder(root: Path, row: str, label: str, seed: int) -> Path:
    return root / f"{row}-{label}-seed{seed}"


def finished_epochs(folder: Path) -> int:
    metrics = folder / "metrics.csv"
    return len(pd.read_csv(metrics)) if metrics.exists() else 0


def run(row, seed, args, extra) -> None:
    config = config_for(row, seed, args.epochs_full, args.data_dir, args.model, extra)
    folder = run_folder(Path(args.root), row, label_of(args.model, args.tag), seed)
    done = finished_epochs(folder)
    if done >= config.epochs:
        print(f"{folder.name}: finished ({done} epochs)")
        return
    start = time.perf_counter()
    train(config, folder, resume=done > 0, progress=args.progress,
          command_line=f"benchmarks/accuracy.py --rows {row} --seeds {seed}"
                       + "".join(f" --set {k}={v}" for k, v in extra.items()))
    print(f"{folder.name}: {time.perf_counter() - start:.0f} s")


def score_all_test(root: Path, rows, label: str) -> pd.DataFrame:
    """Each run of ``rows`` with ``label`` scored on its whole test file after its last epoch.

    The resampled rows test 500 images per epoch (a binomial sd of about 1.2
    points at 92 %); the saved weights on all 10 000 are a sharper figure of
    the same network.  Kept in ``all_test_<label>.csv``; a run is scored again
    only when it has finished another epoch since.
    """
    path, columns = root / f"all_test_{label}.csv", ["row", "seed", "epoch", "n", "accuracy"]
    known = pd.read_csv(path).to_dict("records") if path.exists() else []
    scored = {(r["row"], int(r["seed"])): r for r in known}
    for row in rows:
        for folder in _seed_folders(root, row, label):
            seed, epochs = int(folder.name.rsplit("seed", 1)[1]), finished_epochs(folder)
            if (row, seed) not in scored or scored[row, seed]["epoch"] < epochs:
                result = evaluate(folder, progress=False, all_test=True)
                scored[row, seed] = dict(row=row, seed=seed, epoch=result.epoch, n=len(result.labels),
                                         accuracy=result.accuracy)
                print(f"{folder.name}: {100 * result.accuracy:.1f} % on all {len(result.labels)} test images")
    table = pd.DataFrame(list(scored.values()), columns=columns)
    table.to_csv(path, index=False, float_format="%.4f")
    return table


def summarise(root: Path, label: str) -> tuple[pd.DataFrame, str]:
    """Per-run table of every finished (or partial) run in ``root``, and the markdown table.

    ``test_all``: the last weights on the whole test file, where
    :func:`score_all_test` has scored them (NaN elsewhere).
    """
    runs = []
    for row in ROWS:
        for folder in sorted(root.glob(f"{row}-{label}-seed*")):
            if not (folder / "metrics.csv").exists():
                continue
            m = pd.read_csv(folder / "metrics.csv")
            best = m["test_accuracy"].idxmax()
            runs.append(dict(
                row=row, variant=label, seed=int(folder.name.rsplit("seed", 1)[1]), epochs=len(m),
                test_last=m["test_accuracy"].iloc[-1], test_best=m["test_accuracy"].max(),
                best_epoch=int(m["epoch"][best]), train_last=m["train_accuracy"].iloc[-1],
                run_minutes=(m["train_seconds"].sum() + m["test_seconds"].sum()) / 60,
            ))
    runs = pd.DataFrame(runs)
    scores = root / f"all_test_{label}.csv"
    if len(runs):
        whole = pd.read_csv(scores) if scores.exists() else pd.DataFrame(columns=["row", "seed", "epoch", "accuracy"])
        whole = whole.rename(columns={"accuracy": "test_all", "epoch": "epochs"})[["row", "seed", "epochs", "test_all"]]
        runs = runs.merge(whole.astype({"seed": int, "epochs": int}), on=["row", "seed", "epochs"], how="left")
    lines = ["| setting | published program | target | seeds | epochs | test, last epoch | test, best epoch "
             "| all test images, last epoch | train, last epoch | minutes per run | gap to target |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for row, (_, published, target, text) in ROWS.items():
        r = runs[runs["row"] == row] if len(runs) else runs
        if not len(r):
            lines.append(f"| {text} | {published} | ≥ {100 * target:.0f} % | – | – | not run | | | | | |")
            continue

        def pct(col, r=r):
            values = 100 * r[col].dropna().to_numpy(dtype=float)
            if len(values) < len(r):
                return "–" if not len(values) else f"{pct_of(values)} ({len(values)} of {len(r)} seeds)"
            return pct_of(values)

        gap = 100 * (target - r["test_last"].mean())
        lines.append(
            f"| {text} | {published} | ≥ {100 * target:.0f} % | {', '.join(map(str, r['seed']))} "
            f"| {', '.join(map(str, r['epochs'].unique()))} | {pct('test_last')} | {pct('test_best')} "
            f"| {pct('test_all')} | {pct('train_last')} | {r['run_minutes'].mean():.1f} "
            f"| {'met' if gap <= 0 else f'{gap:.1f} points short'} |")
    return runs, "\n".join(lines) + "\n"


def pct_of(values) -> str:
    """``mean ± sd %`` of fractions in percent, or the one value."""
    return f"{values.mean():.1f} ± {values.std(ddof=1):.1f} %" if len(values) > 1 else f"{values[0]:.1f} %"


def firing(folder: Path, epoch: int | None = None) -> dict | None:
    """Hidden-layer firing of a run's ``epoch`` (default: the last recorded), E and I apart
    (the healthy-firing check).

    ``rate_E``/``rate_I``: mean rate (Hz); ``dead_*``: fraction of neurons silent
    in every test presentation; ``saturated_*``: fraction at the ED rule's
    activity cap in at least half the test presentations.  None for a run
    without spike counts (reference model, or no counts recorded).
    """
    from edsnn.analysis import load_run, statistics

    if not (folder / "config.json").exists():  # metrics only (the tests' fake runs)
        return None
    run = load_run(folder)
    if run.model != "spiking" or not run.epochs or (epoch is not None and epoch not in run.epochs):
        return None
    cap = statistics.SaturationCaps.from_config(run.config).activity_cap
    counts = run.counts(epoch=run.epochs[-1] if epoch is None else epoch,
                        columns=["layer", "class_net", "neuron", "type", "count"])
    hidden = counts[counts["layer"].astype(str) != "output"].astype({"layer": str, "type": str})
    per_neuron = hidden.groupby(["layer", "class_net", "neuron", "type"], observed=True)["count"].agg(
        mean="mean", peak="max", at_cap=lambda c: (c >= cap).mean())
    out = {}
    for kind, part in per_neuron.groupby(level="type"):
        out[f"rate_{kind}"] = part["mean"].mean() / float(run.presentation)
        out[f"dead_{kind}"] = (part["peak"] == 0).mean()
        out[f"saturated_{kind}"] = (part["at_cap"] >= 0.5).mean()
    return out


def variants(root: Path, row: str) -> str:
    """Markdown table of every variant of ``row`` in ``root`` (folders ``<row>-<label>-seed<n>``).

    One line per label: seeds, epochs, last and best test accuracy (mean ± sd
    over seeds), and the hidden layers' firing in the last epoch (mean over
    seeds; :func:`firing`), so that variants run with ``--tag`` read side by side.
    """
    runs = {}
    for folder in sorted(root.glob(f"{row}-*-seed*")):
        if (folder / "metrics.csv").exists():
            label, seed = folder.name[len(row) + 1:].rsplit("-seed", 1)
            runs.setdefault(label, []).append((int(seed), pd.read_csv(folder / "metrics.csv"), folder))
    lines = ["| variant | seeds | epochs | test, last epoch | test, best epoch | hidden E / I rate (Hz) "
             "| dead E / I | saturated E / I |", "|---|---|---|---|---|---|---|---|"]
    for label, found in runs.items():
        last = 100 * np.array([m["test_accuracy"].iloc[-1] for _, m, _ in found])
        best = 100 * np.array([m["test_accuracy"].max() for _, m, _ in found])
        fire = pd.DataFrame([f for _, _, folder in found if (f := firing(folder))])

        lines.append(f"| {label} | {', '.join(str(s) for s, _, _ in found)} "
                     f"| {', '.join(sorted({str(len(m)) for _, m, _ in found}))} | {pct_of(last)} | {pct_of(best)} "
                     f"| {firing_cells(fire)} |")
    return "\n".join(lines) + "\n"


def firing_cells(fire: pd.DataFrame) -> str:
    """``rate E / I | dead E / I | saturated E / I``: means over the rows of ``fire`` (:func:`firing`)."""
    def pair(name, scale, unit):
        if not len(fire):
            return "–"
        return " / ".join(f"{scale * fire[f'{name}_{t}'].mean():.1f}{unit}" for t in ("E", "I"))

    return f"{pair('rate', 1, '')} | {pair('dead', 100, ' %')} | {pair('saturated', 100, ' %')}"


def _seed_folders(root: Path, row: str, label: str) -> list:
    return [f for f in sorted(root.glob(f"{row}-{label}-seed*")) if (f / "metrics.csv").exists()]


def firing_by_epoch(root: Path, row: str, label: str) -> str:
    """Markdown table, one line per epoch: test accuracy and hidden firing (:func:`firing`),
    mean over the seeds of ``row`` with ``label``: how the firing drifts while the network learns."""
    folders = _seed_folders(root, row, label)
    metrics = pd.concat([pd.read_csv(f / "metrics.csv") for f in folders]) if folders else pd.DataFrame()
    lines = [f"{row}, {label}: seeds {', '.join(f.name.rsplit('seed', 1)[1] for f in folders)}", "",
             "| epoch | test accuracy | hidden E / I rate (Hz) | dead E / I | saturated E / I |",
             "|---|---|---|---|---|"]
    for epoch, m in metrics.groupby("epoch") if len(metrics) else ():
        fire = pd.DataFrame([f for folder in folders if (f := firing(folder, int(epoch)))])
        lines.append(f"| {epoch} | {pct_of(100 * m['test_accuracy'].to_numpy())} | {firing_cells(fire)} |")
    return "\n".join(lines) + "\n"


def plot_curves(root: Path, label: str, rows, path: Path) -> None:
    """Test accuracy per epoch of every seed (thin) and their mean (thick), one panel per row,
    with the published program's figure (dotted) and the row's target (dashed)."""
    import re

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(rows), figsize=(4.2 * len(rows), 3.4), squeeze=False, sharey=True)
    for ax, row in zip(axes[0], rows):
        _, published, target, _ = ROWS[row]
        curves = [pd.read_csv(f / "metrics.csv") for f in _seed_folders(root, row, label)]
        for m in curves:
            ax.plot(m["epoch"], 100 * m["test_accuracy"], color="tab:blue", lw=0.8, alpha=0.5)
        if curves:
            mean = pd.concat(curves).groupby("epoch")["test_accuracy"].mean()
            ax.plot(mean.index, 100 * mean, color="tab:blue", lw=2, label=f"mean of {len(curves)} seeds")
        ax.axhline(100 * target, color="k", ls="--", lw=1, label=f"target {100 * target:.0f} %")
        if number := re.search(r"\d+(\.\d+)?", published):
            ax.axhline(float(number.group()), color="k", ls=":", lw=1, label=f"published program {published}")
        ax.set(title=row, xlabel="epoch")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(fontsize=7, loc="lower right")
    axes[0][0].set_ylabel("test accuracy (%)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="mnist-resample,fashion-resample,mnist-fixed",
                        help=f"comma-separated, of {', '.join(ROWS)}")
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated seeds")
    parser.add_argument("--epochs-full", type=int, default=1, help="epochs of the 60 000-image rows")
    parser.add_argument("--model", default="spiking", choices=("spiking", "reference"))
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="change a parameter, as in a sweep file (repeatable)")
    parser.add_argument("--tag", help="name of the variant (needed with --set)")
    parser.add_argument("--data-dir", help="folder holding mnist/ and fashion-mnist/ (default: EDSNN_DATA)")
    parser.add_argument("--root", default=str(HERE.parent / "runs" / "accuracy"), help="run folders and tables")
    parser.add_argument("--progress", action="store_true", help="tqdm bars per epoch")
    parser.add_argument("--table-only", action="store_true", help="only rewrite the tables")
    parser.add_argument("--curves", action="store_true",
                        help="also write curves_<label>.png and firing_<row>_<label>.md (per epoch)")
    parser.add_argument("--all-test", action="store_true",
                        help="also score each finished run of --rows on the whole test file (cached)")
    args = parser.parse_args(argv)
    rows = [r.strip() for r in args.rows.split(",") if r.strip()]
    unknown = sorted(set(rows) - set(ROWS))
    if unknown:
        parser.error(f"unknown rows {unknown}; choose from {list(ROWS)}")
    if args.set and not args.tag:
        parser.error("--set needs --tag, so the variant's runs are not mixed with the default's")
    extra = {}
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--set takes NAME=VALUE (got {item!r})")
        extra[schema.resolve_name(name)] = value.strip()
    root = Path(args.root)
    root.mkdir(parents=True, exist_ok=True)
    if not args.table_only:
        config_for(rows[0], 1, args.epochs_full, args.data_dir, args.model, extra)  # refuse bad --set now
        for row in rows:
            for seed in (int(s) for s in args.seeds.split(",")):
                run(row, seed, args, extra)
    label = label_of(args.model, args.tag)
    if args.all_test:
        score_all_test(root, rows, label)
    runs, table = summarise(root, label)
    runs.to_csv(root / f"accuracy_runs_{label}.csv", index=False, float_format="%.4f")
    (root / f"accuracy_{label}.md").write_text(table)
    for row in rows:
        (root / f"variants_{row}.md").write_text(variants(root, row))
        if args.curves:
            (root / f"firing_{row}_{label}.md").write_text(firing_by_epoch(root, row, label))
    if args.curves:
        plot_curves(root, label, rows, root / f"curves_{label}.png")
    print(table)


if __name__ == "__main__":
    main()
