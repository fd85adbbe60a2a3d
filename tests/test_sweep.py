"""Sweeps: spec checking with places, a tiny sweep on a 2-worker LocalCluster, skipping and resuming points."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from brian2 import ms

from edsnn.config import schema

pytest.importorskip("distributed")
from edsnn.protocols.sweep import (
    SweepError,
    SweepSpecError,
    main_sweep,
    parse_spec,
    resolve_name,
    run_sweep,
)
from edsnn.protocols.sweep_worker import worker_cache_dir

#: Tiny runs: 4 hidden neurons per class network, 20 train / 10 test images, one epoch, numpy target.
BASE = """
[base]
train = 20
test = 10
epochs = 1
hidden = [4]
device = "numpy"
[base.coding]
presentation = "20 ms"
"""
TAU_M = BASE + """
[grid]
"neuron.tau_m" = ["10 ms", "20 ms", "40 ms"]
"""


def quiet(*args, **kwargs):
    pass


def spec_error(text: str) -> str:
    with pytest.raises(SweepSpecError) as info:
        parse_spec(text, source="SPEC.toml")
    return str(info.value)


# --------------------------------------------------------------------------- spec checking


def test_grid_points_configs_and_names():
    spec = parse_spec(BASE + """
[grid]
tau_m = ["10 ms", "20 ms"]
lr = [0.1, 0.15]
[repeat]
seeds = [1, 2]
""")
    assert len(spec.points) == 8
    first = spec.points[0]
    assert first.name == "tau_m=10ms_lr=0.1_seed=1"
    assert first.config.neuron.tau_m == 10 * ms
    assert first.config.ed.lr == 0.1 and first.config.seed == 1
    assert first.config.coding.presentation == 20 * ms and first.config.hidden == (4,)
    assert first.texts == {"tau_m": "10 ms", "lr": "0.1", "seed": "1"}
    assert first.numbers == {"tau_m [s]": pytest.approx(0.01), "lr": 0.1, "seed": 1}
    assert [p.key for p in spec.parameters] == ["neuron.tau_m", "ed.lr"]
    assert spec.seeds == (1, 2)


@pytest.mark.parametrize("short, full", [
    ("tau_m", "neuron.tau_m"), ("lr", "ed.lr"), ("max_rate", "coding.max_rate"), ("R_max", "coding.max_rate"),
    ("u1", "ed.dif"), ("dif", "ed.dif"), ("tau-ref", "neuron.tau_ref"), ("w_unit", "synapse.w_unit"),
    ("train", "train"), ("input_neuron.tau_m", "input_neuron.tau_m"),
])
def test_short_names(short, full):
    assert resolve_name(short) == full


def test_bad_unit_is_reported_with_its_place():
    message = spec_error(BASE + '[grid]\n"neuron.tau_m" = ["10 ms", "20 mV"]\n')
    assert message == ('SPEC.toml [grid] "neuron.tau_m"[1]: tau_m must be a time, e.g. 20. ms '
                       "(got '20 mV')")


def test_every_refusal_is_listed_before_anything_runs():
    message = spec_error(BASE.replace("train = 20", "train = 0") + """
[grid]
tau_m = [20, "5 ms", "-5 ms"]
lr = ["0.1"]
""")
    lines = message.splitlines()
    assert lines == ['SPEC.toml [base] "train": train must be a whole number >= 1 (got 0)']  # base first
    message = spec_error(BASE + """
