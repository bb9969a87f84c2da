"""The upload store on real files: what a crash or a power cut leaves behind is repaired at start-up, a damaged
piece leaves no trace, and the sweep deletes expired uploads but never one a request is using."""

from __future__ import annotations

import hashlib
from pathlib import Path

from backend.tus.store import PieceWriter, UploadStore

DATA = bytes(range(256)) * 400  # 102,400 bytes


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def started(store: UploadStore, upto: int) -> str:
    upload = store.create(len(DATA), "device-1", {"report_id": "r"})
    writer = PieceWriter(store, upload, None)
    writer.write(DATA[:upto])
    writer.commit()
    return upload.id


def test_recovery_cuts_unpromised_bytes_and_trusts_no_promise_the_disk_cannot_keep(tmp_path: Path) -> None:
    store = UploadStore(tmp_path, expiry_s=60)
    extra, short, whole = started(store, 40_000), started(store, 40_000), started(store, 40_000)
    with open(store.data_path(extra), "ab") as f:  # a PATCH killed before it recorded its offset
        f.write(b"never promised")
    with open(store.data_path(short), "r+b") as f:  # a power cut lost the last bytes the record promised
        f.truncate(30_000)
    with open(store.data_path(whole), "ab") as f:  # the last piece written, the process killed before handing over
        f.write(DATA[40_000:])

    complete = store.recover()

    assert [u.id for u in complete] == [whole]
    assert store.data_path(extra).read_bytes() == DATA[:40_000]
    assert store.get(extra).offset == 40_000
    assert store.get(short).offset == 30_000
    assert store.data_path(whole).read_bytes() == DATA


def test_a_piece_whose_checksum_fails_leaves_the_file_and_the_offset_as_they_were(tmp_path: Path) -> None:
    store = UploadStore(tmp_path, expiry_s=60)
    uid = started(store, 10_000)
    upload = store.get(uid)
    assert upload is not None
    writer = PieceWriter(store, upload, hashlib.sha1())
    writer.write(DATA[10_000:50_000])
    writer.discard()
    assert store.data_path(uid).read_bytes() == DATA[:10_000]
    assert store.get(uid).offset == 10_000


def test_the_sweep_deletes_expired_uploads_but_not_one_in_use(tmp_path: Path) -> None:
    clock = Clock()
    store = UploadStore(tmp_path, expiry_s=60, clock=clock)
    old, busy = started(store, 1000), started(store, 1000)
    clock.now += 30
    fresh = started(store, 1000)
    clock.now += 31  # old and busy expired; fresh has 29 s left

    assert store.sweep(busy={busy}) == [old]
    assert store.get(old) is None and not store.data_path(old).exists()
    assert store.get(busy) is not None and store.get(fresh) is not None
    assert {p.name for p in tmp_path.iterdir()} == {f"{u}.{ext}" for u in (busy, fresh) for ext in ("bin", "json")}
