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

    from backend.main import create_app

    _db(settings).close()
    uvicorn.run(
        create_app(settings),
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level="info",
    )
    return 0


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from backend.migrations import migrate

    db = _db(settings)
    applied = migrate(db)
    print(f"database {settings.db_path}: up to date" + (f" (applied {', '.join(applied)})" if applied else ""))
    return 0


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from backend.services import demo

    db = _db(settings)
    summary = demo.seed(db, settings, reports=args.reports, seed=args.seed, progress=not args.quiet)
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
    from backend.services import staff
    from backend.services.errors import Conflict, Invalid

    db = _db(settings)
    try:
        user = staff.add_user(
            db, args.username, _read_password(args), args.role, args.force, datetime.now(UTC), args.name
        )
    except (Invalid, Conflict) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"added {user.role} {user.username}" + (f" ({user.force})" if user.force else ""))
    return 0


def cmd_areas_import(args: argparse.Namespace, settings: Settings) -> int:
    from backend.services.areas import AreaImportError, import_areas

    db = _db(settings)
    try:
        names = import_areas(db, Path(args.file), force=args.force, nation=args.nation)
    except (AreaImportError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"imported {len(names)} area(s): {', '.join(names)}")
    return 0


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    from backend.services.backup import backup

    result = backup(settings, Path(args.dest), progress=not args.quiet)
    print(result)
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from backend.services import runner

    return runner.run_everything(settings, app=not args.no_app)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hedgerow",
        description="Hedgerow: rural crime reports from farmers' phones, and the time every police response took. "
        "Settings come from HEDGEROW_* environment variables (HEDGEROW_DATA_DIR holds the database and photos).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("run", help="migrate, seed demo data if empty, start the backend and the farmer app")
    p.add_argument("--no-app", action="store_true", help="start the backend only")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("serve", help="start the backend (API and console)")
    p.add_argument("--host", help="address to listen on (default HEDGEROW_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default HEDGEROW_PORT or 8000)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("migrate", help="bring the database schema up to date")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("demo", help="seed demo areas, users and a year of synthetic reports")
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

    areas = sub.add_parser("areas", help="force and patch boundaries").add_subparsers(
        dest="areas_command", required=True
    )
    p = areas.add_parser("import", help="import areas from GeoJSON, or a data.police.uk force KML file")
    p.add_argument("file")
    p.add_argument("--force", help="force name for every area in the file (KML files need it)")
    p.add_argument("--nation", choices=["england_wales", "scotland", "northern_ireland"], help="for bank holidays")
    p.set_defaults(func=cmd_areas_import)

    p = sub.add_parser("backup", help="a consistent online copy of the database and the photo store")
    p.add_argument("dest", help="a directory to create")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_backup)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = Settings()
    os.environ.setdefault("HEDGEROW_DATA_DIR", str(settings.data_dir))
    return args.func(args, settings)


if __name__ == "__main__":
    raise SystemExit(main())
