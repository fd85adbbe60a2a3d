"""Print this study's two tables from the runs' per-epoch metrics (``metrics/*.csv``).

    python studies/dale_gap/table.py
"""

import csv
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: setting → metrics file, in the order of the README's table
RUNS = {
    "none (Dale's rule as it is)": "baseline",
    "effect sign measured from the weights": "measured_effect",
    "hidden1's I neurons copy their E partner": "inhibitory_copies",
    "ε = τ in hidden1": "effect_is_type",
    "a⁻ × 1/9 in hidden1": "minus_amine_ninth",
    "synaptic scaling (`--synaptic-scaling`)": "synaptic_scaling",
    "homeostatic threshold, 0.01 mV": "homeostasis_0.01mV",
    "homeostatic threshold, 0.05 mV": "homeostasis_0.05mV",
    "hidden2 without its bias current": "hidden2_no_bias",
    "effect sign measured, learning beyond the cap": "measured_effect_saturated_learning",
    "hidden2's E→E synapses frozen": "frozen_EE",
    "hidden2's E→I synapses frozen": "frozen_EI",
    "hidden2's I→E synapses frozen": "frozen_IE",
    "hidden2's I→I synapses frozen": "frozen_II",
}

#: the follow-up runs: the best variant's hidden2 I learning rate and read-out, hidden2 frozen
#: under both rules, and hidden2 started with two of its four pathways absent
FOLLOW_UP = {
    "measured sign, cap: hidden2 I lr × 0.25": "measured_effect_saturated_learning_hidden2_I_lr_0.25",
    "measured sign, cap: hidden2 I lr × 0.5": "measured_effect_saturated_learning_hidden2_I_lr_0.5",
    "measured sign, cap: hidden2 I lr × 2": "measured_effect_saturated_learning_hidden2_I_lr_2",
    "measured sign, cap: read-out 300 Hz": "measured_effect_saturated_learning_read_out_300Hz",
    "Dale: all of hidden2 frozen": "frozen_ALL",
    "Kaneko: hidden2's E→E frozen": "kaneko_frozen_EE",
    "Kaneko: hidden2's E→I frozen": "kaneko_frozen_EI",
    "Kaneko: hidden2's I→E frozen": "kaneko_frozen_IE",
    "Kaneko: hidden2's I→I frozen": "kaneko_frozen_II",
    "Kaneko: all of hidden2 frozen": "kaneko_frozen_ALL",
    "Dale: hidden2 starts without E→I, I→E; frozen": "relay_EE_II_frozen",
    "Dale: hidden2 starts without E→I, I→E": "relay_EE_II",
    "Dale, ε = τ: hidden2 starts without E→I, I→I; frozen": "relay_EE_IE_tau_frozen",
    "Dale, ε = τ: hidden2 starts without E→I, I→I": "relay_EE_IE_tau",
}


def row(setting, r):
    def pct(key):
        return f"{100 * float(r[key]):.0f} %"

    def hz(key):
        return f"{float(r[key]):.1f} Hz"

    return (f"| {setting} | {r['epoch']} | {100 * float(r['test_accuracy']):.1f} % | "
            f"{100 * float(r['train_accuracy']):.1f} % | {hz('hidden1_E_rate_hz')}, {pct('hidden1_E_silent')} | "
            f"{hz('hidden1_I_rate_hz')}, {pct('hidden1_I_silent')} | {hz('hidden2_E_rate_hz')}, "
            f"{pct('hidden2_E_silent')} | {hz('hidden2_I_rate_hz')}, {pct('hidden2_I_silent')}, "
            f"{pct('hidden2_I_saturated')} |")


def table(runs):
    print("| setting | epoch | test, 500 | train | hidden1 E: rate, silent | hidden1 I: rate, silent "
          "| hidden2 E: rate, silent | hidden2 I: rate, silent, capped |")
    print("|---|---|---|---|---|---|---|---|")
    for setting, name in runs.items():
        with open(HERE / "metrics" / f"{name}.csv") as f:
            rows = list(csv.DictReader(f))
        shown = [r for r in rows if r["epoch"] in ("1", "5", "10", "20")]
        if rows[-1] not in shown:  # a screen stopped early: its last epoch
            shown.append(rows[-1])
        for r in shown:
            print(row(setting, r))


def main():
    table(RUNS)
    print()
    table(FOLLOW_UP)


if __name__ == "__main__":
    main()
