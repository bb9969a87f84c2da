"""What the summaries count, read from `summary_facts` (each routed report's stored clocks, copied in the form
they are counted: see backend/migrations/m0005_summary_facts.py) and added up per area, category and month:
one pass over the period's rows for what is settled, and one over the few clocks still running for what "now"
settles.

Nothing here computes a clock: states, due times and the times taken are as the clocks module stored them. The
one thing decided here is "now": a clock stored as running whose due time has passed has run out (as
backend/services/clocks/response_clocks.py documents), so it counts as decided (and breached).

`Tally` holds the additive facts of a set of reports; the times (to an answer, a reference, attendance, each
101 call's wait, each report's longest 101 wait) are kept as arrays so that medians and 90th percentiles are
exact for any roll-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlite_utils

from backend.services.clocks.response_clocks import CALL_AMBER_S, CALL_RED_S

# The summary rows hold 0/1 flags packed three to an integer, PACK bits each, so that one SUM adds up three counts;
# a cell (one area, category and month) must hold fewer than MAX_CELL reports for the sums not to carry (20 calls
# a report at most, wire/reports.py, so a cell's calls stay under 2**21 too). The migration that packs them
# (m0005_summary_facts) holds its own frozen copy of the multipliers.
PACK = 21
MAX_CELL = 100_000

# Bands of the charts: time to an answer, and each report's longest 101 wait (seconds; each band is
# [edge, next edge), the last open-ended).
ANSWER_BANDS_S = (0, 2 * 3600, 8 * 3600, 24 * 3600, 2 * 86400, 5 * 86400)
WAIT_BANDS_S = (0, 60, CALL_AMBER_S, CALL_RED_S, 30 * 60)

# The additive counts of a Tally, in the order the query gives them after count(*).
COUNTS = (
    "received",
    "answered_met",  # answered within target
    "answered_decided",  # answered, late or not, or run out unanswered
    "unanswered_now",
    "reference_given",
    "reference_decided",
    "attended",
    "attendance_decided",
    "decision_breaches",  # Victims' Code: no decision within 5 working days
    "update_breaches",  # Victims' Code: more than 30 days without an update
    "reports_101",
    "calls_101",
    "abandoned_101",
    "reports_chased",
    "chases",
)
TIMES = ("answer_times", "reference_times", "attendance_times", "waits_101", "longest_101")
_INDEX = {name: i for i, name in enumerate(COUNTS)}
_MASK = (1 << PACK) - 1
_WHERE = """
WHERE area_id IN ({areas}) AND category IN ({categories}) AND month BETWEEN :first_month AND :last_month
    AND received_s >= :start AND received_s < :end
