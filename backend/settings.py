"""Settings from `HEDGEROW_*` environment variables, with defaults that run on a laptop."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


def _env(name: str, default: str) -> str:
    return os.environ.get(f"HEDGEROW_{name}", default)


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=lambda: Path(_env("DATA_DIR", "data")).resolve())
    host: str = field(default_factory=lambda: _env("HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("PORT", "8000")))
    # Registrations allowed per client address per hour: stops a script filling the device table.
    register_per_hour: int = field(default_factory=lambda: int(_env("REGISTER_PER_HOUR", "30")))
    # Failed logins per username or address in 15 minutes before logins are slowed down.
    login_failures_allowed: int = field(default_factory=lambda: int(_env("LOGIN_FAILURES_ALLOWED", "5")))
    max_body_bytes: int = field(default_factory=lambda: int(_env("MAX_BODY_BYTES", str(256 * 1024))))
    # Set behind a TLS-terminating proxy so cookies are marked Secure and client addresses come
    # from X-Forwarded-For.
    behind_proxy: bool = field(default_factory=lambda: _env("BEHIND_PROXY", "0") == "1")
    session_hours: int = field(default_factory=lambda: int(_env("SESSION_HOURS", "12")))
    api_token_days: int = field(default_factory=lambda: int(_env("API_TOKEN_DAYS", "90")))

    @property
    def db_path(self) -> Path:
        return self.data_dir / "hedgerow.db"

    @property
    def photos_dir(self) -> Path:
        return self.data_dir / "photos"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"
