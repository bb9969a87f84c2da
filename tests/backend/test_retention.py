"""Retention: the purge removes exactly what the policy says, leaves no trace of it, and keeps the summaries.

One scenario runs on the real server with an injected clock: reports made in March 2019 and closed, one closed as
a duplicate, one held as evidence, one left open, one outside every area from a farmer never heard from again,
and one made five years later. The clock moves past each retention period and `hedgerow retention run` (the
real CLI) purges. Everything a purged report had (its words, registrations, places, photos, its farmer's name,
its id) is then looked for in the database file itself, in the photo store, and through every page that could
show it.
"""

from __future__ import annotations

import hashlib
import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.backend.console_support import KENT_POLICE, ConsoleServer, Farmer, Staff, login, start_console_server
from tests.backend.intake import files_in, noise_jpeg, uploader
from tests.support import NOWHERE, LiveServer, photo_decl, wait_until

T0 = datetime(2019, 3, 4, 10, 0, tzinfo=UTC)
RUN_AT = T0 + timedelta(days=6 * 365 + 30)  # past six years after closure, not yet six after F's
FARM = (51.25, 1.20)  # in Kent, far from every other force


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


@dataclass
class Sent:
    """A report the scenario sent, with everything unique to it that must go (or stay) with it."""

    id: str
    word: str
    registration: str
    place: str
    photo_sha: str | None = None
    photo_id: str | None = None

    @property
    def traces(self) -> list[str]:
        return [self.id, self.word, self.registration, self.place, *([self.photo_sha] if self.photo_sha else [])]


def _send(server: ConsoleServer, farmer: Farmer, n: int, where: tuple[float, float], photo: bool) -> Sent:
    word = f"zqx{uuid.uuid4().hex[:10]}"
    registration = f"RT{n:02d}{uuid.uuid4().hex[:3].upper()}"
    place = f"Gate{uuid.uuid4().hex[:8]}"
    data = noise_jpeg(1000 + n) if photo else None
    decl = photo_decl(data) if data else None
    at = _iso(server.now())
    report_id = farmer.report(
        where=(where[0] + n * 0.0005, where[1]),
        description=f"Rubbish dumped by the {word} lane",
        occurred_at=at,
        created_at=at,
        vehicles=[{"registration": registration, "make": "Ford", "colour": "white"}],
        location={"lat": where[0] + n * 0.0005, "lon": where[1], "source": "gps", "place_name": place},
        photos=[decl] if decl else [],
    )
    if data and decl:
        uploader(server.url, farmer.headers, data, report_id, decl).upload()
        wait_until(
            lambda: server.scalar("SELECT received_at FROM report_photos WHERE report_id = ?", report_id),
            "the photo arrived",
        )
    return Sent(
        report_id,
        word,
        registration,
        place,
        decl["sha256"] if decl else None,
        decl["photo_id"] if decl else None,
    )


@dataclass
class Scenario:
    server: ConsoleServer
    officer: Staff
    farmer: Farmer
    loner: Farmer
    loner_device: str
    closed: list[Sent]
    duplicate: Sent
    held: Sent
    still_open: Sent
    unrouted: Sent
    recent: Sent
    dry_run_a_year_on: str = ""
    dry_run: str = ""
    purge_output: str = ""
    before: dict[str, str] = field(default_factory=dict)
    after: dict[str, str] = field(default_factory=dict)

    @property
    def purged(self) -> list[Sent]:
        return [*self.closed, self.duplicate, self.unrouted]

    @property
    def kept(self) -> list[Sent]:
        return [self.held, self.still_open, self.recent]


def _pages(s: Scenario) -> dict[str, str]:
    """What staff can see that could show a purged report: search, the map, the open neighbour's linked reports,
    and the NFU summary CSV for 2019 (read at the same moment before and after)."""
    officer = s.officer
    pages = {f"search {x.word}": officer.get("/console", params={"q": x.word}).text for x in s.purged + s.kept}
    pages["map"] = officer.get("/console/map", params={"status": "any"}).text
    pages["linked"] = officer.get(f"/console/reports/{s.still_open.id}").text
    nfu = login(s.server, f"nfu{uuid.uuid4().hex[:6]}", "nfu")
    pages["csv"] = nfu.get("/console/summaries.csv", params={"period": "2019"}).content.decode("utf-8-sig")
    return pages


