"""Where a trained run's spikes come from: the input current of each layer at each spike.

Rebuilds a run folder's network on the runtime device with its last weights,
shows it the first N test images without learning, and tabulates, per layer,
the share of neuron-steps and of spikes in bands of the synaptic current
``I_syn`` (read at the start of each step), and the rate within each band.

    EDSNN_DATA=/path/to/data python studies/izhikevich/spikes_by_input.py RUN_FOLDER [N]
"""

import sys

import numpy as np
from brian2 import SpikeMonitor, StateMonitor, ms, mV, nA

from edsnn.data import ei_pairs
from edsnn.protocols.run_start import load_data
from edsnn.protocols.training import build_network, load_config
from edsnn.runs.folder import RunFolder

BANDS = ((-np.inf, -225), (-225, -55), (-55, 0), (0, np.inf))  # nA


def main(folder, n_images=10):
    config = load_config(folder)
    wrap = build_network(config, "runtime")
    wrap.set_state(RunFolder(folder).weights().arrays)
    net = wrap.net
    monitors = {}
    for name in ("hidden1", "output"):
        group = net.layers[name]
        monitors[name] = (StateMonitor(group, ["I_syn", "v"], record=True, when="start"), SpikeMonitor(group))
        net.network.add(*monitors[name])
    _, test = load_data(config)
    labels = np.asarray(test.labels[:n_images])
    net.run(ei_pairs(test.images[:n_images]) * net.coding.max_rate, labels, learn=False)
    print(f"{folder}: {n_images} test images")
    for name, (state, spikes) in monitors.items():
        current, v = np.asarray(state.I_syn / nA), np.asarray(state.v / mV)
        recorded = np.round(np.asarray(state.t / ms), 6)
        step = np.searchsorted(recorded, np.round(np.asarray(spikes.t / ms), 6))
        index, step = np.asarray(spikes.i)[step < len(recorded)], step[step < len(recorded)]
        at_spike = current[index, step]
        seconds = len(recorded) * float(net.coding.dt / ms) / 1000
        print(f"  {name}: monitor {recorded[0]:g}-{recorded[-1]:g} ms, spikes {float(spikes.t[0] / ms):g}-"
              f"{float(spikes.t[-1] / ms):g} ms; v at the start of a spike's step: median "
              f"{np.median(v[index, step]):.1f} mV")
        print(f"  {name}: {current.shape[0]} neurons, {len(index) / current.shape[0] / seconds:.1f} Hz; I_syn "
              f"percentiles 0.1/1/50/99/99.9: {np.percentile(current, [0.1, 1, 50, 99, 99.9]).round(1)} nA; "
              f"lowest v {v.min():.0f} mV")
        for low, high in BANDS:
            inside = (current >= low) & (current < high)
            fired = np.sum((at_spike >= low) & (at_spike < high))
            rate = fired / max(inside.sum(), 1) / float(net.coding.dt / ms) * 1000
            print(f"    I_syn in [{low:g}, {high:g}) nA: {100 * inside.mean():5.1f} % of neuron-steps, "
                  f"{100 * fired / max(len(index), 1):5.1f} % of spikes, {rate:4.0f} Hz there")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 10)
