"""The replica store behind HEDGEROW_REPLICA_URL: a folder (`file:///path`) or an S3 bucket (`s3://bucket/path`).

One layout for both: Litestream's replica of the database under `db/`, and every photo file under `photos/`
at the same relative path it has in the data directory (`photos/<size>/<sha256[:2]>/<sha256>.<ext>`), named
by its content's hash, so a copy is written once and never changes.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlparse

from core.files import write_atomic

DB_PREFIX = "db"
PHOTOS_PREFIX = "photos"
# Litestream 0.5 names each replicated transaction file `<min txid>-<max txid>.ltx`, in hex, under a folder per
# compaction level: `ltx/0/` in a folder replica, `0000/` in a bucket (file/ and s3/replica_client.go).
_LTX_NAME = re.compile(r"^([0-9a-f]{16})-([0-9a-f]{16})\.ltx$")


class ReplicaError(RuntimeError):
    """The replica store refused or could not be reached; the message says which and why."""


@dataclass(frozen=True)
class ReplicaUrl:
    url: str
    scheme: str  # 'file' or 's3'
    location: str  # the folder, or the bucket
    prefix: str  # the path inside the bucket ('' for a folder)

    @property
    def shown(self) -> str:
        """The URL as pages and drills show it (it never holds credentials: those come from the environment)."""
        return self.url


def parse(url: str) -> ReplicaUrl:
    parts = urlparse(url.rstrip("/"))
    if parts.scheme == "file" and parts.path and not parts.netloc:
        return ReplicaUrl(url.rstrip("/"), "file", parts.path, "")
    if parts.scheme == "s3" and parts.netloc:
        return ReplicaUrl(url.rstrip("/"), "s3", parts.netloc, parts.path.strip("/"))
    raise ReplicaError(f"{url!r} is not a replica URL: give file:///absolute/path or s3://bucket/path")


class ReplicaStore(Protocol):
    def put_new(self, key: str, source: Path) -> bool:
        """Copy a file to `key` unless it is already there (content-addressed: same key, same bytes)."""

    def fetch(self, key: str, dest: Path) -> bool:
        """Copy `key` to `dest`; False if the store has no such key."""

    def remove(self, key: str) -> None: ...

    def newest_txid(self) -> int | None:
        """The highest transaction Litestream has put on the replica (level 0), or None before the first."""

    def litestream_replica(self) -> dict[str, Any]:
        """The `replica:` block of a Litestream config for the database's replica."""


class FolderStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def put_new(self, key: str, source: Path) -> bool:
        target = self.root / key
        if target.exists():
            return False
        write_atomic(target, source.read_bytes())
        return True

    def fetch(self, key: str, dest: Path) -> bool:
        source = self.root / key
        if not source.is_file():
            return False
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
        return True

    def remove(self, key: str) -> None:
        (self.root / key).unlink(missing_ok=True)

    def newest_txid(self) -> int | None:
        try:
            names = os.listdir(self.root / DB_PREFIX / "ltx" / "0")
        except FileNotFoundError:
            return None
        found = [int(m.group(2), 16) for n in names if (m := _LTX_NAME.match(n))]
        return max(found) if found else None

    def litestream_replica(self) -> dict[str, Any]:
        return {"type": "file", "path": str(self.root / DB_PREFIX)}


class BucketStore:
    """S3 or an S3-compatible server, through boto3: its credential chain reads the usual AWS_* variables (and
    profiles, and instance roles), as Litestream's AWS SDK does, so one environment configures both."""

    def __init__(self, bucket: str, prefix: str, endpoint: str = "") -> None:
        import boto3  # late: only a server replicating to a bucket pays for loading it

        self.bucket = bucket
        self.prefix = prefix
        self.endpoint = endpoint
        self.region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        self.client = boto3.client("s3", endpoint_url=endpoint or None, region_name=self.region)
        self._newest_key = ""

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def _missing(self, exc: Exception) -> bool:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
        return code in ("404", "NoSuchKey", "NotFound")

    def put_new(self, key: str, source: Path) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
            return False
        except ClientError as exc:
            if not self._missing(exc):
                raise ReplicaError(f"s3://{self.bucket}/{self._key(key)}: {exc}") from exc
        self.client.upload_file(str(source), self.bucket, self._key(key))
        return True

    def fetch(self, key: str, dest: Path) -> bool:
        from botocore.exceptions import ClientError

        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.client.download_file(self.bucket, self._key(key), str(dest))
        except ClientError as exc:
            if self._missing(exc):
                return False
            raise ReplicaError(f"s3://{self.bucket}/{self._key(key)}: {exc}") from exc
        return True

    def remove(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def newest_txid(self) -> int | None:
        # Listed after the newest name seen so far: a bucket answers with the few files since, not thousands.
        folder = self._key(f"{DB_PREFIX}/0000/")
        args = {"Bucket": self.bucket, "Prefix": folder}
        if self._newest_key:
            args["StartAfter"] = self._newest_key
        for page in self.client.get_paginator("list_objects_v2").paginate(**args):
            for item in page.get("Contents", []):
                if _LTX_NAME.match(item["Key"].rsplit("/", 1)[-1]) and item["Key"] > self._newest_key:
                    self._newest_key = item["Key"]
        if not self._newest_key:
            return None
        match = _LTX_NAME.match(self._newest_key.rsplit("/", 1)[-1])
        assert match is not None
        return int(match.group(2), 16)

    def litestream_replica(self) -> dict[str, Any]:
        block: dict[str, Any] = {
            "type": "s3",
            "bucket": self.bucket,
            "path": self._key(DB_PREFIX),
            "region": self.region,
        }
        if self.endpoint:
            block["endpoint"] = self.endpoint
            block["force-path-style"] = True
        return block


def open_store(url: str, endpoint: str = "") -> FolderStore | BucketStore:
    where = parse(url)
    if where.scheme == "file":
        return FolderStore(Path(where.location))
    return BucketStore(where.location, where.prefix, endpoint)
