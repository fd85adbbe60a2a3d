"""f-I curves of edsnn's LIF and Izhikevich neurons, in units of the synapse's weight unit (numpy).

A constant synaptic current ``I_syn = J * w_unit`` (the exponential synapse's
default ``w_unit = 0.4 nA``), 1 s from the rest state at dt = 1 ms, with the
steps edsnn takes: the LIF's exact step with its bias current (0.9 nA) and 2 ms
refractory period; the Izhikevich neuron's two half-steps, implicit below
-62.5 mV, no bias, at several input resistances ``R_m`` (edsnn's 1 MOhm and
the larger ones of the current-scale screen).  Prints the rate at a set of
currents, the current at which each neuron reaches 10, 50, 100 and 200 Hz
(200 Hz: the activity cap, 20 spikes in 100 ms), and the slope between 50 and
200 Hz.

    python studies/izhikevich/fi_curves.py
"""

import math

import numpy as np

W_UNIT = 0.4  # nA
DT = 1.0  # ms


def lif_rate(j, r_m=10.0, tau_m=20.0, v_rest=-65.0, v_th=-60.0, v_reset=-70.0, tau_ref=2.0, i_bias=0.9):
    """Spikes in 1 s under j weight units (MOhm, ms, mV, nA); Brian2's exact step and refractoriness."""
    v_inf = v_rest + r_m * (j * W_UNIT + i_bias)
    decay = math.exp(-DT / tau_m)
    v, last, spikes = v_rest, -1e9, 0
    for step in range(int(1000 / DT)):
        t = step * DT
        if t >= last + tau_ref:
            v = v_inf + (v - v_inf) * decay
        if v > v_th and t >= last + tau_ref - 1e-9:
            spikes, v, last = spikes + 1, v_reset, t
    return spikes


def izh_rate(j, r_m=1.0, a=0.02, b=0.2, c=-65.0, d=8.0, v_peak=30.0, substeps=2):
    """Spikes in 1 s under j weight units; edsnn's half-steps, implicit below -62.5 mV."""
    current, h = r_m * j * W_UNIT, DT / substeps
    v, u, spikes = c, b * c, 0
    for _ in range(int(1000 / DT)):
        for _ in range(substeps):
            slope = 0.08 * v + 5
            damping = 1 - h * slope if slope < 0 else 1
            v, u = v + h * (0.04 * v * v + 5 * v + 140 - u + current) / damping, u + h * a * (b * v - u)
        if v >= v_peak:
            spikes, v, u = spikes + 1, c, u + d
    return spikes


def crossing(js, rates, target):
    """Smallest current (weight units) at which the rate reaches target."""
    for j, rate in zip(js, rates):
        if rate >= target:
            return j
    return float("nan")


if __name__ == "__main__":
    js = np.round(np.arange(0, 300.01, 0.25), 2)
    neurons = {"LIF (R_m 10 MOhm, bias 0.9 nA)": lif_rate}
    for r_m in (1, 5, 10, 20, 40):
        neurons[f"Izhikevich, R_m {r_m} MOhm"] = lambda j, r_m=r_m: izh_rate(j, r_m=r_m)
    shown = (-1, 0, 1, 2, 5, 10, 20, 50, 100, 200)
    print(
        "| neuron | "
        + " | ".join(f"{j} w" for j in shown)
        + " | 10 / 50 / 100 / 200 Hz at (w) | slope 50-200 Hz (Hz/w) |"
    )
    print("|---|" + "---|" * (len(shown) + 2))
    for name, rate in neurons.items():
        rates = [rate(j) for j in js]
        at = [crossing(js, rates, f) for f in (10, 50, 100, 200)]
        slope = 150 / (at[3] - at[1])
        print(
            f"| {name} | "
            + " | ".join(str(rate(j)) for j in shown)
            + f" | {' / '.join(f'{x:g}' for x in at)} | {slope:.1f} |"
        )
