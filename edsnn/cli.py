"""The ``edsnn`` command: ``train``, ``evaluate``, ``analyze`` and ``sweep``.

::

    edsnn train                               # spiking model, embedded MNIST subset
    edsnn train --fashion --hidden 256 --epochs 5 --tau-m 15ms --out runs/fashion
    edsnn evaluate runs/fashion
    edsnn analyze runs/fashion

Every default comes from the parameter dataclasses (:class:`~edsnn.protocols.TrainConfig`
and the model's parameter sets); options only override them.  Physical values
need a unit (``--tau-m 20ms``, ``--v-threshold -60mV``); the published
program's option names (``--mnist``, ``--fashion``, ``--spike_max_rate 150``,
``--spike_sim_time 50``, ``--spike_dt 1.0``, bare numbers in Hz and ms) are
accepted too.  Without a sub-command, options go to ``train``.

This module assembles the command line from :mod:`edsnn.protocols` and
:mod:`edsnn.analysis`; ``edsnn.protocols`` itself never imports the analysis.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import shlex
import sys
import time
from pathlib import Path

from brian2 import Hz, ms

from edsnn.data import PAIRS, SAMPLING_METHODS, SOURCES, DatasetError, DownloadError
from edsnn.data.catalog import canonical_name
from edsnn.model import DEVICES, DIFFUSIONS, INPUT_ACTIVITIES, MODELS, PRIOR_SCOPES, SIGN_RULES
from edsnn.protocols import SYNAPSES, TrainConfig, TrainError
from edsnn.protocols.sweep import add_sweep_parser, run_sweep_from_args
from edsnn.units import UnitError, format_quantity, parse_quantity

__all__ = ["main", "build_parser", "config_from_args"]

_DEFAULT = TrainConfig()

#: Physical options: flag → (config section, field).  Units and defaults come from the dataclasses.
LIF_OPTIONS = {
    "--v-rest": "v_rest", "--v-threshold": "v_threshold", "--v-reset": "v_reset",
    "--tau-m": "tau_m", "--tau-ref": "tau_ref", "--R-m": "R_m", "--I-bias": "I_bias",
}
CODING_OPTIONS = {"--spike-max-rate": "max_rate", "--presentation": "presentation", "--rest": "rest", "--dt": "dt"}
#: The published program's spike-coding options: bare numbers in these units.
PUBLISHED_CODING_OPTIONS = {"--spike_max_rate": ("max_rate", Hz), "--spike_sim_time": ("presentation", ms),
                            "--spike_dt": ("dt", ms)}
ED_FLOAT_OPTIONS = {
    "--lr": ("lr", "learning rate α"), "--ami": ("ami", "β, value of Kaneko's bias inputs (with --bias)"),
    "--dif": ("dif", "u1, amine diffusion factor"), "--sig": ("sig", "u0, sigmoid gain (reference model)"),
    "--w1": ("w1", "initial |w| drawn from U[w1, w2)"), "--w2": ("w2", "upper end of the initial |w| range"),
    "--count-prior": ("count_prior", "prior count c0 keeping spiking activities off 0 and 1"),
}
_NUMBER = re.compile(r"^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$")


def _dest(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


def _doc(section, name) -> str:
    for f in dataclasses.fields(section):
        if f.name == name:
            return f.metadata.get("doc", name)
    return name


def _quantity(option: str, example, bare_unit=None):
    """argparse type: text with a unit of ``example``'s dimensions (bare numbers in ``bare_unit``)."""
    def convert(text):
        try:
            if bare_unit is not None and _NUMBER.match(text):
                return parse_quantity(f"{float(text)!r} {bare_unit!s}", option, example)
            return parse_quantity(text, option, example)
        except UnitError as err:
            raise argparse.ArgumentTypeError(str(err)) from None
    convert.__name__ = "quantity"
    return convert


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1 (got {text!r})") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1 (got {text!r})")
    return value


def _seed(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"must lie in 0..4294967295 (got {text!r})")
    return value


def _hidden(text):
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(
            f"must be layer sizes >= 1 separated by commas, e.g. 256 or 256,128 (got {text!r})")
    return sizes


