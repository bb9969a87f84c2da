"""Uploads on disk: `<id>.bin` holds the bytes received so far, `<id>.json` what the server has promised.

The promise (offset, expiry, whether the upload is finished) is only written after the bytes it covers are on
disk, and by an atomic rename, so a crash at any moment leaves an upload whose bytes beyond its recorded offset
are simply cut off at the next start. Every method here blocks on the disk: the router calls them in worker
threads, never on the event loop.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from core.files import write_atomic


@dataclass
class Upload:
    id: str
    length: int
    owner: str
    metadata: dict[str, str]
    expires_at: float
    offset: int = 0
    # Finished and handed over: the bytes are gone, the record stays until it expires so that a client whose
    # answer to the last piece was lost can still ask for the offset (tus 1.0 core).
    done: bool = False
    created_at: float = field(default_factory=time.time)


def valid_id(uid: str) -> bool:
    return len(uid) == 32 and all(c in "0123456789abcdef" for c in uid)


class UploadStore:
    def __init__(self, root: Path, expiry_s: float, clock: Callable[[], float] = time.time) -> None:
        self.root = root
        self.expiry_s = expiry_s
        self.clock = clock
        root.mkdir(parents=True, exist_ok=True)

    def data_path(self, uid: str) -> Path:
        return self.root / f"{uid}.bin"

    def _info_path(self, uid: str) -> Path:
        return self.root / f"{uid}.json"

    def create(self, length: int, owner: str, metadata: dict[str, str]) -> Upload:
        upload = Upload(uuid.uuid4().hex, length, owner, metadata, self.clock() + self.expiry_s)
        self.data_path(upload.id).touch()
        self.save(upload)
        return upload

    def get(self, uid: str) -> Upload | None:
        if not valid_id(uid):
            return None
        try:
            return Upload(**json.loads(self._info_path(uid).read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def save(self, upload: Upload) -> None:
        # All or nothing, not flushed: recovery reconciles a record with its data file after a power cut.
        write_atomic(self._info_path(upload.id), json.dumps(asdict(upload)).encode(), durable=False)

    def touch(self, upload: Upload) -> None:
        """Activity keeps an upload alive: it expires `expiry_s` after the last piece that moved it."""
        upload.expires_at = self.clock() + self.expiry_s

    def expired(self, upload: Upload) -> bool:
        return self.clock() >= upload.expires_at

    def open_piece(self, upload: Upload) -> BinaryIO:
        f = open(self.data_path(upload.id), "r+b")  # noqa: SIM115 (closed by PieceWriter)
        f.seek(upload.offset)
        f.truncate()  # bytes past the promised offset were never acknowledged
        return f

    def read(self, uid: str) -> bytes:
        return self.data_path(uid).read_bytes()

    def finished(self, upload: Upload) -> None:
        """The upload was handed over: keep only its record, until it expires."""
        upload.offset, upload.done = upload.length, True
        self.touch(upload)
        self.save(upload)
        with contextlib.suppress(FileNotFoundError):
            os.remove(self.data_path(upload.id))

    def delete(self, uid: str) -> None:
        for path in (self.data_path(uid), self._info_path(uid)):
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)

    def all(self) -> Iterable[Upload]:
        for path in sorted(self.root.glob("*.json")):
            upload = self.get(path.stem)
            if upload is not None:
                yield upload

    def sweep(self, busy: set[str]) -> list[str]:
        """Delete expired uploads (partial ones and the records of finished ones) that no request is using."""
        gone = [u.id for u in self.all() if self.expired(u) and u.id not in busy]
        for uid in gone:
            self.delete(uid)
        for tmp in self.root.glob(".*.tmp"):  # a crash between writing a record and renaming it
            with contextlib.suppress(FileNotFoundError):
                os.remove(tmp)
        return gone

    def recover(self) -> list[Upload]:
        """At start-up, before any request: cut bytes past each recorded offset, and return the unfinished
        uploads whose every byte arrived (the process died before handing them over)."""
        complete = []
        for upload in self.all():
            data = self.data_path(upload.id)
            if upload.done or not data.exists():
                continue
            size = data.stat().st_size
            if size == upload.length and upload.length > 0:
                upload.offset = size  # the last piece was written; the whole photo's hash will vouch for it
                complete.append(upload)
            elif size > upload.offset:
                with open(data, "r+b") as f:
                    f.truncate(upload.offset)
            elif size < upload.offset:  # a power cut lost bytes the record promised: promise only what is there
                upload.offset = size
                self.save(upload)
        return complete


class PieceWriter:
    """One PATCH's bytes: appended at the upload's offset in worker threads, hashed for Upload-Checksum."""

    def __init__(self, store: UploadStore, upload: Upload, hasher: Any | None) -> None:
        self.store = store
        self.upload = upload
        self.hasher = hasher
        self.start = upload.offset
        self.written = 0
        self.file: BinaryIO | None = None

    def write(self, block: bytes) -> None:
        if self.file is None:
            self.file = self.store.open_piece(self.upload)
        self.file.write(block)
        if self.hasher is not None:
            self.hasher.update(block)  # hashlib lets go of the GIL for large blocks
        self.written += len(block)

    def commit(self) -> None:
        """Make the bytes durable, then promise them: the record never runs ahead of the data. The last piece
        is promised by `UploadStore.finished` once the upload was handed over (until then a HEAD answers the
        offset before it, and a crash leaves it to `recover`)."""
        if self.file is not None:
            self.file.flush()
            os.fdatasync(self.file.fileno())
            self.file.close()
            self.file = None
        self.upload.offset = self.start + self.written
        self.store.touch(self.upload)
        if self.upload.offset < self.upload.length:
            self.store.save(self.upload)

    def discard(self) -> None:
        """Forget this piece (its checksum did not match): the offset stays where it was."""
        if self.file is not None:
            self.file.truncate(self.start)
            self.file.close()
            self.file = None
        self.written = 0