def _cli(server: ConsoleServer, *args: str) -> str:
    done = server.live.cli("retention", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    server = start_console_server(tmp_path_factory.mktemp("retention"))
    try:
        server.set_now(T0)
        officer = login(server, "kent.officer", "officer", KENT_POLICE)
        farmer, loner = Farmer(server, "Ann Keeper"), Farmer(server, "Ivo Silentfield")
        loner_device = server.scalar("SELECT id FROM devices WHERE name = 'Ivo Silentfield'")
        closed = [_send(server, farmer, n, FARM, photo=n < 2) for n in range(5)]
        held = _send(server, farmer, 5, FARM, photo=True)
        duplicate = _send(server, farmer, 6, FARM, photo=False)
        still_open = _send(server, farmer, 7, FARM, photo=False)
        unrouted = _send(server, loner, 8, NOWHERE, photo=True)
        server.advance(hours=2)
        for sent in closed:
            assert officer.get(f"/console/reports/{sent.id}").status_code == 200  # a read in the access log
            assert officer.act(sent.id, "closed", outcome="no_further_action").status_code == 303
        assert officer.act(held.id, "closed", outcome="arrest").status_code == 303
        assert officer.act(duplicate.id, "closed", duplicate_of=held.id).status_code == 303
        assert officer.act(held.id, "hold_placed", reason="Evidence for the Crown Court trial").status_code == 303
        server.set_now(T0 + timedelta(days=5 * 365))
        recent = _send(server, farmer, 9, FARM, photo=False)
        assert officer.act(recent.id, "closed", outcome="no_further_action").status_code == 303
        s = Scenario(
            server, officer, farmer, loner, loner_device, closed, duplicate, held, still_open, unrouted, recent
        )
        server.set_now(T0 + timedelta(days=365 + 2))
        s.dry_run_a_year_on = _cli(server, "run", "--dry-run")
        server.set_now(RUN_AT)
        s.before = _pages(s)
        s.dry_run = _cli(server, "run", "--dry-run")
        s.purge_output = _cli(server, "run")
        s.after = _pages(s)
        yield s
    finally:
        server.close()


def _listed(output: str) -> set[str]:
    """The reports and devices a dry run lists, one a line ("  report <id> (<force>): <rule>, ...")."""
    return {
        line.split()[1].rstrip(":")
        for line in output.splitlines()
        if line.startswith("  ") and line.split()[0] in ("report", "device")
    }


def test_a_dry_run_lists_what_each_period_lets_go_and_deletes_nothing(scenario: Scenario) -> None:
    s = scenario
    listed_a_year_on = _listed(s.dry_run_a_year_on)
    assert listed_a_year_on == {s.duplicate.id, s.unrouted.id}  # the one-year rules only
    listed = _listed(s.dry_run)
    assert listed == {x.id for x in s.purged} | {s.loner_device}
    assert "would purge 5 report(s) under closed_reports (6 years, Kent Police)" in s.dry_run
    assert "would purge 1 report(s) under closed_duplicate_or_mistake (1 year, Kent Police)" in s.dry_run
    assert "would purge 1 report(s) under unrouted_reports (1 year)" in s.dry_run
    assert "would purge 1 device(s) under silent_devices (3 years)" in s.dry_run
    # Nothing went: the pages read before the real run (after both dry runs) still showed every report.
    assert all(x.id[:8] in s.before[f"search {x.word}"] for x in s.purged + s.kept if x is not s.unrouted)


def test_the_purge_removes_exactly_the_reports_and_devices_the_policy_says(scenario: Scenario) -> None:
    s = scenario
    left = {r[0] for r in s.server.query("SELECT id FROM reports")}
    assert left == {x.id for x in s.kept}
    devices = {r[0] for r in s.server.query("SELECT name FROM devices")}
    assert devices == {"Ann Keeper"}
    assert "purged 5 report(s) under closed_reports (6 years, Kent Police)" in s.purge_output
    assert "purged 1 report(s) under closed_duplicate_or_mistake (1 year, Kent Police)" in s.purge_output
    assert "purged 1 report(s) under unrouted_reports (1 year)" in s.purge_output
    assert "purged 1 device(s) under silent_devices (3 years)" in s.purge_output
    assert "purged 3 photo(s), every size" in s.purge_output
    # The access log keeps only reads of the last two years: those of 2024 (closing the recent report), none of 2019.
    reads = s.server.query("SELECT at FROM staff_reads")
    assert reads and all(r[0] >= "2024" for r in reads)


def test_every_purge_is_recorded_with_counts_and_no_personal_data(scenario: Scenario) -> None:
    s = scenario
    rows = {(r["kind"], r["rule"], r["force"]): r["count"] for r in s.server.query("SELECT * FROM purge_log")}
    assert rows[("report", "closed_reports", KENT_POLICE)] == 5
    assert rows[("report", "closed_duplicate_or_mistake", KENT_POLICE)] == 1
    assert rows[("report", "unrouted_reports", None)] == 1
    assert rows[("device", "silent_devices", None)] == 1
    assert rows[("photo", "with their reports", None)] == 3
    assert rows[("none", "incomplete_uploads", None)] == 0  # the rules that purged nothing show they ran
    record = " ".join(str(v) for r in s.server.query("SELECT * FROM purge_log") for v in tuple(r))
    assert not [t for x in s.purged for t in x.traces if t in record]


def test_an_officer_and_the_farmer_get_404_for_a_purged_report_and_its_photos(scenario: Scenario) -> None:
    s = scenario
    gone = s.closed[0]
    assert s.officer.get(f"/console/reports/{gone.id}").status_code == 404
    for size in ("thumb", "display", "original"):
        assert s.officer.get(f"/console/reports/{gone.id}/photos/{gone.photo_id}/{size}").status_code == 404
        assert s.officer.get(f"/console/reports/{s.held.id}/photos/{s.held.photo_id}/{size}").status_code == 200
    assert s.farmer.client.get(f"/api/v1/reports/{gone.id}", headers=s.farmer.headers).status_code == 404
    changed = s.farmer.pull()
    assert {r["id"] for r in changed["reports"]} == {x.id for x in (s.held, s.still_open, s.recent)}
    # The farmer never heard from again is gone with their phone's registration.
    assert s.loner.client.get("/api/v1/reports", headers=s.loner.headers).status_code == 401
    # The held report is still there, with its photo.
    assert s.officer.get(f"/console/reports/{s.held.id}").status_code == 200


def test_search_the_map_and_linked_reports_no_longer_show_purged_reports(scenario: Scenario) -> None:
    s = scenario
    for x in s.purged:
        assert x.id[:8] in s.before[f"search {x.word}"] or x is s.unrouted  # the unrouted one is in no force's queue
        assert x.id[:8] not in s.after[f"search {x.word}"]
        for page in ("map", "linked"):
            assert x.id[:8] not in s.after[page]
            assert x.word not in s.after[page] and x.place not in s.after[page]
    assert s.closed[0].id[:8] in s.before["linked"] and s.closed[0].id[:8] in s.before["map"]
    for x in s.kept:
        assert x.id[:8] in s.after[f"search {x.word}"]


def test_the_nfu_summary_for_the_purged_reports_period_is_byte_identical(scenario: Scenario) -> None:
    before, after = scenario.before["csv"], scenario.after["csv"]
    assert "Kent" in before
    assert after == before


def _database_bytes(server: LiveServer) -> bytes:
    path = server.data_dir / "hedgerow.db"
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
    finally:
        conn.close()
    wal = path.with_name("hedgerow.db-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def test_the_database_file_and_photo_store_hold_nothing_of_the_purged_reports(scenario: Scenario) -> None:
    s = scenario
    data = _database_bytes(s.server.live)
    for x in s.kept:  # the search finds what is there: the kept reports' words are in the file
        assert x.word.encode() in data
    for x in s.purged:
        assert [t for t in x.traces if t.encode() in data] == []
    assert b"Silentfield" not in data and s.loner_device.encode() not in data
    store = s.server.live.data_dir / "photos"
    photos = [store / p for p in files_in(store)]
    names = " ".join(p.name for p in photos)
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in photos}
    for x in s.purged:
        if x.photo_sha:
            assert x.photo_sha not in names and x.photo_sha not in digests
    assert s.held.photo_sha and sum(s.held.photo_sha in p.name for p in photos) == 3  # original, display, thumb


def test_no_table_keeps_a_row_of_a_purged_report(scenario: Scenario) -> None:
    s = scenario
    tables = [r[0] for r in s.server.query("SELECT name FROM sqlite_master WHERE type = 'table'")]
    with_report_id = [
        t for t in tables if any(c[1] == "report_id" for c in s.server.query(f"PRAGMA table_info('{t}')"))
    ]
    assert "summary_facts" in with_report_id and "staff_reads" in with_report_id
    for table in with_report_id:
        for x in s.purged:
            assert s.server.scalar(f"SELECT count(*) FROM {table} WHERE report_id = ?", x.id) == 0, table
    # The summary facts stay, under names that are not the reports'.
    assert s.server.scalar("SELECT count(*) FROM summary_facts WHERE report_id LIKE 'purged-%'") == 6


# --- Legal hold, uploads never completed, the server's own daily run, and the CLI's mistakes ---------------------


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConsoleServer]:
    server = start_console_server(tmp_path_factory.mktemp("retention-small"))
    yield server
    server.close()


