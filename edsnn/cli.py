"""The ``edsnn`` command: ``train``, ``evaluate``, ``analyze``, ``export`` and ``sweep``.

::

    edsnn train                               # spiking model, embedded MNIST subset
    edsnn train --fashion --hidden 256 --epochs 5 --tau-m 15ms --out runs/fashion
    edsnn evaluate runs/fashion
    edsnn analyze runs/fashion
    edsnn export runs/fashion --format nwb    # needs --record-spikes and pip install 'edsnn[export]'

The options of ``train`` are generated from the parameter dataclasses
(:class:`~edsnn.protocols.TrainConfig` and the model's parameter sets, see
:mod:`edsnn.config.schema`): every field is an option (``--tau-m`` or
``--neuron.tau-m``), every default is the dataclass's, and options only
override them.  Physical values need a unit (``--tau-m 20ms``,
``--v-threshold -60mV``); the published
program's option names (``--mnist``, ``--fashion``, ``--spike_max_rate 150``,
``--spike_sim_time 50``, ``--spike_dt 1.0``, bare numbers in Hz and ms) are
accepted too.  Without a sub-command, options go to ``train``.

This module assembles the command line from :mod:`edsnn.protocols` and
:mod:`edsnn.analysis`; ``edsnn.protocols`` itself never imports the analysis.
"""

from __future__ import annotations

import argparse
import difflib
import functools
import os
import re
import shlex
import sys
import time
import traceback
from pathlib import Path

from edsnn.cli_help import help_text

__all__ = ["main", "build_parser", "config_from_args"]

# Brian2, the parameter sets and the protocols are imported where a command needs them:
# ``--help`` (cached, see edsnn.cli_help) and ``--version`` answer without them.

#: The published program's spike-coding options: bare numbers in these units.
PUBLISHED_OPTIONS = {"--spike_max_rate": ("coding.max_rate", "Hz"), "--spike_sim_time": ("coding.presentation", "ms"),
                     "--spike_dt": ("coding.dt", "ms")}
_NUMBER = re.compile(r"^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$")
_UNIT = re.compile(r"^[A-Za-z][A-Za-z0-9*/^]*$")
_HELP = ("-h", "--help")


def _add_train_options(p: argparse.ArgumentParser, model: str | None) -> None:
    from edsnn.config import schema

    schema.add_options(p, model=model)  # one option per parameter of TrainConfig and its sections
    g = p.add_argument_group("the published program's option names")
    g.add_argument("--mnist", dest="dataset", action="store_const", const="mnist", help="same as --dataset mnist")
    g.add_argument("--fashion", dest="dataset", action="store_const", const="fashion-mnist",
                   help="same as --dataset fashion-mnist")
    for flag, (name, unit) in PUBLISHED_OPTIONS.items():
        g.add_argument(flag, dest=f"published {name}", metavar="X",
                       help=f"{schema.flags(schema.field(name))[0]} as a number in {unit}")

    g = p.add_argument_group("output")
    g.add_argument("--out", metavar="DIR", help="run folder (default: runs/<timestamp>-<dataset>-<model>)")
    g.add_argument("--resume", action="store_true", help="continue the run in --out after its last finished epoch")
    g.add_argument("--overwrite", action="store_true", help="replace the run in --out")
    g.add_argument("--no-progress", action="store_true", help="no progress bars")
    g.add_argument("--viz", action="store_true", help="show the figures live when a display exists")
    g.add_argument("--heatmap", action="store_true", help="show the layer heatmap live when a display exists")


