"""Versioned folders on disk: a pointer file names the live version and is switched atomically.

    index/
      CURRENT          the live version's name, replaced in one os.replace
      v-<time>-<id>/   complete versions: the live one and the one it replaced
      .tmp-*/          a version being written (or left by a killed build)
      .CURRENT.*       a pointer being written (or left by a killed build)
      .old-*/          a version being deleted (or left by a killed build)
      .lock            held by the one build allowed at a time

Whatever moment a writer is killed at, CURRENT names a complete version or
does not exist yet: a version is written under a hidden name, synced to disk,
renamed into place, and only then named by a new pointer file that replaces
CURRENT. Deletion goes the other way (rename to ``.old-*``, then delete), so no
half-written or half-deleted folder ever carries a version name.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import time
import uuid
from pathlib import Path

from bot.errors import IndexCorrupt, IndexMissing

CURRENT = "CURRENT"
_VERSION_NAME = re.compile(r"v-[0-9A-Za-z-]+")


class BuildLock:
    """One writer at a time per folder (an advisory lock, released by the kernel if the writer dies)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / ".lock"

    def __enter__(self) -> BuildLock:
        self.fh = open(self.path, "w")
        fcntl.flock(self.fh, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


def new_workspace(folder: Path) -> Path:
    """A hidden folder to write a version into."""
    work = folder / f".tmp-{uuid.uuid4().hex[:8]}"
    work.mkdir()
    return work


def publish(work: Path, folder: Path) -> str:
    """Make a fully written workspace the live version; return its name."""
    _fsync_tree(work)
    # Microseconds in the name: versions sort in build order even within one second.
    now = time.time()
    version = f"v-{time.strftime('%Y%m%d%H%M%S', time.gmtime(now))}{int(now * 1e6) % 1_000_000:06d}-{uuid.uuid4().hex[:6]}"
    os.rename(work, folder / version)
    _fsync_file(folder)
    pointer = folder / f".{CURRENT}.{uuid.uuid4().hex[:6]}"
    pointer.write_text(version + "\n", encoding="utf-8")
    _fsync_file(pointer)
    os.replace(pointer, folder / CURRENT)
    _fsync_file(folder)
    return version


def live_name(folder: Path) -> str:
    """The version CURRENT names, or "" when there is none."""
    try:
        return (folder / CURRENT).read_text(encoding="utf-8").strip()
    except (OSError, ValueError):
        return ""


def live_version(folder: Path) -> Path:
    """The live version's folder; IndexMissing before the first build, IndexCorrupt if CURRENT is wrong."""
    pointer = folder / CURRENT
    if not pointer.is_file():
        raise IndexMissing(f"No index in {folder}: run `python -m bot index`.")
    name = live_name(folder)
    if not _VERSION_NAME.fullmatch(name):
        raise IndexCorrupt(f"{pointer} does not name an index version ({name[:40]!r}): run `python -m bot index --rebuild`.")
    version = folder / name
    if not version.is_dir():
        raise IndexCorrupt(f"{pointer} names {name!r}, which is not there: run `python -m bot index --rebuild`.")
    return version


def prune(folder: Path, keep: set[str]) -> None:
    """Delete every version not kept (including complete ones that never went live) and all leftovers."""
    for old in folder.glob("v-*"):
        if old.name not in keep and old.is_dir():
            _discard(old)
    remove_leftovers(folder)


def remove_leftovers(folder: Path) -> None:
    """Unfinished versions, pointers never renamed into place, half-deleted old versions."""
    for pattern in (".tmp-*", ".old-*"):
        for path in folder.glob(pattern):
            shutil.rmtree(path, ignore_errors=True)
    for pointer in folder.glob(f".{CURRENT}.*"):
        pointer.unlink(missing_ok=True)


def _discard(version: Path) -> None:
    trash = version.with_name(f".old-{version.name}-{uuid.uuid4().hex[:6]}")
    try:
        os.rename(version, trash)
    except OSError:
        return
    shutil.rmtree(trash, ignore_errors=True)


# --- checksums ------------------------------------------------------------------------


def hash_files(version: Path, skip: str = "manifest.json") -> dict[str, str]:
    """sha256 of every file in a version (relative path -> hex), the manifest itself left out."""
    out = {}
    for path in sorted(version.rglob("*")):
        rel = path.relative_to(version).as_posix()
        if path.is_file() and rel != skip:
            digest = hashlib.sha256()
            with open(path, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            out[rel] = digest.hexdigest()
    return out


def verify_files(version: Path, listed: dict[str, str]) -> None:
    """Every listed file present with its sha256, and no file that is not listed."""
    actual = hash_files(version)
    for name, digest in sorted(listed.items()):
        if name not in actual:
            raise IndexCorrupt(f"Index file {name} is missing from {version}: run `python -m bot index --rebuild`.")
        if actual[name] != digest:
            raise IndexCorrupt(
                f"Index file {name} in {version} does not match its checksum (truncated or altered): run `python -m bot index --rebuild`."
            )
    extra = sorted(set(actual) - set(listed))
    if extra:
        raise IndexCorrupt(f"Index file {extra[0]} in {version} is not in its manifest: run `python -m bot index --rebuild`.")


# --- durability -----------------------------------------------------------------------


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        _fsync_file(path)
    _fsync_file(folder)