def _api_token(server: ConsoleServer, username: str, role: str, force: str | None) -> dict[str, str]:
    password = server.add_user(username, role, force)
    r = server.client().post("/api/v1/tokens", json={"username": username, "password": password})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_a_hold_keeps_a_report_through_the_purge_until_it_is_removed(small: ConsoleServer) -> None:
    small.set_now(T0)
    farmer = Farmer(small, "Hal Holder")
    api = small.client()
    officer = _api_token(small, "hold.officer", "officer", KENT_POLICE)
    report_id = _send(small, farmer, 1, FARM, photo=False).id
    events = f"/api/v1/reports/{report_id}/events"
    assert api.post(events, json={"kind": "closed", "outcome": "mistake"}, headers=officer).status_code == 201
    assert api.post(events, json={"kind": "hold_placed"}, headers=officer).status_code == 422  # a reason is needed
    held = api.post(events, json={"kind": "hold_placed", "reason": "Pattern of thefts"}, headers=officer)
    assert held.status_code == 201, held.text
    assert held.json()["timeline"][-1]["kind"] == "hold_placed"
    again = api.post(events, json={"kind": "hold_placed", "reason": "twice"}, headers=officer)
    assert again.status_code == 409 and again.json()["message"] == "the report is already kept as evidence"
    admin = _api_token(small, "hold.admin", "admin", None)
    assert api.post(events, json={"kind": "hold_removed", "reason": "x"}, headers=admin).status_code == 403
    # The farmer never sees the hold.
    assert [e["kind"] for e in farmer.view(report_id)["timeline"]][-1] == "closed"

    small.set_now(T0 + timedelta(days=800))
    done = small.live.cli("retention", "run")
    assert done.returncode == 0, done.stderr
    assert small.scalar("SELECT count(*) FROM reports WHERE id = ?", report_id) == 1

    supervisor = login(small, "hold.supervisor", "supervisor", KENT_POLICE)
    page = supervisor.get(f"/console/reports/{report_id}").text
    assert "Kept as evidence" in page and "Pattern of thefts" in page
    removed = supervisor.act(report_id, "hold_removed", reason="Case closed at court")
    assert removed.status_code == 303
    assert "Not held" in supervisor.get(f"/console/reports/{report_id}").text
    kinds = [r[0] for r in small.query("SELECT kind FROM events WHERE report_id = ? ORDER BY id", report_id)]
    assert kinds[-2:] == ["hold_placed", "hold_removed"]

    done = small.live.cli("retention", "run")
    assert done.returncode == 0, done.stderr
    assert "purged 1 report(s) under closed_duplicate_or_mistake (1 year, Kent Police)" in done.stdout
    assert small.scalar("SELECT count(*) FROM reports WHERE id = ?", report_id) == 0