[grid]
tau_m = [20, "5 ms", "-5 ms"]
lr = ["0.1"]
""")
    assert message.splitlines() == [
        "SPEC.toml [grid] \"tau_m\"[0]: tau_m must be a time, e.g. 20. ms (got '20' without a unit)",
        'SPEC.toml [grid] "tau_m"[2]: tau_m must be positive (got -5. ms)',
        "SPEC.toml [grid] \"lr\"[0]: lr must be a number without quotes (got '0.1')",
    ]


def test_unknown_parameter():
    message = spec_error(BASE + '[grid]\ntau_mem = ["10 ms"]\n')
    assert message.startswith('SPEC.toml [grid] "tau_mem": unknown parameter \'tau_mem\'; did you mean')
    assert "tau_m" in message
    assert "has no parameter 'tau'" in spec_error('[base.neuron]\ntau = "10 ms"\n[repeat]\nn = 2\n')


def test_ambiguous_short_name(monkeypatch):
    # input_neuron and dc_excitatory share tau_m with neuron: were they short-name sections, it would be ambiguous
    monkeypatch.setattr(schema, "FULL_NAME_ONLY", ())
    message = spec_error(BASE + '[grid]\ntau_m = ["10 ms"]\n')
    assert message == ("SPEC.toml [grid] \"tau_m\": 'tau_m' is ambiguous: write one of "
                       "neuron.tau_m, input_neuron.tau_m, dc_excitatory.tau_m")


def test_empty_grid_and_empty_lists():
    assert spec_error(BASE + "[grid]\n").startswith("SPEC.toml [grid]: is empty")
    assert spec_error(BASE + "[grid]\ntau_m = []\n") == 'SPEC.toml [grid] "tau_m": lists no values'
    assert "nothing to sweep" in spec_error(BASE)


def test_duplicates_and_combinations_refused():
    assert spec_error(BASE + '[grid]\ntau_m = ["10 ms", "0.01 s"]\n') == (
        'SPEC.toml [grid] "tau_m"[1]: repeats the value at index 0')
    assert "swept twice" in spec_error(BASE + '[grid]\ntau_m = ["10 ms"]\n"neuron.tau_m" = ["20 ms"]\n')
    # each value is fine alone, one combination is not
    message = spec_error(BASE + '[grid]\nv_threshold = ["-60 mV", "-66 mV"]\nv_reset = ["-70 mV", "-65 mV"]\n')
    assert message == ("SPEC.toml [grid] point (v_threshold=-66 mV, v_reset=-65 mV): "
                       "v_threshold (-66. mV) must lie above v_reset (-65. mV)")


def test_random_samples_are_seeded_and_read_back():
    text = BASE + """
[random]
n = 5
seed = 3
tau_m = { min = "10 ms", max = "40 ms" }
lr = { min = 0.01, max = 1.0, log = true }
sign_rule = ["kaneko", "dale"]
"""
    a, b = parse_spec(text), parse_spec(text)
    assert [p.name for p in a.points] == [p.name for p in b.points]
    assert len(a.points) == 5 and a.points[0].name.startswith("s0_tau_m=")
    for point in a.points:
        assert 10 * ms <= point.config.neuron.tau_m <= 40 * ms
        assert 0.01 <= point.config.ed.lr <= 1.0
        assert point.config.ed.sign_rule in ("kaneko", "dale")
        # the text in sweep.csv is the value that ran
        assert float(point.texts["tau_m"].split()[0]) * ms == point.config.neuron.tau_m
    assert [p.log for p in a.parameters] == [False, True, False]
    assert parse_spec(text.replace("seed = 3", "seed = 4")).points[0].name != a.points[0].name
    assert 'SPEC.toml [random] "tau_m".max: tau_m must be a time' in spec_error(
        BASE + '[random]\nn = 2\ntau_m = { min = "10 ms", max = "40 Hz" }\n')


def test_worker_cache_folders_differ():
    assert worker_cache_dir("/cache", 0) != worker_cache_dir("/cache", 1)


def test_cli_check_lists_points(tmp_path, capsys):
    path = tmp_path / "tau.toml"
    path.write_text(TAU_M)
    assert main_sweep([str(path), "--check"]) == 0
    assert "tau_m=10ms" in capsys.readouterr().out
    path.write_text(TAU_M.replace('"20 ms", "40 ms"', '"20 mV", "40 ms"'))
    assert main_sweep([str(path), "--check"]) == 2
    assert f'{path} [grid] "neuron.tau_m"[1]: tau_m must be a time' in capsys.readouterr().err


# --------------------------------------------------------------------------- running


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The tau_m sweep run once on a new 2-worker LocalCluster."""
    root = tmp_path_factory.mktemp("sweep")
    (root / "tau.toml").write_text(TAU_M)
    result = run_sweep(root / "tau.toml", out=root / "out", n_workers=2, progress=False, echo=quiet,
                       cache_dir=root / "cache")
    return root, result


