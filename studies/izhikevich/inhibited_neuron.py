"""One default Izhikevich neuron under a constant current, step by step in numpy (mV, ms).

For each integration (forward Euler at 1 ms as edsnn had it; Izhikevich's two
explicit 0.5 ms half-steps; edsnn's two half-steps with v's step linearly
implicit below -62.5 mV; forward Euler at 0.01 ms as the reference) it prints
the inhibition at which v stops settling and at which the neuron first fires,
and the spikes in 1 s under driving currents.  The same steps as the oracle of
tests/test_neuron_models.py.

    python studies/izhikevich/inhibited_neuron.py
"""

import numpy as np

A, B, C, D, V_PEAK = 0.02, 0.2, -65.0, 8.0, 30.0


def run(current, steps, dt, substeps, implicit):
    """Spike count and the last two v of ``steps`` steps of ``dt`` under ``current`` nA (R_m = 1 MΩ)."""
    h, v, u, spikes, last = dt / substeps, C, B * C, 0, []
    for _ in range(steps):
        for _ in range(substeps):
            slope = 0.08 * v + 5
            damping = 1 - h * slope if implicit and slope < 0 else 1
            v, u = v + h * (0.04 * v * v + 5 * v + 140 - u + current) / damping, u + h * A * (B * v - u)
        last = [*last[-1:], v]
        if v >= V_PEAK:
            spikes, v, u = spikes + 1, C, u + D
    return spikes, last


SCHEMES = {"forward Euler, 1 ms": (1.0, 1, False), "two explicit half-steps, 1 ms": (1.0, 2, False),
           "two half-steps, implicit below -62.5 mV, 1 ms (edsnn)": (1.0, 2, True),
           "forward Euler, 0.01 ms (reference)": (0.01, 1, False)}

if __name__ == "__main__":
    with np.errstate(all="ignore"):
        for name, (dt, substeps, implicit) in SCHEMES.items():
            steps = int(round(300 / dt))
            swings = fires = None
            for current in range(0, -2005, -5):
                spikes, last = run(current, steps, dt, substeps, implicit)
                if swings is None and abs(last[1] - last[0]) > 0.1:
                    swings = current
                if fires is None and spikes:
                    fires = (current, spikes)
            rates = [run(current, int(round(1000 / dt)), dt, substeps, implicit)[0] for current in (5, 10, 40, 160)]
            print(f"{name}: v stops settling at {swings} nA, first fires at {fires} (nA, spikes in 300 ms), "
                  f"0 to -2000 nA; spikes in 1 s at 5, 10, 40, 160 nA: {rates}")
