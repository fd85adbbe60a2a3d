"""The ``edsnn`` command line: parsing, refusals, and a tiny end-to-end run."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from brian2 import Hz, Mohm, ms, mV, nA
from fake_run import write_fake_run

from edsnn.cli import build_parser, config_from_args, main
from edsnn.model import DeltaSynapse, LIFParameters
from edsnn.protocols import TrainConfig

TINY = ["--hidden", "8", "--train", "30", "--test", "20", "--epochs", "2", "--presentation", "20ms",
        "--device", "numpy", "--batch-size", "16", "--no-progress"]


ROOT = Path(__file__).resolve().parents[1]


def edsnn(*argv, cwd=None, before: str = "", env=None) -> subprocess.CompletedProcess:
    """The ``edsnn`` command as a user runs it: a new Python process, its exit status and output.

    ``before``: Python run before the command (e.g. to replace a function by one that fails).
    """
    env = {**os.environ, **(env or {}), "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    program = f"import sys\n{before}\nfrom edsnn.cli import main\nsys.exit(main())"
    return subprocess.run([sys.executable, "-c", program, *map(str, argv)], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)


def parse(*options) -> TrainConfig:
    from edsnn.cli import _join_values

    parser = build_parser()
    return config_from_args(parser.parse_args(_join_values(parser, ["train", *options])))


def refused(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    assert exit_info.value.code == 2
    return capsys.readouterr().err


def test_no_options_give_the_dataclass_defaults():
    assert parse() == TrainConfig()


def test_options_reach_the_parameter_sets():
    config = parse("--fashion", "--hidden", "16,8", "--sampling", "first",
                   "--seed", "7", "--lr", "0.3", "--ami", "0.5", "--dif", "1.0", "--sig", "0.4", "--w1", "0.1",
                   "--w2", "0.2", "--sign-rule", "dale", "--diffusion", "uniform", "--bias",
                   "--tau-m", "15ms", "--v-threshold", "-55mV", "--v-rest", "-70 mV", "--v-reset", "-75mV",
                   "--tau-ref", "1ms", "--R-m", "20Mohm", "--I-bias", "0.5nA", "--tau-syn", "3ms",
                   "--w-unit", "0.2nA", "--spike-max-rate", "100Hz", "--presentation", "40ms",
                   "--rest", "10ms", "--dt", "0.5ms", "--record-spikes")
    assert config.dataset == "fashion-mnist" and config.hidden == (16, 8) and config.model == "spiking"
    assert config.sampling == "first" and config.seed == 7 and config.record_spikes
    assert (config.ed.lr, config.ed.ami, config.ed.dif, config.ed.sig, config.ed.w1, config.ed.w2) == (
        0.3, 0.5, 1.0, 0.4, 0.1, 0.2)
    assert config.ed.sign_rule == "dale" and config.ed.diffusion == "uniform" and config.ed.bias
    assert config.neuron == LIFParameters(tau_m=15 * ms, v_threshold=-55 * mV, v_rest=-70 * mV,
                                          v_reset=-75 * mV, tau_ref=1 * ms, R_m=20 * Mohm, I_bias=0.5 * nA)
    assert config.synapse.tau_syn == 3 * ms and config.synapse.w_unit == 0.2 * nA
    assert config.coding.max_rate == 100 * Hz and config.coding.presentation == 40 * ms
    assert config.coding.rest == 10 * ms and config.coding.dt == 0.5 * ms


def test_published_option_names():
    config = parse("--mnist", "--spike_max_rate", "120", "--spike_sim_time", "30", "--spike_dt", "0.5")
    assert config.dataset == "mnist"
    assert config.coding.max_rate == 120 * Hz and config.coding.presentation == 30 * ms
    assert config.coding.dt == 0.5 * ms
    assert parse("--fashion").dataset == "fashion-mnist"
    assert parse("--dataset", "fashion").dataset == "fashion-mnist"


def test_delta_synapse_takes_a_voltage():
    config = parse("--synapse", "delta", "--w-unit", "1mV")
    assert config.synapse == DeltaSynapse(w_unit=1 * mV)


@pytest.mark.parametrize("option, value, words", [
    ("--tau-m", "20", "--tau-m must be a time"),
    ("--v-threshold", "-60", "--v-threshold must be a voltage"),
    ("--v-rest", "-65 furlongs", "--v-rest"),
    ("--R-m", "10ms", "--R-m must be a resistance"),
    ("--presentation", "50", "--presentation must be a time"),
    ("--spike-max-rate", "150", "--spike-max-rate must be a rate"),
    ("--w-unit", "3mV", "--w-unit must be a current"),
    ("--tau-syn", "5", "--tau-syn must be a time"),
])
def test_values_without_a_valid_unit_name_the_option(capsys, option, value, words):
    assert words in refused(capsys, "train", option, value)


@pytest.mark.parametrize("argv, words", [
    (["--train", "0"], "--train"),
    (["--epochs", "-1"], "--epochs"),
    (["--hidden", "0"], "--hidden"),
    (["--hidden", "256,abc"], "--hidden"),
    (["--train", "5000", "--out", "never-made"], "more than the 1000 train images"),
    (["--test", "501", "--out", "never-made"], "more than the 500 test images"),
    (["--dataset", "cifar10"], "unknown dataset 'cifar10'"),
    (["--model", "hodgkin"], "--model"),
    (["--v-threshold", "-75mV"], "must lie above v_reset"),
    (["--presentation", "20.5ms"], "whole multiple of dt"),
    (["--synapse", "delta", "--tau-syn", "5ms"], "exponential and alpha synapses only"),
    (["--resume"], "--resume needs --out"),
    (["--data", "embedded", "--data-dir", "/nowhere"], "--data-dir"),
])
def test_impossible_settings_refused(capsys, argv, words, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert words in refused(capsys, "train", *argv)
    assert not (tmp_path / "never-made").exists()


def test_options_without_subcommand_go_to_train(capsys):
    assert "--tau-m must be a time" in refused(capsys, "--tau-m", "20")


def test_existing_folder_refused(capsys, tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "something").write_text("x")
    message = refused(capsys, "train", *TINY, "--out", str(tmp_path / "run"))
    assert "already exists and is not empty" in message and "--resume" in message and "--overwrite" in message


def test_sweep_refuses_a_missing_spec(capsys, tmp_path):
    missing = tmp_path / "spec.toml"
    assert main(["sweep", str(missing)]) == 2
    assert f"{missing}: no such sweep file" in capsys.readouterr().err


def test_train_evaluate_analyze_end_to_end(capsys, tmp_path):
    out = tmp_path / "run"
    assert main(["train", *TINY, "--out", str(out)]) == 0  # the pyproject entry point
    printed = capsys.readouterr().out
    assert "epoch 1/2: train accuracy" in printed and "epoch 2/2" in printed and "done in" in printed
    metrics = pd.read_csv(out / "metrics.csv")
    assert metrics["epoch"].tolist() == [1, 2]

    assert main(["evaluate", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    last = 100 * metrics["test_accuracy"].iloc[-1]
    assert f"test accuracy {last:.1f} % on 20 presentations" in printed
    assert f"recorded after epoch 2: {last:.1f} %" in printed
    assert f"recorded in {out / 'evaluation.csv'}" in printed
    evaluation = pd.read_csv(out / "evaluation.csv")
    assert evaluation.drop(columns="date").to_dict("records") == [
        {"epoch": 2, "images": 20, "test_set": "the epoch's selection", "accuracy": round(last / 100, 6),
         "device": "numpy"}]

    # resume with more epochs: settings come from config.json, only --epochs changes
    assert main(["train", "--out", str(out), "--resume", "--epochs", "3", "--no-progress"]) == 0
    assert pd.read_csv(out / "metrics.csv")["epoch"].tolist() == [1, 2, 3]
    capsys.readouterr()
    assert "only --epochs may change" in refused(capsys, "train", "--out", str(out), "--resume", "--lr", "0.9")

    assert main(["analyze", str(out)]) == 0
    assert (out / "analysis" / "rates.csv").is_file()


def test_analyze_a_silent_network(tmp_path):
    write_fake_run(tmp_path / "run", n_per_class=4, firing="silent")
    done = edsnn("analyze", tmp_path / "run")
    assert done.returncode == 0, done.stderr
    assert f"wrote 19 files into {tmp_path / 'run' / 'analysis'}/" in done.stdout


FAILING_ANALYSIS = """
import edsnn.analysis, edsnn.analysis.statistics as st
def analyze_run(path, overwrite=False):
    st.mean_rate(None, None)  # an edsnn function called wrongly: raises inside edsnn
