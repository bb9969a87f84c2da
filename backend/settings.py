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
    # `hedgerow run`: the farmer app's port (Flet, served to a browser), and how many demo reports it seeds
    # into an empty database.
    app_port: int = field(default_factory=lambda: int(_env("APP_PORT", "8550")))
    demo_reports: int = field(default_factory=lambda: int(_env("DEMO_REPORTS", "3000")))
    # Registrations allowed per client address per hour: stops a script filling the device table.
    register_per_hour: int = field(default_factory=lambda: int(_env("REGISTER_PER_HOUR", "30")))
    # Failed logins per username or address in 15 minutes before logins are slowed down.
    login_failures_allowed: int = field(default_factory=lambda: int(_env("LOGIN_FAILURES_ALLOWED", "5")))
    max_body_bytes: int = field(default_factory=lambda: int(_env("MAX_BODY_BYTES", str(256 * 1024))))
    # Slow clients (enforced by the server's HTTP protocol, backend/http_limits.py). Seconds from the first byte
    # of a request to the end of its headers: a client dribbling headers (slowloris) is cut off after this.
    header_timeout_s: float = field(default_factory=lambda: float(_env("HEADER_TIMEOUT_S", "10")))
    # Seconds without a byte while a request body (mostly a photo upload) is arriving before its client is
    # taken to be gone (a phone that loses signal rarely closes its connection); the upload keeps what arrived
    # and can be resumed at once. 0 waits for ever.
    upload_idle_s: float = field(default_factory=lambda: float(_env("UPLOAD_IDLE_S", "30")))
    # Seconds an unfinished upload is kept after its last piece (tus expiration); a finished one answers its
    # offset for as long too. Expired uploads are deleted by a sweep in the server.
    upload_expiry_s: float = field(default_factory=lambda: float(_env("UPLOAD_EXPIRY_S", str(7 * 24 * 3600))))
    # Seconds between sweeps for expired uploads (an expired upload is refused with 410 before it is swept).
    upload_sweep_s: float = field(default_factory=lambda: float(_env("UPLOAD_SWEEP_S", "60")))
    # Set behind a TLS-terminating proxy so cookies are marked Secure and client addresses come
    # from X-Forwarded-For.
    behind_proxy: bool = field(default_factory=lambda: _env("BEHIND_PROXY", "0") == "1")
    # The address farmers' phones use (https://...), put in invite links and QR codes. Empty: the address the
    # console was reached at (behind a proxy, from X-Forwarded-Proto and X-Forwarded-Host).
    public_url: str = field(default_factory=lambda: _env("PUBLIC_URL", "").rstrip("/"))
    # Where the farmer app is served to browsers, if anywhere (`hedgerow run` serves it): invite pages offer it
    # beside the phone app.
    app_url: str = field(default_factory=lambda: _env("APP_URL", "").rstrip("/"))
    session_hours: int = field(default_factory=lambda: int(_env("SESSION_HOURS", "12")))
    api_token_days: int = field(default_factory=lambda: int(_env("API_TOKEN_DAYS", "90")))
    # Response clocks: how often the backend sweeps for clocks that ran out (seconds; 0 turns it off, for
    # deployments that run `hedgerow sweep` from cron instead).
    sweep_interval_s: float = field(default_factory=lambda: float(_env("SWEEP_INTERVAL_S", "60")))
    # Retention: how often the backend purges what the retention policy says has been kept long enough (seconds;
    # a day by default, the first run one interval after start-up; 0 turns it off, for `hedgerow retention run`
    # from cron instead).
    retention_interval_s: float = field(default_factory=lambda: float(_env("RETENTION_INTERVAL_S", str(24 * 3600))))
    # Supervisors are notified of a report left unanswered only if it ran out this recently, so the first
    # sweep over imported history does not page anyone for last year's reports (the daily digest lists them).
    escalate_within_hours: float = field(default_factory=lambda: float(_env("ESCALATE_WITHIN_HOURS", "24")))
    # Local hour (Europe/London) after which each force's daily digest of overdue reports is sent.
    digest_hour: int = field(default_factory=lambda: int(_env("DIGEST_HOUR", "7")))
    # Notifications by webhook (POSTed JSON, signed with HMAC-SHA256 when a secret is set) ...
    webhook_url: str = field(default_factory=lambda: _env("WEBHOOK_URL", ""))
    webhook_secret: str = field(default_factory=lambda: _env("WEBHOOK_SECRET", ""))
    # ... and by email to the force's supervisors when an SMTP host is set.
    smtp_host: str = field(default_factory=lambda: _env("SMTP_HOST", ""))
    smtp_port: int = field(default_factory=lambda: int(_env("SMTP_PORT", "587")))
    smtp_user: str = field(default_factory=lambda: _env("SMTP_USER", ""))
    smtp_password: str = field(default_factory=lambda: _env("SMTP_PASSWORD", ""))
    smtp_from: str = field(default_factory=lambda: _env("SMTP_FROM", "hedgerow@localhost"))
    smtp_starttls: bool = field(default_factory=lambda: _env("SMTP_STARTTLS", "1") == "1")
    # Police alerts to farmers who chose SMS (issue 19): an HTTP gateway POSTed JSON {"to", "text", "alert_id",
    # "reference"}, signed like the webhooks when a secret is set; empty sends no SMS. Email alerts use the SMTP
    # settings above. Seconds between the server's delivery runs (0 turns them off, for `hedgerow alerts deliver`
    # from cron); a new alert is also sent at once.
    sms_url: str = field(default_factory=lambda: _env("SMS_URL", ""))
    sms_secret: str = field(default_factory=lambda: _env("SMS_SECRET", ""))
    alert_delivery_interval_s: float = field(default_factory=lambda: float(_env("ALERT_DELIVERY_INTERVAL_S", "30")))
    # Console maps: the tile server ({z}/{x}/{y}), OpenStreetMap's by default. Markers show without tiles.
    tile_url: str = field(default_factory=lambda: _env("TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"))
    # A report this close to a neighbouring force's area is shown, read-only, to that force's officers too
    # (kilometres; at most backend.services.areas.border.MAX_BORDER_KM, the distance recorded at intake).
    border_km: float = field(default_factory=lambda: float(_env("BORDER_KM", "10")))
    # Continuous replication (docs/operations.md): where Litestream ships the database and the photos are copied,
    # `s3://bucket/path` (credentials from the usual AWS_* variables) or `file:///path` (a second disk). Empty: off.
    replica_url: str = field(default_factory=lambda: _env("REPLICA_URL", "").rstrip("/"))
    # An S3-compatible server instead of AWS (MinIO, Garage, a provider's endpoint), as a URL.
    replica_endpoint: str = field(default_factory=lambda: _env("REPLICA_ENDPOINT", ""))
    # Seconds between Litestream's pushes to the replica (it looks at the WAL four times as often): a lost machine loses
    # at most about this much plus one upload. Each push with new data is one PUT to the bucket.
    replica_sync_s: float = field(default_factory=lambda: float(_env("REPLICA_SYNC_S", "0.4")))
    # How far back a restore can go (Litestream's snapshot retention), and how long a purged photo's copy stays
    # on the replica, so that a restore to any moment in that window finds the photos its reports hold.
    replica_retention_h: float = field(default_factory=lambda: float(_env("REPLICA_RETENTION_H", str(7 * 24))))
    # Tests only: a file holding an ISO 8601 time the server takes as "now" (tests move time by rewriting it).
    clock_file: Path | None = field(default_factory=lambda: Path(p) if (p := _env("CLOCK_FILE", "")) else None)

    @property
    def db_path(self) -> Path:
        return self.data_dir / "hedgerow.db"

    @property
    def photos_dir(self) -> Path:
        return self.data_dir / "photos"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"
