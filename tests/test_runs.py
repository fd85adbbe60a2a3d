"""The run folder (edsnn.runs): per-epoch parts, old single-file folders, damaged files refused."""

from __future__ import annotations

import doctest
import json
import shutil

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from brian2 import ms
from fake_run import to_legacy_layout, write_fake_run
from run_checks import assert_same_run, run_quietly

from edsnn.analysis import load_run
from edsnn.cli import main
from edsnn.config import TrainConfig
from edsnn.data import SpikeCoding
from edsnn.protocols import evaluate
from edsnn.runs import RunFolder, RunFolderError, recording, schema

HIDDEN, TRAIN, TEST = 8, 30, 20


def tiny(**changes) -> TrainConfig:
    config = TrainConfig(hidden=(HIDDEN,), train=TRAIN, test=TEST, epochs=2, batch_size=16,
                         coding=SpikeCoding(presentation=20 * ms), device="numpy", record_spikes=True)
    return config.replace(**changes)




def snapshot(folder) -> dict:
    """Relative path → bytes of every file under ``folder``."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}




@pytest.fixture
def fake(tmp_path):
    tables = write_fake_run(tmp_path / "run", epochs=2, n_classes=3, n_per_class=10, hidden=(6,))
    return tmp_path / "run", tables


# --- layout and reading ------------------------------------------------------------------
def test_parts_read_back_as_the_written_tables(fake):
    folder, tables = fake
    run = RunFolder(folder)
    assert sorted(p.name for p in (folder / "counts").iterdir()) == ["epoch=0001.parquet", "epoch=0002.parquet"]
    assert not (folder / "counts.parquet").exists()
    counts = run.counts()
    np.testing.assert_array_equal(counts["count"].to_numpy(), tables.counts["count"].to_numpy())
    # compact types: the fake run's 200 ms of 1 ms steps allow at most 200 spikes, so uint8
    assert counts["count"].dtype == np.uint8 and counts["activity"].dtype == np.float32
    assert isinstance(counts["layer"].dtype, pd.CategoricalDtype) and counts["neuron"].dtype == np.uint32
    np.testing.assert_allclose(counts["activity"], tables.counts["activity"], rtol=1e-7)
    one = run.counts(epoch=2, columns=["epoch", "layer", "count"])
    assert list(one.columns) == ["epoch", "layer", "count"] and set(one["epoch"]) == {2}
    assert len(one) == len(tables.counts[tables.counts["epoch"] == 2])
    np.testing.assert_allclose(run.spikes()["t"].to_numpy(), tables.spikes["t"].to_numpy())
    pd.testing.assert_frame_equal(run.predictions(epoch=1),
                                  tables.predictions[tables.predictions["epoch"] == 1].reset_index(drop=True))
    assert run.metrics()["epoch"].tolist() == [1, 2] and run.finished_epoch() == 2
    config = run.config()
    assert isinstance(config, TrainConfig) and config.coding.presentation == 200 * ms
    assert config.neuron.tau_ref == 2 * ms and run.info()["n_classes"] == 3
    run.check()


def test_an_old_single_file_folder_reads_the_same(fake, tmp_path):
    folder, _ = fake
    old = tmp_path / "old"
    shutil.copytree(folder, old)
    to_legacy_layout(old)
    assert (old / "counts.parquet").is_file() and not (old / "counts").exists()
    RunFolder(old).check()
    assert_same_run(folder, old)
    pd.testing.assert_frame_equal(RunFolder(old).counts(epoch=2), RunFolder(folder).counts(epoch=2))
    assert RunFolder(old).count_epochs() == [1, 2]
    streamed = pd.concat(RunFolder(old).count_batches(2, rows=100), ignore_index=True)  # pushdown on epoch
    assert streamed["epoch"].eq(2).all() and len(streamed) == len(RunFolder(folder).counts(epoch=2))
    pd.testing.assert_frame_equal(load_run(old).count_summary.classes, load_run(folder).count_summary.classes)


def test_rows_after_the_saved_weights_are_unfinished(fake):
    """A crash after the counts and CSV rows of epoch 2, before its weights."""
    folder, _ = fake
    run = RunFolder(folder)
    weights = run.weights()
    np.savez(folder / "weights.npz", **weights.arrays, epoch=np.int64(1), seed=np.int64(weights.seed))
    (folder / "counts" / ".epoch=0003.parquet.123.tmp").write_bytes(b"half")
    with open(folder / "predictions.csv", "a") as handle:
        handle.write("3,0,1")  # half a line
    assert run.metrics()["epoch"].tolist() == [1] and set(run.counts()["epoch"]) == {1}
    assert set(run.predictions()["epoch"]) == {1} and set(run.spikes()["epoch"]) == {1}
    run.check()
    run.truncate(1)
    assert sorted(p.name for p in (folder / "counts").iterdir()) == ["epoch=0001.parquet"]
    assert pd.read_csv(folder / "predictions.csv")["epoch"].unique().tolist() == [1]
    assert pd.read_csv(folder / "predictions.csv")["prediction"].dtype == np.int64
    assert pd.read_csv(folder / "metrics.csv")["epoch"].tolist() == [1]


def test_clear_removes_run_files_only(fake):
    folder, _ = fake
    (folder / "notes.txt").write_text("mine")
    RunFolder(folder).clear()
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_docstring_examples():
    for module in (schema, recording):
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.attempted and result.failed == 0


# --- damaged files -------------------------------------------------------------------------
def _truncate(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _garble_tail(data: bytes) -> bytes:
    return data[:-24] + b"\x00\xff garbled \x00\xff" * 2


def _empty(data: bytes) -> bytes:
    return b""


DAMAGE = {"truncated": _truncate, "garbled tail": _garble_tail, "empty": _empty}
FILES = ["weights.npz", "config.json", "metrics.csv", "counts/epoch=0001.parquet", "predictions.csv"]


def refused(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    assert exit_info.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize("how", DAMAGE)
@pytest.mark.parametrize("name", FILES)
def test_damaged_file_is_named_and_nothing_changes(capsys, fake, name, how):
    folder, _ = fake
    path = folder / name
    path.write_bytes(DAMAGE[how](path.read_bytes()))
    before = snapshot(folder)
    for argv in (["evaluate", str(folder), "--no-progress"],
                 ["train", "--out", str(folder), "--resume", "--no-progress"],
                 ["analyze", str(folder)]):
        message = refused(capsys, *argv)
        assert str(path) in message and "truncated or corrupt" in message, (argv, message)
        assert "Restore the file" in message
        assert snapshot(folder) == before, argv
    assert not (folder / "analysis").exists()


def test_corrupt_counts_data_named_by_the_analysis(capsys, fake):
    folder, _ = fake
    path = folder / "counts" / "epoch=0002.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 3: len(data) // 3 + 32] = b"\x00\xff" * 16  # inside a data page
    path.write_bytes(bytes(data))
    before = snapshot(folder)
    assert str(path) in refused(capsys, "analyze", str(folder))
    assert snapshot(folder) == before


def test_missing_rows_and_invalid_settings_are_named(fake):
    folder, _ = fake
    lines = (folder / "predictions.csv").read_text().splitlines(keepends=True)
    (folder / "predictions.csv").write_text("".join(lines[:-3]))  # cut at a line end
    with pytest.raises(RunFolderError, match=r"predictions.csv is truncated or corrupt \(epoch 2 has 27 rows"):
        RunFolder(folder).check()
    info = json.loads((folder / "config.json").read_text())
    info["neuron"]["tau_ref"] = "2"
    (folder / "config.json").write_text(json.dumps(info))
    with pytest.raises(RunFolderError, match=r"config.json is truncated or corrupt .*tau_ref"):
        RunFolder(folder).config()


# --- old folders evaluate and resume (tiny trainings, numpy target) -----------------------------
@pytest.fixture(scope="module")
def direct(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "direct"
    run_quietly(tiny(), out)
    return out


def test_old_folder_evaluates_and_resumes(direct, tmp_path):
    old = tmp_path / "old"
    run_quietly(tiny(epochs=1), old)
    to_legacy_layout(old)
    result = evaluate(old, progress=False)
    assert result.epoch == 1 and result.accuracy == result.recorded_accuracy
    shutil.copy(old / "weights.npz", tmp_path / "weights-epoch1.npz")

    run_quietly(tiny(), old, resume=True)
    assert (old / "counts.parquet").is_file()  # epoch 1 stays where it was
    assert sorted(p.name for p in (old / "counts").iterdir()) == ["epoch=0002.parquet"]
    assert_same_run(direct, old)

    # an old folder interrupted after epoch 2's tables, before its weights: resume repairs it
    crashed = tmp_path / "crashed"
    shutil.copytree(direct, crashed)
    to_legacy_layout(crashed)
    shutil.copy(tmp_path / "weights-epoch1.npz", crashed / "weights.npz")
    run_quietly(tiny(), crashed, resume=True)
    assert set(pd.read_parquet(crashed / "counts.parquet")["epoch"]) == {1}
    assert_same_run(direct, crashed)


# --- what is recorded, and how compactly ------------------------------------------------------
def test_record_counts_sample_keeps_evenly_spaced_presentations(tmp_path):
    tables = write_fake_run(tmp_path / "run", epochs=2, n_classes=3, n_per_class=10, hidden=(6,),
                            record_counts="sample:4")
    run = RunFolder(tmp_path / "run")
    run.check()
    part = pq.read_schema(tmp_path / "run" / "counts" / "epoch=0001.parquet")
    assert part.field("count").type == pa.uint8() and pa.types.is_dictionary(part.field("layer").type)
    counts = run.counts(epoch=2)
    assert sorted(set(counts["presentation"])) == [0, 7, 15, 22] and len(counts) == 4 * 3 * 7
    expected = tables.counts[(tables.counts["epoch"] == 2) & tables.counts["presentation"].isin([0, 7, 15, 22])]
    np.testing.assert_array_equal(counts["count"], expected["count"])
    assert len(run.predictions(epoch=2)) == 30  # predictions stay complete


def test_record_counts_every_k_needs_the_parts_of_its_epochs(tmp_path):
    write_fake_run(tmp_path / "run", epochs=3, n_per_class=5, record_counts="every:2")
    run = RunFolder(tmp_path / "run")
    run.check()
    assert run.count_epochs() == [2, 3] and run.counts(epoch=1).empty
    (tmp_path / "run" / "counts" / "epoch=0002.parquet").unlink()
    with pytest.raises(RunFolderError, match=r"has no part for epoch 2 \(epoch=0002.parquet\)"):
        run.check()


@pytest.mark.parametrize("value, problem", [("some", "record_counts must be"), ("every:0", "every:K"),
                                            ("sample:31", r"1 <= N <= test = 30")])
def test_record_counts_values_refused(value, problem):
    with pytest.raises(ValueError, match=problem):
        TrainConfig(test=30, record_counts=value)


def test_a_folder_with_the_old_column_types_reads_the_same(fake, tmp_path):
    """Folders written before the compact types hold int64, string and float64 columns."""
    folder, tables = fake
    old = tmp_path / "old"
    shutil.copytree(folder, old)
    wide = pa.schema([(f.name, pa.string() if pa.types.is_dictionary(f.type) else pa.float64()
                       if f.name == "activity" else pa.int64()) for f in schema.COUNTS_SCHEMA])
    for part in (old / "counts").iterdir():
        pq.write_table(pq.read_table(part).cast(wide), part, compression="zstd")
    RunFolder(old).check()
    counts, new = RunFolder(old).counts(epoch=2), RunFolder(folder).counts(epoch=2)
    assert counts["count"].dtype == np.int64  # kept as stored
    pd.testing.assert_frame_equal(counts.drop(columns="count"), new.drop(columns="count"))
    np.testing.assert_array_equal(counts["count"], new["count"])
    pd.testing.assert_frame_equal(load_run(old).count_summary.classes, load_run(folder).count_summary.classes)


def test_the_writer_never_reads_what_it_wrote(tmp_path, monkeypatch):
    """Appending an epoch reads no parquet file: memory stays flat however long the run grows."""
    def refuse(*args, **kwargs):
        raise AssertionError("the writer read a parquet file")

    for name in ("read_table", "ParquetFile", "ParquetDataset", "read_schema", "read_metadata"):
        monkeypatch.setattr(pq, name, refuse)
    monkeypatch.setattr(ds, "dataset", refuse)
    write_fake_run(tmp_path / "run", epochs=3, n_per_class=5)
    monkeypatch.undo()
    assert RunFolder(tmp_path / "run").count_epochs() == [1, 2, 3]