def build_parser(model: str | None = None) -> argparse.ArgumentParser:
    """The ``edsnn`` argument parser (sub-commands train, evaluate, analyze, export, sweep).

    Options are never abbreviated (``--epoch`` is not ``--epochs``).  ``train
    --help`` describes the options of network ``model`` (default: the default
    model's); an unknown ``model`` gives the default's (the parse names the choices).
    """
    from edsnn import __version__
    from edsnn.config import schema
    from edsnn.model.devices import DEVICES
    from edsnn.protocols.sweep import add_sweep_parser

    parser = argparse.ArgumentParser(
        prog="edsnn", allow_abbrev=False,
        description="Spiking networks trained with Kaneko's Error-Diffusion rule, in Brian2.")
    parser.add_argument("--version", action="version", version=f"edsnn {__version__}")
    parser.add_argument("--plugin", metavar="MODULE", action="append", default=[],
                        help="import MODULE first: it registers networks or parts of your own (edsnn.register)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    from edsnn.config import TrainConfig
    from edsnn.networks import NETWORKS

    if model not in NETWORKS:
        model = None
    shown = model or TrainConfig().model
    p = sub.add_parser("train", help="train a network and write a run folder", usage="edsnn train [options]",
                       formatter_class=schema.HelpFormatter,
                       description=f"Train a network; every epoch writes metrics, counts, predictions, weights and "
                                   f"figures into the run folder. The options below are those of --model {shown} "
                                   f"(edsnn train --model NAME --help lists another network's).")
    _add_train_options(p, model)
    p = sub.add_parser("evaluate", help="test a run's saved weights again (no learning)")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--device", choices=DEVICES, help="run on another device than the recorded one")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--all-test", action="store_true",
                   help="test on every image of the test file, not the selection of the saved epoch")
    p = sub.add_parser("analyze", help="firing statistics and figures of a run (RUN_DIR/analysis/)")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--overwrite", action="store_true", help="replace an existing analysis")
    p = sub.add_parser("export", help="spike times of a run as NWB or as a Neo Block (pip install 'edsnn[export]')")
    p.add_argument("run_dir", metavar="RUN_DIR", help="a run trained with --record-spikes")
    p.add_argument("--format", choices=["nwb", "neo"], required=True,
                   help="nwb: NWB file (pynwb); neo: neo.Block pickled with neo.io.PickleIO")
    p.add_argument("--out", metavar="FILE", help="default RUN_DIR/export.nwb or RUN_DIR/export.neo.pkl")
    p.add_argument("--overwrite", action="store_true", help="replace an existing file")
    add_sweep_parser(sub)
    for subparser in sub.choices.values():
        subparser.allow_abbrev = False
    return parser


def _join_values(parser: argparse.ArgumentParser, argv: list) -> list:
    """Values argparse would split or misread, joined to their option.

    ``--v-threshold -60mV`` → ``--v-threshold=-60mV`` (argparse would read
    -60mV as an option) and ``--tau-m 20 ms`` → ``--tau-m=20 ms`` (a physical
    value with a space before its unit).
    """
    takes_value, physical = set(), set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                for a in subparser._actions:
                    if a.nargs is None and a.option_strings and not isinstance(
                            a, (argparse._StoreConstAction, argparse._StoreTrueAction)):
                        takes_value |= set(a.option_strings)
                        physical |= set(a.option_strings) if a.metavar == "Q" else set()
    out, k = [], 0
    while k < len(argv):
        if argv[k] in physical and k + 2 < len(argv) and _NUMBER.match(argv[k + 1]) and _UNIT.match(argv[k + 2]):
            out.append(f"{argv[k]}={argv[k + 1]} {argv[k + 2]}")
            k += 3
        elif argv[k] in takes_value and k + 1 < len(argv) and re.match(r"^-\.?\d", argv[k + 1]):
            out.append(f"{argv[k]}={argv[k + 1]}")
            k += 2
        else:
            out.append(argv[k])
            k += 1
    return out


def _unrecognized(parser: argparse.ArgumentParser, extras: list) -> str:
    """The error for arguments no option takes, with the options closest to a mistyped one."""
    first = extras[0]
    if not first.startswith("-"):
        return f"unrecognized argument {first!r} (a value with spaces needs quotes: --tau-m \"20 ms\")"
    name = first.split("=", 1)[0]
    options = [o for a in parser._actions for o in a.option_strings]
    close = difflib.get_close_matches(name, options, n=3, cutoff=0.75)
    return f"unrecognized option {name}" + (f"; did you mean {' or '.join(close)}?" if close else
                                           f" (see edsnn {parser.prog.split()[-1]} --help)")


