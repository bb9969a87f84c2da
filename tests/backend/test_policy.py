"""The response policy: shipped defaults with history, and a supervisor's overrides through the API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backend.services.clocks import policy
from backend.services.errors import Invalid
from tests.backend.clocks_support import ClockDb, utc
from tests.support import LiveServer, staff_token

KENT = "Kent Police"


@pytest.fixture
def cdb(tmp_path: Path) -> Iterator[ClockDb]:
    c = ClockDb(tmp_path / "hedgerow.db")
    yield c
    c.close()


def test_changing_the_defaults_file_applies_from_then_on_and_keeps_the_history(cdb: ClockDb, tmp_path: Path) -> None:
    assert policy.sync_defaults(cdb.db, utc("2025-09-01 00:00")) > 0
    assert policy.sync_defaults(cdb.db, utc("2025-09-02 00:00")) == 0  # the same file again: nothing to record
    before = cdb.report(utc("2025-09-02 09:00"), "theft_fuel")  # a Tuesday
    changed = tmp_path / "policy.toml"
    changed.write_text(
        policy.DEFAULT_FILE.read_text().replace('target = "1 working day"', 'target = "2 working days"', 1)
    )
    assert policy.sync_defaults(cdb.db, utc("2025-09-03 00:00"), changed) == 1
    after = cdb.report(utc("2025-09-03 09:00"), "theft_fuel")  # a Wednesday
    now = utc("2025-09-03 10:00")
    assert cdb.clock(before, "answered", now).due == utc("2025-09-03 09:00")
    assert cdb.clock(after, "answered", now).due == utc("2025-09-05 09:00")
    rows = [r for r in policy.history(cdb.db, None) if r["clock"] == "answered" and r["category"] is None]
    assert [(r["target"], r["effective_from"]) for r in rows] == [
        ("1 working day", "1970-01-01T00:00:00Z"),
        ("2 working days", "2025-09-03T00:00:00Z"),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('target = "48 hours"', 'target = "48 fortnights"'), "a target is a whole number and a unit"),
        (("[categories.suspicious_activity]", "[categories.sheep_rustling]"), "unknown category"),
        (('flag = "no_update"', 'flag = "late"'), "flag must be one of"),
        (('stopped_by = ["attended"]', 'stopped_by = ["note"]'), "stopped_by must list events"),
        (("[clocks.attendance]", "[clocks.visit]"), "must define exactly"),
    ],
)
def test_a_mistake_in_the_defaults_file_is_refused_with_what_is_wrong(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    bad = tmp_path / "policy.toml"
    text = policy.DEFAULT_FILE.read_text()
    assert change[0] in text
    bad.write_text(text.replace(change[0], change[1], 1))
    with pytest.raises(Invalid, match=message):
        policy.load_file(bad)


def test_shipped_defaults_match_the_response_standards() -> None:
    defaults = policy.load_file().defaults
    assert defaults[("", "answered")] == "1 working day"
    assert defaults[("hare_coursing", "answered")] == "2 hours"
    assert defaults[("", "reference")] == "48 hours"
    assert defaults[("", "decision")] == "5 working days"
    assert defaults[("", "update")] == "30 days"
    assert defaults[("", "attendance")] == "48 hours"
    assert defaults[("livestock_worrying", "attendance")] == "60 minutes"
    assert ("fly_tipping", "answered") not in defaults


@pytest.fixture(scope="module")
def tokens(server: LiveServer) -> Iterator[dict[str, dict[str, str]]]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        yield {
            "kent_sup": staff_token(server, c, "kent-sup", "supervisor", KENT),
            "kent_officer": staff_token(server, c, "kent-off", "officer", KENT),
            "sussex_sup": staff_token(server, c, "sussex-sup", "supervisor", "Sussex Police"),
            "admin": staff_token(server, c, "admin", "admin"),
            "nfu": staff_token(server, c, "nfu", "nfu"),
        }


def _target(table: dict, category: str, clock: str) -> tuple[str, str]:
    row = next(t for t in table["targets"] if t["category"] == category and t["clock"] == clock)
    return row["target"], row["source"]


def test_supervisor_overrides_a_target_for_their_force(client: httpx.Client, tokens: dict) -> None:
    url = f"/api/v1/policy/{KENT}"
    r = client.put(url, json={"clock": "answered", "target": "4 Hours"}, headers=tokens["kent_sup"])
    assert r.status_code == 200, r.text
    table = r.json()
    assert table["force"] == KENT
    assert _target(table, "fly_tipping", "answered") == ("4 hours", f"{KENT} override")
    assert _target(table, "hare_coursing", "answered") == ("2 hours", "default for hare_coursing")
    r = client.put(
        url, json={"clock": "decision", "category": "fly_tipping", "target": "none"}, headers=tokens["kent_sup"]
    )
    assert r.status_code == 200, r.text
    assert _target(r.json(), "fly_tipping", "decision") == ("none", f"{KENT} override for fly_tipping")
    # Kent's officers read Kent's policy; Sussex is untouched.
    mine = client.get("/api/v1/policy", headers=tokens["kent_officer"]).json()
    assert _target(mine, "fly_tipping", "answered") == ("4 hours", f"{KENT} override")
    sussex = client.get("/api/v1/policy", headers=tokens["sussex_sup"]).json()
    assert _target(sussex, "fly_tipping", "answered") == ("1 working day", "default")
    history = client.get("/api/v1/policy/history", headers=tokens["kent_sup"]).json()
    overrides = [h for h in history if h["force"] == KENT]
    assert [(h["clock"], h["category"], h["target"]) for h in overrides] == [
        ("answered", None, "4 hours"),
        ("decision", "fly_tipping", "none"),
    ]
    assert all("kent-sup" in h["set_by"] for h in overrides)
    # Removing the override brings the default back, and the history keeps both.
    r = client.put(url, json={"clock": "answered", "target": None}, headers=tokens["kent_sup"])
    assert _target(r.json(), "fly_tipping", "answered") == ("1 working day", "default")
    history = client.get("/api/v1/policy/history", headers=tokens["kent_sup"]).json()
    assert [h["target"] for h in history if h["force"] == KENT and h["clock"] == "answered"] == ["4 hours", None]


@pytest.mark.parametrize(
    ("who", "force", "status"),
    [("kent_officer", KENT, 403), ("sussex_sup", KENT, 403), ("nfu", KENT, 403), ("admin", "Atlantis Police", 404)],
)
def test_only_a_supervisor_of_the_force_or_an_admin_changes_its_targets(
    client: httpx.Client, tokens: dict, who: str, force: str, status: int
) -> None:
    r = client.put(f"/api/v1/policy/{force}", json={"clock": "reference", "target": "1 hour"}, headers=tokens[who])
    assert r.status_code == status, r.text
    history = client.get("/api/v1/policy/history", params={"force": KENT}, headers=tokens["admin"]).json()
    assert not any(h["clock"] == "reference" and h["force"] == KENT for h in history)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"clock": "answered", "target": "4 fortnights"}, "a target is a whole number and a unit"),
        ({"clock": "answered", "target": "0 hours"}, "between 1 and"),
        ({"clock": "answered", "target": 4}, "target"),
        ({"clock": "answered"}, "target"),
        ({"clock": "lunch", "target": "1 hour"}, "clock"),
        ({"clock": "answered", "category": "sheep_rustling", "target": "1 hour"}, "unknown category"),
        ({"clock": "answered", "target": "1 hour", "force": "Sussex Police"}, "force"),
        ({"clock": "answered", "target": "1 hour" + " " * 100}, "target"),
    ],
)
def test_a_bad_override_is_refused_with_a_clear_message_and_changes_nothing(
    client: httpx.Client, tokens: dict, body: dict, message: str
) -> None:
    before = client.get("/api/v1/policy/history", headers=tokens["kent_sup"]).json()
    r = client.put(f"/api/v1/policy/{KENT}", json=body, headers=tokens["kent_sup"])
    assert r.status_code == 422, r.text
    assert message in r.json()["message"]
    assert client.get("/api/v1/policy/history", headers=tokens["kent_sup"]).json() == before


def test_policy_endpoints_need_a_staff_token_and_refuse_oversized_bodies(client: httpx.Client, tokens: dict) -> None:
    assert client.get("/api/v1/policy").status_code == 401
    assert client.put(f"/api/v1/policy/{KENT}", json={"clock": "answered", "target": "1 hour"}).status_code == 401
    r = client.get("/api/v1/policy", params={"force": "Sussex Police"}, headers=tokens["kent_officer"])
    assert r.status_code == 403
    huge = {"clock": "answered", "target": "1 hour", "padding": "x" * 400_000}
    assert client.put(f"/api/v1/policy/{KENT}", json=huge, headers=tokens["kent_sup"]).status_code == 413
    defaults = client.get("/api/v1/policy", headers=tokens["nfu"])
    assert defaults.status_code == 200
    assert defaults.json()["force"] is None
    assert [c["name"] for c in defaults.json()["clocks"]] == [
        "answered",
        "reference",
        "decision",
        "update",
        "attendance",
    ]


def test_policy_at_a_past_moment_needs_its_offset(client: httpx.Client, tokens: dict) -> None:
    r = client.put(
        f"/api/v1/policy/{KENT}", json={"clock": "attendance", "target": "24 hours"}, headers=tokens["admin"]
    )
    assert r.status_code == 200, r.text
    now = client.get("/api/v1/policy", params={"force": KENT}, headers=tokens["admin"]).json()
    assert _target(now, "theft_fuel", "attendance") == ("24 hours", f"{KENT} override")
    then = client.get("/api/v1/policy", params={"force": KENT, "at": "2020-01-01T00:00:00Z"}, headers=tokens["admin"])
    assert then.status_code == 200, then.text
    assert _target(then.json(), "theft_fuel", "attendance") == ("48 hours", "default")
    naive = client.get("/api/v1/policy", params={"at": "2020-01-01T00:00:00"}, headers=tokens["admin"])
    assert naive.status_code == 422
    assert "at" in naive.json()["message"]
    client.put(f"/api/v1/policy/{KENT}", json={"clock": "attendance", "target": None}, headers=tokens["admin"])


def test_the_defaults_read_without_a_force_are_named_defaults(client: httpx.Client, tokens: dict) -> None:
    # Read with no force (the NFU, or an admin who names none), every target comes from the defaults, and says so.
    for who in ("nfu", "admin"):
        table = client.get("/api/v1/policy", headers=tokens[who]).json()
        assert table["force"] is None
        sources = {t["source"] for t in table["targets"]}
        assert all(s == "default" or s.startswith("default for ") for s in sources), sources
        assert _target(table, "theft_fuel", "answered") == ("1 working day", "default")
        assert _target(table, "hare_coursing", "answered") == ("2 hours", "default for hare_coursing")
