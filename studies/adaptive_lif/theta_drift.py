"""One adaptive LIF neuron over many 100 ms presentations: where its threshold θ goes.

The network resets ``v`` and ``I_ad`` at the start of every presentation and keeps
``θ`` (``kept_state``).  This script does the same for neurons under a constant
current (no synapses, no learning), in numpy, with the steps Brian2 generates for
:class:`edsnn.model.AdaptiveLIF` (exponential Euler at dt = 1 ms, 2 ms refractory
clamp on ``v``), and prints θ after 1, 10, 100, 1000 and 3000 presentations and
the mean rate of the 10 presentations before (3000 presentations: two epochs of
the headline protocol, 1000 training and 500 test images each).

    python studies/adaptive_lif/theta_drift.py
"""

from __future__ import annotations

import numpy as np

V_REST, V_TH, V_RESET, TAU_M, TAU_REF, R_M, I_BIAS = -65.0, -60.0, -70.0, 20.0, 2.0, 10.0, 0.9  # mV, ms, MΩ, nA
DT, PRESENTATION = 1.0, 100  # ms, steps


def simulate(current, b_w, tau_w, d_theta, tau_theta, presentations, report):
    """Rates (Hz) and θ (mV) after each presentation in ``report``; ``current`` (nA) a vector of neurons."""
    current = np.asarray(current, float)
    theta = np.zeros_like(current)
    decay_m, decay_w, decay_t = np.exp(-DT / TAU_M), np.exp(-DT / tau_w), np.exp(-DT / tau_theta)
    out, counts = {}, []
    for p in range(1, presentations + 1):
        v, i_ad = np.full_like(current, V_REST), np.zeros_like(current)
        refractory = np.zeros_like(current)  # steps left
        count = np.zeros_like(current)
        for _ in range(PRESENTATION):
            v_inf = V_REST + R_M * (current + I_BIAS - i_ad)
            v = np.where(refractory > 0, v, v_inf + (v - v_inf) * decay_m)
            i_ad = i_ad * decay_w
            theta = theta * decay_t
            refractory = np.maximum(refractory - 1, 0)
            spike = v > V_TH + theta
            v = np.where(spike, V_RESET, v)
            i_ad = i_ad + spike * b_w
            theta = theta + spike * d_theta
            refractory = np.where(spike, TAU_REF / DT, refractory)
            count += spike
        counts.append(count)
        if p in report:
            recent = np.mean(counts[-10:], axis=0)
            out[p] = (recent / (PRESENTATION * DT / 1000), theta.copy())
    return out


def main():
    # extra current on top of the bias: a LIF fires ≈ 30 Hz (the LIF network's I neurons) and ≈ 70 Hz
    currents = [0.0, 0.3]
    report = (1, 10, 100, 1000, 3000)
    variants = {
        "LIF (no adaptation)": dict(b_w=0.0, tau_w=100.0, d_theta=0.0, tau_theta=1e7),
        "adaptation current only (b_w 0.05 nA, tau_w 100 ms)": dict(b_w=0.05, tau_w=100.0, d_theta=0.0,
                                                                    tau_theta=1e7),
        "threshold only (d_theta 0.05 mV, tau_theta 1e4 s)": dict(b_w=0.0, tau_w=100.0, d_theta=0.05,
                                                                  tau_theta=1e7),
        "old defaults (both)": dict(b_w=0.05, tau_w=100.0, d_theta=0.05, tau_theta=1e7),
        "new defaults (tau_theta 1 s)": dict(b_w=0.05, tau_w=100.0, d_theta=0.05, tau_theta=1e3),
    }
    print("| variant | extra current | " + " | ".join(f"after {p}" for p in report) + " |")
    print("|---|---|" + "---|" * len(report))
    for name, kw in variants.items():
        res = simulate(currents, presentations=max(report), report=report, **kw)
        for k, c in enumerate(currents):
            cells = [f"{res[p][0][k]:.0f} Hz, θ {res[p][1][k]:.2f} mV" for p in report]
            print(f"| {name} | {c:.1f} nA | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
