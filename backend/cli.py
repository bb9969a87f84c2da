"""`hedgerow`: run, seed, and administer a Hedgerow backend from the command line."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from backend.settings import Settings

ASSETS = Path(__file__).resolve().parent.parent / "assets"
DEMO_AREAS = ASSETS / "areas" / "demo-areas.geojson"


def _db(settings: Settings):  # type: ignore[no-untyped-def]
    from backend.db import open_and_migrate

    return open_and_migrate(settings.db_path)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from backend.http_limits import limited_protocol
    from backend.main import create_app

    _db(settings).close()
    uvicorn.run(
        create_app(settings),
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level="info",
        http=limited_protocol(settings.header_timeout_s, settings.upload_idle_s),
    )
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from backend.migrations import migrate

    db = _db(settings)
    applied = migrate(db)
    print(f"database {settings.db_path}: up to date" + (f" (applied {', '.join(applied)})" if applied else ""))
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from backend.services.demo import generator

    db = _db(settings)
    summary = generator.seed(db, settings, reports=args.reports, seed=args.seed, progress=not args.quiet)
    print(summary)
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise SystemExit("the passwords differ")
    return password


def cmd_users_add(args: argparse.Namespace, settings: Settings) -> int:
    from backend.services.errors import Conflict, Invalid
    from backend.services.staff import accounts

    db = _db(settings)
    try:
        user = accounts.add_user(
            db, args.username, _read_password(args), args.role, args.force, datetime.now(UTC), args.name
        )
    except (Invalid, Conflict) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"added {user.role} {user.username}" + (f" ({user.force})" if user.force else ""))
    return 0


def cmd_areas_import(args: argparse.Namespace, settings: Settings) -> int:
    from backend.services.areas.boundaries import AreaImportError, import_areas

    db = _db(settings)
    try:
        names = import_areas(db, Path(args.file), force=args.force, nation=args.nation)
    except (AreaImportError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"imported {len(names)} area(s): {', '.join(names)}")
    from backend.services.areas import border
    from backend.writes import write

    with write(db):  # the console's cross-border rule: distances to the areas as they now are
        measured = border.recompute_all(db)
    if measured:
        print(f"measured {measured} distance(s) from reports to neighbouring forces' areas")
    return 0


def _listed(values: list[str] | None) -> list[str]:
    """Values given as repeated words or comma-separated ("--forces 'Kent Police,Sussex Police'")."""
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def cmd_partners_add(args: argparse.Namespace, settings: Settings) -> int:
    from backend.services import partners
    from backend.services.errors import Conflict, Invalid

    db = _db(settings)
    try:
        partner, api_key = partners.add_partner(
            db, args.name, _listed(args.categories), _listed(args.forces), datetime.now(UTC)
        )
    except (Invalid, Conflict) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"added Open311 partner {partner.name}")
    print(f"api_key: {api_key}")
    print("Give the api_key to the partner now: it is stored only as a hash and cannot be shown again.")
    return 0


def _moment(text: str | None, settings: Settings) -> datetime:
    """An ISO 8601 time with its offset, or the backend's clock (HEDGEROW_CLOCK_FILE in tests)."""
    from backend.time_source import clock_for

    if not text:
        return clock_for(settings)()
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise SystemExit(f"give the time with its offset, e.g. {text}Z or {text}+01:00")
    return moment.astimezone(UTC)


def cmd_sweep(args: argparse.Namespace, settings: Settings) -> int:
    from backend.services.clocks import policy, sweep

    now = _moment(args.now, settings)
    db = _db(settings)
    policy.sync_defaults(db, now)
    result = sweep.run_cycle(db, settings, now, deliver=not args.no_deliver)
    print(result.summary())
    return 0


def cmd_alerts_deliver(args: argparse.Namespace, settings: Settings) -> int:
    from backend.services.alerts import delivery

    result = delivery.deliver_due(_db(settings), settings, _moment(args.now, settings))
    print(f"alerts: sent {result.sent}, failed {result.failed} (tried again later), gave up {result.gave_up}")
    return 0


