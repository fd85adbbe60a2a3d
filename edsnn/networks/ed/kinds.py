"""The ED networks behind the network contract: all-spiking (``"spiking"``) and the published hybrid (``"reference"``).

Both build an :class:`~edsnn.networks.ed.network.EDNetwork` from a
:class:`~edsnn.config.TrainConfig` and present images in batches.  Before
each phase the network's neuron state is put back to the state of a freshly
built network (membranes at rest, counters and refractory clocks cleared) and
Brian2 is seeded from ``(seed, epoch, phase)``, so an epoch's spikes depend
only on the seed, the epoch and the weights at its start: a resumed run
reproduces the uninterrupted one and an evaluation reproduces the recorded
test accuracy.
"""

from __future__ import annotations

import re
from pathlib import Path

import brian2
import numpy as np
from brian2 import Hz, NeuronGroup, ms

from edsnn.data import ei_pairs
from edsnn.figures import plot_layer_heatmaps
from edsnn.model import device_run

from ..contract import Description, Learned, Network, Population, Saturation, Tested
from ..registry import register_network
from .network import EDNetwork

__all__ = ["SpikingED", "ReferenceED"]

#: Inputs of a 28 × 28 image: one E/I pair per pixel.
N_INPUTS = 2 * 28 * 28
#: Test presentations drawn in the layer heatmap figure.
HEATMAP_SAMPLES = 5
#: Brian2 code that draws random numbers (noise ``xi``, ``rand()``, ``randn()``).
RANDOM_CODE = re.compile(r"\b(rand|randn)\s*\(|\bxi(_\w+)?\b")