"""
# What is settled, in one pass over the period's rows (packed columns: see the migration).
_SETTLED = (
    "SELECT area_id, category, month, count(*), sum(done), sum(done_too), sum(decided), sum(breached), sum(calls), "
    "sum(chases), group_concat(answered_took_s), group_concat(reference_took_s), group_concat(attendance_took_s), "
    "group_concat(calls_101_waits), group_concat(calls_101_longest_s) FROM summary_facts"
    + _WHERE
    + "GROUP BY area_id, category, month"
)
# What "now" settles: clocks still running whose due time has passed, from the small index of running clocks.
_NOW = (
    "SELECT area_id, category, month, sum(answered_due_s < :now), sum(reference_due_s < :now), "
    "sum(attendance_due_s < :now), sum(decision_due_s < :now), sum(update_due_s < :now) "
    "FROM summary_facts INDEXED BY summary_facts_running"
    + _WHERE
    + "AND running IS NOT NULL GROUP BY area_id, category, month"
)
_EMPTY = np.zeros(0, dtype=np.int32)


def _values(text: str | None) -> np.ndarray:
    # 32 bits hold any time a clock can take (a target is at most a year) and halve the copying.
    return np.fromstring(text, dtype=np.int32, sep=",") if text else _EMPTY


def _unpack(value: int | None) -> tuple[int, int, int]:
    value = value or 0
    return value & _MASK, (value >> PACK) & _MASK, value >> (2 * PACK)


def joined(arrays: Sequence[np.ndarray]) -> np.ndarray:
    if len(arrays) == 1:
        return arrays[0]
    return np.concatenate(arrays) if arrays else _EMPTY


class Tally:
    """The additive facts of a set of reports received in a period: `t.received`, `t.answer_times` ..."""

    __slots__ = ("_joined", "_ranked", "counts", "times")

    def __init__(self, counts: np.ndarray | None = None, times: dict[str, list[np.ndarray]] | None = None) -> None:
        self.counts = counts if counts is not None else np.zeros(len(COUNTS), dtype=np.int64)
        self.times = times if times is not None else {name: [] for name in TIMES}
        self._joined: dict[str, np.ndarray] = {}
        self._ranked: dict[tuple[str, int, int], int] = {}

    def __getattr__(self, name: str) -> Any:
        if name in _INDEX:
            return int(self.counts[_INDEX[name]])
        if name in TIMES:
            return self.times[name]
        raise AttributeError(name)

    @property
    def reports_101_waits(self) -> int:
        """Reports with at least one 101 call whose wait is known (each has a longest wait)."""
        return sum(len(a) for a in self.times["longest_101"])

    def values(self, name: str) -> np.ndarray:
        """One of the times, as one array (joined once, then kept)."""
        if name not in self._joined:
            self._joined[name] = joined(self.times[name])
        return self._joined[name]

    def percentile(self, name: str, numerator: int, denominator: int) -> int:
        """`nearest_rank` of one of the times. The median and the 90th percentile are found in one pass and kept."""
        key = (name, numerator, denominator)
        if key not in self._ranked:
            values = self.values(name)
            wanted = {key, (name, 1, 2), (name, 9, 10)}
            ranks = {k: nearest_rank_index(len(values), k[1], k[2]) for k in wanted}
            # In place: the order of a cell's times means nothing, and a copy of a million would cost more.
            values.partition(sorted(set(ranks.values())))
            self._ranked.update({k: int(values[i]) for k, i in ranks.items()})
        return self._ranked[key]

    def add(self, other: Tally) -> None:
        self.counts += other.counts  # only ever added into a fresh Tally (Tally.of)
        for name in TIMES:
            self.times[name].extend(other.times[name])
        self._joined.clear()
        self._ranked.clear()

    @staticmethod
    def of(parts: Iterable[Tally]) -> Tally:
        total = Tally()
        for part in parts:
            total.add(part)
        return total


@dataclass(frozen=True)
class CellKey:
    """The finest grouping the summaries read: one area, one category, one UK calendar month."""

    area_id: int
    category: str
    month: int


def read_cells(
    db: sqlite_utils.Database,
    area_ids: Sequence[int],
    categories: Sequence[str],
    start_s: int,
    end_s: int,
    months: Sequence[int],
    now_s: int,
) -> dict[CellKey, Tally]:
    """Every (area, category, month) of the reports received in [start_s, end_s), as tallies at `now_s`."""
    if not area_ids or not categories or not months:
        return {}
    params: dict[str, int | str] = {
        "now": now_s,
        "start": start_s,
        "end": end_s,
        "first_month": months[0],
        "last_month": months[-1],
    }
    params.update({f"a{i}": int(a) for i, a in enumerate(sorted(area_ids))})
    params.update({f"c{i}": c for i, c in enumerate(sorted(categories))})
    where = {
        "areas": ", ".join(f":a{i}" for i in range(len(area_ids))),
        "categories": ", ".join(f":c{i}" for i in range(len(categories))),
    }
    late = {(r[0], r[1], r[2]): r[3:] for r in db.execute(_NOW.format(**where), params).fetchall()}
    cells: dict[CellKey, Tally] = {}
    for row in db.execute(_SETTLED.format(**where), params).fetchall():
        key = (row[0], row[1], row[2])
        received = row[3]
        if received >= MAX_CELL:
            raise RuntimeError(f"{received} reports in one area, category and month: more than summaries can add up")
        met, unanswered, given = _unpack(row[4])
        attended, reports_101, chased = _unpack(row[5])
        answered, referenced, visited = _unpack(row[6])
        decision, update, _ = _unpack(row[7])
        abandoned, calls, _ = _unpack(row[8])
        now_answered, now_reference, now_attendance, now_decision, now_update = (
            v or 0 for v in late.get(key, (0,) * 5)
        )
        counts = np.array(
            [
                received,
                met,
                answered + now_answered,
                unanswered,
                given,
                referenced + now_reference,
                attended,
                visited + now_attendance,
                decision + now_decision,
                update + now_update,
                reports_101,
                calls,
                abandoned,
                chased,
                row[9] or 0,
            ],
            dtype=np.int64,
        )
        times = {name: [_values(row[10 + i])] for i, name in enumerate(TIMES)}
        cells[CellKey(*key)] = Tally(counts, times)
    return cells


def nearest_rank_index(n: int, numerator: int, denominator: int) -> int:
    """Where the (numerator/denominator) percentile of n sorted values is, by the nearest-rank method: rank
    ceil(p * n), counted from 1 (the median of 4 values is the 2nd, their 90th percentile the 4th). Integer
    arithmetic, so that 0.9 * 10 is exactly 9."""
    if n == 0:
        raise ValueError("no values")
    return (numerator * n + denominator - 1) // denominator - 1


def nearest_rank(values: np.ndarray, numerator: int, denominator: int) -> int:
    """The (numerator/denominator) percentile of the values by the nearest-rank method."""
    index = nearest_rank_index(len(values), numerator, denominator)
    return int(np.partition(values, index)[index])


def band_counts(values: np.ndarray, edges: Sequence[int]) -> list[int]:
    """How many values fall in each band [edge, next edge), the last band open-ended."""
    if len(values) == 0:
        return [0] * len(edges)
    index = np.searchsorted(np.asarray(edges[1:]), values, side="right")
    return [int(n) for n in np.bincount(index, minlength=len(edges))]
