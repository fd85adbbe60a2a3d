"""A real ``edsnn train`` killed by SIGKILL anywhere in an epoch's writes resumes to the uninterrupted result.

The writer's test hook (``EDSNN_CRASH_AT=<point>:<epoch>``, :mod:`edsnn.runs.files`)
kills the training process at a named point; ``--resume`` must then repair
the folder to its last finished epoch and end with the same tables and
bit-identical weights as a run that was never interrupted.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from run_checks import TIMING, assert_same_run, listing

from edsnn.runs import RunFolder
from edsnn.runs.files import CRASH_AT, torn

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--train", "40", "--test", "20", "--hidden", "4", "--epochs", "3", "--seed", "1", "--no-progress"]


def edsnn(*argv, cwd, crash=None) -> subprocess.CompletedProcess:
    """``python -m edsnn.cli ARGV`` in a fresh process (``crash``: the hook's ``point:epoch``)."""
    env = {k: v for k, v in os.environ.items() if k != CRASH_AT}
    env.update(PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])), MPLBACKEND="Agg")
    if crash:
        env[CRASH_AT] = crash
    return subprocess.run([sys.executable, "-m", "edsnn.cli", *argv], check=False, cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def train(out, *extra, device="numpy", crash=None) -> subprocess.CompletedProcess:
    return edsnn("train", "--out", str(out), *TINY, "--device", device, *extra, cwd=out.parent, crash=crash)






def _temporary(pattern):
    return lambda folder: bool(list(folder.rglob(pattern)))


def _last_row_of(name, epoch):
    return lambda folder: (folder / name).read_text().splitlines()[-1].startswith(f"{epoch},")


#: Kill point → what the folder must show right after the kill (so the test hits what it names).
SIGNS = {
    "metrics-torn:1": lambda folder: torn(folder / "metrics.csv"),  # not even the header whole
    "metrics:2": _last_row_of("metrics.csv", 2),  # metrics written, weights not yet
    "weights-replace:2": _temporary(".weights.npz.*.tmp"),
    "counts-torn:2": _temporary("counts/.epoch=0002.parquet.*.tmp"),
    "counts:3": lambda folder: (folder / "counts" / "epoch=0003.parquet").is_file(),
    "predictions-torn:2": lambda folder: torn(folder / "predictions.csv"),  # counts done, rows half-appended
    "predictions:1": _last_row_of("predictions.csv", 1),
    "metrics-torn:3": lambda folder: torn(folder / "metrics.csv"),
    "weights-torn:3": _temporary(".weights.npz.*.tmp"),
    "weights:3": lambda folder: RunFolder(folder).finished_epoch() == 3,  # before the figures
}
DEFAULT = ["metrics-torn:1", "metrics:2", "weights-replace:2"]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """One uninterrupted run, shared by every kill point."""
    out = tmp_path_factory.mktemp("reference") / "run"
    done = train(out)
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.parametrize("point", [p if p in DEFAULT else pytest.param(p, marks=pytest.mark.long) for p in SIGNS])
def test_killed_training_resumes_to_the_uninterrupted_result(reference, tmp_path, point):
    out = tmp_path / "run"
    killed = train(out, crash=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert SIGNS[point](out), listing(out)
    name, epoch = point.split(":")
    finished = int(epoch) - (name != "weights")
    run = RunFolder(out)
    assert run.finished_epoch() == finished and run.metrics()["epoch"].tolist() == list(range(1, finished + 1))

    resumed = train(out, "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert (f"resuming {out} after epoch {finished}" in resumed.stdout) == (finished > 0), resumed.stdout
    assert_same_run(reference, out, same_files=True)


@pytest.mark.long  # three cpp builds: about 5 minutes on the 2-core machines
def test_cpp_run_killed_resumes_and_evaluates(tmp_path):
    """cpp_standalone: the epoch computed before the kill is computed again, equal; evaluate reproduces it.

    The killed epoch's metrics row, test predictions and counts part reached
    the disk before the kill, so they are the uninterrupted run's numbers.
    """
    out = tmp_path / "run"
    killed = train(out, "--epochs", "2", device="cpp", crash="metrics:2")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    before = {name: pd.read_csv(out / name) for name in ("metrics.csv", "predictions.csv")}
    shutil.copy(out / "counts" / "epoch=0002.parquet", tmp_path / "counts2.parquet")
    assert RunFolder(out).finished_epoch() == 1

    resumed = train(out, "--epochs", "2", "--resume", device="cpp")
    assert resumed.returncode == 0, resumed.stderr
    run = RunFolder(out)
    run.check()
    pd.testing.assert_frame_equal(run.metrics().drop(columns=TIMING), before["metrics.csv"].drop(columns=TIMING))
    pd.testing.assert_frame_equal(run.predictions(), before["predictions.csv"])
    pd.testing.assert_frame_equal(run.counts(epoch=2), pd.read_parquet(tmp_path / "counts2.parquet"))

    evaluated = edsnn("evaluate", str(out), "--no-progress", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    recorded = 100 * run.metrics()["test_accuracy"].iloc[-1]
    assert f"test accuracy {recorded:.1f} % on 20 presentations" in evaluated.stdout, evaluated.stdout


def test_record_counts_every_k_keeps_its_epochs_through_a_kill(reference, tmp_path):
    """``every:2`` of 3 epochs keeps epochs 2 and 3 (the last); killed after epoch 1, check and resume
    accept the epoch without counts, and the kept counts are the uninterrupted run's."""
    out = tmp_path / "run"
    killed = train(out, "--record-counts", "every:2", crash="weights:1")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    run = RunFolder(out)
    assert run.finished_epoch() == 1 and run.count_epochs() == [] and not list(out.glob("counts/*.parquet"))
    run.check()
    resumed = train(out, "--record-counts", "every:2", "--resume")
    assert resumed.returncode == 0, resumed.stderr
    run.check()
    assert sorted(p.name for p in (out / "counts").iterdir()) == ["epoch=0002.parquet", "epoch=0003.parquet"]
    full = RunFolder(reference)
    pd.testing.assert_frame_equal(run.predictions(), full.predictions())  # predictions stay complete
    for epoch in (2, 3):
        pd.testing.assert_frame_equal(run.counts(epoch=epoch), full.counts(epoch=epoch))
    assert run.counts(epoch=1).empty
    analyzed = edsnn("analyze", str(out), cwd=tmp_path)
    assert analyzed.returncode == 0, analyzed.stderr
    assert "epochs 1 kept no counts (record_counts 'every:2'): the firing statistics cover epochs 2, 3" \
        in analyzed.stdout, analyzed.stdout
    assert set(pd.read_csv(out / "analysis" / "rates.csv")["epoch"]) == {2, 3}
