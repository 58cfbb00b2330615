"""An on-disk cache of embeddings, keyed by model identity and text hash.

One SQLite file per cache folder (``embeddings.sqlite3``): SQLite gives atomic writes and
safe concurrent readers and writers. Each row stores the vector's bytes with its dimension and
a CRC-32; a row whose size or checksum does not match is treated as missing and recomputed,
so a damaged cache never yields a wrong vector. A file that is not a readable database is set
aside and rebuilt. When the database stays locked by another process, qualcode computes
without caching rather than waiting or failing.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .base import Encoder, checked

FILENAME = "embeddings.sqlite3"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS vectors (model TEXT NOT NULL, key TEXT NOT NULL, dim INTEGER NOT NULL, "
    "crc INTEGER NOT NULL, vec BLOB NOT NULL, PRIMARY KEY (model, key))"
)


def default_cache_dir() -> Path:
    """``$QUALCODE_CACHE`` if set, else the user cache folder (``~/.cache/qualcode`` on Linux)."""
    env = os.environ.get("QUALCODE_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "qualcode"
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "qualcode" / "cache"
    return Path.home() / ".cache" / "qualcode"


def text_key(text: str) -> str:
    """The cache key of a text: SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors on disk; see the module docs for the guarantees.

    Attributes
    ----------
    hits, misses
        Counts since creation (for reports and benchmarks).
    notes
        What went wrong and was worked around (a rebuilt file, a locked database).
    """

    def __init__(self, folder: str | Path | None = None, *, timeout: float = 10.0) -> None:
        self.folder = Path(folder) if folder is not None else default_cache_dir()
        self.path = self.folder / FILENAME
        self.timeout = timeout
        self.hits = 0
        self.misses = 0
        self.notes: list[str] = []
        self._usable = True
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._open_checked()
        except OSError as exc:
            self._usable = False
            self.notes.append(f"embedding cache {self.folder} unusable ({exc.strerror or exc}); computing without it")

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(_SCHEMA)
        return connection

    def _open_checked(self) -> None:
        try:
            with self._connection() as connection:
                connection.execute("SELECT count(*) FROM vectors WHERE rowid < 2").fetchone()
        except sqlite3.DatabaseError as exc:
            if "locked" in str(exc):
                return
            broken = self.path.with_name(self.path.name + ".broken")
            for suffix in ("", "-wal", "-shm"):
                side = Path(str(self.path) + suffix)
                if side.exists():
                    os.replace(side, Path(str(broken) + suffix)) if suffix == "" else side.unlink()
            self.notes.append(
                f"embedding cache {self.path} was damaged ({exc}); set aside as {broken.name} and rebuilt"
            )
            with self._connection() as connection:
                connection.execute("SELECT 1").fetchone()

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        connection = self._connect()
        try:
            yield connection
        finally:
            connection.close()

    def get(self, model: str, keys: list[str], dimension: int | None = None) -> dict[str, np.ndarray]:
        """The vectors found for ``keys`` (valid rows only)."""
        if not self._usable or not keys:
            return {}
        found: dict[str, np.ndarray] = {}
        bad = 0
        try:
            with self._connection() as connection:
                for start in range(0, len(keys), 500):
                    chunk = keys[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    rows = connection.execute(
                        f"SELECT key, dim, crc, vec FROM vectors WHERE model = ? AND key IN ({marks})",
                        [model, *chunk],
                    ).fetchall()
                    for key, dim, crc, blob in rows:
                        if (dimension and dim != dimension) or len(blob) != dim * 4 or zlib.crc32(blob) != crc:
                            bad += 1
                            continue  # damaged row: recompute
                        vector = np.frombuffer(blob, dtype=np.float32)
                        if not np.isfinite(vector).all() or not 0.9 < float(np.linalg.norm(vector)) < 1.1:
                            bad += 1
                            continue  # NaN, infinite or not a unit vector: recompute
                        found[key] = vector
        except sqlite3.DatabaseError as exc:
            self.notes.append(f"embedding cache read failed ({exc}); recomputing")
            return {}
        if bad:
            self.notes.append(
                f"embedding cache {self.path}: {bad} stored vectors were damaged, of the wrong size or not finite; "
                "recomputed and stored again"
            )
        return found

    def put(self, model: str, items: dict[str, np.ndarray]) -> None:
        """Store vectors; a locked or failing database only skips the caching."""
        if not self._usable or not items:
            return
        rows = []
        for key, vector in items.items():
            blob = np.ascontiguousarray(vector, dtype=np.float32).tobytes()
            rows.append((model, key, len(blob) // 4, zlib.crc32(blob), blob))
        try:
            with self._connection() as connection:
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?, ?)", rows)
                connection.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self.notes.append(f"embedding cache write skipped ({exc})")


_MEMORY: dict[tuple[str, str], np.ndarray] = {}
MEMORY_SIZE = 20_000  # vectors kept in memory (31 MB at 384 floats): bounded on big corpora


class CachedEncoder:
    """Wrap an encoder so that vectors already computed are reused.

    Two layers: the process's memory (the last ``MEMORY_SIZE`` vectors, so a notebook re-run
    touches no disk) and the :class:`EmbeddingCache` on disk.
    """

    def __init__(self, encoder: Encoder, cache: EmbeddingCache) -> None:
        self.encoder = encoder
        self.cache = cache
        self.identity = encoder.identity

    @property
    def dimension(self) -> int:
        """Size of the vectors."""
        return self.encoder.dimension

    def encode(self, texts: list[str]) -> np.ndarray:
        """Vectors for ``texts``: cached ones read, the others encoded once and stored."""
        keys = [text_key(t) for t in texts]
        unique = list(dict.fromkeys(keys))
        found = {k: _MEMORY[(self.identity, k)] for k in unique if (self.identity, k) in _MEMORY}
        expected = getattr(self.encoder, "declared_dimension", None)
        from_disk = self.cache.get(self.identity, [k for k in unique if k not in found], expected)
        found.update(from_disk)
        missing = [k for k in unique if k not in found]
        self.cache.hits += len(unique) - len(missing)
        self.cache.misses += len(missing)
        if missing:
            by_key = dict(zip(keys, texts, strict=True))
            fresh_texts = [by_key[k] for k in missing]
            fresh = checked(self.encoder.encode(fresh_texts), fresh_texts, self.identity)
            new = dict(zip(missing, fresh, strict=True))
            self.cache.put(self.identity, new)
            found.update(new)
        if len(_MEMORY) + len(unique) > MEMORY_SIZE:
            _MEMORY.clear()
        for key in unique:
            _MEMORY[(self.identity, key)] = found[key]
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([found[k] for k in keys]).astype(np.float32)