def test_tiny_sweep_on_local_cluster(tiny):
    root, result = tiny
    out = root / "out"
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == 3
    assert list(table["status"]) == ["done"] * 3
    assert list(table["tau_m"]) == ["10 ms", "20 ms", "40 ms"]
    assert list(table["tau_m [s]"]) == pytest.approx([0.01, 0.02, 0.04])
    assert table["final_test_accuracy"].between(0, 1).all()
    assert (table["best_test_accuracy"] >= table["final_test_accuracy"]).all()
    assert {"final_train_accuracy", "rate_hidden1 [Hz]", "rate_output [Hz]", "seconds", "error"} <= set(table)
    for column in ("rate_hidden1 [Hz]", "rate_output [Hz]", "seconds"):  # six significant digits, no float noise
        assert all(len(f"{x:.15g}".replace(".", "").lstrip("0")) <= 6 for x in table[column]), table[column]
    # a longer membrane time constant integrates the same bias more slowly: lower hidden rates
    assert table["rate_hidden1 [Hz]"].is_monotonic_decreasing
    assert sorted(result.ran) == sorted(table["point"]) and result.skipped == [] and result.failed == []
    for name in table["point"]:
        assert (out / "points" / name / "metrics.csv").is_file()
    assert (out / "spec.toml").read_text() == TAU_M
    assert result.figures == [out / "figures" / "accuracy_vs_tau_m.png"]
    assert result.figures[0].stat().st_size > 1000
    # each worker got its own Brian2 cache folder
    assert len([p for p in (root / "cache").iterdir() if (p / "cython").is_dir()]) == 2


def _stamps(out):
    return {p: p.stat().st_mtime_ns for p in (out / "points").rglob("*") if p.is_file()}


def test_second_run_skips_finished_points(tiny):
    root, _ = tiny
    out = root / "out"
    before = _stamps(out)
    again = run_sweep(root / "tau.toml", out=out, progress=False, echo=quiet, cache_dir=root / "cache")
    assert again.ran == [] and len(again.skipped) == 3
    assert _stamps(out) == before  # no run folder file was touched
    assert list(again.table["status"]) == ["done"] * 3


@pytest.fixture(scope="module")
def client(tiny):
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    with Client(cluster) as c:
        yield c
    cluster.close()


def test_interrupted_points_resume_and_failures_are_recorded(tiny, client, tmp_path):
    root, _ = tiny
    out = tmp_path / "out"
    shutil.copytree(root / "out", out)
    stamps = _stamps(out)
    # tau_m=20ms lost its folder: only it runs again
    shutil.rmtree(out / "points" / "tau_m=20ms")
    result = run_sweep(parse_spec(TAU_M), out=out, scheduler=client, progress=False, echo=quiet,
                       cache_dir=root / "cache")
    assert sorted(result.ran) == ["tau_m=20ms"]
    kept = {p: t for p, t in _stamps(out).items() if "tau_m=20ms" not in str(p)}
    assert kept == {p: t for p, t in stamps.items() if "tau_m=20ms" not in str(p)}

    # more epochs: every point resumes after epoch 1 (epoch 1 rows are kept, not recomputed)
    two = parse_spec(TAU_M.replace("epochs = 1", "epochs = 2"))
    metrics_before = pd.read_csv(out / "points" / "tau_m=10ms" / "metrics.csv")
    result = run_sweep(two, out=out, scheduler=client, progress=False, echo=quiet, cache_dir=root / "cache")
    metrics = pd.read_csv(out / "points" / "tau_m=10ms" / "metrics.csv")
    assert list(metrics["epoch"]) == [1, 2]
    pd.testing.assert_frame_equal(metrics.iloc[:1], metrics_before)
    assert "resuming" in (out / "logs" / "tau_m=10ms.log").read_text()
    assert list(result.table["epochs"]) == [2, 2, 2]

    # a point that fails (more images than the embedded subset has) is recorded; the others run
    failing = parse_spec(BASE + "[grid]\ntrain = [20, 5000]\n")
    result = run_sweep(failing, out=tmp_path / "failing", scheduler=client, progress=False, echo=quiet,
                       cache_dir=root / "cache")
    table = result.table.set_index("point")
    assert table.loc["train=20", "status"] == "done"
    assert table.loc["train=5000", "status"] == "failed"
    assert "more than the 1000 train images" in table.loc["train=5000", "error"]
    assert result.failed == ["train=5000"]
    assert (tmp_path / "failing" / "errors" / "train=5000.txt").is_file()


