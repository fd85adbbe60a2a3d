"""The command-line options of ``edsnn train``, one per parameter, made from the same fields."""

from __future__ import annotations

import argparse

from edsnn.config.train import RUN_FIELDS, TrainConfig, section_classes
from edsnn.networks import network_class

from .parameters import Field, _docstring, _python_type, field, fields


class _Store(argparse.Action):
    """Stores the text and which option string gave it (messages name the option as typed)."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        _note(namespace, self.dest, option_string)


def _note(namespace, dest, option_string):
    if not hasattr(namespace, "_typed"):
        namespace._typed = {}
    namespace._typed[dest] = option_string


class _Flag(argparse.BooleanOptionalAction):
    def __call__(self, parser, namespace, values, option_string=None):
        super().__call__(parser, namespace, values, option_string)
        _note(namespace, self.dest, option_string)


def flags(f: Field) -> list[str]:
    """Option strings of a parameter: short name, full name, then aliases."""
    from .schema import names  # the schema re-exports these options: imported when called

    rank = {f.section: 0, f.attr: 1, f.name: 2}
    written = sorted((n for n, full in names().items() if full == f.name), key=lambda n: rank.get(n, 3))
    return ["--" + n.replace("_", "-") for n in written]


def add_options(parser: argparse.ArgumentParser, default: TrainConfig | None = None, model: str | None = None) -> None:
    """Add one option per parameter, grouped by section, with its doc and default.

    Each stores its text under the full name (``args.__dict__["neuron.tau_m"]``);
    :func:`given_options` collects them.  The help lists the run settings and
    the options of network ``model`` (default: the default model's); the
    other networks' options still parse, so that :class:`TrainConfig` can
    refuse them with a message naming their network.
    """
    default = default or TrainConfig()
    reads = set(RUN_FIELDS) | set(network_class(model or default.model).options)
    titles = {s: _docstring(TrainConfig).get(s, ("", s))[1] for s in section_classes()}
    groups = {None: parser.add_argument_group("run settings")}
    for f in fields():
        shown = (f.section or f.name) in reads
        if f.section not in groups and shown:
            groups[f.section] = parser.add_argument_group(f"{f.section}: {titles[f.section]}")
        group = groups.get(f.section, parser)
        cls = f.classes[0]
        physical = f.example(cls) is not None
        doc = f.doc() + (", with a unit" if physical else "")
        kwargs = {"dest": f.name, "default": None,
                  "help": f"{doc} (default: {f.default_text(default)})" if shown else argparse.SUPPRESS}
        if f.attr != "kind" and _python_type(cls, f.attr) is bool:
            group.add_argument(*flags(f), action=_Flag, **kwargs)
            continue
        choices = f.choices()
        metavar = ("{" + ",".join(choices) + "}" if choices else "Q" if physical else
                   {int: "N", float: "X", tuple: "N[,N,...]"}.get(_python_type(cls, f.attr), "TEXT"))
        group.add_argument(*flags(f), action=_Store, metavar=metavar, **kwargs)


def given_options(args: argparse.Namespace) -> tuple[dict, dict]:
    """(full name → text given, full name → the option typed) of the options :func:`add_options` made."""
    given = {f.name: getattr(args, f.name) for f in fields() if getattr(args, f.name, None) is not None}
    typed = getattr(args, "_typed", {})
    return given, {name: typed.get(name) or flags(field(name))[0] for name in given}


class HelpFormatter(argparse.HelpFormatter):
    """Writes ``--tau-m, --neuron.tau-m Q`` (the value's name once, after all spellings)."""

    def _format_action_invocation(self, action):
        if not action.option_strings or action.nargs == 0:
            return super()._format_action_invocation(action)
        return f"{', '.join(action.option_strings)} {self._format_args(action, action.dest.upper())}"