class _EDKind(Network):
    """What the two ED networks share: assembly from a config, batches, phases, records."""

    shardable = True
    random_streams = ("every epoch e: sample selection and order from (seed, e); "
                      "brian2.seed(f(seed, e, phase)) before its train and test phases")

    @classmethod
    def check(cls, config) -> None:
        if config.coding.code == "latency" and config.ed.input_activity == "count":
            raise ValueError("a latency code carries the pixel value in its spike time, not its count: "
                             "use --ed.input-activity rate (the default)")
        if config.workers > 1:
            cls._check_deterministic(config)

    @classmethod
    def _check_deterministic(cls, config) -> None:
        """Refuse workers for layers that draw random numbers: each worker would draw its own, so the
        input spikes (the one random stream all class networks share) would differ between workers."""
        parts = dict(config.layer_neurons(), synapse=config.synapse) if cls.kind == "spiking" else {}
        for name, part in parts.items():
            code = " ".join(str(getattr(part, a, "") or "") for a in ("equations", "threshold", "reset",
                                                                          "post_equations", "on_pre"))
            if RANDOM_CODE.search(code):
                raise ValueError(f"workers = {config.workers}: the {name} model ({type(part).__name__}) draws "
                                 "random numbers, so workers would not see the same input spikes as one "
                                 "process; use one worker")

    @classmethod
    def describe(cls, config) -> Description:
        populations = {f"hidden{k}": Population(h, "EI") for k, h in enumerate(config.hidden, start=1)}
        populations["output"] = Population(1, "E")
        tau_ref = config.neuron.refractory() if cls.kind == "spiking" else None
        return Description(
            kind=cls.kind, class_networks=config.n_classes, populations=populations,
            period_steps=int(config.coding.steps_per_period), inputs=N_INPUTS, spiking=cls.kind == "spiking",
            saturation=Saturation(presentation=config.coding.presentation, dt=config.coding.dt,
                                  tau_ref=tau_ref or 0 * ms, activity_max_rate=config.ed.activity_max_rate))

    @classmethod
    def build(cls, config, device: str | None = None) -> _EDKind:
        if config.workers > 1 or config.scheduler is not None:
            from .shards import ShardedED

            return ShardedED(cls, config, device)
        return cls(config, device)

    def __init__(self, config, device: str | None = None, classes: tuple | None = None,
                 directory: str | None = None):
        """The network of ``config``, or its class networks ``classes`` = (first, stop) only (a shard;
        ``directory``: its standalone build folder)."""
        self.config = config
        self.description = self.describe(config)
        self.net = EDNetwork(
            n_inputs=N_INPUTS, n_classes=config.n_classes, hidden=config.hidden, model=self.kind,
            neuron=config.layer_neurons(), input_neuron=config.input_neuron, transfer=config.transfer,
            synapse=config.synapse, ed=config.ed, coding=config.coding, seed=config.seed,
            batch_size=config.batch_size, reset_state=True, record_spikes=config.record_spikes, classes=classes,
            device=device_run(device or config.device, directory, precision=config.precision))
        self._snapshot()

    def _snapshot(self) -> None:
        """Keep the just-built neuron state (runtime device) and run the device's start-up step.

        The state the neuron models keep across presentations is left out.
        One silent presentation (learning off: no weight changes) makes the
        device's own first step happen before any phase is seeded.
        Standalone devices start every batch from the initial state anyway.
        """
        net = self.net
        self.states = {}
        if getattr(net.device, "standalone", False):
            return
        for obj in net.network.objects:
            if isinstance(obj, NeuronGroup):
                state = obj.get_states(units=False, read_only_variables=False)
                kept = {"t0", *(model.kept_state if (model := net.neurons.get(obj.name)) else ())}
                self.states[obj] = {k: np.array(v) for k, v in state.items() if k not in kept}
        net.run(np.zeros((1, net.n_inputs)) * Hz, np.zeros(1, dtype=int), learn=False)

    def _start(self, seed: int) -> None:
        for group, state in self.states.items():
            group.set_states(state, units=False)
        brian2.seed(seed)

    def _present(self, images, labels, learn, progress):
        """Present ``images`` in batches; yields (first index, BatchResult)."""
        size = self.config.batch_size
        for start in range(0, len(labels), size):
            chunk = labels[start:start + size]
            rates = ei_pairs(images[start:start + size]) * self.net.coding.max_rate
            result = self.net.run(rates, chunk, learn=learn)
            if progress is not None:
                progress(len(chunk), result.prediction == chunk)
            yield start, result

    def batches(self, phase, images, labels, epoch, seed, progress=None):
        """(first index, :class:`BatchResult`) of each batch of a ``"learn"`` or ``"test"`` phase."""
        self._start(seed({"learn": "brian_train", "test": "brian_test"}[phase]))
        plasticity = self.config.ed.plasticity(epoch) if phase == "learn" else False
        yield from self._present(images, labels, plasticity, progress)

    def learn(self, images, labels, epoch, seed, progress=None) -> Learned:
        predictions = [r.prediction for _, r in self.batches("learn", images, labels, epoch, seed, progress)]
        return Learned(np.concatenate(predictions).astype(np.int64))

    def test(self, images, labels, epoch, seed, progress=None) -> Tested:
        kept = list(self.batches("test", images, labels, epoch, seed, progress))
        predictions = np.concatenate([r.prediction for _, r in kept]).astype(np.int64)
        spikes = None
        if self.config.record_spikes and self.kind == "spiking":
            spikes = [(start, self._shown(r)) for start, r in kept]
        return Tested(predictions, [(start, r.activity, r.counts) for start, r in kept], spikes, details=kept)

    def _shown(self, result) -> dict:
        """A batch's spikes during its presentations (a standalone program also runs the padding to the batch size)."""
        end = len(result.score) * float((self.config.coding.presentation + self.config.coding.rest) / brian2.second)
        shown = {}
        for layer, (units, times) in (result.spikes or {}).items():
            units, times = np.asarray(units), np.asarray(times)
            shown[layer] = (units[times < end], times[times < end])
        return shown

    def get_state(self) -> dict:
        return self.net.get_weights()

    def set_state(self, state: dict) -> None:
        self.net.set_weights(state)

    def figures(self, folder: Path, labels, predictions, images, tested: Tested) -> dict:
        """The layer heatmaps of one test presentation of each of the first classes present."""
        path, kept = Path(folder) / "layer_heatmaps.png", tested.details
        _, first = np.unique(labels, return_index=True)
        sample = np.sort(first)[:HEATMAP_SAMPLES]
        batch = np.searchsorted([start for start, _ in kept], sample, side="right") - 1
        spiking = kept[0][1].counts is not None  # rates in Hz; the reference model's activity
        scale = float(self.config.coding.presentation * Hz) if spiking else 1.0
        values = {layer: np.stack([(kept[b][1].counts if spiking else kept[b][1].activity)[layer][p - kept[b][0]]
                                   for b, p in zip(batch, sample)]) / scale
                  for layer in kept[0][1].activity}
        plot_layer_heatmaps(images[sample], values, labels[sample], path,
                            quantity="rate (Hz)" if spiking else "activity (0..1)")
        return {"heatmap": path}


@register_network
class SpikingED(_EDKind):
    """Every layer spiking: Poisson E/I input pairs, spiking hidden and output neurons, the ED rule."""

    kind = "spiking"
    options = ("hidden", "neuron", "neurons", "synapse", "ed", "coding", "record_spikes")


@register_network
class ReferenceED(_EDKind):
    """The published hybrid: Poisson → input LIF → sigmoid (or FReLU) rate units, the ED rule."""

    kind = "reference"
    options = ("hidden", "transfer", "input_neuron", "ed", "coding")

    @classmethod
    def check(cls, config) -> None:
        super().check(config)
        if config.coding.pairs != "shared":
            raise ValueError("the reference model's E/I pairs share one train (the published program); "
                             "--coding.pairs independent is for the spiking model")
