"""A network defined outside edsnn, to prove the network contract: a spiking perceptron.

784 Poisson inputs (one per pixel, ``x / 255 * max_rate``) project onto one
leaky integrate-and-fire neuron per class.  The learning rule is Brian2 code
run on every input spike while learning: the weight onto the labelled class's
neuron grows, the weights onto the others shrink (a supervised Hebbian rule,
bounded to [0, w_max]), so each class neuron's weights become the template of
its class.  The class whose neuron fires most is the prediction.

Imported as a plugin (``edsnn --plugin plugin_network`` with this folder on
``PYTHONPATH``); nothing of edsnn is edited for it.
"""

from __future__ import annotations

import brian2
import numpy as np
from brian2 import Hz, NeuronGroup, PoissonGroup, SpikeMonitor, Synapses, ms

import edsnn
from edsnn.model import device_run
from edsnn.networks import Description, Learned, Network, Population, Saturation, Tested

#: Supervised Hebbian rule, run on each input spike (``learn`` is 0 in a test phase).
RULE = "w = clip(w + learn_post * eta * (int(j == label_post) - 0.1), 0, w_max)"


@edsnn.register
class SpikingPerceptron(Network):
    """One LIF neuron per class, Poisson inputs, a supervised Hebbian rule."""

    kind = "test-perceptron"
    options = ("coding", "record_spikes")

    @classmethod
    def describe(cls, config) -> Description:
        c = config.coding
        return Description(kind=cls.kind, class_networks=config.n_classes, populations={"output": Population(1)},
                           period_steps=int(c.steps_per_period), inputs=784,
                           saturation=Saturation(presentation=c.presentation, dt=c.dt, tau_ref=0 * ms,
                                                 activity_max_rate=c.max_rate))

    @classmethod
    def build(cls, config, device=None) -> SpikingPerceptron:
        return cls(config, device)

    def __init__(self, config, device=None):
        self.config, self.description = config, self.describe(config)
        self.device = device_run(device or config.device)
        self.device.activate(config.seed)
        c = config.coding
        brian2.defaultclock.dt = c.dt
        self.inputs = PoissonGroup(784, rates=0 * Hz, name="pixels")
        self.output = NeuronGroup(config.n_classes, """dv/dt = -v / (20*ms) : 1 (unless refractory)
                                                     label : integer (shared)
                                                     learn : 1 (shared)""",
                                  threshold="v > 1", reset="v = 0", refractory=0 * ms, method="exact", name="classes")
        self.synapses = Synapses(self.inputs, self.output, "w : 1", on_pre="v_post += w\n" + RULE,
                                 namespace={"eta": 0.002, "w_max": 0.05}, name="weights")
        self.synapses.connect()
        rng = np.random.default_rng(config.seed)
        self.synapses.w = rng.uniform(0, 0.01, len(self.synapses))
        self.spikes = SpikeMonitor(self.output, name="spikes")
        self.network = brian2.Network(self.inputs, self.output, self.synapses, self.spikes)

    def _present(self, images, labels, learn, progress):
        """Present each image; returns the spike counts, shape (n, n_classes), and the spikes per presentation."""
        c, n_classes = self.config.coding, self.config.n_classes
        counts, trains = np.zeros((len(labels), n_classes), dtype=np.int64), []
        for k, (image, label) in enumerate(zip(images, labels)):
            self.output.v, self.output.label, self.output.learn = 0, int(label), float(learn)
            self.inputs.rates = np.asarray(image, dtype=float).ravel() / 255 * c.max_rate
            before, start = self.spikes.num_spikes, self.network.t
            self.network.run(c.presentation, namespace={})
            index = np.asarray(self.spikes.i[before:])
            counts[k] = np.bincount(index, minlength=n_classes)
            period = float((c.presentation + c.rest) / brian2.second)
            trains.append((index, np.asarray((self.spikes.t[before:] - start) / brian2.second) + k * period))
            self.inputs.rates = 0 * Hz
            if c.rest > 0 * ms:
                self.network.run(c.rest, namespace={})
            if progress is not None:
                progress(1, [np.argmax(counts[k]) == label])
        return counts, trains

    def learn(self, images, labels, epoch, seed, progress=None) -> Learned:
        brian2.seed(seed("brian_train"))
        counts, _ = self._present(images, labels, 1.0, progress)
        return Learned(np.argmax(counts, axis=1))

    def test(self, images, labels, epoch, seed, progress=None) -> Tested:
        brian2.seed(seed("brian_test"))
        counts, trains = self._present(images, labels, 0.0, progress)
        cap = float(self.config.coding.max_rate * self.config.coding.presentation)
        spikes = None
        if self.config.record_spikes:
            spikes = [(0, {"output": (np.concatenate([i for i, _ in trains]), np.concatenate([t for _, t in trains]))})]
        return Tested(np.argmax(counts, axis=1), [(0, {"output": np.minimum(counts / cap, 1)}, {"output": counts})],
                      spikes)

    def get_state(self) -> dict:
        return {"w": np.asarray(self.synapses.w[:]).reshape(784, -1)}

    def set_state(self, state: dict) -> None:
        self.synapses.w = np.asarray(state["w"]).ravel()
