"""Files that must never be left half written, on the phone (photos) and on the server (stored photos)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path


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
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        if durable:
            f.flush()
            os.fsync(f.fileno())
    os.replace(tmp, path)
    if durable:
        _fsync_dir(path.parent)