def config_from_args(args: argparse.Namespace, base=None):
    """``base`` (a :class:`TrainConfig`; default its defaults) with the options given on the command line.

    ``--data-dir`` implies ``--data full``; ``--data embedded`` drops a data folder.

    Raises
    ------
    ValueError
        A value the parameter sets refuse (the message names the option as typed).
    """
    from edsnn.config import TrainConfig, schema

    base = base or TrainConfig()
    changes, labels = schema.given_options(args)
    for flag, (name, unit) in PUBLISHED_OPTIONS.items():
        text = getattr(args, f"published {name}")
        if text is not None:
            if name in changes:
                raise ValueError(f"give either {flag} or {labels[name]}, not both")
            changes[name], labels[name] = (f"{text} {unit}" if _NUMBER.match(text) else text), flag
    if "data_dir" in changes:
        if changes.get("data") == "embedded":
            raise ValueError("--data-dir reads the full dataset; it cannot be combined with --data embedded")
        base, changes["data_dir"] = base.replace(data="full"), str(Path(changes["data_dir"]).expanduser())
    elif changes.get("data") == "embedded":
        base = base.replace(data="embedded", data_dir=None)
    try:
        return schema.apply(base, changes, text=True, labels=labels)
    except schema.ParameterError as err:
        raise ValueError("; ".join(message if name is None or labels[name] in message else f"{labels[name]}: {message}"
                                   for name, message in err.problems)) from None


def _cmd_train(args, parser, argv) -> int:
    from edsnn.data import DatasetError, DownloadError
    from edsnn.protocols import TrainError, load_config, train

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
    from edsnn.protocols import TrainError, evaluate

    try:
        result = evaluate(args.run_dir, device=args.device, progress=not args.no_progress, all_test=args.all_test)
    except TrainError as err:
        parser.error(str(err))
    recorded = ("" if result.recorded_accuracy is None
                else f" (recorded after epoch {result.epoch}: {100 * result.recorded_accuracy:.1f} %)")
    print(f"test accuracy {100 * result.accuracy:.1f} % on {len(result.labels)} presentations, "
          f"weights of epoch {result.epoch}{recorded}")
    path = _record_evaluation(args.run_dir, result, args.all_test, args.device)
    print(f"recorded in {path}")
    return 0


def _record_evaluation(run_dir, result, all_test: bool, device: str | None) -> Path:
    """Append one row to ``RUN_DIR/evaluation.csv`` (beside ``metrics.csv``): what was tested, where, when."""
    from datetime import datetime

    import pandas as pd

    from edsnn.protocols import load_config

    path = Path(run_dir) / "evaluation.csv"
    row = pd.DataFrame([{
        "epoch": result.epoch, "images": len(result.labels),
        "test_set": "whole test file" if all_test else "the epoch's selection",
        "accuracy": round(result.accuracy, 6), "device": device or load_config(run_dir).device,
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
    }])
    if path.exists() and list(pd.read_csv(path, nrows=0).columns) != list(row.columns):
        raise ValueError(f"{path} has other columns than {list(row.columns)}; move it away to record this evaluation")
    row.to_csv(path, mode="a", header=not path.exists(), index=False)
    return path


def _cmd_analyze(args, parser) -> int:
    from edsnn.analysis import RunFolderError, analyze_run, load_run

    try:
        written = analyze_run(args.run_dir, overwrite=args.overwrite)
    except (RunFolderError, FileExistsError, ValueError) as err:
        parser.error(_option_words(str(err)))
    print(f"wrote {len(written)} files into {Path(args.run_dir) / 'analysis'}/")
    run = load_run(args.run_dir)
    if run.skipped_epochs:
        print(f"epochs {', '.join(map(str, run.skipped_epochs))} kept no counts (record_counts "
              f"{run.config.record_counts!r}): the firing statistics cover epochs {', '.join(map(str, run.epochs))}")
    return 0


def _cmd_export(args, parser) -> int:
    from edsnn.analysis import MissingExportPackages, RunFolderError, export_run

    try:
        path = export_run(args.run_dir, args.format, args.out, overwrite=args.overwrite)
    except MissingExportPackages as err:
        print(f"edsnn export: {err}", file=sys.stderr)
        return 1
    except (RunFolderError, FileExistsError, ValueError) as err:
        parser.error(_option_words(str(err)))
    print(f"wrote {path}")
    return 0


def _option_words(message: str) -> str:
    """A message of the Python API in the command line's words (``overwrite=True`` → ``--overwrite``)."""
    return re.sub(r"overwrite=True(?: \(--overwrite\))?", "--overwrite", message)


def _cmd_sweep(args, parser) -> int:
    from edsnn.protocols.sweep import run_sweep_from_args

    return run_sweep_from_args(args, parser)