def _dataset(text):
    try:
        return canonical_name(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _add_train_options(p: argparse.ArgumentParser) -> None:
    d = _DEFAULT
    g = p.add_argument_group("data and run")
    g.add_argument("--dataset", type=_dataset, metavar="{mnist,fashion-mnist}",
                   help=f"dataset (default: {d.dataset})")
    g.add_argument("--mnist", dest="dataset", action="store_const", const="mnist", help="same as --dataset mnist")
    g.add_argument("--fashion", dest="dataset", action="store_const", const="fashion-mnist",
                   help="same as --dataset fashion-mnist")
    g.add_argument("--data", choices=SOURCES,
                   help=f"embedded: the 1000 train / 500 test images shipped with edsnn; full: the "
                        f"60000 / 10000 standard files (default: {d.data})")
    g.add_argument("--data-dir", metavar="DIR", help="folder with the full dataset files (implies --data full)")
    g.add_argument("--train", type=_positive_int, metavar="N",
                   help=f"training presentations per epoch (default: {d.train})")
    g.add_argument("--test", type=_positive_int, metavar="N", help=f"test presentations per epoch (default: {d.test})")
    g.add_argument("--epochs", type=_positive_int, metavar="E", help=f"epochs (default: {d.epochs})")
    g.add_argument("--sampling", choices=SAMPLING_METHODS,
                   help=f"which images are used, for training and test (default: {d.sampling})")
    g.add_argument("--seed", type=_seed, metavar="S",
                   help=f"seed of every random stream: weights, sampling, order, spikes (default: {d.seed})")
    g.add_argument("--device", choices=DEVICES, help=f"where Brian2 runs; runtime = Cython (default: {d.device})")
    g.add_argument("--batch-size", type=_positive_int, metavar="B",
                   help=f"presentations per Brian2 run; memory only, learning is per sample (default: {d.batch_size})")

    g = p.add_argument_group("network")
    g.add_argument("--hidden", type=_hidden, metavar="H[,H2,...]",
                   help=f"hidden layer sizes of each class network (default: {','.join(map(str, d.hidden))})")
    g.add_argument("--model", choices=MODELS,
                   help=f"spiking: all layers LIF; reference: the published hybrid (default: {d.model})")

    g = p.add_argument_group("ED rule")
    for flag, (name, doc) in ED_FLOAT_OPTIONS.items():
        g.add_argument(flag, type=float, metavar="X", help=f"{doc} (default: {getattr(d.ed, name)})")
    g.add_argument("--sign-rule", choices=SIGN_RULES, help=f"weight signs (default: {d.ed.sign_rule})")
    g.add_argument("--diffusion", choices=DIFFUSIONS, help=f"amine factor per hidden layer (default: {d.ed.diffusion})")
    g.add_argument("--bias", action=argparse.BooleanOptionalAction, default=None,
                   help=f"Kaneko's two bias inputs of value β (default: {d.ed.bias})")
    g.add_argument("--input-activity", choices=INPUT_ACTIVITIES,
                   help=f"first-layer presynaptic activity in the update (default: {d.ed.input_activity})")
    g.add_argument("--prior-scope", choices=PRIOR_SCOPES,
                   help=f"where the prior count c0 enters the activity (default: {d.ed.prior_scope})")
    g.add_argument("--activity-max-rate", type=_quantity("--activity-max-rate", d.ed.activity_max_rate),
                   metavar="RATE", help=f"firing rate read as activity 1 (default: {format_quantity(d.ed.activity_max_rate)})")

    g = p.add_argument_group("LIF neurons (hidden and output; values need units)")
    for flag, name in LIF_OPTIONS.items():
        example = getattr(d.neuron, name)
        g.add_argument(flag, dest=_dest(flag), type=_quantity(flag, example), metavar="Q",
                       help=f"{_doc(type(d.neuron), name)} (default: {format_quantity(example)})")

    g = p.add_argument_group("synapses")
    g.add_argument("--synapse", choices=tuple(SYNAPSES), help=f"kinetics (default: {d.synapse.kind})")
    g.add_argument("--tau-syn", type=_quantity("--tau-syn", SYNAPSES["exponential"]().tau_syn), metavar="Q",
                   help=f"decay of the exponential synaptic current (default: {format_quantity(SYNAPSES['exponential']().tau_syn)})")
    g.add_argument("--w-unit", metavar="Q",
                   help="effect of a weight of 1: a current for exponential synapses (default: "
                        f"{format_quantity(SYNAPSES['exponential']().w_unit)}), a voltage jump for delta ones "
                        f"(default: {format_quantity(SYNAPSES['delta']().w_unit)})")

    g = p.add_argument_group("spike coding (values need units)")
    for flag, name in CODING_OPTIONS.items():
        example = getattr(d.coding, name)
        g.add_argument(flag, dest=_dest(flag), type=_quantity(flag, example), metavar="Q",
                       help=f"{_doc(type(d.coding), name)} (default: {format_quantity(example)})")
    g.add_argument("--pairs", choices=PAIRS,
                   help=f"E and I input of a pixel fire one shared or two independent trains (default: {d.coding.pairs})")
    for flag, (name, unit) in PUBLISHED_CODING_OPTIONS.items():
        g.add_argument(flag, dest=f"published_{name}", type=_quantity(flag, getattr(d.coding, name), unit),
                       metavar="X", help=f"published program's name for --{name.replace('_', '-')}: a number in {unit!s}")

    g = p.add_argument_group("output")
    g.add_argument("--out", metavar="DIR", help="run folder (default: runs/<timestamp>-<dataset>-<model>)")
    g.add_argument("--resume", action="store_true", help="continue the run in --out after its last finished epoch")
    g.add_argument("--overwrite", action="store_true", help="replace the run in --out")
    g.add_argument("--record-spikes", action="store_true", default=None,
                   help="keep spike times of the test presentations (spikes.parquet)")
    g.add_argument("--no-progress", action="store_true", help="no progress bars")
    g.add_argument("--viz", action="store_true", help="show the figures live when a display exists")
    g.add_argument("--heatmap", action="store_true", help="show the layer heatmap live when a display exists")


def build_parser() -> argparse.ArgumentParser:
    """The ``edsnn`` argument parser (sub-commands train, evaluate, analyze, sweep)."""
    from edsnn import __version__

    parser = argparse.ArgumentParser(
        prog="edsnn", description="Spiking networks trained with Kaneko's Error-Diffusion rule, in Brian2.")
    parser.add_argument("--version", action="version", version=f"edsnn {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("train", help="train a network and write a run folder", usage="edsnn train [options]",
                       description="Train an ED network; every epoch writes metrics, counts, predictions, "
                                   "weights and figures into the run folder.")
    _add_train_options(p)
    p = sub.add_parser("evaluate", help="test a run's saved weights again (no learning)")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--device", choices=DEVICES, help="run on another device than the recorded one")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p = sub.add_parser("analyze", help="firing statistics and figures of a run (RUN_DIR/analysis/)")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--overwrite", action="store_true", help="replace an existing analysis")
    add_sweep_parser(sub)
    return parser


