"""``TrainConfig``: everything that decides what a training run computes.

One frozen dataclass holds the model's parameter sets (neuron, synapse, ED
rule, spike coding) and the run's settings (dataset, sizes, epochs, seed,
device).  Its defaults are the defaults of ``edsnn train``: the command line
only overrides fields, it never repeats a default.

>>> cfg = TrainConfig(hidden=(8,), train=30, test=20, epochs=2)
>>> cfg.coding.presentation
100. * msecond
>>> TrainConfig.from_dict(cfg.to_dict()) == cfg
True
"""

from __future__ import annotations

import dataclasses
import functools
import re

from edsnn.data import SAMPLING_METHODS, SOURCES, SpikeCoding
from edsnn.data.catalog import canonical_name
from edsnn.model import (
    DEVICES,
    NEURONS,
    PRECISIONS,
    RATE_UNITS,
    SYNAPSES,
    AdaptiveConductanceLIF,
    EDParameters,
    ExponentialSynapse,
    LIFParameters,
    ReferenceInputLIF,
    STDPParameters,
    SynapseModel,
)
from edsnn.model.catalog import import_part, import_path, register_part
from edsnn.model.compiler import chosen_device
from edsnn.networks import NETWORKS, DiehlCookParameters, network_class

__all__ = ["TrainConfig", "RUN_FIELDS", "SYNAPSES", "KINDS", "PER_LAYER", "kind_of", "section_classes",
           "owners"]

#: Settings of the run itself, whatever its network; every other field is a network's option
#: (``Network.options``) and is refused for a network that does not read it.
RUN_FIELDS = ("dataset", "data", "data_dir", "train", "test", "epochs", "model", "sampling", "seed", "device",
              "precision", "batch_size", "workers", "scheduler", "record_counts")

#: Sections that take one of several parameter classes: section → {kind name → class}.
#: A kind registered here becomes a ``--synapse`` choice, a sweep value and a
#: ``config.json`` ``"kind"`` with no other edit; a section added here (e.g.
#: ``"neuron": {"lif": LIFParameters, ...}``) gets a ``--neuron`` kind option.
KINDS = {"synapse": SYNAPSES, "neuron": NEURONS}

#: Fields holding layer name → parameter set of a section (``neurons`` → ``neuron``):
#: per-layer exceptions to the section, set from Python or a TOML table, not an option.
PER_LAYER = {"neurons": "neuron"}