def test_an_upload_never_completed_goes_after_its_period(small: ConsoleServer) -> None:
    real_now = datetime.now(UTC).replace(microsecond=0)
    small.set_now(real_now)
    farmer = Farmer(small, "Una Finished")
    data = noise_jpeg(77, 800, 600)
    decl = photo_decl(data)
    at = _iso(real_now)
    report_id = farmer.report(where=FARM, occurred_at=at, created_at=at, photos=[decl])
    upload = uploader(small.url, farmer.headers, data, report_id, decl, chunk_size=1024)
    upload.upload_chunk()
    uid = str(upload.url).rstrip("/").rsplit("/", 1)[-1]
    uploads = small.live.data_dir / "uploads"
    assert (uploads / f"{uid}.bin").exists()
    early = small.live.cli("retention", "run", "--dry-run", "--now", _iso(real_now + timedelta(days=29)))
    assert uid not in early.stdout
    done = small.live.cli("retention", "run", "--now", _iso(real_now + timedelta(days=31)))
    assert done.returncode == 0, done.stderr
    assert "purged 1 upload(s) under incomplete_uploads (30 days)" in done.stdout
    assert not (uploads / f"{uid}.bin").exists() and not (uploads / f"{uid}.json").exists()
    assert small.scalar("SELECT count(*) FROM reports WHERE id = ?", report_id) == 1


