"""ED against Diehl & Cook's STDP network: the same data and test images, one table and one figure.

Trains (or reads back, or resumes) one run folder per model under ``--root``
with :func:`edsnn.protocols.train`: the spiking ED network (``--hidden``) and
Diehl & Cook's network for each ``--neurons`` size, all on the same
dataset, training and test selections (``--data``, ``--train``, ``--test``,
``--seed``, stratified sampling), then compares their last epochs with
:func:`edsnn.analysis.comparison.compare_runs` (accuracy, images seen,
neurons, learned weights, time per training image, E and I rates, silent
fraction, Fano factor, selectivity).  Writes ``ed_vs_stdp.md``,
``ed_vs_stdp.csv`` and ``receptive_fields.png`` (both models' first-layer
fields side by side) into ``--out``.

    EDSNN_DATA=../shared/data python benchmarks/ed_vs_stdp.py --data full --train 60000 --test 10000 \\
        --ed-epochs 1 --dc-epochs 1 --neurons 100 --root runs/ed_vs_stdp --out studies/ed_vs_stdp/earlier_dc100
    python benchmarks/ed_vs_stdp.py --train 200 --test 100 --hidden 16 --neurons 20 --root /tmp/evs  # minutes
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from edsnn.analysis import load_run
from edsnn.analysis.comparison import compare_runs, plot_receptive_fields_side_by_side, same_test_images
from edsnn.protocols import TrainConfig, train


def configs(args) -> dict:
    """Label → TrainConfig of every run of the comparison."""
    # Diehl & Cook's network simulates a whole batch of slots per run: no batch beyond the images
    common = dict(dataset=args.dataset, data=args.data, train=args.train, test=args.test, seed=args.seed,
                  sampling="stratified", device=args.device, batch_size=min(args.batch_size, args.train, args.test))
    hidden = tuple(int(h) for h in args.hidden.split(","))
    out = {f"ED, hidden {args.hidden}": TrainConfig(model="spiking", hidden=hidden, epochs=args.ed_epochs,
                                                    record_counts="last", **common)}
    for n in args.neurons:
        out[f"Diehl & Cook, {n} E"] = TrainConfig(model="diehl-cook", n_excitatory=n, epochs=args.dc_epochs, **common)
    return out


def folder_of(root: Path, config: TrainConfig) -> Path:
    size = f"{config.n_excitatory}" if config.model == "diehl-cook" else "x".join(map(str, config.hidden))
    return root / f"{config.dataset}-{config.model}-{size}-train{config.train}-seed{config.seed}"


def markdown(table, same: bool, command: str) -> str:
    def pct(v):
        return f"{100 * v:.1f} %"

    def num(v, digits=2):
        return "–" if v != v else f"{v:.{digits}f}"

    lines = [
        "| run | test accuracy (best) | epochs × images | presentations | neurons (+ inputs) | learned weights "
        "| s per training image | E rate, Hz | I rate, Hz | E / I silent | Fano E / I | selectivity E / I |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        lines.append(
            f"| {r.run} | {pct(r.test_accuracy)} ({pct(r.best_test_accuracy)}) | {r.epochs} × "
            f"{r.images_seen // r.epochs} | {r.presentations} | {r.neurons} (+ {r.inputs}) | {r.learned_weights:,} "
            f"| {num(r.seconds_per_image, 4)} | {num(r.E_rate_hz, 1)} | {num(r.I_rate_hz, 1)} "
            f"| {pct(r.E_silent)} / {pct(r.I_silent)} | {num(r.E_fano)} / {num(r.I_fano)} "
            f"| {num(r.E_selectivity)} / {num(r.I_selectivity)} |")
    note = ("the same test images (dataset, selection and order checked)" if same
            else "**not** the same test images")
    return "\n".join([f"Command: `{command}`; {note}.", "", *lines, ""])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--data", default="embedded", choices=("embedded", "full"))
    parser.add_argument("--train", type=int, default=1000)
    parser.add_argument("--test", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hidden", default="256", help="hidden sizes of the ED network")
    parser.add_argument("--ed-epochs", type=int, default=1)
    parser.add_argument("--neurons", type=int, nargs="+", default=[400], help="Diehl & Cook sizes")
    parser.add_argument("--dc-epochs", type=int, default=1)
    parser.add_argument("--device", default="cpp")
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--root", default="runs/ed_vs_stdp", help="run folders (finished ones are read back)")
    parser.add_argument("--out", default=None, help="table and figure folder (default: --root)")
    args = parser.parse_args(argv)
    root = Path(args.root)
    runs = {}
    for label, config in configs(args).items():
        folder = folder_of(root, config)
        done = len(load_run(folder).metrics) if (folder / "weights.npz").is_file() else 0
        if done < config.epochs:
            train(config, folder, resume=folder.exists(), progress=False,
                  command_line=f"benchmarks/ed_vs_stdp.py ({label})")
        runs[label] = load_run(folder)
    table = compare_runs(runs)
    out = Path(args.out or root)
    out.mkdir(parents=True, exist_ok=True)
    table.to_csv(out / "ed_vs_stdp.csv", index=False)
    command = "python benchmarks/ed_vs_stdp.py " + " ".join(sys.argv[1:] if argv is None else argv)
    text = markdown(table, same_test_images(runs), command)
    (out / "ed_vs_stdp.md").write_text(text)
    plot_receptive_fields_side_by_side(runs, path=out / "receptive_fields.png")
    print(text)


if __name__ == "__main__":
    main()
