"""Input spikes per retina spike of the reference model's input LIFs, against the published program.

Runs ``--model reference`` on constant images (every pixel at ``x``), records the
retina's spikes and the input LIFs' spikes, and feeds the same retina trains to a
step-by-step numpy rendering of the program's input LIF (``tests/ed_oracle.py``).
Prints, per ``x``: retina spikes (counted for both inputs of a pair), input spikes
of each, input spikes per retina spike, and the fraction of (presentation, input)
pairs whose trains differ.

    python studies/reference_input_and_frelu/input_spikes.py [--target numpy|cython]
"""

import argparse
import importlib.util
from pathlib import Path

import numpy as np
from brian2 import Hz, ms

from edsnn.data import SpikeCoding
from edsnn.model import device_run
from edsnn.networks import EDNetwork

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("ed_oracle", HERE.parents[1] / "tests" / "ed_oracle.py")
oracle = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(oracle)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="numpy", choices=("numpy", "cython"))
    parser.add_argument("--pixels", type=int, default=200)
    parser.add_argument("--presentations", type=int, default=200)
    args = parser.parse_args()
    print("| x | retina spikes | program input spikes | edsnn input spikes | program / retina | edsnn / retina |"
          " trains that differ |")
    print("|---|---|---|---|---|---|---|")
    for x in (0.1, 1.0):
        coding = SpikeCoding(max_rate=150 * Hz, presentation=50 * ms, dt=1 * ms)  # the published program's
        net = EDNetwork(2 * args.pixels, 2, hidden=(2,), model="reference", coding=coding, seed=1,
                        batch_size=args.presentations, device=device_run(args.target))
        retina, edsnn = oracle.input_trains(net, np.full((args.presentations, args.pixels), x))
        program = oracle.program_input_lif(np.repeat(retina, 2, axis=2))
        n_retina = 2 * retina.sum()
        differ = np.any(program != edsnn, axis=1).mean()
        print(f"| {x} | {n_retina} | {program.sum()} | {edsnn.sum()} | {program.sum() / n_retina:.3f} |"
              f" {edsnn.sum() / n_retina:.3f} | {differ:.1%} |")


if __name__ == "__main__":
    main()