def test_the_server_purges_on_its_own_schedule(tmp_path: Path) -> None:
    server = start_console_server(tmp_path, HEDGEROW_RETENTION_INTERVAL_S="0.3")
    try:
        server.set_now(T0)
        officer = login(server, "sched.officer", "officer", KENT_POLICE)
        report_id = _send(server, Farmer(server), 1, FARM, photo=False).id
        assert officer.act(report_id, "closed", outcome="duplicate", duplicate_of=report_id).status_code == 422
        assert officer.act(report_id, "closed", outcome="mistake").status_code == 303
        server.set_now(T0 + timedelta(days=370))
        wait_until(lambda: server.scalar("SELECT count(*) FROM reports") == 0, "the server's purge", timeout=30)
        assert server.scalar("SELECT count FROM purge_log WHERE kind = 'report'") == 1
    finally:
        server.close()


def test_the_cli_says_what_is_wrong_with_its_input(tmp_path: Path) -> None:
    cli = LiveServer(tmp_path / "data").cli
    for args, words in [
        (("run", "--now", "yesterday"), "'yesterday' is not an ISO 8601 time"),
        (("run", "--now", "2030-01-01T00:00:00"), "give the time with its offset"),
        (("set", "closed_reports", "six years"), "a period looks like '6 years'"),
        (("set", "forever", "6 years"), "rule must be one of closed_reports"),
        (("set", "unrouted_reports", "2 years", "--force", KENT_POLICE), "unrouted_reports is national"),
        (("set", "closed_reports", "default"), "the national period cannot be removed"),
    ]:
        done = cli("retention", *args)
        assert done.returncode != 0 and words in done.stderr, (args, done.stderr)
    assert cli("retention", "run", "--dry-runn").returncode == 2  # argparse: no such option


def test_retention_show_prints_the_national_periods_and_each_forces_own(tmp_path: Path) -> None:
    cli = LiveServer(tmp_path / "data").cli
    shown = cli("retention", "show")
    assert shown.returncode == 0, shown.stderr
    assert "closed_reports                6 years     national default" in shown.stdout
    assert "staff_access_log              2 years     national default" in shown.stdout
    assert "Retention for Kent Police" not in shown.stdout
    done = cli("retention", "set", "closed_reports", "7 years", "--force", KENT_POLICE)
    assert done.returncode == 0 and "closed_reports for Kent Police: 7 years" in done.stdout
    shown = cli("retention", "show").stdout
    assert (
        "Retention for Kent Police" in shown
        and "closed_reports                7 years     Kent Police override" in shown
    )
    assert cli("retention", "set", "closed_reports", "default", "--force", KENT_POLICE).returncode == 0
    assert "Retention for Kent Police" not in cli("retention", "show").stdout


def test_a_period_counts_back_in_calendar_units() -> None:
    from backend.services.retention.policy import Period

    leap = datetime(2024, 2, 29, 12, tzinfo=UTC)
    assert Period.parse("1 year").before(leap) == datetime(2023, 2, 28, 12, tzinfo=UTC)
    assert Period.parse("18 months").before(leap) == datetime(2022, 8, 29, 12, tzinfo=UTC)
    assert Period.parse("30 Days").before(leap) == leap - timedelta(days=30)
    assert str(Period.parse("1 years")) == "1 year"
