"""Diehl & Cook's network behind the network contract (``TrainConfig(model="diehl-cook")``).

Epoch ``e``: learn from the training selection in its shuffled order; present
the same images again with learning off and assign each excitatory neuron a
label; present the test selection and vote.  Each phase seeds Brian2 from
``(seed, e, phase)``.  ``train_accuracy`` is the vote on the assignment
phase's responses, ``presentations`` the training slots that showed an image
(repeats at a higher intensity included).  The learned state holds ``w``
(784 × n_e), ``theta`` (V) and ``assignments``; the counts table holds the
test images' spikes of both populations.  One population with lateral
inhibition: its neurons are not independent, so the network does not shard.
"""

from __future__ import annotations

from pathlib import Path

import brian2
import numpy as np

from edsnn.model import device_run

from ..contract import Description, Learned, Network, Population, Saturation, Tested
from ..registry import register_network
from .assignment import assign_labels, vote
from .figures import plot_assignments, plot_receptive_fields
from .network import DiehlCookNetwork

__all__ = ["DiehlCook"]


@register_network
class DiehlCook(Network):
    """Diehl & Cook's (2015) unsupervised STDP network, labelled by its responses."""

    kind = "diehl-cook"
    unshardable = "it is one population with lateral inhibition, whose neurons compete for every input"
    options = ("n_excitatory", "stdp", "diehl_cook", "dc_excitatory")
    random_streams = ("every epoch e: training selection and order from (seed, e); brian2.seed(f(seed, e, phase)) "
                      "before its learning, assignment and test phases")

    @classmethod
    def describe(cls, config) -> Description:
        p, tau_ref = config.diehl_cook, config.dc_excitatory.tau_ref
        n = int(config.n_excitatory)
        return Description(
            kind=cls.kind, class_networks=1,
            populations={"excitatory": Population(n, "E"), "inhibitory": Population(n, "I")},
            period_steps=int(round(float(p.period / p.dt))), metrics=("presentations",), inputs=28 * 28,
            # no activity read-out: an activity cap at the refractory limit's rate
            saturation=Saturation(presentation=p.presentation, dt=p.dt, tau_ref=tau_ref,
                                  activity_max_rate=1 / (tau_ref + p.dt)))

    @classmethod
    def build(cls, config, device: str | None = None) -> DiehlCook:
        return cls(config, device)

    def __init__(self, config, device: str | None = None):
        self.config = config
        self.description = self.describe(config)
        self.net = DiehlCookNetwork(
            n_e=config.n_excitatory, excitatory=config.dc_excitatory, stdp=config.stdp, params=config.diehl_cook,
            seed=config.seed, images_per_run=config.batch_size,
            device=device_run(device or config.device, precision=config.precision))
        self.net.device.first_step(self.net, config.diehl_cook.dt)
        self.assignments = np.zeros(self.net.n_e, dtype=np.int64)

    def _phase(self, seed: int, images, learn: bool, progress):
        brian2.seed(seed)
        result = self.net.run(images, learn=learn)
        if progress is not None:
            progress(len(images), None)
        return result

    def learn(self, images, labels, epoch, seed, progress=None) -> Learned:
        n_classes = self.config.n_classes
        learned = self._phase(seed("brian_train"), images, True, None)
        shown = int(round(np.sum(learned.intensity - self.config.diehl_cook.intensity + 1)))
        responses = self._phase(seed("brian_assign"), images, False, progress)
        self.assignments = assign_labels(responses.counts, labels, n_classes).astype(np.int64)
        return Learned(vote(responses.counts, self.assignments, n_classes), {"presentations": shown})

    def test(self, images, labels, epoch, seed, progress=None) -> Tested:
        tested = self._phase(seed("brian_test"), images, False, progress)
        counts = {"excitatory": tested.counts, "inhibitory": tested.inhibitory_counts}
        saturation = self.description.saturation
        models = {"excitatory": self.net.excitatory_model, "inhibitory": self.net.inhibitory_model}
        # activity: a count over the most one stimulus allows, floor(presentation / (tau_ref + dt))
        activity = {layer: c / np.floor(float(saturation.presentation / (models[layer].tau_ref + saturation.dt)))
                    for layer, c in counts.items()}
        return Tested(vote(tested.counts, self.assignments, self.config.n_classes), [(0, activity, counts)])

    def get_state(self) -> dict:
        return {**self.net.get_weights(), "assignments": self.assignments}

    def set_state(self, state: dict) -> None:
        self.net.set_weights(state)
        self.assignments = np.asarray(state["assignments"], dtype=np.int64)

    def figures(self, folder: Path, labels, predictions, images, tested: Tested) -> dict:
        folder = Path(folder)
        paths = {"receptive_fields": folder / "receptive_fields.png", "assignments": folder / "assignments.png"}
        plot_receptive_fields(self.net.get_weights()["w"], path=paths["receptive_fields"])
        plot_assignments(self.assignments, self.config.n_classes, path=paths["assignments"])
        return paths