def _join_negative_values(parser: argparse.ArgumentParser, argv: list) -> list:
    """``--v-threshold -60mV`` → ``--v-threshold=-60mV`` (argparse would read -60mV as an option)."""
    takes_value = set()
    for action in parser._actions:  # noqa: SLF001 - argparse exposes no public list
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for subparser in action.choices.values():
                takes_value |= {o for a in subparser._actions if a.nargs is None and a.option_strings  # noqa: SLF001
                                and not isinstance(a, (argparse._StoreConstAction, argparse._StoreTrueAction))  # noqa: SLF001
                                for o in a.option_strings}
    out, k = [], 0
    while k < len(argv):
        if argv[k] in takes_value and k + 1 < len(argv) and re.match(r"^-\.?\d", argv[k + 1]):
            out.append(f"{argv[k]}={argv[k + 1]}")
            k += 2
        else:
            out.append(argv[k])
            k += 1
    return out


def config_from_args(args: argparse.Namespace, base: TrainConfig | None = None) -> TrainConfig:
    """``base`` (default: :class:`TrainConfig`'s defaults) with the options given on the command line.

    Raises
    ------
    ValueError
        A value the parameter sets refuse (the message names the parameter).
    """
    base = base or TrainConfig()
    top = {}
    for name in ("dataset", "train", "test", "epochs", "hidden", "model", "sampling", "seed", "device",
                 "batch_size", "record_spikes"):
        value = getattr(args, name, None)
        if value is not None:
            top[name] = value
    if args.data_dir is not None:
        if args.data == "embedded":
            raise ValueError("--data-dir reads the full dataset; it cannot be combined with --data embedded")
        top["data"], top["data_dir"] = "full", str(Path(args.data_dir).expanduser())
    elif args.data is not None:
        top["data"] = args.data
        if args.data == "embedded":
            top["data_dir"] = None

    neuron = {name: getattr(args, _dest(flag)) for flag, name in LIF_OPTIONS.items()
              if getattr(args, _dest(flag)) is not None}
    coding = {name: getattr(args, _dest(flag)) for flag, name in CODING_OPTIONS.items()
              if getattr(args, _dest(flag)) is not None}
    if args.pairs is not None:
        coding["pairs"] = args.pairs
    for flag, (name, _) in PUBLISHED_CODING_OPTIONS.items():
        value = getattr(args, f"published_{name}")
        if value is not None:
            if name in coding:
                raise ValueError(f"give either {flag} or --{_dest(flag)} ... not both")
            coding[name] = value
    ed = {name: getattr(args, _dest(flag)) for flag, (name, _) in ED_FLOAT_OPTIONS.items()
          if getattr(args, _dest(flag)) is not None}
    for name in ("sign_rule", "diffusion", "bias", "input_activity", "prior_scope", "activity_max_rate"):
        if getattr(args, name) is not None:
            ed[name] = getattr(args, name)

    kind = args.synapse or base.synapse.kind
    synapse = base.synapse if kind == base.synapse.kind else SYNAPSES[kind]()
    changes = {}
    if args.tau_syn is not None:
        if kind != "exponential":
            raise ValueError("--tau-syn applies to exponential synapses only (this run uses --synapse delta)")
        changes["tau_syn"] = args.tau_syn
    if args.w_unit is not None:
        try:
            changes["w_unit"] = parse_quantity(args.w_unit, "--w-unit", SYNAPSES[kind]().w_unit)
        except UnitError as err:
            raise ValueError(f"{err} (for {kind} synapses)") from None
    for label, section, values in (("neuron", "neuron", neuron), ("spike coding", "coding", coding),
                                   ("ED", "ed", ed)):
        if values:
            try:
                top[section] = getattr(base, section).replace(**values)
            except ValueError as err:
                raise ValueError(f"invalid {label} parameters: {err}") from None
    try:
        top["synapse"] = synapse.replace(**changes) if changes else synapse
    except ValueError as err:
        raise ValueError(f"invalid synapse parameters: {err}") from None
    return base.replace(**top)