edsnn.analysis.analyze_run = analyze_run
"""


def test_an_edsnn_error_is_one_line_naming_where(tmp_path):
    write_fake_run(tmp_path / "run", n_per_class=2)
    done = edsnn("analyze", tmp_path / "run", before=FAILING_ANALYSIS)
    assert done.returncode == 1
    line, = done.stderr.splitlines()
    assert line.startswith("edsnn analyze: ") and "Brian 2" not in line
    assert re.search(r"\(TypeError at edsnn/analysis/\w+\.py:\d+ in \w+; EDSNN_TRACEBACK=1 shows the traceback\)$",
                     line), line
    done = edsnn("analyze", tmp_path / "run", before=FAILING_ANALYSIS, env={"EDSNN_TRACEBACK": "1"})
    assert done.returncode == 1 and "Traceback (most recent call last)" in done.stderr


def test_an_error_inside_brian2_keeps_brian2s_report(tmp_path):
    write_fake_run(tmp_path / "run", n_per_class=2)
    done = edsnn("analyze", tmp_path / "run", before="""
import brian2, edsnn.analysis
def analyze_run(path, overwrite=False):
    brian2.Equations("dv/dt = : volt")
edsnn.analysis.analyze_run = analyze_run
""")
    assert done.returncode == 1
    assert "Brian 2 encountered an unexpected error" in done.stderr and "EquationError" in done.stderr


def test_options_are_never_abbreviated_and_typos_get_a_suggestion(tmp_path):
    for argv, message in [
        (["train", "--epoch", "2"], "unrecognized option --epoch; did you mean --epochs?"),
        (["--hiden", "32"], "unrecognized option --hiden; did you mean --hidden?"),
        (["train", "--epochs", "2", "extra"], "unrecognized argument 'extra'"),
        (["analyze", tmp_path, "--overwrit"], "unrecognized option --overwrit; did you mean --overwrite?"),
    ]:
        done = edsnn(*argv, cwd=tmp_path)
        assert done.returncode == 2 and message in done.stderr.splitlines()[-1], (argv, done.stderr)
    assert list(tmp_path.iterdir()) == []


def test_a_value_with_a_space_before_its_unit():
    assert parse("--tau-m", "15", "ms", "--v-threshold", "-55", "mV").neuron.tau_m == 15 * ms
    assert parse("--tau-m", "15", "ms", "--v-threshold", "-55", "mV").neuron.v_threshold == -55 * mV
    assert parse("--tau-m=15 ms").neuron.tau_m == 15 * ms


def test_analyze_twice_names_the_option(tmp_path):
    write_fake_run(tmp_path / "run", n_per_class=2, record_spikes=False)
    assert edsnn("analyze", tmp_path / "run").returncode == 0
    done = edsnn("analyze", tmp_path / "run")
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1].endswith("already holds an analysis; pass --overwrite to replace it")


def test_help_in_natural_units_from_the_cache(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path), "COLUMNS": "200"}
    first = edsnn("train", "--help", env=env)
    assert first.returncode == 0
    text = " ".join(first.stdout.split())
    stdp = " ".join(edsnn("train", "--model", "diehl-cook", "--help", env=env).stdout.split())

    def default_of(option, text=text):
        after = text[re.search(rf" {re.escape(option)}[ ,].*?\(default: ", text).end():]
        return after[:len(after.split(") --")[0])]

    for option, default in [("--b-w", "50 pA"), ("--d-theta", "0.05 mV"), ("--tau-theta", "1 s"),
                            ("--tau-m", "20 ms"), ("--R-m", "10 Mohm (lif)"), ("--max-rate", "150 Hz"),
                            ("--lr", "0.15")]:
        assert default_of(option).startswith(default), (option, default_of(option))
    assert default_of("--diehl-cook.presentation", stdp).startswith("350 ms")
    assert "Keep spike times of the test presentations (spikes/, one file per epoch)" in text
    assert len(list((tmp_path / "edsnn").glob("help-train-*.txt"))) == 2  # one per network asked about
    again = edsnn("--hidden", "3", "--help", env=env)  # the published style: options go to train
    assert again.returncode == 0 and again.stdout == first.stdout
    assert "sweep" in edsnn("--help", env=env).stdout


def test_every_option_has_a_description():
    from edsnn.config import schema

    assert [f.name for f in schema.fields() if not f.doc().strip()] == []