def test_folder_with_other_settings_is_refused(tiny, tmp_path):
    root, _ = tiny
    out = tmp_path / "out"
    shutil.copytree(root / "out", out)
    other = parse_spec(TAU_M.replace("test = 10", "test = 12"))
    with pytest.raises(SweepError, match="other settings for 3 points"):
        run_sweep(other, out=out, progress=False, echo=quiet)


def _starts(log) -> list:
    """Worker pids of each start of a point (``# <time> pid N: ...`` header lines of its log)."""
    return [int(line.split(" pid ")[1].split(":")[0]) for line in log.read_text().splitlines()
            if line.startswith("# ")] if log.is_file() else []


def test_sweep_survives_a_killed_worker(tmp_path):
    """SIGKILL the worker running its second point after an epoch: the sweep completes, that point
    resumes elsewhere, and the point the dead worker had finished before is not run again."""
    import os
    import signal
    import threading
    import time

    from distributed import Client, LocalCluster

    from edsnn.runs import RunFolder

    spec = parse_spec(TAU_M.replace("epochs = 1", "epochs = 3"))
    out, killed = tmp_path / "out", {}

    def kill_a_worker_on_its_second_point():
        deadline = time.monotonic() + 300
        while not killed and time.monotonic() < deadline:
            starts = {p.name: _starts(out / "logs" / f"{p.name}.log") for p in spec.points}
            done = {name: RunFolder(out / "points" / name).finished_epoch() for name in starts}
            for name, pids in starts.items():
                earlier = [other for other, o in starts.items() if done[other] == 3 and pids and o == pids]
                if len(pids) == 1 and earlier and done[name] == 1:
                    os.kill(pids[0], signal.SIGKILL)
                    killed.update(point=name, pid=pids[0], finished=earlier[0],
                                  epoch=RunFolder(out / "points" / name).finished_epoch())
            time.sleep(0.05)

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    killer = threading.Thread(target=kill_a_worker_on_its_second_point, daemon=True)
    try:
        with Client(cluster) as client:
            killer.start()
            result = run_sweep(spec, out=out, scheduler=client, progress=False, echo=quiet,
                               cache_dir=tmp_path / "cache")
    finally:
        cluster.close()
    killer.join(1)
    assert killed, "no worker was killed"
    assert result.failed == [] and list(result.table["status"]) == ["done"] * 3
    assert list(result.table["epochs"]) == [3, 3, 3]
    for point in spec.points:
        assert RunFolder(out / "points" / point.name).metrics()["epoch"].tolist() == [1, 2, 3]
    starts = _starts(out / "logs" / f"{killed['point']}.log")
    assert killed["epoch"] < 3, killed  # killed mid-run
    assert len(starts) == 2 and starts[0] == killed["pid"] != starts[1]
    assert "resuming" in (out / "logs" / f"{killed['point']}.log").read_text()
    # the dead worker's finished point is not run again (its result is not recomputed)
    assert _starts(out / "logs" / f"{killed['finished']}.log") == [killed["pid"]]


def test_cpp_points_of_one_structure_compile_once(tmp_path, monkeypatch):
    """Points that differ in seed, learning rate or diffusion factor run one program, compiled once:
    two workers start at once, one compiles, the other waits and reuses it."""
    monkeypatch.setenv("EDSNN_CACHE", str(tmp_path / "programs"))
    spec = BASE.replace('device = "numpy"', 'device = "cpp"') + """
[grid]
"ed.lr" = [0.15, 0.6]
"ed.dif" = [1.0, 2.0]
[repeat]
seeds = [1, 2]
"""
    (tmp_path / "values.toml").write_text(spec)
    result = run_sweep(tmp_path / "values.toml", out=tmp_path / "out", n_workers=2, progress=False, echo=quiet,
                       cache_dir=tmp_path / "cache")
    assert len(result.ran) == 8 and result.failed == []
    logs = list((tmp_path / "programs" / "programs").glob("*.log"))
    assert len(logs) == 1 and len(logs[0].read_text().splitlines()) == 1
    points = tmp_path / "out" / "points"
    weights = {}
    for folder in sorted(points.iterdir()):
        with np.load(folder / "weights.npz") as npz:
            weights[folder.name] = np.concatenate([npz[key].ravel() for key in sorted(npz.files)])
    # every value reached the shared program: no two points learnt the same weights
    names = sorted(weights)
    assert all(not np.array_equal(weights[a], weights[b]) for i, a in enumerate(names) for b in names[i + 1:])
