"""Tests of edsnn.data: IDX files, search and download, subsets, rate coding.

No test uses the internet: downloads go to a local ``http.server`` on
127.0.0.1.  Tests marked by the ``full_data`` fixture need the standard files
(``EDSNN_DATA``) and skip otherwise.
"""

import dataclasses
import functools
import hashlib
import http.server
import socket
import threading
from pathlib import Path

import numpy as np
import pytest
from brian2 import Hz, ms
from brian2.units.fundamentalunits import have_same_dimensions

from edsnn.data import (
    DATASETS,
    SAMPLING_METHODS,
    Dataset,
    DatasetError,
    DownloadError,
    SpikeCoding,
    bundled,
    ei_pairs,
    idx,
    load_dataset,
    locate,
    rate_chunks,
    select_subset,
)
from edsnn.data.make_embedded import make_embedded
from edsnn.data.sampling import class_quotas
from edsnn.units import UnitError

TEST_STEMS = ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


# ----------------------------------------------------------------- helpers


def _fake_split(seed=0, n=20):
    """Small random images and labels 0..9 (each class twice for n=20)."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = (np.arange(n) % 10).astype(np.uint8)
    return images, labels


def _write_split(folder, images, labels, gz=True):
    """Write a test split as the standard file names into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if gz else ""
    idx.write_idx(folder / (TEST_STEMS[0] + suffix), images)
    idx.write_idx(folder / (TEST_STEMS[1] + suffix), labels)
    return folder


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """No EDSNN_DATA/EDSNN_MIRROR; cache, HOME and the Debian folder inside tmp_path."""
    monkeypatch.delenv("EDSNN_DATA", raising=False)
    monkeypatch.delenv("EDSNN_MIRROR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setitem(locate.DEBIAN_DIRS, "fashion-mnist", tmp_path / "debian" / "fashion-mnist")
    return tmp_path


@pytest.fixture
def fake_mnist(monkeypatch):
    """A fake MNIST test split whose md5s replace the real ones in CHECKSUMS."""
    images, labels = _fake_split()
    for stem, array in zip(TEST_STEMS, (images, labels)):
        header = bytes([0, 0, 8, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
        data = header + array.tobytes()
        monkeypatch.setitem(idx.CHECKSUMS["mnist"], stem, (hashlib.md5(data).hexdigest(), len(data)))
    return images, labels


@pytest.fixture
def http_server():
    """Factory: serve a folder on 127.0.0.1 in a thread; returns its base URL."""
    servers = []

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    def serve(folder):
        handler = functools.partial(QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def _all_files(folder):
    folder = Path(folder)
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# ----------------------------------------------------------------- IDX files


def test_write_read_idx_small_file(tmp_path):
    images, labels = _fake_split(seed=1, n=3)
    for suffix in ("", ".gz"):
        path = idx.write_idx(tmp_path / ("images" + suffix), images)
        assert np.array_equal(idx.read_idx(path), images)
    raw = (tmp_path / "images").read_bytes()
    assert raw[:16] == bytes.fromhex("00000803" "00000003" "0000001c" "0000001c")
    assert len(raw) == 16 + 3 * 784
    labels_path = idx.write_idx(tmp_path / "labels", labels)
    assert labels_path.read_bytes()[:8] == bytes.fromhex("00000801" "00000003")
    assert idx.read_idx(labels_path).tolist() == [0, 1, 2]


def test_idx_parsing_of_embedded_subset(tmp_path):
    images, labels, _ = bundled.load_embedded("mnist", "test")
    _write_split(tmp_path, images, labels, gz=True)
    got_images, got_labels = idx.read_split(tmp_path / (TEST_STEMS[0] + ".gz"),
                                            tmp_path / (TEST_STEMS[1] + ".gz"))
    assert got_images.shape == (500, 28, 28) and got_images.dtype == np.uint8
    assert np.array_equal(got_images, images) and np.array_equal(got_labels, labels)
    assert np.bincount(got_labels).tolist() == [50] * 10


@pytest.mark.parametrize(
    "data, message",
    [
        (bytes.fromhex("00000703") + bytes(12), "bad magic number 0x00000703"),
        (bytes.fromhex("01000801") + bytes(5), "bad magic number 0x01000801"),
        (bytes.fromhex("00000803") + bytes(4), "truncated inside its header"),
        (bytes.fromhex("00000801" "00000005") + bytes(4), "truncated: header says shape (5,) (13 bytes), file has 12"),
        (bytes.fromhex("00000801" "00000002") + bytes(3), "longer than its header says"),
        (b"\x00\x00", "only 2 bytes"),
    ],
    ids=["unknown-type", "nonzero-magic", "short-header", "truncated", "padded", "tiny"],
)
def test_header_refused(tmp_path, data, message):
    path = tmp_path / "broken-idx1-ubyte"
    path.write_bytes(data)
    with pytest.raises(DatasetError) as error:
        idx.read_idx(path)
    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_corrupted_and_truncated_copies_refused(tmp_path, fake_mnist):
    images, labels = fake_mnist
    good = _write_split(tmp_path / "good", images, labels, gz=False)
    assert np.array_equal(idx.read_split(good / TEST_STEMS[0], good / TEST_STEMS[1], "mnist")[0], images)

    # one pixel changed, header intact: only the md5 can tell
    corrupt = tmp_path / "corrupt"
    bad_images = images.copy()
    bad_images[3, 10, 10] ^= 0xFF
    _write_split(corrupt, bad_images, labels, gz=True)
    with pytest.raises(DatasetError) as error:
        idx.read_split(corrupt / (TEST_STEMS[0] + ".gz"), corrupt / (TEST_STEMS[1] + ".gz"), "mnist")
    text = str(error.value)
    assert str(corrupt / (TEST_STEMS[0] + ".gz")) in text and "md5" in text
    assert "Delete it" in text and "--data-dir" in text

    # truncated gzip stream
    truncated = tmp_path / "truncated"
    _write_split(truncated, images, labels, gz=True)
    gz_path = truncated / (TEST_STEMS[0] + ".gz")
    gz_path.write_bytes(gz_path.read_bytes()[:-100])
    with pytest.raises(DatasetError, match="truncated or corrupt") as error:
        idx.read_split(gz_path, truncated / (TEST_STEMS[1] + ".gz"), "mnist")
    assert str(gz_path) in str(error.value)

    # truncated plain file
    raw_path = good / TEST_STEMS[0]
    raw_path.write_bytes(raw_path.read_bytes()[:-784])
    with pytest.raises(DatasetError) as error:
        idx.read_split(raw_path, good / TEST_STEMS[1], "mnist")
    assert str(raw_path) in str(error.value) and f"{16 + 19 * 784} bytes read" in str(error.value)


def test_load_full_refuses_corrupt_file_in_cache(isolated, fake_mnist):
    images, labels = fake_mnist
    cache = locate.cache_dir("mnist")
    _write_split(cache, images, labels)
    assert np.array_equal(load_dataset("mnist", "test", "full", download=False).images, images)
    labels_path = cache / (TEST_STEMS[1] + ".gz")
    idx.write_idx(labels_path, labels[::-1].copy())
    with pytest.raises(DatasetError) as error:
        load_dataset("mnist", "test", "full", download=False)
    assert str(labels_path) in str(error.value)


# ----------------------------------------------------------------- search order


def test_cache_dir_honours_xdg_and_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert locate.cache_dir("fashion") == tmp_path / "xdg" / "edsnn" / "fashion-mnist"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert locate.cache_dir("mnist") == tmp_path / "home" / ".cache" / "edsnn" / "mnist"


def test_search_order(isolated, monkeypatch):
    root = isolated
    images, labels = _fake_split()
    explicit = _write_split(root / "explicit", images, labels)
    nested = _write_split(root / "nested" / "fashion-mnist", images, labels, gz=False)
    env = _write_split(root / "env" / "fashion-mnist", images, labels)
    cache = _write_split(root / "xdg-cache" / "edsnn" / "fashion-mnist", images, labels)
    debian = _write_split(root / "debian" / "fashion-mnist", images, labels)
    monkeypatch.setenv("EDSNN_DATA", str(root / "env"))

    def found(data_dir=None, name="fashion-mnist"):
        return locate.locate(name, "test", data_dir, download=False)[0].parent

    assert found(explicit) == explicit
    assert found(root / "nested") == nested  # data_dir holding <dataset>/
    assert locate.locate("fashion", "test", root / "nested", download=False)[0] == nested / TEST_STEMS[0]
    assert found() == env
    monkeypatch.delenv("EDSNN_DATA")
    assert found() == cache
    for path in cache.iterdir():
        path.unlink()
    assert found() == debian
    # Debian is searched for Fashion-MNIST only
    _write_split(root / "debian" / "mnist", images, labels)
    monkeypatch.setitem(locate.DEBIAN_DIRS, "fashion-mnist", root / "nowhere")
    with pytest.raises(DatasetError) as error:
        found(name="mnist")
    text = str(error.value)
    assert str(root / "xdg-cache" / "edsnn" / "mnist") in text and "download=True" in text
    assert "debian" not in text


def test_explicit_data_dir_is_honoured_or_refused(isolated, monkeypatch, fake_mnist):
    root = isolated
    images, labels = _fake_split()
    env = _write_split(root / "env" / "mnist", images, labels)
    monkeypatch.setenv("EDSNN_DATA", str(root / "env"))  # another copy that must not be used
    nowhere = root / "does" / "not" / "exist"
    with pytest.raises(DatasetError) as error:
        load_dataset("mnist", "test", "full", data_dir=nowhere)
    text = str(error.value)
    assert f"data_dir {nowhere} does not exist" in text
    assert all(stem in text for stem in TEST_STEMS) and "--data-dir" in text

    empty = root / "empty"
    empty.mkdir()
    with pytest.raises(DatasetError, match="lacks the mnist test file") as error:
        load_dataset("mnist", "test", "full", data_dir=empty)
    assert str(empty) in str(error.value) and all(stem in str(error.value) for stem in TEST_STEMS)

    half = root / "half"  # only the images, in half/mnist/: the labels file is named missing
    (half / "mnist").mkdir(parents=True)
    idx.write_idx(half / "mnist" / (TEST_STEMS[0] + ".gz"), images)
    with pytest.raises(DatasetError) as error:
        locate.locate("mnist", "test", half, download=True)  # no download for a named folder
    assert (f"data_dir {half} lacks the mnist test file(s) {TEST_STEMS[1]} "
            f"(looked in {half} and {half / 'mnist'})") in str(error.value)
    assert _all_files(root / "xdg-cache") == []  # nothing was downloaded

    assert load_dataset("mnist", "test", "full").source == str(env)  # no folder named: search
    assert locate.search_dirs("mnist", empty) == [empty, empty / "mnist"]


def test_train_refuses_missing_data_dir_before_writing(isolated, monkeypatch, capsys):
    from edsnn.cli import main

    monkeypatch.setenv("EDSNN_DATA", str(isolated / "env"))
    nowhere, out = isolated / "nowhere", isolated / "run"
    assert main(["train", "--data-dir", str(nowhere), "--out", str(out), "--no-progress"]) == 1
    message = capsys.readouterr().err
    assert f"data_dir {nowhere} does not exist" in message and "train-images-idx3-ubyte" in message
    assert not out.exists()


# ----------------------------------------------------------------- download (local server only)


def test_download_into_cache_with_progress(isolated, fake_mnist, http_server, capsys):
    images, labels = fake_mnist
    served = _write_split(isolated / "served" / "mnist", images, labels)
    url = http_server(isolated / "served")
    paths = locate.locate("mnist", "test", mirror=url + "{dataset}/")
    cache = locate.cache_dir("mnist")
    assert [p.parent for p in paths] == [cache, cache]
    assert _all_files(cache) == [stem + ".gz" for stem in TEST_STEMS]
    assert (cache / (TEST_STEMS[0] + ".gz")).read_bytes() == (served / (TEST_STEMS[0] + ".gz")).read_bytes()
    progress = capsys.readouterr().err
    assert "mnist/t10k-images-idx3-ubyte.gz" in progress and "100%" in progress

    # second call: found in the cache, nothing fetched
    load = load_dataset("mnist", "test", "full")
    assert capsys.readouterr().err == ""
    assert load.source == str(cache) and np.array_equal(load.images, images)


def test_download_via_env_mirror_only_missing_files(isolated, fake_mnist, http_server, monkeypatch):
    images, labels = fake_mnist
    _write_split(isolated / "served", images, labels)
    monkeypatch.setenv("EDSNN_MIRROR", http_server(isolated / "served"))
    cache = locate.cache_dir("mnist")
    cache.mkdir(parents=True)
    idx.write_idx(cache / TEST_STEMS[1], labels)  # labels already there: only images are fetched
    data = load_dataset("mnist", "test", source="full")
    assert _all_files(cache) == [TEST_STEMS[0] + ".gz", TEST_STEMS[1]]
    assert np.array_equal(data.images, images) and np.array_equal(data.labels, labels)


@pytest.mark.parametrize("damage", ["content", "truncated"])
def test_corrupt_download_refused_and_nothing_left(isolated, fake_mnist, http_server, damage):
    images, labels = fake_mnist
    served = isolated / "served"
    if damage == "content":  # a valid gzip of the wrong bytes
        bad = images.copy()
        bad[0, 0, 0] += 1
        _write_split(served, bad, labels)
        expected = "md5"
    else:  # the stream ends early
        _write_split(served, images, labels)
        path = served / (TEST_STEMS[0] + ".gz")
        path.write_bytes(path.read_bytes()[:200])
        expected = "corrupt gzip"
    url = http_server(served)
    with pytest.raises(DownloadError) as error:
        locate.locate("mnist", "test", mirror=url, progress=False)
    text = str(error.value)
    cache = locate.cache_dir("mnist")
    assert expected in text and url + TEST_STEMS[0] + ".gz" in text and str(cache) in text
    assert _all_files(cache) == []  # no partial or temporary file


def test_unreachable_server_gives_clear_error(isolated):
    with socket.socket() as sock:  # a port that nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/"
    with pytest.raises(DownloadError) as error:
        locate.locate("fashion-mnist", "train", mirror=url, progress=False)
    text = str(error.value)
    cache = isolated / "xdg-cache" / "edsnn" / "fashion-mnist"
    for name in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"):
        assert url + name in text
    assert str(cache) in text and "by hand" in text
    assert _all_files(cache) == []


def test_mirror_defaults_and_template(monkeypatch):
    monkeypatch.delenv("EDSNN_MIRROR", raising=False)
    assert locate.mirror_url("mnist") == "https://ossci-datasets.s3.amazonaws.com/mnist/"
    assert locate.mirror_url("fashion") == "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
    monkeypatch.setenv("EDSNN_MIRROR", "http://127.0.0.1:9/{dataset}")
    assert locate.mirror_url("fashion") == "http://127.0.0.1:9/fashion-mnist/"
    assert locate.mirror_url("mnist", "http://h/x/") == "http://h/x/"


# ----------------------------------------------------------------- full datasets (EDSNN_DATA)


def test_full_files_match_md5_table(full_data):
    for name in DATASETS:
        for stem, (md5, size) in idx.CHECKSUMS[name].items():
            data = idx.read_bytes(full_data / name / (stem + ".gz"))
            assert (idx.md5_of(data), len(data)) == (md5, size)


def test_real_corrupted_and_truncated_copies_refused(full_data, tmp_path):
    original = full_data / "mnist" / "t10k-labels-idx1-ubyte.gz"
    data = bytearray(idx.read_bytes(original))
    data[5000] = (data[5000] + 1) % 10  # one label changed: header and size intact
    corrupt = tmp_path / "corrupt" / "t10k-labels-idx1-ubyte"
    corrupt.parent.mkdir()
    corrupt.write_bytes(bytes(data))
    with pytest.raises(DatasetError, match="expected 27ae3e4e09519cfbb04c329615203637") as error:
        idx.read_split(full_data / "mnist" / "t10k-images-idx3-ubyte.gz", corrupt, "mnist")
    assert str(corrupt) in str(error.value)
    truncated = tmp_path / "t10k-labels-idx1-ubyte.gz"
    truncated.write_bytes(original.read_bytes()[:3000])
    with pytest.raises(DatasetError, match="truncated or corrupt") as error:
        idx.read_split(full_data / "mnist" / "t10k-images-idx3-ubyte.gz", truncated, "mnist")
    assert str(truncated) in str(error.value) and "Delete it" in str(error.value)


def test_full_load_and_embedded_indices(full_data, isolated):
    test = load_dataset("mnist", "test", "full", data_dir=full_data, download=False)
    assert test.images.shape == (10000, 28, 28) and test.source == str(full_data / "mnist")
    assert np.bincount(test.labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    for name in DATASETS:
        for split in ("train", "test"):
            full = load_dataset(name, split, "full", data_dir=full_data, download=False)
            images, labels, indices = bundled.load_embedded(name, split)
            assert np.array_equal(full.images[indices], images)
            assert np.array_equal(full.labels[indices], labels)


def test_make_embedded_reproduces_shipped_files(full_data, isolated):
    table = make_embedded(full_data, isolated / "embedded")
    assert table == bundled.EMBEDDED_MD5
    package = Path(bundled.__file__).parent / "embedded"
    for name in DATASETS:
        assert (package / f"{name}.npz").stat().st_size < 1_000_000
        with np.load(isolated / "embedded" / f"{name}.npz") as new, np.load(package / f"{name}.npz") as old:
            assert sorted(new.files) == sorted(old.files)
            for key in new.files:
                assert np.array_equal(new[key], old[key])


def test_real_download_from_local_mirror(full_data, isolated, http_server):
    url = http_server(full_data)
    paths = locate.locate("mnist", "test", mirror=url + "{dataset}/", progress=False)
    data = load_dataset("mnist", "test", "full")
    assert data.source == str(locate.cache_dir("mnist")) == str(paths[0].parent)
    assert data.images.shape == (10000, 28, 28) and int(data.labels[0]) == 7


# ----------------------------------------------------------------- embedded subsets and load_dataset


@pytest.mark.parametrize("name", DATASETS)
def test_embedded_subset(name):
    for split, per_class in (("train", 100), ("test", 50)):
        data = load_dataset(name, split)
        assert data.images.shape == (10 * per_class, 28, 28) and data.images.dtype == np.uint8
        assert data.labels.dtype == np.uint8
        assert np.bincount(data.labels, minlength=10).tolist() == [per_class] * 10
        assert data.source == "embedded" and data.n_classes == 10 and len(data) == 10 * per_class
        _, _, indices = bundled.load_embedded(name, split)
        assert len(np.unique(indices)) == len(indices) and indices.max() < (60000 if split == "train" else 10000)
        assert 20 < data.images.mean() < 100  # real images, not blank
    assert load_dataset(name).class_names[9] == {"mnist": "9", "fashion-mnist": "Ankle boot"}[name]


def test_embedded_md5_checked(monkeypatch):
    monkeypatch.setitem(bundled.EMBEDDED_MD5, "mnist", {"train": "0" * 32, "test": "0" * 32})
    with pytest.raises(DatasetError, match="mnist.npz .*has md5 627f7225583c15d7274c2d28b0d280cc"):
        load_dataset("mnist", "train")


def test_load_dataset_names_and_errors():
    assert load_dataset("fashion", "test").name == "fashion-mnist"
    with pytest.raises(ValueError, match="unknown dataset 'cifar'; valid names: mnist, fashion-mnist"):
        load_dataset("cifar")
    with pytest.raises(ValueError, match="unknown split 'valid'; valid splits: train, test"):
        load_dataset("mnist", "valid")
    with pytest.raises(ValueError, match="unknown source 'web'; valid sources: embedded, full"):
        load_dataset("mnist", "train", "web")


def test_dataset_is_frozen_and_read_only():
    data = load_dataset("mnist", "test")
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.name = "x"
    with pytest.raises(ValueError):
        data.images[0, 0, 0] = 1
    mine = np.zeros((1, 28, 28), np.uint8)
    Dataset(mine, np.zeros(1, np.uint8), "mnist", "test", "embedded")
    mine[0, 0, 0] = 1  # the caller's array stays writeable
    with pytest.raises(ValueError, match="uint8 of shape"):
        Dataset(np.zeros((2, 28, 28)), np.zeros(2, np.uint8), "mnist", "test", "embedded")


# ----------------------------------------------------------------- subsets


def test_select_first_and_errors():
    labels = np.arange(30) % 3
    assert select_subset(labels, 5, "first", seed=None).tolist() == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match="cannot select 31 examples: only 30 available"):
        select_subset(labels, 31, "stratified", seed=1)
    with pytest.raises(ValueError, match="valid methods: first, stratified, resample-each-epoch"):
        select_subset(labels, 3, "random", seed=1)
    with pytest.raises(ValueError, match="needs an integer seed"):
        select_subset(labels, 3, "stratified", seed=None)
    assert SAMPLING_METHODS == ("first", "stratified", "resample-each-epoch")


def test_stratified_exact_counts_and_reproducible():
    labels = load_dataset("mnist", "train").labels
    chosen = select_subset(labels, 200, "stratified", seed=7)
    assert len(np.unique(chosen)) == 200 and np.all(np.diff(chosen) > 0)
    assert np.bincount(labels[chosen], minlength=10).tolist() == [20] * 10
    assert np.array_equal(chosen, select_subset(labels, 200, "stratified", seed=7, epoch=3))
    assert not np.array_equal(chosen, select_subset(labels, 200, "stratified", seed=8))
    # 205 = 20 each + 5 extra for classes 0..4
    counts = np.bincount(labels[select_subset(labels, 205, "stratified", seed=7)])
    assert counts.tolist() == [21] * 5 + [20] * 5
    # a small class gives all it has; the rest is shared equally
    assert class_quotas([5, 100, 100], 35).tolist() == [5, 15, 15]
    assert class_quotas([10, 10, 10], 10).tolist() == [4, 3, 3]
    uneven = np.array([0] * 5 + [1] * 100 + [2] * 100)
    assert np.bincount(uneven[select_subset(uneven, 35, "stratified", seed=0)]).tolist() == [5, 15, 15]


def test_resample_each_epoch():
    labels = np.arange(1000) % 10
    epoch0 = select_subset(labels, 100, "resample-each-epoch", seed=3, epoch=0)
    epoch1 = select_subset(labels, 100, "resample-each-epoch", seed=3, epoch=1)
    assert len(np.unique(epoch0)) == 100 and epoch0.max() < 1000
    assert not np.array_equal(epoch0, epoch1)
    assert len(np.intersect1d(epoch0, epoch1)) < 40  # ~10 expected by chance
    assert np.array_equal(epoch1, select_subset(labels, 100, "resample-each-epoch", seed=3, epoch=1))
    assert not np.array_equal(epoch1, select_subset(labels, 100, "resample-each-epoch", seed=4, epoch=1))


# ----------------------------------------------------------------- rate coding


def test_ei_pairs():
    images = np.zeros((2, 28, 28), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1], images[1, 27, 27] = 255, 51, 102
    pairs = ei_pairs(images)
    assert pairs.shape == (2, 1568) and pairs.dtype == np.float64
    assert pairs[0, :4].tolist() == [1.0, 1.0, 0.2, 0.2]
    assert pairs[1, 1566] == pairs[1, 1567] == pytest.approx(0.4)
    assert np.array_equal(pairs[:, 0::2], pairs[:, 1::2])
    assert pairs.sum() == pytest.approx(2 * (1.0 + 0.2 + 0.4))
    data = load_dataset("mnist", "test")
    assert np.array_equal(ei_pairs(data.images)[:, 1::2], data.images.reshape(500, -1) / 255)
    with pytest.raises(ValueError, match="0..255"):
        ei_pairs(np.full((1, 4), 256.0))
    with pytest.raises(ValueError, match=r"image\[None\]"):
        ei_pairs(np.zeros(784))


def test_rate_chunks():
    images = np.random.default_rng(5).integers(0, 256, size=(2500, 28, 28), dtype=np.uint8)
    coding = SpikeCoding(max_rate=100 * Hz)
    chunks = list(rate_chunks(images, coding, chunk_size=1000))
    assert [c.shape for c in chunks] == [(1000, 1568), (1000, 1568), (500, 1568)]
    assert all(have_same_dimensions(c, Hz) for c in chunks)
    # chunk boundaries: the first row of chunk k is image 1000 k
    for k, chunk in enumerate(chunks):
        assert np.allclose(np.asarray(chunk[0, ::2] / Hz), images[1000 * k].ravel() / 255 * 100)
    assert np.allclose(np.concatenate([np.asarray(c / Hz) for c in chunks]), ei_pairs(images) * 100)
    assert float(chunks[0].max() / Hz) <= 100
    with pytest.raises(ValueError, match="chunk_size"):
        next(rate_chunks(images, coding, chunk_size=0))
    with pytest.raises(TypeError, match="SpikeCoding"):
        next(rate_chunks(images, {"max_rate": 100 * Hz}))


def test_spike_coding_defaults_and_units():
    coding = SpikeCoding()
    assert coding.max_rate == 150 * Hz and coding.presentation == 100 * ms and coding.rest == 0 * ms
    assert coding.steps_per_presentation == 100 and coding.steps_per_period == 100
    with_rest = SpikeCoding(rest="20 ms", dt=0.5 * ms)
    assert float(with_rest.period / ms) == pytest.approx(120) and with_rest.steps_per_period == 240
    assert with_rest.to_dict()["rest"] == "20. ms"
    # the published program's coding (docs/published_program.md): 150 Hz, 50 steps of 1 ms, shared pairs
    published = SpikeCoding.published()
    assert (published.max_rate, published.dt, published.pairs) == (150 * Hz, 1 * ms, "shared")
    assert published.steps_per_presentation == 50 and published.rest == 0 * ms
    with pytest.raises(UnitError, match=r"presentation must be a time, e\.g\. 100\. ms \(got 50\)"):
        SpikeCoding(presentation=50)
    with pytest.raises(UnitError, match=r"max_rate must be a rate, e\.g\. 150\. Hz"):
        SpikeCoding(max_rate=150 * ms)
    with pytest.raises(dataclasses.FrozenInstanceError):
        coding.dt = 0.1 * ms


@pytest.mark.parametrize(
    "changes, message",
    [
        (dict(presentation=0 * ms), "presentation must be positive"),
        (dict(rest=-1 * ms), "rest must not be negative"),
        (dict(dt=0 * ms), "dt must be positive"),
        (dict(presentation=50.5 * ms), r"presentation \(50.5 ms\) must be a whole multiple of dt"),
        (dict(rest=0.3 * ms), r"rest \(300. us\) must be a whole multiple of dt"),
        (dict(max_rate=1.5 / ms), r"max_rate \* dt = .* = 1.5 > 1"),
    ],
)
def test_spike_coding_refusals(changes, message):
    with pytest.raises(ValueError, match=message):
        SpikeCoding(**changes)