def _cmd_train(args, parser, argv) -> int:
    from edsnn.protocols import load_config, train

    if args.resume and args.overwrite:
        parser.error("--resume and --overwrite exclude each other")
    if args.resume and not args.out:
        parser.error("--resume needs --out RUN_DIR (the run to continue)")
    base = None
    if args.resume and (Path(args.out) / "config.json").is_file():
        try:
            base = load_config(args.out)
        except TrainError as err:
            parser.error(str(err))
    try:
        config = config_from_args(args, base)
    except (ValueError, TypeError) as err:
        parser.error(str(err))
    viz = ("learning_curves", "confusion", "heatmap") if args.viz else (("heatmap",) if args.heatmap else ())
    started = time.perf_counter()
    try:
        result = train(config, args.out, resume=args.resume, overwrite=args.overwrite,
                       progress=not args.no_progress, viz=viz, command_line=shlex.join(["edsnn", *argv]))
    except TrainError as err:
        parser.error(str(err))
    except (DatasetError, DownloadError) as err:
        print(f"edsnn train: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    metrics = result.metrics
    if len(metrics):
        last = metrics.iloc[-1]
        best = metrics.loc[metrics["test_accuracy"].idxmax()]
        print(f"done in {time.perf_counter() - started:.0f} s: test accuracy {100 * last.test_accuracy:.1f} % "
              f"after epoch {int(last.epoch)} (best {100 * best.test_accuracy:.1f} % at epoch {int(best.epoch)}); "
              f"results in {result.path}/")
    return 0


def _cmd_evaluate(args, parser) -> int:
    from edsnn.protocols import evaluate

    try:
        result = evaluate(args.run_dir, device=args.device, progress=not args.no_progress)
    except TrainError as err:
        parser.error(str(err))
    recorded = ("" if result.recorded_accuracy is None
                else f" (recorded after epoch {result.epoch}: {100 * result.recorded_accuracy:.1f} %)")
    print(f"test accuracy {100 * result.accuracy:.1f} % on {len(result.labels)} presentations, "
          f"weights of epoch {result.epoch}{recorded}")
    return 0


def _cmd_analyze(args, parser) -> int:
    from edsnn.analysis import RunFolderError, analyze_run

    try:
        written = analyze_run(args.run_dir, overwrite=args.overwrite)
    except (RunFolderError, FileExistsError, ValueError) as err:
        parser.error(str(err))
    print(f"wrote {len(written)} files into {Path(args.run_dir) / 'analysis'}/")
    return 0


def _cmd_sweep(args, parser) -> int:
    return run_sweep_from_args(args, parser)


def main(argv=None) -> int:
    """Entry point of the ``edsnn`` command; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        argv = ["train", *argv]  # the published program's style: options only
    args = parser.parse_args(_join_negative_values(parser, argv))
    subparsers = {name: p for a in parser._actions if isinstance(a, argparse._SubParsersAction)  # noqa: SLF001
                  for name, p in a.choices.items()}
    if args.command is None:
        parser.print_help()
        return 2
    sub = subparsers[args.command]
    if args.command == "train":
        return _cmd_train(args, sub, argv)
    if args.command == "evaluate":
        return _cmd_evaluate(args, sub)
    if args.command == "analyze":
        return _cmd_analyze(args, sub)
    return _cmd_sweep(args, sub)


if __name__ == "__main__":
    sys.exit(main())