_COMMANDS = {"train": _cmd_train, "evaluate": _cmd_evaluate, "analyze": _cmd_analyze, "export": _cmd_export,
             "sweep": _cmd_sweep}


def _culprit(err: BaseException) -> tuple[str, traceback.FrameSummary | None]:
    """Whose error ``err`` is ("brian2", "edsnn" or "") and the innermost frame of that package."""
    import edsnn

    roots = {"edsnn": Path(edsnn.__file__).parent}
    brian2 = sys.modules.get("brian2")
    if brian2 is not None:
        roots["brian2"] = Path(brian2.__file__).parent
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        for owner, root in roots.items():
            if Path(frame.filename).is_relative_to(root):
                return owner, frame
    return "", None


def _report(err: Exception, frame: traceback.FrameSummary | None, command: str) -> int:
    """One line naming the error and where edsnn raised it."""
    where = f" at {Path(frame.filename).relative_to(Path(__file__).parents[1])}:{frame.lineno} in {frame.name}" \
        if frame else ""
    message = str(err).strip().replace("\n", " ") or "(no message)"
    print(f"edsnn {command}: {message} ({type(err).__name__}{where}; EDSNN_TRACEBACK=1 shows the traceback)",
          file=sys.stderr)
    return 1


def main(argv=None) -> int:
    """Entry point of the ``edsnn`` command; returns the exit status.

    An unexpected error is one line naming it and where edsnn raised it
    (``EDSNN_TRACEBACK=1``: the traceback); one raised inside Brian2 goes on to
    Brian2's report, which points to its debug log.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        return _main(*_pre_scan(argv))
    except KeyboardInterrupt:
        return 130
    except Exception as err:
        owner, frame = _culprit(err)
        if owner == "brian2" or os.environ.get("EDSNN_TRACEBACK"):
            raise
        command = next((a for a in argv if not a.startswith("-")), "train")
        return _report(err, frame, command if command in _COMMANDS else "train")


def _pre_scan(argv: list) -> tuple[list, str | None, list]:
    """Import the ``--plugin`` modules (before the options are built from the registries); find ``--model``.

    Returns argv without the ``--plugin`` options, the model given (or None) and the plugins.
    """
    import importlib

    rest, model, plugins, k = [], None, [], 0
    while k < len(argv):
        name, eq, value = argv[k].partition("=")
        taken = 1 if eq or name not in ("--plugin", "--model") else 2
        if name in ("--plugin", "--model") and not eq:
            value = argv[k + 1] if k + 1 < len(argv) else ""
        if name == "--plugin":
            try:
                importlib.import_module(value)
            except ImportError as err:
                raise SystemExit(f"edsnn: --plugin {value}: cannot import it ({err}); put its folder on "
                                 "PYTHONPATH or install its package") from None
            plugins.append(value)
        else:
            model = value if name == "--model" else model
            rest.extend(argv[k:k + taken])
        k += taken
    return rest, model, plugins


def _format_help(command: str | None, model: str | None) -> str:
    parser = build_parser(model)
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    return (subparsers[command] if command else parser).format_help()


def _main(argv: list, model: str | None, plugins: list) -> int:
    if argv and argv[0].startswith("-") and argv[0] not in (*_HELP, "--version"):
        argv = ["train", *argv]  # the published program's style: options only
    if argv and argv[0] == "--version":
        from edsnn import __version__

        print(f"edsnn {__version__}")
        return 0
    command = argv[0] if argv and argv[0] in _COMMANDS else None
    if set(_HELP) & set(argv) and (command or argv[0] in _HELP):
        make = functools.partial(_format_help, command, model)
        # a plugin may change the registries, hence the options: its help is not cached
        print(make() if plugins else help_text(f"{command or 'edsnn'}-{model or ''}", make), end="")
        return 0
    parser = build_parser(model)
    subparsers = {name: p for a in parser._actions if isinstance(a, argparse._SubParsersAction)
                  for name, p in a.choices.items()}
    args, extras = parser.parse_known_args(_join_values(parser, argv))
    if extras:
        subparsers.get(args.command, parser).error(_unrecognized(subparsers.get(args.command, parser), extras))
    if args.command is None:
        parser.print_help()
        return 2
    sub = subparsers[args.command]
    if args.command == "train":
        return _cmd_train(args, sub, argv)
    return _COMMANDS[args.command](args, sub)


if __name__ == "__main__":
    sys.exit(main())