def cmd_policy_show(args: argparse.Namespace, settings: Settings) -> int:
    from backend.services.clocks import policy

    at = _moment(args.at, settings)
    db = _db(settings)
    policy.sync_defaults(db, _moment(None, settings))
    table: dict[str, dict[str, str]] = {}
    for row in policy.resolved_table(db, args.force, at):
        overridden = "*" if "override" in row["source"] else ""
        table.setdefault(row["category"], {})[row["clock"]] = row["target"] + overridden
    widths = [22] + [16] * len(policy.CLOCK_NAMES)
    print(f"Response targets for {args.force or 'every force (defaults)'} at {at.isoformat()}")
    print("".join(h.ljust(w) for h, w in zip(["category", *policy.CLOCK_NAMES], widths, strict=True)))
    for category, targets in table.items():
        cells = [category, *(targets[c] for c in policy.CLOCK_NAMES)]
        print("".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
    print("* the force's own override")
    return 0


def _retention_moment(text: str | None, settings: Settings) -> datetime:
    """`--now`/`--at` for the retention commands: a bad time is a plain error (exit 2), not a traceback."""
    try:
        return _moment(text, settings)
    except ValueError:
        raise SystemExit(f"error: {text!r} is not an ISO 8601 time, e.g. 2026-03-01T09:00:00Z") from None


def cmd_retention_show(args: argparse.Namespace, settings: Settings) -> int:
    from backend.services.retention import policy

    at = _retention_moment(args.at, settings)
    db = _db(settings)
    policy.sync_defaults(db, _retention_moment(None, settings))
    forces = [args.force] if args.force else [None, *policy.current_policy(db).forces_with_overrides(at)]
    for force in forces:
        print(f"Retention for {force or 'every force (national defaults)'} at {at.isoformat()}")
        print(f"{'rule':30}{'kept for':12}{'from':24}what")
        for row in policy.table(db, force, at):
            print(f"{row['rule']:30}{row['period']:12}{row['source']:24}{row['words']}")
        print()
    print("Reports held as evidence (legal hold) are never purged while the hold stands.")
    return 0


def cmd_retention_set(args: argparse.Namespace, settings: Settings) -> int:
    from backend.services.errors import Invalid
    from backend.services.retention import policy

    period = None if args.period == "default" else args.period
    try:
        stored = policy.set_period(
            _db(settings), args.rule, period, args.force, "hedgerow retention set", _retention_moment(None, settings)
        )
    except Invalid as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{args.rule} for {args.force or 'every force'}: {stored or 'the national default again'}")
    return 0


def cmd_retention_run(args: argparse.Namespace, settings: Settings) -> int:
    from backend.services.retention import purge

    now = _retention_moment(args.now, settings)
    db = _db(settings)
    result = purge.run(db, settings, now, dry_run=args.dry_run)
    print(result.report())
    return 0


def cmd_sar(args: argparse.Namespace, settings: Settings) -> int:
    from backend.services.errors import Invalid, NotFound
    from backend.services.farmer_data import sar

    db = _db(settings)
    out = Path(args.out)
    try:
        device_id = sar.find_device(db, args.device, args.phone)
        done = sar.write_sar(db, settings.photos_dir, device_id, _moment(None, settings), out)
    except (Invalid, NotFound) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (FileExistsError, FileNotFoundError, PermissionError) as exc:
        print(f"error: cannot write {out}: {exc.strerror}", file=sys.stderr)
        return 2
    print(f"wrote {out} ({out.stat().st_size:,} bytes) for the phone {device_id}:")
    print(f"  device.json, {done.reports} report(s), {done.photos} photo(s), access_log.csv, manifest.json, README.txt")
    if done.missing:
        print(f"  {len(done.missing)} photo(s) missing from the photo store, listed in manifest.json")
    print("It holds personal data: send it to the requester securely, and delete your copy once sent.")
    return 0


def cmd_users_email(args: argparse.Namespace, settings: Settings) -> int:
    from backend.services.clocks.notify import set_user_email
    from backend.services.errors import Invalid, NotFound

    try:
        set_user_email(_db(settings), args.username, args.address or None)
    except (Invalid, NotFound) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{args.username}: " + (f"notifications go to {args.address}" if args.address else "no email"))
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from backend.ops.backup import backup

    result = backup(settings, Path(args.dest), progress=not args.quiet)
    print(result)
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from backend.ops.replication.restore import restore
    from backend.ops.replication.store import ReplicaError

    at = _retention_moment(args.at, settings) if args.at else None
    try:
        result = restore(args.source, settings.replica_endpoint, Path(args.data_dir).resolve(), at)
    except (FileExistsError, ReplicaError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(result.summary())
    return 0 if result.ok else 1


def cmd_drill(args: argparse.Namespace, settings: Settings) -> int:
    from backend.ops.replication.restore import drill
    from backend.ops.replication.store import ReplicaError

    try:
        done, restored = drill(settings, Path(args.scratch).resolve() if args.scratch else None, keep=args.keep)
    except (FileExistsError, ReplicaError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(restored.summary())
    point = "-" if done.recovery_point_s is None else f"{done.recovery_point_s:.1f} s"
    print(f"drill {'passed' if done.ok else 'FAILED'}: recovery point {point}, recovery time {done.recovery_time_s} s")
    return 0 if done.ok else 1


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from backend.ops import runner

    return runner.run_everything(settings, app=not args.no_app)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hedgerow",
        description="Hedgerow: rural crime reports from farmers' phones, and the time every police response took. "
        "Settings come from HEDGEROW_* environment variables (HEDGEROW_DATA_DIR holds the database and photos).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "run",
        help="migrate, seed demo data if empty, start the backend and the farmer app",
        description="Migrate the database; when it holds no reports, seed HEDGEROW_DEMO_REPORTS demo reports "
        "(default 3000); start the backend on HEDGEROW_HOST:HEDGEROW_PORT (127.0.0.1:8000) and, when app/main.py "
        "exists, the farmer app on HEDGEROW_APP_PORT (8550). Prints the URLs and the demo logins; Ctrl-C or "
        "SIGTERM stops both.",
    )
    p.add_argument("--no-app", action="store_true", help="start the backend only")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("serve", help="start the backend (API and console)")
    p.add_argument("--host", help="address to listen on (default HEDGEROW_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default HEDGEROW_PORT or 8000)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("migrate", help="bring the database schema up to date")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser(
        "demo",
        help="seed demo areas, users and a year of synthetic reports",
        description="Seed the demo areas (when there are none), demo staff with the password 'hedgerow-demo' "
        "(admin, nfu, and <force>.officer / <force>.supervisor for each demo force), farmers, and a year of "
        "synthetic reports ending now, with photos, 101 calls and police responses. Running it again adds "
        "--reports more reports (each run draws new ones); areas, users and farmers are never duplicated. "
        "For demonstrations and benchmarks only: never on a database with real reports.",
    )
    p.add_argument("--reports", type=int, default=2000, help="how many reports (default 2000)")
    p.add_argument("--seed", type=int, default=2026, help="random seed, for the same data every time")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_demo)

    users = sub.add_parser("users", help="staff accounts").add_subparsers(dest="users_command", required=True)
    p = users.add_parser("add", help="add a staff user; the password is read from stdin or prompted")
    p.add_argument("username")
    p.add_argument("--role", required=True, choices=["officer", "supervisor", "nfu", "admin"])
    p.add_argument("--force", help="the police force (for officers and supervisors)")
    p.add_argument("--name", help="display name")
    p.set_defaults(func=cmd_users_add)
    p = users.add_parser("email", help="where a supervisor's escalations and digests are emailed")
    p.add_argument("username")
    p.add_argument("address", nargs="?", help="omit to stop emails to this user")
    p.set_defaults(func=cmd_users_email)

    areas = sub.add_parser("areas", help="force and patch boundaries").add_subparsers(
        dest="areas_command", required=True
    )
    p = areas.add_parser("import", help="import areas from GeoJSON, or a data.police.uk force KML file")
    p.add_argument("file")
    p.add_argument("--force", help="force name for every area in the file (KML files need it)")
    p.add_argument("--nation", choices=["england_wales", "scotland", "northern_ireland"], help="for bank holidays")
    p.set_defaults(func=cmd_areas_import)

    partners = sub.add_parser("partners", help="Open311 partner systems").add_subparsers(
        dest="partners_command", required=True
    )
    p = partners.add_parser("add", help="add a partner and print its api_key (shown once)")
    p.add_argument("name")
    p.add_argument(
        "--categories",
        nargs="+",
        metavar="CODE",
        help="categories the partner may report in, and whose reports by others it may read (its own it always may)",
    )
    p.add_argument(
        "--forces",
        nargs="+",
        metavar="FORCE",
        help="forces the partner may report to (by location), and whose reports by others it may read",
    )
    p.set_defaults(func=cmd_partners_add)

    p = sub.add_parser("sweep", help="flag reports whose response clocks ran out, send escalations and digests")
    p.add_argument("--now", help="the time to sweep at (ISO 8601 with offset; default the clock)")
    p.add_argument("--no-deliver", action="store_true", help="queue notifications but do not send them")
    p.set_defaults(func=cmd_sweep)

    alerts = sub.add_parser("alerts", help="police alerts to farmers").add_subparsers(
        dest="alerts_command", required=True
    )
    p = alerts.add_parser("deliver", help="send the alerts' queued SMS and email (the server does it every 30 s)")
    p.add_argument("--now", help="the time to deliver at (ISO 8601 with offset; default the clock)")
    p.set_defaults(func=cmd_alerts_deliver)

    policy = sub.add_parser("policy", help="response targets").add_subparsers(dest="policy_command", required=True)
    p = policy.add_parser("show", help="the targets in force for every category and clock")
    p.add_argument("--force", help="a force, to include its supervisors' overrides")
    p.add_argument("--at", help="a past moment (ISO 8601 with offset), to see the policy then")
    p.set_defaults(func=cmd_policy_show)

    retention = sub.add_parser("retention", help="how long records are kept, and the purge").add_subparsers(
        dest="retention_command", required=True
    )
    p = retention.add_parser("show", help="the retention periods in force, national and each force's own")
    p.add_argument("--force", help="one force's periods (default: national, then every force that set its own)")
    p.add_argument("--at", help="a past moment (ISO 8601 with offset), to see the periods then")
    p.set_defaults(func=cmd_retention_show)
    p = retention.add_parser("set", help="change a retention period, from now on (kept in its history)")
    p.add_argument("rule", help="closed_reports, closed_duplicate_or_mistake, unrouted_reports, ...")
    p.add_argument("period", help="e.g. '6 years', '18 months', '30 days'; 'default' removes a force's own")
    p.add_argument("--force", help="a force's own period (report rules only)")
    p.set_defaults(func=cmd_retention_set)
    p = retention.add_parser(
        "run",
        help="purge what the retention policy says has been kept long enough",
        description="Delete every report, photo, upload, access-log entry and device registration past its "
        "retention period (reports held as evidence excepted), keeping the anonymous summary figures; record "
        "each purge's counts in purge_log. The server runs this daily (HEDGEROW_RETENTION_INTERVAL_S).",
    )
    p.add_argument("--dry-run", action="store_true", help="list what would go, and delete nothing")
    p.add_argument("--now", help="the moment to apply the policy at (ISO 8601 with offset; default the clock)")
    p.set_defaults(func=cmd_retention_run)

    p = sub.add_parser(
        "sar",
        help="answer a subject access request: one farmer's data as a ZIP",
        description="Write everything Hedgerow holds about one farmer's phone to OUT.zip, as the farmer's own "
        "export from the app gives it (device.json, reports/<id>.json as the farmer sees them, photos/ as sent, "
        "manifest.json with every file's SHA-256, README.txt), plus access_log.csv: every staff read of those "
        "reports (when, who, role, how). Find the phone by its id, or by the number it registered with. Exits 2 "
        "when no phone matches, or when OUT.zip already exists.",
    )
    found = p.add_mutually_exclusive_group(required=True)
    found.add_argument("--device", metavar="ID", help="the phone's device id")
    found.add_argument("--phone", metavar="N", help="the phone number the farmer registered with")
    p.add_argument("out", metavar="OUT.zip", help="the file to write (must not exist)")
    p.set_defaults(func=cmd_sar)

    p = sub.add_parser("backup", help="a consistent online copy of the database and the photo store")
    p.add_argument("dest", help="a directory to create")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser(
        "restore",
        help="rebuild a data directory from the replica (database and photos), and check it",
        description="Restore the database from a Litestream replica (the latest state, or the state at --at) and "
        "every photo its reports hold into DATA_DIR, which must be empty; then run SQLite's integrity check and "
        "check each photo's SHA-256. Prints what was restored; exits 1 if anything is missing or damaged. "
        "S3 credentials come from the AWS_* variables, an S3-compatible server from HEDGEROW_REPLICA_ENDPOINT.",
    )
    p.add_argument("--from", dest="source", required=True, metavar="URL", help="s3://bucket/path or file:///path")
    p.add_argument("--at", help="a past moment to restore to (ISO 8601 with offset)")
    p.add_argument("data_dir", metavar="DATA_DIR", help="an empty (or new) directory")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser(
        "drill",
        help="a restore drill: restore the replica into a scratch directory, measure and record it",
        description="Restore HEDGEROW_REPLICA_URL into a scratch directory as `hedgerow restore` does, then "
        "report the recovery point (how much older the newest restored report is than the live database's "
        "newest) and the recovery time, record both in the database for the admin page, and delete the copy. "
        "Exits 1 if the restore failed its checks. Meant for a monthly timer (docs/operations.md).",
    )
    p.add_argument("--scratch", metavar="DIR", help="where to restore (empty or new; default a temporary directory)")
    p.add_argument("--keep", action="store_true", help="keep the restored copy (it holds personal data)")
    p.set_defaults(func=cmd_drill)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    os.environ.setdefault("HEDGEROW_DATA_DIR", str(settings.data_dir))
    return args.func(args, settings)


if __name__ == "__main__":
    raise SystemExit(main())
