"""``TrainConfig``: everything that decides what a training run computes.

One frozen dataclass holds the model's parameter sets (neuron, synapse, ED
rule, spike coding) and the run's settings (dataset, sizes, epochs, seed,
device).  Its defaults are the defaults of ``edsnn train``: the command line
only overrides fields, it never repeats a default.

>>> cfg = TrainConfig(hidden=(8,), train=30, test=20, epochs=2)
>>> cfg.coding.presentation
50. * msecond
>>> TrainConfig.from_dict(cfg.to_dict()) == cfg
True
"""

from __future__ import annotations

import dataclasses

from edsnn.data import SAMPLING_METHODS, SOURCES, SpikeCoding
from edsnn.data.catalog import canonical_name
from edsnn.model import (
    DEVICES,
    MODELS,
    SYNAPSES,
    EDParameters,
    ExponentialSynapse,
    LIFParameters,
    ReferenceInputLIF,
    SynapseModel,
)

__all__ = ["TrainConfig", "SYNAPSES"]


#: Fields of :class:`TrainConfig` that hold a parameter set (``config.json`` sections).
_SECTIONS = {
    "neuron": LIFParameters,
    "input_neuron": ReferenceInputLIF,
    "ed": EDParameters,
    "coding": SpikeCoding,
}


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
    train, test : int
        Training and test presentations per epoch (images drawn by ``sampling``).
    epochs : int
        Passes over the training selection.
    hidden : tuple of int
        Hidden layer sizes of each class network.
    model : {"spiking", "reference"}
        All-LIF network or the published hybrid (see :class:`edsnn.model.EDNetwork`).
    sampling : {"first", "stratified", "resample-each-epoch"}
        Which images are used (:func:`edsnn.data.select_subset`); the test
        selection follows the same method.  The training order is shuffled
        every epoch.
    seed : int
        Every random stream derives from ``(seed, epoch)``.
    device : {"runtime", "numpy", "cython", "cpp", "cuda"}
        Where Brian2 runs (``"runtime"`` is the runtime device with Cython).
    batch_size : int
        Presentations per Brian2 ``run()`` (memory bound only).
    record_spikes : bool
        Keep spike times of the test presentations (``spikes.parquet``).
    neuron : LIFParameters
        Hidden and output LIF neurons (spiking model).
    input_neuron : ReferenceInputLIF
        The reference model's input LIF (Euler-integrated, as published).
    synapse : ExponentialSynapse or DeltaSynapse
        Synaptic kinetics of the spiking model.
    ed : EDParameters
        The learning rule.
    coding : SpikeCoding
        Input rates and presentation timing.
    """

    dataset: str = "mnist"
    data: str = "embedded"
    data_dir: str | None = None
    train: int = 1000
    test: int = 500
    epochs: int = 3
    hidden: tuple = (128,)
    model: str = "spiking"
    sampling: str = "stratified"
    seed: int = 0
    device: str = "runtime"
    batch_size: int = 500
    record_spikes: bool = False
    neuron: LIFParameters = dataclasses.field(default_factory=LIFParameters)
    input_neuron: ReferenceInputLIF = dataclasses.field(default_factory=ReferenceInputLIF)
    synapse: SynapseModel = dataclasses.field(default_factory=ExponentialSynapse)
    ed: EDParameters = dataclasses.field(default_factory=EDParameters)
    coding: SpikeCoding = dataclasses.field(default_factory=SpikeCoding)

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        set_("dataset", canonical_name(self.dataset))
        if self.data not in SOURCES:
            raise ValueError(f"data must be one of {SOURCES} (got {self.data!r})")
        if self.data_dir is not None:
            if self.data != "full":
                raise ValueError("data_dir needs data='full' (the embedded subset has no folder)")
            set_("data_dir", str(self.data_dir))
        for name in ("train", "test", "epochs", "batch_size"):
            set_(name, _positive_int(name, getattr(self, name)))
        if isinstance(self.hidden, (int, str)) or len(tuple(self.hidden)) == 0:
            raise ValueError(f"hidden must list at least one layer size, e.g. (256,) (got {self.hidden!r})")
        set_("hidden", tuple(_positive_int("hidden layer size", h) for h in self.hidden))
        for name, choices in (("model", MODELS), ("sampling", SAMPLING_METHODS), ("device", DEVICES)):
            if getattr(self, name) not in choices:
                raise ValueError(f"{name} must be one of {choices} (got {getattr(self, name)!r})")
        if isinstance(self.seed, bool) or int(self.seed) != self.seed or not 0 <= self.seed < 2**32:
            raise ValueError(f"seed must be a whole number in 0..2**32-1 (got {self.seed!r})")
        set_("seed", int(self.seed))
        set_("record_spikes", bool(self.record_spikes))
        for name, kind in _SECTIONS.items():
            if not isinstance(getattr(self, name), kind):
                raise TypeError(f"{name} must be a {kind.__name__} (got {type(getattr(self, name)).__name__})")
        if not isinstance(self.synapse, tuple(SYNAPSES.values())):
            raise TypeError(f"synapse must be one of {[s.__name__ for s in SYNAPSES.values()]}")

    @property
    def n_classes(self) -> int:
        """Number of classes (10 for both datasets)."""
        return 10

    def replace(self, **changes) -> TrainConfig:
        """A copy with some fields changed (checked again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """JSON-ready settings: physical values as text (``"20. ms"``).

        The parameter sets become the sections ``"neuron"``, ``"input_neuron"``,
        ``"synapse"`` (with its ``"kind"``), ``"ed"`` and ``"coding"``.
        """
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "synapse":
                out[f.name] = {"kind": value.kind, **value.to_dict()}
            elif f.name in _SECTIONS:
                out[f.name] = value.to_dict()
            elif f.name == "hidden":
                out[f.name] = list(value)
            else:
                out[f.name] = value
        return out

    @classmethod
    def from_dict(cls, values: dict) -> TrainConfig:
        """Inverse of :meth:`to_dict`; keys that are not fields are ignored.

        That lets it read a whole ``config.json``, which also holds versions,
        the command line and dataset facts.
        """
        names = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in values.items() if k in names}
        for name, kind in _SECTIONS.items():
            if name in kwargs and isinstance(kwargs[name], dict):
                kwargs[name] = kind.from_dict(kwargs[name])
        if isinstance(kwargs.get("synapse"), dict):
            section = dict(kwargs["synapse"])
            kind = section.pop("kind", "exponential")
            if kind not in SYNAPSES:
                raise ValueError(f"synapse kind must be one of {tuple(SYNAPSES)} (got {kind!r})")
            kwargs["synapse"] = SYNAPSES[kind].from_dict(section)
        if "hidden" in kwargs:
            kwargs["hidden"] = tuple(kwargs["hidden"])
        return cls(**kwargs)