def _positive_int(name, value):
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1 (got {value!r})")
    return int(value)


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    """Settings of one training run (frozen; checked on construction).

    Parameters
    ----------
    dataset : {"mnist", "fashion-mnist"}
        Dataset (alias ``"fashion"`` accepted).
    data : {"embedded", "full"}
        ``"embedded"``: the subset shipped with edsnn (1000 train / 500 test
        images per dataset); ``"full"``: the standard 60000 / 10000 files.
    data_dir : str or None
        Folder searched first for the full files (``data`` must be ``"full"``).
    train : int
        Training presentations per epoch (images drawn by ``sampling``).
    test : int
        Test presentations per epoch.
    epochs : int
        Passes over the training selection.
    hidden : tuple of int
        Hidden layer sizes of each class network (a single int: one layer).
    model : str
        The network kind (:data:`edsnn.networks.NETWORKS`): ``"spiking"`` (all-LIF ED
        network) or ``"reference"`` (the published hybrid; see
        :class:`edsnn.networks.EDNetwork`), ``"diehl-cook"`` (Diehl & Cook's unsupervised
        STDP network, :class:`edsnn.networks.DiehlCookNetwork`), or one registered with
        ``edsnn.register``.  Each network reads its own options (``Network.options``);
        another network's option set to other than its default is refused.
    n_excitatory : int
        Excitatory (and inhibitory) neurons of the diehl-cook model (command line
        ``--neurons N``).
    sampling : {"first", "stratified", "resample-each-epoch"}
        Which images are used (:func:`edsnn.data.select_subset`); the test
        selection follows the same method.  The training order is shuffled
        every epoch.
    seed : int
        Every random stream derives from ``(seed, epoch)``.
    device : {"runtime", "numpy", "cython", "cpp", "cuda"}
        Where Brian2 runs (``"runtime"`` is the runtime device with Cython);
        default ``$EDSNN_DEVICE`` if set, else ``"cpp"`` where a C++ compiler works
        (:func:`edsnn.model.compiler.chosen_device`).
    precision : {"double", "single"}
        Floating-point type of the network's state and weights (single:
        half the memory traffic; its speed and accuracy: docs, Results).
    batch_size : int
        Presentations per Brian2 ``run()`` (memory bound only).
    workers : int
        Worker processes sharing out the class networks (ED models), with
        bit-identical results whatever their number.  Each simulates a
        contiguous range of class networks on the same input spikes; the
        number is not part of what makes two runs different (a run may
        resume with another); at most the number of classes.  A script
        that trains with workers guards its entry point with
        ``if __name__ == "__main__":`` (workers are spawned and import it).
    scheduler : str, optional
        Address of a running Dask scheduler (``"tcp://host:8786"``): the
        ``workers`` shards run on its worker processes, one shard per Dask
        worker, instead of on this machine; the results are the same.
    record_spikes : bool
        Keep spike times of the test presentations (``spikes/``, one file per epoch).
    record_counts : str
        Which test presentations' counts the run folder keeps (``counts/``):
        ``"all"`` (every presentation of every epoch), ``"last"`` (the last
        epoch only), ``"every:K"`` (every K-th epoch and the last) or
        ``"sample:N"`` (N evenly spaced presentations of every epoch);
        predictions and accuracies are always complete.
    neuron : NeuronModel or str
        Neuron model of the hidden and output layers (spiking model), one of
        :data:`edsnn.model.NEURONS` (an instance, or its kind: ``"izhikevich"``).
    neurons : dict of str to NeuronModel
        Per-layer exceptions to ``neuron``: layer name (``"hidden1"``, …,
        ``"output"``) → its model (spiking model).  In a sweep file:
        ``neurons.hidden1 = "izhikevich"`` or a table ``[base.neurons.output]``
        with ``kind`` and parameters.
    transfer : {"sigmoid", "frelu"}
        Rate units of the reference model (:data:`edsnn.model.RATE_UNITS`).
    input_neuron : ReferenceInputLIF
        The reference model's input LIF (Euler-integrated, as published).
    synapse : SynapseModel or str
        Synaptic kinetics of the spiking model (an instance, or its kind: ``"alpha"``).
    ed : EDParameters
        The learning rule.
    coding : SpikeCoding
        Input rates and presentation timing.
    stdp : STDPParameters
        Diehl & Cook's learning rule (diehl-cook model).
    diehl_cook : DiehlCookParameters
        Diehl & Cook's input, timing and fixed weights (diehl-cook model).
    dc_excitatory : AdaptiveConductanceLIF
        Diehl & Cook's excitatory neuron, its adaptive threshold θ included (diehl-cook model).
    """

    dataset: str = "mnist"
    data: str = "embedded"
    data_dir: str | None = None
    train: int = 1000
    test: int = 500
    epochs: int = 3
    hidden: tuple[int, ...] = (128,)
    model: str = "spiking"
    n_excitatory: int = 400
    sampling: str = "stratified"
    seed: int = 0
    device: str = dataclasses.field(default_factory=chosen_device)
    precision: str = "double"
    batch_size: int = 500
    workers: int = dataclasses.field(default=1, compare=False)
    scheduler: str | None = dataclasses.field(default=None, compare=False)
    record_spikes: bool = False
    record_counts: str = "all"
    neuron: LIFParameters = dataclasses.field(default_factory=LIFParameters)
    neurons: dict = dataclasses.field(default_factory=dict)
    transfer: str = "sigmoid"
    input_neuron: ReferenceInputLIF = dataclasses.field(default_factory=ReferenceInputLIF)
    synapse: SynapseModel = dataclasses.field(default_factory=ExponentialSynapse)
    ed: EDParameters = dataclasses.field(default_factory=EDParameters)
    coding: SpikeCoding = dataclasses.field(default_factory=SpikeCoding)
    stdp: STDPParameters = dataclasses.field(default_factory=STDPParameters)
    diehl_cook: DiehlCookParameters = dataclasses.field(default_factory=DiehlCookParameters)
    dc_excitatory: AdaptiveConductanceLIF = dataclasses.field(default_factory=AdaptiveConductanceLIF)

    def __post_init__(self):
        def set_(name, value):
            object.__setattr__(self, name, value)

        set_("dataset", canonical_name(self.dataset))
        if self.data not in SOURCES:
            raise ValueError(f"data must be one of {SOURCES} (got {self.data!r})")
        if self.data_dir is not None:
            if self.data != "full":
                raise ValueError("data_dir needs data='full' (the embedded subset has no folder)")
            set_("data_dir", str(self.data_dir))
        for name in ("train", "test", "epochs", "batch_size", "workers", "n_excitatory"):
            set_(name, _positive_int(name, getattr(self, name)))
        hidden = (self.hidden,) if isinstance(self.hidden, int) and not isinstance(self.hidden, bool) else self.hidden
        if isinstance(hidden, str) or len(tuple(hidden)) == 0:
            raise ValueError(f"hidden must list at least one layer size, e.g. (256,) (got {self.hidden!r})")
        set_("hidden", tuple(_positive_int("hidden layer size", h) for h in hidden))
        network = network_class(self.model)
        for name, choices in (("sampling", SAMPLING_METHODS), ("device", DEVICES), ("precision", tuple(PRECISIONS))):
            if getattr(self, name) not in choices:
                raise ValueError(f"{name} must be one of {choices} (got {getattr(self, name)!r})")
        if isinstance(self.seed, bool) or int(self.seed) != self.seed or not 0 <= self.seed < 2**32:
            raise ValueError(f"seed must be a whole number in 0..2**32-1 (got {self.seed!r})")
        set_("seed", int(self.seed))
        set_("record_spikes", bool(self.record_spikes))
        record = re.fullmatch(r"all|last|(every|sample):([1-9][0-9]*)", str(self.record_counts))
        if not record or (record[1] == "sample" and int(record[2]) > self.test):
            raise ValueError(f"record_counts must be 'all', 'last', 'every:K' or 'sample:N' (K >= 1, "
                             f"1 <= N <= test = {self.test}) (got {self.record_counts!r})")
        for name in KINDS:
            if isinstance(getattr(self, name), str):
                set_(name, _kind_class(name, getattr(self, name))())
        for name, classes in section_classes().items():
            if type(getattr(self, name)) not in classes:
                raise TypeError(f"{name} must be one of {[c.__name__ for c in classes]} "
                                f"(got {type(getattr(self, name)).__name__})")
        if self.transfer not in RATE_UNITS:
            raise ValueError(f"transfer must be one of {tuple(RATE_UNITS)} (got {self.transfer!r})")
        set_("neurons", self._checked_neurons())
        self._refuse_foreign_options(network)
        network.check(self)
        self._check_workers(network)

    def _check_workers(self, network) -> None:
        if self.scheduler is not None:
            if not isinstance(self.scheduler, str) or not re.fullmatch(r"\w+://\S+", self.scheduler):
                raise ValueError(f"scheduler must be a Dask scheduler address such as 'tcp://10.0.0.5:8786' "
                                 f"(got {self.scheduler!r})")
            if not network.shardable:
                raise ValueError(f"scheduler = {self.scheduler!r}: model {self.model!r} runs in this process only: "
                                 f"{network.unshardable}")
        if self.workers == 1:
            return
        if not network.shardable:
            raise ValueError(f"workers = {self.workers}: model {self.model!r} cannot be split over workers: "
                             f"{network.unshardable}; use one worker")
        if self.workers > self.n_classes:
            raise ValueError(f"workers = {self.workers} is more than the {self.n_classes} class networks "
                             f"it shares out: use at most {self.n_classes}")

    def _refuse_foreign_options(self, network) -> None:
        """Refuse a setting the chosen network does not read (it would be silently ignored)."""
        defaults = _defaults()
        for name in network_fields():
            if name in network.options or getattr(self, name) == defaults[name]:
                continue
            changed = _changed(name, getattr(self, name), defaults[name])
            users = [kind for kind, cls in NETWORKS.items() if name in cls.options]
            raise ValueError(f"{changed} applies to model {' or '.join(map(repr, users))}, not to this run's "
                             f"model {self.model!r}, which would ignore it; drop it or choose another --model "
                             f"(model {self.model!r} reads: {', '.join(network.options) or 'no options'})")

    def _checked_neurons(self) -> dict:
        neurons = {layer: _kind_class("neuron", model)() if isinstance(model, str) else model
                   for layer, model in dict(self.neurons).items()}
        if not neurons:
            return neurons
        unknown = sorted(set(neurons) - set(self.layers))
        if unknown:
            raise ValueError(f"neurons names unknown layers {unknown}; this network's layers are {self.layers}")
        allowed = tuple(KINDS["neuron"].values())
        for layer, model in neurons.items():
            if type(model) not in allowed:
                raise TypeError(f"neurons[{layer!r}] must be one of {[c.__name__ for c in allowed]} "
                                f"(got {type(model).__name__})")
        return neurons

    @property
    def layers(self) -> tuple[str, ...]:
        """Layer names of a class network: ``hidden1, ..., output``."""
        return tuple(f"hidden{k}" for k in range(1, len(self.hidden) + 1)) + ("output",)

    def layer_neurons(self) -> dict:
        """Layer name → its neuron model (``neurons`` where given, else ``neuron``)."""
        return {layer: self.neurons.get(layer, self.neuron) for layer in self.layers}

    @property
    def n_classes(self) -> int:
        """Number of classes (10 for both datasets)."""
        return 10

    def replace(self, **changes) -> TrainConfig:
        """A copy with some fields changed (checked again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """JSON-ready settings of the run and of its network: physical values as text (``"20. ms"``).

        Only the chosen network's options are written.  Each parameter set
        becomes a section (``"neuron"``, ``"synapse"``, ...); a section of
        :data:`KINDS` also holds its ``"kind"``, and the import path
        (``"class"``) of a kind defined outside edsnn.
        """
        out, options = {}, network_class(self.model).options
        for f in dataclasses.fields(self):
            if f.name not in RUN_FIELDS and f.name not in options:
                continue
            value = getattr(self, f.name)
            if f.name in KINDS:
                value = _kind_to_dict(f.name, value)
            elif f.name in PER_LAYER:
                value = {layer: _kind_to_dict(PER_LAYER[f.name], model) for layer, model in value.items()}
            elif dataclasses.is_dataclass(value):
                value = value.to_dict()
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_options(cls, base: TrainConfig | None = None, **options) -> TrainConfig:
        """A config from the names the command line and sweep files use, with Python values.

        >>> from brian2 import ms
        >>> config = TrainConfig.from_options(lr=0.1, tau_m=10 * ms, neuron="lif", hidden=32)
        >>> config.ed.lr, config.neuron.tau_m, config.hidden
        (0.1, 10. * msecond, (32,))

        A name is a setting (``train``, ``hidden``), a parameter by its short
        name (``tau_m``, ``lr``, ``max_rate``) or its full name
        (``neuron.tau_m``); ``neuron="izhikevich"`` chooses a kind.  Options
        change ``base`` (default: the defaults).

        Raises
        ------
        TypeError
            An unknown or ambiguous name (with "did you mean").
        ValueError
            A value the parameter sets refuse (each message names the parameter).
        """
        from edsnn.config import schema

        changes = {}
        for name, value in options.items():
            try:
                changes[schema.resolve_name(name)] = value
            except KeyError as err:
                raise TypeError(err.args[0]) from None
        try:
            return schema.apply(base or cls(), changes)
        except schema.ParameterError as err:
            raise ValueError("; ".join(message for _, message in err.problems)) from None

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        """Inverse of :meth:`to_dict`; keys that are not the run's or its network's options are ignored.

        That lets it read a whole ``config.json``, which also holds versions,
        the command line and dataset facts, and the files of earlier
        versions, which held every network's settings.  A section without
        ``"kind"`` is of the section's default kind (files written before
        kinds existed).  A network or part defined outside edsnn is imported
        from its recorded path (``"network_class"``, a section's ``"class"``).
        """
        network = network_class(values.get("model", "spiking"), values.get("network_class"))
        sections = section_classes()
        kwargs = {f.name: values[f.name] for f in dataclasses.fields(cls)
                  if f.name in values and (f.name in RUN_FIELDS or f.name in network.options)}
        for name, section in kwargs.items():
            if name in sections and isinstance(section, dict):
                section = dict(section)
                kind = _section_defaults()[name]
                kwargs[name] = (_kind_from_dict(name, section) if name in KINDS else kind.from_dict(section))
        for name, section in PER_LAYER.items():
            if name in kwargs:
                kwargs[name] = {layer: _kind_from_dict(section, dict(values))
                                for layer, values in kwargs[name].items()}
        if "hidden" in kwargs:
            kwargs["hidden"] = tuple(kwargs["hidden"])
        return cls(**kwargs)


def network_fields() -> tuple:
    """The :class:`TrainConfig` fields that are networks' options (not :data:`RUN_FIELDS`)."""
    return tuple(f.name for f in dataclasses.fields(TrainConfig) if f.name not in RUN_FIELDS)


def owners(field: str) -> list:
    """The network kinds that read the :class:`TrainConfig` field ``field`` (all kinds for a run setting)."""
    return [kind for kind, cls in NETWORKS.items() if field in RUN_FIELDS or field in cls.options]


@functools.cache
def _defaults() -> dict:
    """Field → default value (parameter sets built once; they are frozen)."""
    return {f.name: f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            for f in dataclasses.fields(TrainConfig)}


def _changed(name: str, value, default) -> str:
    """How ``value`` differs from ``default``, as the user set it: ``neuron.tau_m = 15. ms``."""
    if type(value) is type(default) and dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            if getattr(value, f.name) != getattr(default, f.name):
                return f"{name}.{f.name} = {getattr(value, f.name)}"
    if dataclasses.is_dataclass(value):
        return f"{name} = {type(value).__name__}(...)"
    return f"{name} = {value!r}"


def _kind_class(section: str, kind: str):
    """The class registered as ``kind`` in ``KINDS[section]`` (a clear error naming the kinds)."""
    if kind not in KINDS[section]:
        raise ValueError(f"{section} must be one of {tuple(KINDS[section])} (got {kind!r}); a model of your "
                         f"own is registered with edsnn.register(MyModel)")
    return KINDS[section][kind]


def _kind_to_dict(section: str, value) -> dict:
    out = {"kind": kind_of(section, type(value))}
    if not type(value).__module__.startswith("edsnn."):
        out["class"] = import_path(type(value))
    return {**out, **value.to_dict()}


def _kind_from_dict(section: str, values: dict):
    """The parameter set a ``{"kind": ..., fields...}`` dict describes (no kind: the section's default)."""
    written = values.pop("kind", kind_of(section, _section_defaults()[section]))
    path = values.pop("class", None)
    if written not in KINDS[section] and path:
        register_part(import_part(path, f"{section} kind {written!r}"))
    return _kind_class(section, written).from_dict(values)


def kind_of(section: str, cls) -> str:
    """The name under which ``cls`` is registered in ``KINDS[section]``."""
    return next(name for name, registered in KINDS[section].items() if registered is cls)


def section_classes() -> dict:
    """Section name → the parameter classes it may hold, in :class:`TrainConfig` order.

    A section is a field whose default is a parameter dataclass; one of
    :data:`KINDS` may hold any of its registered classes (looked up live, so
    that a kind registered later counts).
    """
    return {name: tuple(KINDS[name].values()) if name in KINDS else (kind,)
            for name, kind in _section_defaults().items()}


@functools.cache
def _section_defaults() -> dict:
    """Section name → class of its default (building defaults is slow: done once)."""
    return {f.name: type(f.default_factory()) for f in dataclasses.fields(TrainConfig)
            if f.default_factory is not dataclasses.MISSING and dataclasses.is_dataclass(f.default_factory())}
