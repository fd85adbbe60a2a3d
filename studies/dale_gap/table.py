"""Print this study's table from the runs' per-epoch metrics (``metrics/*.csv``).

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


def main():
    print("| setting | epoch | test, 500 | train | hidden1 E: rate, silent | hidden1 I: rate, silent "
          "| hidden2 E: rate, silent | hidden2 I: rate, silent, capped |")
    print("|---|---|---|---|---|---|---|---|")
    for setting, name in RUNS.items():
        with open(HERE / "metrics" / f"{name}.csv") as f:
            rows = list(csv.DictReader(f))
        shown = [r for r in rows if r["epoch"] in ("1", "5", "10", "20")]
        if rows[-1] not in shown:  # a screen stopped early: its last epoch
            shown.append(rows[-1])
        for r in shown:
            print(row(setting, r))


if __name__ == "__main__":
    main()
