"""Vectors spooled to disk as they are made, and read back a chunk at a time.

A build of 100k passages makes about a gigabyte of sentence vectors. Kept in memory
beside the FAISS index they are added to, they would be held twice; written to a raw
float32 file in the new version's workspace as each step is embedded, and added to
the index a chunk at a time, they are held once (by the index). The file is removed
before the version is published.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Rows read at a time: 64k rows of 384 floats is 96 MB.
CHUNK_ROWS = 65_536


class SpoolWriter:
    """Appends float32 rows to a raw file; ``rows`` counts them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows = 0
        self.dim = 0
        self._fh = open(path, "wb")  # noqa: SIM115 - closed by close()

    def write(self, vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or (self.dim and vectors.shape[1] != self.dim):
            raise ValueError(f"rows of {self.dim or 'one'} dimension expected, got shape {vectors.shape}")
        self.dim = self.dim or int(vectors.shape[1])
        vectors.tofile(self._fh)
        self.rows += len(vectors)

    def close(self) -> None:
        self._fh.close()


@dataclass(frozen=True)
class Spool:
    """Rows ``start`` to ``start + count`` of a raw float32 file of ``dim`` columns."""

    path: Path
    dim: int
    start: int
    count: int

    def __len__(self) -> int:
        return self.count

    @property
    def shape(self) -> tuple[int, int]:
        return (self.count, self.dim)

    def read(self, lo: int, hi: int) -> np.ndarray:
        """Rows lo to hi of this spool (read from the file, not mapped: the memory goes when the array does)."""
        hi = min(hi, self.count)
        if hi <= lo:
            return np.zeros((0, self.dim), dtype=np.float32)
        items = (hi - lo) * self.dim
        data = np.fromfile(self.path, dtype=np.float32, count=items, offset=(self.start + lo) * self.dim * 4)
        if data.size != items:
            raise ValueError(f"{self.path} ends before row {self.start + hi}")
        return data.reshape(hi - lo, self.dim)

    def chunks(self, rows: int | None = None) -> Iterator[np.ndarray]:
        rows = rows or CHUNK_ROWS
        for lo in range(0, self.count, rows):
            yield self.read(lo, lo + rows)

    def take(self, ids: np.ndarray, rows: int | None = None) -> np.ndarray:
        """The rows at these ids, in ascending order of id, read chunk by chunk."""
        rows = rows or CHUNK_ROWS
        ids = np.sort(np.asarray(ids, dtype=np.int64))
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        done = 0
        for lo in range(0, self.count, rows):
            inside = ids[(ids >= lo) & (ids < lo + rows)]
            if len(inside):
                out[done : done + len(inside)] = self.read(lo, lo + rows)[inside - lo]
                done += len(inside)
        return out
