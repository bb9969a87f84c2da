"""Files that must never be left half written, on the phone (photos) and on the server (stored photos)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, durable: bool = True) -> None:
    """Write to a temporary name, flush it to the disk, rename, then flush the folder so that the rename itself
    survives a power cut: a crash leaves the whole file or none.

    The folder is made if missing. The temporary name is unique (threads of one server may write the same
    photo at once), starts with a dot and ends in `.tmp`, so that a sweep after a crash can find it.
    `durable=False` keeps the all-or-nothing rename but skips both flushes, for state that recovery rebuilds
    after a power cut anyway (an upload's progress record, rewritten at every piece).
    """
    with atomic_file(path, durable) as f:
        f.write(data)


@contextmanager
def atomic_file(path: Path, durable: bool = True) -> Iterator[BinaryIO]:
    """`write_atomic` for data that arrives in pieces (a download): write to the file the block is given; the
    file appears under `path` only when the block ends without an error, and never half written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as f:
            yield f
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if durable:
        _fsync_dir(path.parent)
